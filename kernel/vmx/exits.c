// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx VMX backend: VM-exit handling.
 *
 * vmx_handle_exit() runs after every exit, with interrupts enabled and the
 * vCPU loaded.  It first saves an event whose delivery the exit cut short
 * (IDT-vectoring information, SDM 28.2.4) so the core delivers it again,
 * then dispatches on the basic exit reason through one table.  Handlers
 * return what the backend's run op returns: 1 to re-enter, 0 with
 * vcpu->run filled in for userspace.
 */
#include <asm/msr-index.h>

#include "vmx.h"
#include "nested.h"
#include "../x86/x86.h"

/* CR-access exit qualification (SDM 28.2.1, table 28-3) */
#define CR_QUAL_CR(q)		((q) & 0xf)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 0xf)
#define CR_QUAL_LMSW_SRC(q)	(((q) >> 16) & 0xffff)
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3

/* DR-access exit qualification (SDM 28.2.1, table 28-4) */
#define DR_QUAL_DR(q)		((q) & 7)
#define DR_QUAL_FROM		BIT(4)
#define DR_QUAL_GPR(q)		(((q) >> 8) & 0xf)

/* KVM's answer to an unknown hypercall: -KVM_ENOSYS in RAX. */
#define HVX_HC_ENOSYS		1000

static void vmx_skip(struct vmx_vcpu *vmx)
{
	vmx_skip_insn(&vmx->vcpu, vmx->exit_insn_len);
}

/* Skip the instruction unless its emulation raised an exception. */
static int vmx_complete_insn(struct vmx_vcpu *vmx)
{
	if (vmx->vcpu.exception.type == HVX_EVENT_NONE)
		vmx_skip(vmx);
	return 1;
}

/* An event cut short by the exit is delivered again on the next entry. */
static void vmx_save_idt_vectoring(struct vmx_vcpu *vmx)
{
	u32 info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	struct hvx_event *ev = &vmx->vcpu.reinject;

	/* A successful entry cleared the entry field's valid bit (27.6). */
	vmx->idt_vectoring = info;
	if (!(info & INTR_INFO_VALID))
		return;

	ev->vector = info & INTR_INFO_VECTOR_MASK;
	ev->has_error = info & INTR_INFO_DELIVER_CODE;
	ev->error_code = ev->has_error ?
			 vmcs_read(IDT_VECTORING_ERROR_CODE) : 0;
	ev->insn_len = 0;
	switch (info & INTR_INFO_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		ev->type = HVX_EVENT_EXTINT;
		break;
	case INTR_TYPE_NMI:
		ev->type = HVX_EVENT_NMI;
		/* Delivery of an NMI blocks NMIs; it did not happen yet. */
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO,
				GUEST_INTR_NMI_BLOCKING);
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		ev->type = HVX_EVENT_EXCEPTION;
		break;
	case INTR_TYPE_SOFT_INTR:
		ev->type = HVX_EVENT_SOFT_INT;
		ev->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		break;
	case INTR_TYPE_SOFT_EXCEPTION:
		ev->type = HVX_EVENT_SOFT_EXC;
		ev->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		break;
	case INTR_TYPE_PRIV_SW_EXCEPTION:
		ev->type = HVX_EVENT_PRIV_SOFT_EXC;
		ev->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		break;
	default:
		ev->type = HVX_EVENT_NONE;
		break;
	}
}

static int vmx_unexpected(struct vmx_vcpu *vmx)
{
	u64 data[2] = { vmx->exit_reason, vmx->exit_qual };

	return hvx_internal_error(&vmx->vcpu,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  2, data);
}

static int vmx_exit_exception(struct vmx_vcpu *vmx)
{
	/* NMIs were handled with interrupts off; nothing else is trapped. */
	if ((vmx->exit_intr_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		return 1;
	return vmx_unexpected(vmx);
}

static int vmx_exit_nothing(struct vmx_vcpu *vmx)
{
	return 1;
}

static int vmx_exit_triple_fault(struct vmx_vcpu *vmx)
{
	vmx->vcpu.run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int vmx_exit_window(struct vmx_vcpu *vmx)
{
	/* hvx_inject_events() decides, and re-arms what it still wants. */
	vmx_request_window(&vmx->vcpu, false, false);
	return 1;
}

static int vmx_exit_cpuid(struct vmx_vcpu *vmx)
{
	hvx_emulate_cpuid(&vmx->vcpu);
	vmx_skip(vmx);
	return 1;
}

static int vmx_exit_hlt(struct vmx_vcpu *vmx)
{
	/* With the interrupt controller in userspace, HLT is its business. */
	vmx_skip(vmx);
	vmx->vcpu.run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

static int vmx_exit_skip(struct vmx_vcpu *vmx)
{
	vmx_skip(vmx);
	return 1;
}

static int vmx_exit_ud(struct vmx_vcpu *vmx)
{
	hvx_queue_exception(&vmx->vcpu, HVX_UD_VECTOR, false, 0);
	return 1;
}

static int vmx_exit_gp(struct vmx_vcpu *vmx)
{
	hvx_queue_exception(&vmx->vcpu, HVX_GP_VECTOR, true, 0);
	return 1;
}

static int vmx_exit_vmcall(struct vmx_vcpu *vmx)
{
	vmx->vcpu.regs[HVX_RAX] = (u64)-HVX_HC_ENOSYS;
	vmx_skip(vmx);
	return 1;
}

static int vmx_mov_to_cr(struct vmx_vcpu *vmx, int cr, u64 val)
{
	u64 efer;

	switch (cr) {
	case 0:
		efer = vmcs_read(GUEST_IA32_EFER);
		if (!hvx_cr0_valid(val) ||
		    ((val & X86_CR0_PG) && (efer & EFER_LME) &&
		     !(vmx_get_cr(&vmx->vcpu, 4) & X86_CR4_PAE)))
			return vmx_exit_gp(vmx);
		vmx_set_cr0(vmx, val);
		break;
	case 4:
		/* VMXE only with nested VMX; leaving PAE in long mode is #GP. */
		if (!hvx_cr4_valid(val & ~(nested_vmx_cr4_vmxe_ok(vmx) ?
					   (u64)X86_CR4_VMXE : 0)) ||
		    ((efer = vmcs_read(GUEST_IA32_EFER)) & EFER_LMA &&
		     !(val & X86_CR4_PAE)))
			return vmx_exit_gp(vmx);
		vmx_set_cr4(vmx, val);
		break;
	case 8:
		if (val & ~0xfULL)
			return vmx_exit_gp(vmx);
		vmx->cr8 = val;
		break;
	default:
		return vmx_unexpected(vmx);
	}
	vmx_skip(vmx);
	return 1;
}

static int vmx_exit_cr(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit_qual, cr0;
	int cr = CR_QUAL_CR(q), gpr = CR_QUAL_GPR(q);
	u64 *regs = vmx->vcpu.regs;

	if (gpr == HVX_RSP)
		regs[HVX_RSP] = vmcs_read(GUEST_RSP);

	switch (CR_QUAL_TYPE(q)) {
	case CR_TYPE_MOV_TO:
		return vmx_mov_to_cr(vmx, cr, regs[gpr]);
	case CR_TYPE_MOV_FROM:
		if (cr != 8)
			return vmx_unexpected(vmx);
		regs[gpr] = vmx->cr8;
		vmx_skip(vmx);
		return 1;
	case CR_TYPE_CLTS:
		return vmx_mov_to_cr(vmx, 0,
				     vmx_get_cr(&vmx->vcpu, 0) & ~X86_CR0_TS);
	default:
		/* LMSW loads PE/MP/EM/TS and cannot clear PE (SDM LMSW). */
		cr0 = vmx_get_cr(&vmx->vcpu, 0);
		return vmx_mov_to_cr(vmx, 0, (cr0 & ~0xeULL) |
				     (CR_QUAL_LMSW_SRC(q) & 0xf));
	}
}

static int vmx_exit_dr(struct vmx_vcpu *vmx)
{
	struct hvx_vcpu *vcpu = &vmx->vcpu;
	u64 q = vmx->exit_qual, *reg = &vcpu->regs[DR_QUAL_GPR(q)];

	if (hvx_emulate_mov_dr(vcpu, DR_QUAL_DR(q), !(q & DR_QUAL_FROM), reg,
			       &vmx->dr7))
		return 1;
	vmx_skip(vmx);
	return 1;
}

static int vmx_exit_io(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit_qual;
	u16 port = q >> IO_QUAL_PORT_SHIFT;
	u8 size = (q & IO_QUAL_SIZE_MASK) + 1;
	bool in = q & IO_QUAL_IN;

	if (q & IO_QUAL_STRING)
		return hvx_string_pio_exit(&vmx->vcpu, port, size, in,
					   q & IO_QUAL_REP,
					   vmx->exit_insn_len);
	return hvx_pio_exit(&vmx->vcpu, port, size, in, vmx->exit_insn_len);
}

static int vmx_exit_rdmsr(struct vmx_vcpu *vmx)
{
	hvx_emulate_rdmsr(&vmx->vcpu);
	return vmx_complete_insn(vmx);
}

static int vmx_exit_wrmsr(struct vmx_vcpu *vmx)
{
	hvx_emulate_wrmsr(&vmx->vcpu);
	return vmx_complete_insn(vmx);
}

static int vmx_exit_xsetbv(struct vmx_vcpu *vmx)
{
	hvx_emulate_xsetbv(&vmx->vcpu);
	return vmx_complete_insn(vmx);
}

/* The entry failed on guest state or MSR loading: userspace is told why. */
static int vmx_exit_failed_entry(struct vmx_vcpu *vmx)
{
	struct kvm_run *run = vmx->vcpu.run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vmx->exit_reason;
	run->fail_entry.cpu = vmx->vcpu.cpu;
	return 0;
}

static int vmx_exit_ept_violation(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit_qual, gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	unsigned int access;
	int r;

	/*
	 * An EPT violation while executing IRET unblocks NMIs early; the
	 * guest must see them blocked again (SDM 28.2.3, 27.2.4).
	 */
	if ((q & EPT_QUAL_NMI_UNBLOCK) &&
	    !(vmx->idt_vectoring & INTR_INFO_VALID))
		vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO,
			      GUEST_INTR_NMI_BLOCKING);

	access = vmx_ept_qual_access(q);
	r = hvx_tdp_fault(&vmx->vcpu, gpa, access);
	if (r == HVX_FAULT_FIXED)
		return 1;
	if (r == HVX_FAULT_MMIO) {
		/* A fetch from MMIO cannot be emulated. */
		if (access & HVX_PROT_X)
			return vmx_unexpected(vmx);
		return hvx_mmio_exit(&vmx->vcpu, gpa);
	}
	return r;
}

/*
 * Not const: nested VMX, when the module parameter allows it, replaces the
 * VMX-instruction entries at load (nested_vmx_hardware_setup()).
 */
static vmx_exit_handler vmx_exit_handlers[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = vmx_exit_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_exit_nothing,
	[EXIT_REASON_TRIPLE_FAULT] = vmx_exit_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = vmx_exit_nothing,
	[EXIT_REASON_INTERRUPT_WINDOW] = vmx_exit_window,
	[EXIT_REASON_NMI_WINDOW] = vmx_exit_window,
	[EXIT_REASON_CPUID] = vmx_exit_cpuid,
	[EXIT_REASON_GETSEC] = vmx_exit_ud,
	[EXIT_REASON_HLT] = vmx_exit_hlt,
	[EXIT_REASON_INVD] = vmx_exit_skip,
	[EXIT_REASON_RDPMC] = vmx_exit_gp,
	[EXIT_REASON_VMCALL] = vmx_exit_vmcall,
	[EXIT_REASON_VMCLEAR] = vmx_exit_ud,
	[EXIT_REASON_VMLAUNCH] = vmx_exit_ud,
	[EXIT_REASON_VMPTRLD] = vmx_exit_ud,
	[EXIT_REASON_VMPTRST] = vmx_exit_ud,
	[EXIT_REASON_VMREAD] = vmx_exit_ud,
	[EXIT_REASON_VMRESUME] = vmx_exit_ud,
	[EXIT_REASON_VMWRITE] = vmx_exit_ud,
	[EXIT_REASON_VMXOFF] = vmx_exit_ud,
	[EXIT_REASON_VMXON] = vmx_exit_ud,
	[EXIT_REASON_CR_ACCESS] = vmx_exit_cr,
	[EXIT_REASON_DR_ACCESS] = vmx_exit_dr,
	[EXIT_REASON_IO_INSTRUCTION] = vmx_exit_io,
	[EXIT_REASON_MSR_READ] = vmx_exit_rdmsr,
	[EXIT_REASON_MSR_WRITE] = vmx_exit_wrmsr,
	[EXIT_REASON_INVALID_STATE] = vmx_exit_failed_entry,
	[EXIT_REASON_MSR_LOAD_FAIL] = vmx_exit_failed_entry,
	[EXIT_REASON_MWAIT] = vmx_exit_ud,
	[EXIT_REASON_MONITOR] = vmx_exit_ud,
	[EXIT_REASON_MCE_DURING_ENTRY] = vmx_exit_failed_entry,
	[EXIT_REASON_EPT_VIOLATION] = vmx_exit_ept_violation,
	[EXIT_REASON_INVEPT] = vmx_exit_ud,
	[EXIT_REASON_PREEMPTION_TIMER] = vmx_exit_nothing,
	[EXIT_REASON_INVVPID] = vmx_exit_ud,
	[EXIT_REASON_WBINVD] = vmx_exit_skip,
	[EXIT_REASON_XSETBV] = vmx_exit_xsetbv,
	[EXIT_REASON_VMFUNC] = vmx_exit_ud,
};

/**
 * vmx_set_exit_handler() - replace the handler of one basic exit reason
 * @reason: the exit reason
 * @fn:	    its new handler
 *
 * Only at module load, before any vCPU runs.
 */
void vmx_set_exit_handler(u16 reason, vmx_exit_handler fn)
{
	if (reason < EXIT_REASON_MAX)
		vmx_exit_handlers[reason] = fn;
}

/**
 * vmx_handle_exit() - handle the VM exit just taken
 * @vmx: the vCPU, loaded, interrupts enabled
 *
 * Return: 1 to re-enter, 0 for userspace, -errno.
 */
int vmx_handle_exit(struct vmx_vcpu *vmx)
{
	u16 reason = vmx->exit_reason;
	enum hvx_exit_set set;
	int r;

	/*
	 * Counted by what ran, failed entries too (under their basic
	 * reason): the "exit multiplication" of nested VMX is the L1 and L2
	 * sets against the exits reflected to L1.
	 */
	if (vmx->nested_guest_mode) {
		set = HVX_EXIT_SET_L2;
		vmx->vcpu.nested_l2_exits++;
	} else if (nested_vmx_in_vmx_operation(vmx)) {
		set = HVX_EXIT_SET_L1;
		vmx->vcpu.nested_l1_exits++;
	} else {
		set = HVX_EXIT_SET_GUEST;
	}
	hvx_count_exit(&vmx->vcpu, set, reason);

	if ((vmx->exit_reason & EXIT_REASON_FAILED_ENTRY) &&
	    !vmx->nested_guest_mode)
		return vmx_exit_failed_entry(vmx);

	vmx_save_idt_vectoring(vmx);
	vmx->exit_qual = vmcs_read(EXIT_QUALIFICATION);
	vmx->exit_insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);

	/* An L2 exit is L1's when vmcs12 asks for it; else it is ours. */
	if (vmx->nested_guest_mode) {
		r = nested_vmx_reflect_exit(vmx);
		if (r >= 0)
			return r;
	}

	if (reason < EXIT_REASON_MAX && vmx_exit_handlers[reason])
		return vmx_exit_handlers[reason](vmx);
	return vmx_unexpected(vmx);
}
