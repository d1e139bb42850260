// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx VMX backend: guest register state in the VMCS, as the core's ops see
 * it.  Every function here runs with the vCPU loaded (its VMCS current).
 *
 * CR0 and CR4 are split: bits the guest owns go to the hardware register
 * directly; hvx-owned bits are read from the read shadow (what the guest
 * believes) while the hardware value keeps what VMX needs (SDM 25.6.6).
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vmx.h"
#include "nested.h"
#include "../x86/x86.h"

/* IA32_PAT after reset (SDM Vol. 3A 11.12.4) */
#define HVX_PAT_DEFAULT		0x0007040600070406ULL

/* The VMCS fields of one segment register. */
struct vmx_seg_field {
	u16 selector, base, limit, ar;
};

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR };

static const struct vmx_seg_field vmx_seg[] = {
	[SEG_ES] = { GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT,
		     GUEST_ES_AR_BYTES },
	[SEG_CS] = { GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT,
		     GUEST_CS_AR_BYTES },
	[SEG_SS] = { GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT,
		     GUEST_SS_AR_BYTES },
	[SEG_DS] = { GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT,
		     GUEST_DS_AR_BYTES },
	[SEG_FS] = { GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT,
		     GUEST_FS_AR_BYTES },
	[SEG_GS] = { GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT,
		     GUEST_GS_AR_BYTES },
	[SEG_TR] = { GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT,
		     GUEST_TR_AR_BYTES },
	[SEG_LDTR] = { GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
		       GUEST_LDTR_AR_BYTES },
};

/* Access rights layout (SDM 25.4.1, table 25-2) */
static u32 vmx_seg_to_ar(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return VMX_AR_UNUSABLE;
	return (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void vmx_get_seg(int seg, struct kvm_segment *s)
{
	const struct vmx_seg_field *f = &vmx_seg[seg];
	u32 ar = vmcs_read(f->ar);

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(f->selector);
	s->base = vmcs_read(f->base);
	s->limit = vmcs_read(f->limit);
	s->type = ar & 0xf;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

static void vmx_set_seg(int seg, const struct kvm_segment *s)
{
	const struct vmx_seg_field *f = &vmx_seg[seg];

	vmcs_write(f->selector, s->selector);
	vmcs_write(f->base, s->base);
	vmcs_write(f->limit, s->limit);
	vmcs_write(f->ar, vmx_seg_to_ar(s));
}

static u64 vmx_read_cr0(void)
{
	u64 owned = vmx_conf.cr0_guest_owned;

	return (vmcs_read(GUEST_CR0) & owned) |
	       (vmcs_read(CR0_READ_SHADOW) & ~owned);
}

static u64 vmx_read_cr4(void)
{
	u64 owned = vmx_conf.cr4_guest_owned;

	return (vmcs_read(GUEST_CR4) & owned) |
	       (vmcs_read(CR4_READ_SHADOW) & ~owned);
}

u64 vmx_get_cr(struct hvx_vcpu *vcpu, int cr)
{
	switch (cr) {
	case 0:
		return vmx_read_cr0();
	case 2:
		return vcpu->cr2;
	case 3:
		return vmcs_read(GUEST_CR3);
	case 4:
		return vmx_read_cr4();
	case 8:
		return to_vmx(vcpu)->cr8;
	default:
		return 0;
	}
}

bool vmx_guest_paging_pae(struct vmx_vcpu *vmx)
{
	return (vmx_read_cr0() & X86_CR0_PG) &&
	       (vmx_read_cr4() & X86_CR4_PAE) &&
	       !(vmcs_read(GUEST_IA32_EFER) & EFER_LMA);
}

/*
 * With EPT, PAE paging takes its four PDPTEs from the VMCS on entry (SDM
 * 27.3.2.4); MOV to CR3 in the guest reloads them itself, but a mode change
 * that hvx emulates must load them from guest memory.
 */
int vmx_load_pdptrs(struct vmx_vcpu *vmx, u64 cr3)
{
	u64 pdpte[4];
	int i, r;

	r = hvx_read_guest(vmx->vcpu.vm, cr3 & 0xffffffe0ULL, pdpte,
			   sizeof(pdpte));
	if (r)
		return r;
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return 0;
}

void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits(VM_ENTRY_CONTROLS, ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits(VM_ENTRY_CONTROLS, ENTRY_IA32E_MODE);
}

/**
 * vmx_set_cr0() - the guest's CR0 becomes @cr0 (already validated)
 * @vmx: the vCPU
 * @cr0: the value the guest sees
 *
 * Keeps EFER.LMA and the "IA-32e mode guest" control in step with paging
 * (SDM Vol. 3A 9.8.5), and loads PDPTEs when PAE paging starts.
 */
void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 hw = (cr0 & ~(u64)(X86_CR0_CD | X86_CR0_NW)) | X86_CR0_NE |
		 vmx_conf.cr0_fixed0;
	u64 efer = vmcs_read(GUEST_IA32_EFER);

	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, hw);
	if (efer & EFER_LME) {
		if (cr0 & X86_CR0_PG)
			efer |= EFER_LMA;
		else
			efer &= ~EFER_LMA;
		vmx_set_efer(vmx, efer);
	}
	if (vmx_guest_paging_pae(vmx))
		vmx_load_pdptrs(vmx, vmcs_read(GUEST_CR3));
}

/**
 * vmx_set_cr4() - the guest's CR4 becomes @cr4 (already validated)
 * @vmx: the vCPU
 * @cr4: the value the guest sees
 */
void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, cr4 | vmx_conf.cr4_fixed0);
	if (vmx_guest_paging_pae(vmx))
		vmx_load_pdptrs(vmx, vmcs_read(GUEST_CR3));
}

void vmx_get_regs(struct hvx_vcpu *vcpu, struct kvm_regs *regs)
{
	regs->rip = vmcs_read(GUEST_RIP);
	regs->rflags = vmcs_read(GUEST_RFLAGS);
}

void vmx_set_regs(struct hvx_vcpu *vcpu, const struct kvm_regs *regs)
{
	vmcs_write(GUEST_RIP, regs->rip);
	/* Bit 1 is always 1; reserved bits are always 0 (SDM 26.3.1.4). */
	vmcs_write(GUEST_RFLAGS, (regs->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED);
}

u64 vmx_get_rflags(struct hvx_vcpu *vcpu)
{
	return vmcs_read(GUEST_RFLAGS);
}

void vmx_set_rflags(struct hvx_vcpu *vcpu, u64 rflags)
{
	vmcs_write(GUEST_RFLAGS, (rflags & 0x3f7fd7) | X86_EFLAGS_FIXED);
}

void vmx_get_sregs(struct hvx_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_get_seg(SEG_CS, &sregs->cs);
	vmx_get_seg(SEG_DS, &sregs->ds);
	vmx_get_seg(SEG_ES, &sregs->es);
	vmx_get_seg(SEG_FS, &sregs->fs);
	vmx_get_seg(SEG_GS, &sregs->gs);
	vmx_get_seg(SEG_SS, &sregs->ss);
	vmx_get_seg(SEG_TR, &sregs->tr);
	vmx_get_seg(SEG_LDTR, &sregs->ldt);
	sregs->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	memset(sregs->gdt.padding, 0, sizeof(sregs->gdt.padding));
	memset(sregs->idt.padding, 0, sizeof(sregs->idt.padding));
	sregs->cr0 = vmx_read_cr0();
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->cr4 = vmx_read_cr4();
	sregs->cr8 = vmx->cr8;
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
}

int vmx_set_sregs(struct hvx_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_set_seg(SEG_CS, &sregs->cs);
	vmx_set_seg(SEG_DS, &sregs->ds);
	vmx_set_seg(SEG_ES, &sregs->es);
	vmx_set_seg(SEG_FS, &sregs->fs);
	vmx_set_seg(SEG_GS, &sregs->gs);
	vmx_set_seg(SEG_SS, &sregs->ss);
	vmx_set_seg(SEG_TR, &sregs->tr);
	vmx_set_seg(SEG_LDTR, &sregs->ldt);
	vmcs_write(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmx->cr8 = sregs->cr8 & 0xf;
	vmcs_write(GUEST_CR3, sregs->cr3);
	vmx_set_efer(vmx, sregs->efer);
	vmx_set_cr4(vmx, sregs->cr4);
	vmx_set_cr0(vmx, sregs->cr0);
	return 0;
}

/**
 * vmx_reset_guest_state() - the architectural state after RESET
 * @vmx: the vCPU
 *
 * Real mode at F000:FFF0 with CS.base FFFF0000 (SDM Vol. 3A 9.1.1, table
 * 9-1), as KVM presents a new vCPU.
 */
void vmx_reset_guest_state(struct vmx_vcpu *vmx)
{
	struct kvm_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct kvm_segment code = data;
	struct kvm_segment ldt = { .limit = 0xffff, .type = 2, .present = 1 };
	struct kvm_segment tr = { .limit = 0xffff, .type = 11, .present = 1 };
	int seg;

	code.type = 11;
	code.selector = 0xf000;
	code.base = 0xffff0000;
	for (seg = SEG_ES; seg <= SEG_GS; seg++)
		vmx_set_seg(seg, seg == SEG_CS ? &code : &data);
	vmx_set_seg(SEG_TR, &tr);
	vmx_set_seg(SEG_LDTR, &ldt);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(GUEST_RIP, 0xfff0);
	vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_write(GUEST_CR3, 0);
	vmx_set_efer(vmx, 0);
	vmx_set_cr4(vmx, 0);
	vmx_set_cr0(vmx, X86_CR0_CD | X86_CR0_NW | X86_CR0_ET);
	vmcs_write(GUEST_DR7, HVX_DR7_FIXED);
	vmx->dr7 = HVX_DR7_FIXED;
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, HVX_PAT_DEFAULT);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
}

void vmx_skip_insn(struct hvx_vcpu *vcpu, unsigned int len)
{
	u64 rip = vmcs_read(GUEST_RIP) + len;
	u32 intr;

	/* Outside 64-bit mode, RIP wraps at 4 GiB. */
	if (!(vmcs_read(GUEST_CS_AR_BYTES) & BIT(13)) ||
	    !(vmcs_read(GUEST_IA32_EFER) & EFER_LMA))
		rip = (u32)rip;
	vmcs_write(GUEST_RIP, rip);
	/* The instruction completed: its STI/MOV SS shadow is over. */
	intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STI_BLOCKING | GUEST_INTR_MOV_SS_BLOCKING))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STI_BLOCKING |
				    GUEST_INTR_MOV_SS_BLOCKING));
}

int vmx_get_msr(struct hvx_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int sw = vmx_switched_msr(index);

	if (sw >= 0) {
		*data = vmx->msr_guest[sw].value;
		return 0;
	}
	if (!nested_vmx_get_msr(vmx, index, data))
		return 0;
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read(GUEST_IA32_EFER);
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read(GUEST_IA32_PAT);
		return 0;
	case MSR_FS_BASE:
		*data = vmcs_read(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*data = vmcs_read(GUEST_GS_BASE);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_read(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_read(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		return 0;
	}
	return -ENOENT;
}

/* A canonical address for 48-bit linear addresses. */
static bool vmx_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

int vmx_set_msr(struct hvx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int sw = vmx_switched_msr(index);
	int r = nested_vmx_set_msr(vmx, index, data, host);

	if (r != -ENOENT)
		return r;

	if (sw >= 0) {
		if (index != MSR_STAR && !vmx_canonical(data))
			return -EINVAL;
		vmx->msr_guest[sw].value = data;
		vmx_enable_msr_switch(vmx);
		return 0;
	}
	switch (index) {
	case MSR_EFER: {
		u64 old = vmcs_read(GUEST_IA32_EFER);

		if (!hvx_efer_valid(data))
			return -EINVAL;
		/* LME cannot change while paging is on; LMA is the CPU's. */
		if ((vmx_read_cr0() & X86_CR0_PG) &&
		    ((old ^ data) & EFER_LME))
			return -EINVAL;
		data = (data & ~(u64)EFER_LMA) | (old & EFER_LMA);
		vmx_set_efer(vmx, data);
		return 0;
	}
	case MSR_IA32_CR_PAT:
		if (!hvx_pat_valid(data))
			return -EINVAL;
		vmcs_write(GUEST_IA32_PAT, data);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!vmx_canonical(data))
			return -EINVAL;
		vmcs_write(index == MSR_FS_BASE ? GUEST_FS_BASE :
			   index == MSR_GS_BASE ? GUEST_GS_BASE :
			   index == MSR_IA32_SYSENTER_ESP ? GUEST_SYSENTER_ESP :
			   GUEST_SYSENTER_EIP, data);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No branch tracing for guests: only 0 is accepted. */
		return data ? -EINVAL : 0;
	}
	return -ENOENT;
}

u64 vmx_get_dr7(struct hvx_vcpu *vcpu)
{
	return to_vmx(vcpu)->dr7;
}

/*
 * The guest's DR7 is kept, not loaded: guest breakpoints do not fire, so
 * the hardware DR0-3, which hold the host's values, are never armed for a
 * guest.  GUEST_DR7 stays 0x400.
 */
void vmx_set_dr7(struct hvx_vcpu *vcpu, u64 dr7)
{
	to_vmx(vcpu)->dr7 = dr7;
}

/*
 * While L2 runs, L1's interrupts are not L2's to take.  When L1 intercepts
 * them, one may come at any time: nested_vmx_events() turns it into a VM
 * exit to L1.  Otherwise, and for NMIs, they wait until L2 exits to L1.
 */
bool vmx_interrupt_allowed(struct hvx_vcpu *vcpu)
{
	if (to_vmx(vcpu)->nested_guest_mode)
		return nested_vmx_l1_intercepts_intr(to_vmx(vcpu));
	return (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STI_BLOCKING | GUEST_INTR_MOV_SS_BLOCKING)) &&
	       !(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID);
}

bool vmx_nmi_allowed(struct hvx_vcpu *vcpu)
{
	if (to_vmx(vcpu)->nested_guest_mode)
		return false;
	return !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STI_BLOCKING | GUEST_INTR_MOV_SS_BLOCKING |
		  GUEST_INTR_NMI_BLOCKING)) &&
	       !(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID);
}

static const u32 vmx_event_type[] = {
	[HVX_EVENT_EXTINT] = INTR_TYPE_EXT_INTR,
	[HVX_EVENT_NMI] = INTR_TYPE_NMI,
	[HVX_EVENT_EXCEPTION] = INTR_TYPE_HARD_EXCEPTION,
	[HVX_EVENT_SOFT_INT] = INTR_TYPE_SOFT_INTR,
	[HVX_EVENT_SOFT_EXC] = INTR_TYPE_SOFT_EXCEPTION,
	[HVX_EVENT_PRIV_SOFT_EXC] = INTR_TYPE_PRIV_SW_EXCEPTION,
};

/* Event injection on the next VM entry (SDM 27.6). */
void vmx_inject(struct hvx_vcpu *vcpu, const struct hvx_event *ev)
{
	u32 info = ev->vector | vmx_event_type[ev->type] | INTR_INFO_VALID;

	/*
	 * An exception delivered in real mode pushes no error code, and VM
	 * entry refuses one with unrestricted guest and CR0.PE=0 (26.2.1.3).
	 */
	if (ev->type == HVX_EVENT_EXCEPTION && ev->has_error &&
	    (vmx_read_cr0() & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->error_code);
	}
	if (ev->type >= HVX_EVENT_SOFT_INT)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, ev->insn_len);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

void vmx_request_window(struct hvx_vcpu *vcpu, bool irq, bool nmi)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 ctl;

	/* vmcs02's window exits are L1's (nested.c), never hvx's. */
	if (vmx->nested_guest_mode)
		return;
	ctl = vmx->cur->cpu_based & ~(CPU_INTR_WINDOW_EXITING |
				     CPU_NMI_WINDOW_EXITING);

	if (irq)
		ctl |= CPU_INTR_WINDOW_EXITING;
	if (nmi)
		ctl |= CPU_NMI_WINDOW_EXITING;
	if (ctl != vmx->cur->cpu_based) {
		vmx->cur->cpu_based = ctl;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl);
	}
}

u32 vmx_get_interrupt_shadow(struct hvx_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO), shadow = 0;

	if (intr & GUEST_INTR_STI_BLOCKING)
		shadow |= KVM_X86_SHADOW_INT_STI;
	if (intr & GUEST_INTR_MOV_SS_BLOCKING)
		shadow |= KVM_X86_SHADOW_INT_MOV_SS;
	return shadow;
}

void vmx_set_interrupt_shadow(struct hvx_vcpu *vcpu, u32 shadow)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		   ~(GUEST_INTR_STI_BLOCKING | GUEST_INTR_MOV_SS_BLOCKING);

	if (shadow & KVM_X86_SHADOW_INT_STI)
		intr |= GUEST_INTR_STI_BLOCKING;
	else if (shadow & KVM_X86_SHADOW_INT_MOV_SS)
		intr |= GUEST_INTR_MOV_SS_BLOCKING;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr);
}

bool vmx_get_nmi_mask(struct hvx_vcpu *vcpu)
{
	return vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_NMI_BLOCKING;
}

void vmx_set_nmi_mask(struct hvx_vcpu *vcpu, bool masked)
{
	if (masked)
		vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO,
			      GUEST_INTR_NMI_BLOCKING);
	else
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO,
				GUEST_INTR_NMI_BLOCKING);
}
