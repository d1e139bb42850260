// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx AMD SVM backend: EFER.SVME and the host save area on every CPU.
 *
 * Lifetime: hardware_setup() reads CPUID 0x8000000A once and allocates a
 * host save area for every possible CPU; hardware_enable()/disable() run on
 * one CPU each and restore EFER and VM_HSAVE_PA to what they found.
 */
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>

#include "../hvx.h"
#include "../x86/x86.h"
#include "npt.h"
#include "vmcb.h"

/* CPUID 0x80000001:ECX.SVM (APM Vol. 2, 15.4) */
#define CPUID_80000001_ECX_SVM	BIT(2)
/* VM_CR.SVMDIS: firmware has disabled SVM (APM Vol. 2, 15.30.1) */
#define VM_CR_SVMDIS		BIT(4)

/* CPUID 0x8000000A:EDX, the optional SVM features (APM Vol. 3, E.4.9) */
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_FLUSHBYASID	BIT(6)
#define SVM_FEAT_DECODEASSISTS	BIT(7)

/**
 * struct svm_host_cpu - one CPU's SVM state
 * @hsave:	   the host save area VMRUN uses; allocated in hardware_setup
 *		   for every possible CPU.
 * @saved_hsave_pa: VM_HSAVE_PA as hardware_enable found it.
 * @host_save:	   the page VMSAVE/VMLOAD keep the host's FS/GS/TR/LDTR
 *		   and syscall MSRs in across a VMRUN.
 * @host_save_pa:  its physical address.
 * @asid_gen:	   bumped when this CPU runs out of ASIDs and flushes them all.
 * @next_asid:	   the next ASID this CPU hands out in @asid_gen.
 * @on:		   EFER.SVME is set because of hvx.  Only touched on the CPU
 *		   itself with preemption disabled.
 */
struct svm_host_cpu {
	struct page *hsave;
	u64 saved_hsave_pa;
	struct page *host_save;
	u64 host_save_pa;
	u64 asid_gen;
	u32 next_asid;
	bool on;
};

static DEFINE_PER_CPU(struct svm_host_cpu, svm_host_cpu);

/* Every port and every MSR exits: one pair of maps for all vCPUs. */
static void *svm_iopm, *svm_msrpm;

/* Read once at probe; constant afterwards. */
static struct svm_caps {
	u32 features;		/* CPUID 0x8000000A:EDX */
	u32 nr_asids;		/* CPUID 0x8000000A:EBX */
} svm_caps;

static int svm_hardware_enable(void)
{
	struct svm_host_cpu *hc = this_cpu_ptr(&svm_host_cpu);
	u64 efer, vm_cr;

	if (hc->on)
		return 0;
	rdmsrl(MSR_EFER, efer);
	/* EFER.SVME set by someone else: another hypervisor owns this CPU. */
	if (efer & EFER_SVME)
		return -EBUSY;
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & VM_CR_SVMDIS))
		return -ENODEV;

	rdmsrl(MSR_VM_HSAVE_PA, hc->saved_hsave_pa);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(hc->hsave));
	hc->on = true;
	return 0;
}

static void svm_hardware_disable(void)
{
	struct svm_host_cpu *hc = this_cpu_ptr(&svm_host_cpu);
	u64 efer;

	if (!hc->on)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, hc->saved_hsave_pa);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~(u64)EFER_SVME);
	hc->on = false;
}

static void svm_free_areas(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_host_cpu *hc = per_cpu_ptr(&svm_host_cpu, cpu);

		if (hc->hsave)
			__free_page(hc->hsave);
		if (hc->host_save)
			__free_page(hc->host_save);
		hc->hsave = NULL;
		hc->host_save = NULL;
	}
	free_pages((unsigned long)svm_iopm, get_order(SVM_IOPM_SIZE));
	free_pages((unsigned long)svm_msrpm, get_order(SVM_MSRPM_SIZE));
	svm_iopm = svm_msrpm = NULL;
}

static int svm_hardware_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_host_cpu *hc = per_cpu_ptr(&svm_host_cpu, cpu);

		hc->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		hc->host_save = alloc_pages_node(cpu_to_node(cpu),
						 GFP_KERNEL | __GFP_ZERO, 0);
		if (!hc->hsave || !hc->host_save) {
			svm_free_areas();
			return -ENOMEM;
		}
		hc->host_save_pa = page_to_phys(hc->host_save);
	}
	/* All ones: every port and every MSR access is intercepted. */
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, get_order(SVM_IOPM_SIZE));
	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL,
					     get_order(SVM_MSRPM_SIZE));
	if (!svm_iopm || !svm_msrpm) {
		svm_free_areas();
		return -ENOMEM;
	}
	memset(svm_iopm, 0xff, PAGE_SIZE << get_order(SVM_IOPM_SIZE));
	memset(svm_msrpm, 0xff, PAGE_SIZE << get_order(SVM_MSRPM_SIZE));
	return 0;
}

static void svm_hardware_unsetup(void)
{
	svm_free_areas();
}

static void svm_describe(char *buf, size_t len)
{
	snprintf(buf, len, "%u ASIDs%s%s%s%s", svm_caps.nr_asids,
		 svm_caps.features & SVM_FEAT_NPT ? ", NPT" : "",
		 svm_caps.features & SVM_FEAT_NRIPS ? ", NRIP save" : "",
		 svm_caps.features & SVM_FEAT_FLUSHBYASID ?
			", flush by ASID" : "",
		 svm_caps.features & SVM_FEAT_DECODEASSISTS ?
			", decode assists" : "");
}

/* The layout of struct vmcb is hardware's: freeze it (APM appendix B). */
static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x040);
static_assert(offsetof(struct vmcb_control, int_ctl) == 0x060);
static_assert(offsetof(struct vmcb_control, exit_code) == 0x070);
static_assert(offsetof(struct vmcb_control, event_inj) == 0x0a8);
static_assert(offsetof(struct vmcb_control, next_rip) == 0x0c8);
static_assert(sizeof(struct vmcb_control) == 0x400);
static_assert(offsetof(struct vmcb, save.cpl) == 0x4cb);
static_assert(offsetof(struct vmcb, save.efer) == 0x4d0);
static_assert(offsetof(struct vmcb, save.cr4) == 0x548);
static_assert(offsetof(struct vmcb, save.rsp) == 0x5d8);
static_assert(offsetof(struct vmcb, save.rax) == 0x5f8);
static_assert(offsetof(struct vmcb, save.cr2) == 0x640);
static_assert(offsetof(struct vmcb, save.g_pat) == 0x668);

/* IA32_PAT after reset (APM Vol. 2 7.8.2) */
#define SVM_PAT_DEFAULT		0x0007040600070406ULL


/**
 * struct svm_vcpu - a vCPU of the SVM backend
 * @vcpu:	the core's part; first, so the core's pointer is ours.
 * @vmcb:	the VMCB page.
 * @vmcb_pa:	its physical address.
 * @asid:	the ASID this vCPU has on vcpu.cpu, valid while @asid_gen is
 *		that CPU's generation.
 * @asid_gen:	the generation @asid belongs to; 0 for none.
 * @need_flush:	take a fresh ASID before the next VMRUN (moved CPU).
 * @nmi_masked:	an NMI was delivered and its IRET not yet seen: SVM has no
 *		NMI-blocking flag, so hvx tracks it (APM 15.21.4).
 * @dr7:	the guest's DR7 (hardware runs the guest with 0x400).
 * @exit_code:	the last #VMEXIT's code.
 */
struct svm_vcpu {
	struct hvx_vcpu vcpu;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid;
	u64 asid_gen;
	bool need_flush;
	bool nmi_masked;
	u64 dr7;
	u64 exit_code;
};

static inline struct svm_vcpu *to_svm(struct hvx_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

int hvx_svm_enter(u64 *regs, u64 vmcb_pa, u64 host_save_pa);

/* Segment attributes: the access byte, then AVL L DB G (APM B.2). */
static u16 svm_seg_attrib(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return 0;
	return (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 8 | (s->l & 1) << 9 |
	       (s->db & 1) << 10 | (s->g & 1) << 11;
}

static void svm_get_seg(const struct vmcb_seg *v, struct kvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	s->type = v->attrib & 0xf;
	s->s = (v->attrib >> 4) & 1;
	s->dpl = (v->attrib >> 5) & 3;
	s->present = (v->attrib >> 7) & 1;
	s->avl = (v->attrib >> 8) & 1;
	s->l = (v->attrib >> 9) & 1;
	s->db = (v->attrib >> 10) & 1;
	s->g = (v->attrib >> 11) & 1;
	s->unusable = !s->present;
}

static void svm_set_seg(struct vmcb_seg *v, const struct kvm_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = svm_seg_attrib(s);
}

static void svm_reset_state(struct svm_vcpu *svm)
{
	struct vmcb_save *save = &svm->vmcb->save;
	struct vmcb_seg data = { .limit = 0xffff, .attrib = 0x93 };

	save->es = save->ss = save->ds = save->fs = save->gs = data;
	save->cs = (struct vmcb_seg){ .selector = 0xf000, .attrib = 0x9b,
				      .limit = 0xffff, .base = 0xffff0000 };
	save->ldtr = (struct vmcb_seg){ .limit = 0xffff, .attrib = 0x82 };
	save->tr = (struct vmcb_seg){ .limit = 0xffff, .attrib = 0x8b };
	save->gdtr = (struct vmcb_seg){ .limit = 0xffff };
	save->idtr = (struct vmcb_seg){ .limit = 0xffff };
	save->cpl = 0;
	save->efer = EFER_SVME;
	save->cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
	save->cr3 = 0;
	save->cr4 = 0;
	save->dr6 = DR6_RESERVED;
	save->dr7 = HVX_DR7_FIXED;
	svm->dr7 = HVX_DR7_FIXED;
	save->rflags = X86_EFLAGS_FIXED;
	save->rip = 0xfff0;
	save->g_pat = SVM_PAT_DEFAULT;
}

static void svm_vmcb_setup(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;

	/* DR0-7 reads and writes: hvx keeps the guest's values. */
	c->intercept_dr = 0x00ff00ff;
	c->intercept_exceptions = 0;
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			     SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_CPUID |
			     SVM_INTERCEPT_RSM | SVM_INTERCEPT_INVD |
			     SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA |
			     SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
			     SVM_INTERCEPT_TASK_SWITCH |
			     SVM_INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted (APM 15.5.1); the rest are #UD. */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_RDTSCP |
			     SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR |
			     SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_COND |
			     SVM_INTERCEPT_XSETBV;
	c->iopm_base_pa = virt_to_phys(svm_iopm);
	c->msrpm_base_pa = virt_to_phys(svm_msrpm);
	/* The guest's IF masks only virtual interrupts; CR8 is V_TPR. */
	c->int_ctl = SVM_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = npt_make_ncr3(svm->vcpu.vm->tdp.root_pa);
	c->clean = 0;
	svm_reset_state(svm);
}

static int svm_vcpu_init(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *pg;

	pg = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!pg)
		return -ENOMEM;
	svm->vmcb = page_address(pg);
	svm->vmcb_pa = page_to_phys(pg);
	svm_vmcb_setup(svm);
	return 0;
}

static void svm_vcpu_free(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
}

/*
 * A VMCB needs no loading: only the TLB must learn that the vCPU moved,
 * since translations tagged with its ASID on another CPU may be stale.
 */
static void svm_vcpu_load(struct hvx_vcpu *vcpu, int cpu)
{
	if (vcpu->cpu != cpu) {
		vcpu->cpu = cpu;
		to_svm(vcpu)->need_flush = true;
	}
}

static void svm_vcpu_put(struct hvx_vcpu *vcpu)
{
}

static int svm_vm_init(struct hvx_vm *vm)
{
	return 0;
}

static void svm_vm_destroy(struct hvx_vm *vm)
{
}

/*
 * ASIDs are handed out per CPU, by generation (APM 15.16): a vCPU that
 * arrives on a CPU, or whose translations must go, takes the CPU's next
 * ASID, which no translation uses since that CPU last flushed them all.
 * When a CPU runs out, it starts a new generation with a full flush, and
 * every vCPU takes a new ASID when it next runs there.  Interrupts off.
 */
static void svm_new_asid(struct svm_vcpu *svm)
{
	struct svm_host_cpu *hc = this_cpu_ptr(&svm_host_cpu);

	if (!hc->asid_gen || hc->next_asid >= svm_caps.nr_asids) {
		hc->asid_gen++;
		hc->next_asid = 1;
		svm->vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	}
	svm->asid = hc->next_asid++;
	svm->asid_gen = hc->asid_gen;
	svm->vmcb->control.asid = svm->asid;
}

/* Drop this vCPU's translations on this CPU before the next VMRUN. */
static void svm_flush_asid(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm_caps.features & SVM_FEAT_FLUSHBYASID)
		svm->vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ASID;
	else
		svm_new_asid(svm);
}

static u64 svm_get_cr(struct hvx_vcpu *vcpu, int cr)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;

	switch (cr) {
	case 0:
		return save->cr0;
	case 2:
		return save->cr2;
	case 3:
		return save->cr3;
	case 4:
		return save->cr4;
	case 8:
		return to_svm(vcpu)->vmcb->control.int_ctl & 0xf;
	default:
		return 0;
	}
}

static void svm_get_regs(struct hvx_vcpu *vcpu, struct kvm_regs *regs)
{
	regs->rip = to_svm(vcpu)->vmcb->save.rip;
	regs->rflags = to_svm(vcpu)->vmcb->save.rflags;
}

static void svm_set_rflags(struct hvx_vcpu *vcpu, u64 rflags)
{
	to_svm(vcpu)->vmcb->save.rflags = (rflags & 0x3f7fd7) |
					  X86_EFLAGS_FIXED;
}

static u64 svm_get_rflags(struct hvx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

static void svm_set_regs(struct hvx_vcpu *vcpu, const struct kvm_regs *regs)
{
	to_svm(vcpu)->vmcb->save.rip = regs->rip;
	svm_set_rflags(vcpu, regs->rflags);
}

static void svm_get_sregs(struct hvx_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *save = &svm->vmcb->save;

	svm_get_seg(&save->cs, &sregs->cs);
	svm_get_seg(&save->ds, &sregs->ds);
	svm_get_seg(&save->es, &sregs->es);
	svm_get_seg(&save->fs, &sregs->fs);
	svm_get_seg(&save->gs, &sregs->gs);
	svm_get_seg(&save->ss, &sregs->ss);
	svm_get_seg(&save->tr, &sregs->tr);
	svm_get_seg(&save->ldtr, &sregs->ldt);
	/* A TR is always usable; its attributes may read as busy TSS. */
	sregs->tr.unusable = 0;
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	sregs->cr0 = save->cr0;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	sregs->cr8 = svm->vmcb->control.int_ctl & 0xf;
	sregs->efer = save->efer & ~(u64)EFER_SVME;
}

static int svm_set_sregs(struct hvx_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save *save = &svm->vmcb->save;

	svm_set_seg(&save->cs, &sregs->cs);
	svm_set_seg(&save->ds, &sregs->ds);
	svm_set_seg(&save->es, &sregs->es);
	svm_set_seg(&save->fs, &sregs->fs);
	svm_set_seg(&save->gs, &sregs->gs);
	svm_set_seg(&save->ss, &sregs->ss);
	svm_set_seg(&save->tr, &sregs->tr);
	svm_set_seg(&save->ldtr, &sregs->ldt);
	/* CPL is SS.DPL, 0 in real mode (APM 15.5.1). */
	save->cpl = (sregs->cr0 & X86_CR0_PE) ? sregs->ss.dpl : 0;
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	save->cr0 = sregs->cr0;
	save->cr3 = sregs->cr3;
	save->cr4 = sregs->cr4;
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl &
				      ~SVM_V_TPR_MASK) | (sregs->cr8 & 0xf);
	save->efer = sregs->efer | EFER_SVME;
	/* New paging state: the TLB's translations are not the guest's. */
	svm->need_flush = true;
	return 0;
}

static bool svm_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

/* The MSRs that live in the VMCB, switched by VMRUN or VMLOAD/VMSAVE. */
static u64 *svm_msr_slot(struct vmcb_save *save, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &save->star;
	case MSR_LSTAR:
		return &save->lstar;
	case MSR_CSTAR:
		return &save->cstar;
	case MSR_SYSCALL_MASK:
		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &save->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS:
		return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &save->sysenter_eip;
	case MSR_FS_BASE:
		return &save->fs.base;
	case MSR_GS_BASE:
		return &save->gs.base;
	case MSR_IA32_CR_PAT:
		return &save->g_pat;
	default:
		return NULL;
	}
}

static int svm_get_msr(struct hvx_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	u64 *slot = svm_msr_slot(save, index);

	if (slot) {
		*data = *slot;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = save->efer & ~(u64)EFER_SVME;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = 0;
		return 0;
	}
	return -ENOENT;
}

static int svm_set_msr(struct hvx_vcpu *vcpu, u32 index, u64 data,
		       bool host)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	u64 *slot = svm_msr_slot(save, index);

	if (index == MSR_IA32_CR_PAT && !hvx_pat_valid(data))
		return -EINVAL;
	/* AMD CPUs keep only the low half of these (as KVM on AMD). */
	if (index == MSR_IA32_SYSENTER_ESP || index == MSR_IA32_SYSENTER_EIP)
		data = (u32)data;
	if (slot) {
		if (index != MSR_STAR && index != MSR_IA32_SYSENTER_CS &&
		    index != MSR_SYSCALL_MASK && index != MSR_IA32_CR_PAT &&
		    !svm_canonical(data))
			return -EINVAL;
		*slot = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		if (!hvx_efer_valid(data))
			return -EINVAL;
		/* LME cannot change while paging is on; LMA is the CPU's. */
		if ((save->cr0 & X86_CR0_PG) &&
		    ((save->efer ^ data) & EFER_LME))
			return -EINVAL;
		save->efer = (data & ~(u64)EFER_LMA) |
			     (save->efer & EFER_LMA) | EFER_SVME;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		return data ? -EINVAL : 0;
	}
	return -ENOENT;
}

static u64 svm_get_dr7(struct hvx_vcpu *vcpu)
{
	return to_svm(vcpu)->dr7;
}

static void svm_set_dr7(struct hvx_vcpu *vcpu, u64 dr7)
{
	to_svm(vcpu)->dr7 = dr7;
}

static bool svm_event_pending(struct svm_vcpu *svm)
{
	return svm->vmcb->control.event_inj & SVM_EVT_VALID;
}

static bool svm_interrupt_allowed(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return (svm->vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW) &&
	       !svm_event_pending(svm);
}

static bool svm_nmi_allowed(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !svm->nmi_masked &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW) &&
	       !svm_event_pending(svm);
}

static const u32 svm_event_type[] = {
	[HVX_EVENT_EXTINT] = SVM_EVT_TYPE_INTR,
	[HVX_EVENT_NMI] = SVM_EVT_TYPE_NMI,
	[HVX_EVENT_EXCEPTION] = SVM_EVT_TYPE_EXEPT,
	[HVX_EVENT_SOFT_INT] = SVM_EVT_TYPE_SOFT,
	[HVX_EVENT_SOFT_EXC] = SVM_EVT_TYPE_EXEPT,
	[HVX_EVENT_PRIV_SOFT_EXC] = SVM_EVT_TYPE_EXEPT,
};

/* Event injection (APM 15.20); real mode pushes no error code. */
static void svm_inject(struct hvx_vcpu *vcpu, const struct hvx_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u32 inj = ev->vector | svm_event_type[ev->type] | SVM_EVT_VALID;

	if (ev->type == HVX_EVENT_EXCEPTION && ev->has_error &&
	    (svm->vmcb->save.cr0 & X86_CR0_PE)) {
		inj |= SVM_EVT_VALID_ERR;
		svm->vmcb->control.event_inj_err = ev->error_code;
	}
	/*
	 * An NMI blocks NMIs until its handler's IRET: watch for that IRET
	 * from now on, or a later NMI would wait for ever.
	 */
	if (ev->type == HVX_EVENT_NMI) {
		svm->nmi_masked = true;
		svm->vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
	}
	svm->vmcb->control.event_inj = inj;
}

/*
 * SVM has no interrupt-window exit: a virtual interrupt (V_IRQ, ignoring
 * V_TPR) makes the CPU exit with VINTR when the guest could take one.  Nor
 * an NMI window: the IRET that ends the NMI handler is intercepted instead.
 */
static void svm_request_window(struct hvx_vcpu *vcpu, bool irq, bool nmi)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	if (irq) {
		c->int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR;
		c->int_vector = 0;
		c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(SVM_V_IRQ | SVM_V_IGN_TPR);
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
	/* The IRET intercept stays while an NMI handler runs. */
	if (to_svm(vcpu)->nmi_masked)
		c->intercept_misc1 |= SVM_INTERCEPT_IRET;
	else
		c->intercept_misc1 &= ~SVM_INTERCEPT_IRET;
}

static u32 svm_get_interrupt_shadow(struct hvx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW ?
	       KVM_X86_SHADOW_INT_STI : 0;
}

static void svm_set_interrupt_shadow(struct hvx_vcpu *vcpu, u32 shadow)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW;
}

static bool svm_get_nmi_mask(struct hvx_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

static void svm_set_nmi_mask(struct hvx_vcpu *vcpu, bool masked)
{
	to_svm(vcpu)->nmi_masked = masked;
}

static void svm_skip_insn(struct hvx_vcpu *vcpu, unsigned int len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 rip = vmcb->save.rip + len;

	if (!(vmcb->save.efer & EFER_LMA) || !(vmcb->save.cs.attrib & BIT(9)))
		rip = (u32)rip;
	vmcb->save.rip = rip;
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW;
}

/*
 * The length of the instruction that exited: from next_rip with NRIP
 * save, else from the decoder (QEMU's EPYC model has no NRIP save).
 */
static int svm_insn_len(struct svm_vcpu *svm)
{
	struct hvx_insn insn;

	if (svm_caps.features & SVM_FEAT_NRIPS)
		return svm->vmcb->control.next_rip - svm->vmcb->save.rip;
	if (hvx_decode_at_rip(&svm->vcpu, &insn) <= 0)
		return -1;
	return insn.len;
}

/* Skip the exiting instruction unless its emulation raised an exception. */
static int svm_complete_insn(struct svm_vcpu *svm)
{
	int len;

	if (svm->vcpu.exception.type != HVX_EVENT_NONE)
		return 1;
	len = svm_insn_len(svm);
	if (len <= 0)
		return svm->vcpu.run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
		       0 : 1;
	svm_skip_insn(&svm->vcpu, len);
	return 1;
}

static int svm_unexpected(struct svm_vcpu *svm)
{
	u64 data[2] = { svm->exit_code, svm->vmcb->control.exit_info_1 };

	return hvx_internal_error(&svm->vcpu,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  2, data);
}

/* An event cut short by the exit is delivered again (APM 15.7.2). */
static void svm_save_exitintinfo(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	struct hvx_event *ev = &svm->vcpu.reinject;
	u32 info = c->exit_int_info;

	c->event_inj = 0;
	if (!(info & SVM_EVT_VALID))
		return;
	ev->vector = info & SVM_EVT_VECTOR_MASK;
	ev->has_error = info & SVM_EVT_VALID_ERR;
	ev->error_code = c->exit_int_info_err;
	ev->insn_len = 0;
	switch (info & SVM_EVT_TYPE_MASK) {
	case SVM_EVT_TYPE_INTR:
		ev->type = HVX_EVENT_EXTINT;
		break;
	case SVM_EVT_TYPE_NMI:
		ev->type = HVX_EVENT_NMI;
		svm->nmi_masked = false;
		break;
	case SVM_EVT_TYPE_EXEPT:
		ev->type = HVX_EVENT_EXCEPTION;
		break;
	case SVM_EVT_TYPE_SOFT:
		ev->type = HVX_EVENT_SOFT_INT;
		break;
	default:
		ev->type = HVX_EVENT_NONE;
		break;
	}
}

static int svm_exit_ioio(struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_info_1;
	u16 port = info >> SVM_IOIO_PORT_SHIFT;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	/* exit_info_2 is the next RIP for IOIO, NRIP save or not. */
	unsigned int len = svm->vmcb->control.exit_info_2 -
			   svm->vmcb->save.rip;
	bool in = info & SVM_IOIO_TYPE_IN;

	size = size == 4 ? 4 : size == 2 ? 2 : 1;
	if (info & SVM_IOIO_STR)
		return hvx_string_pio_exit(&svm->vcpu, port, size, in,
					   info & SVM_IOIO_REP, len);
	return hvx_pio_exit(&svm->vcpu, port, size, in, len);
}

static int svm_exit_npf(struct svm_vcpu *svm)
{
	u64 err = svm->vmcb->control.exit_info_1;
	u64 gpa = svm->vmcb->control.exit_info_2;
	unsigned int access = HVX_PROT_R;
	int r;

	if (err & SVM_NPF_WRITE)
		access |= HVX_PROT_W;
	if (err & SVM_NPF_FETCH)
		access |= HVX_PROT_X;
	r = hvx_tdp_fault(&svm->vcpu, gpa, access);
	if (r == HVX_FAULT_FIXED)
		return 1;
	if (r == HVX_FAULT_MMIO) {
		if (access & HVX_PROT_X)
			return svm_unexpected(svm);
		return hvx_mmio_exit(&svm->vcpu, gpa);
	}
	return r;
}

/* MOV to/from DRn: the register comes from the decoder (no assists). */
static int svm_exit_dr(struct svm_vcpu *svm)
{
	struct hvx_vcpu *vcpu = &svm->vcpu;
	int dr = (svm->exit_code - SVM_EXIT_READ_DR0) & 0xf;
	bool write = svm->exit_code >= SVM_EXIT_WRITE_DR0;
	struct hvx_insn insn;
	u64 *reg;
	int r;

	r = hvx_decode_at_rip(vcpu, &insn);
	if (r <= 0)
		return r;
	reg = &vcpu->regs[insn.rm];
	if (hvx_emulate_mov_dr(vcpu, dr, write, reg, &svm->dr7))
		return 1;
	if (insn.rm == HVX_RSP && !write)
		vcpu->regs[HVX_RSP] = *reg;
	svm_skip_insn(vcpu, insn.len);
	return 1;
}

/* The exit counters' slot of an exit code (uapi/linux/hvx.h). */
static_assert(SVM_EXIT_INTR == HVX_SVM_CODE_BASE);
static unsigned int svm_exit_slot(u64 code)
{
	if (code < SVM_EXIT_EXCP_BASE)
		return code >> 4;	/* CR read, CR write, DR read, DR write */
	if (code < SVM_EXIT_INTR)
		return HVX_SVM_SLOT_EXCEPTION;
	if (code < HVX_SVM_CODE_BASE + HVX_NR_EXIT_REASONS - HVX_SVM_SLOT_BASE)
		return code - HVX_SVM_CODE_BASE + HVX_SVM_SLOT_BASE;
	if (code == SVM_EXIT_NPF)
		return HVX_SVM_SLOT_NPF;
	if (code == SVM_EXIT_INVALID)
		return HVX_SVM_SLOT_INVALID;
	return HVX_SVM_SLOT_OTHER;
}

static int svm_handle_exit(struct svm_vcpu *svm)
{
	struct hvx_vcpu *vcpu = &svm->vcpu;
	struct kvm_run *run = vcpu->run;
	u64 code = svm->exit_code;

	/* No nested SVM: every exit is the guest's own. */
	hvx_count_exit(vcpu, HVX_EXIT_SET_GUEST, svm_exit_slot(code));

	if (code == SVM_EXIT_INVALID) {
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = code;
		run->fail_entry.cpu = vcpu->cpu;
		return 0;
	}
	svm_save_exitintinfo(svm);

	if (code >= SVM_EXIT_READ_DR0 && code < SVM_EXIT_EXCP_BASE)
		return svm_exit_dr(svm);

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		return 1;
	case SVM_EXIT_VINTR:
		svm_request_window(vcpu, false, vcpu->nmi_pending > 0);
		return 1;
	case SVM_EXIT_IRET:
		/* The NMI handler is returning: NMIs unblock after it. */
		svm->nmi_masked = false;
		svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
		return 1;
	case SVM_EXIT_CPUID:
		hvx_emulate_cpuid(vcpu);
		return svm_complete_insn(svm);
	case SVM_EXIT_HLT: {
		int len = svm_insn_len(svm);

		if (len <= 0)
			return len < 0 ? 0 : 1;
		svm_skip_insn(vcpu, len);
		run->exit_reason = KVM_EXIT_HLT;
		return 0;
	}
	case SVM_EXIT_IOIO:
		return svm_exit_ioio(svm);
	case SVM_EXIT_MSR:
		if (svm->vmcb->control.exit_info_1)
			hvx_emulate_wrmsr(vcpu);
		else
			hvx_emulate_rdmsr(vcpu);
		return svm_complete_insn(svm);
	case SVM_EXIT_XSETBV:
		hvx_emulate_xsetbv(vcpu);
		return svm_complete_insn(svm);
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		return svm_complete_insn(svm);
	case SVM_EXIT_VMMCALL:
		/* As KVM answers an unknown hypercall: -KVM_ENOSYS. */
		vcpu->regs[HVX_RAX] = (u64)-1000;
		return svm_complete_insn(svm);
	case SVM_EXIT_RDPMC:
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
		return 1;
	case SVM_EXIT_RSM:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		hvx_queue_exception(vcpu, HVX_UD_VECTOR, false, 0);
		return 1;
	case SVM_EXIT_SHUTDOWN:
		/* The VMCB is undefined after a shutdown (APM 15.11): reset. */
		svm_reset_state(svm);
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	case SVM_EXIT_NPF:
		return svm_exit_npf(svm);
	default:
		return svm_unexpected(svm);
	}
}

static int svm_run(struct hvx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct hvx_host_state host;
	int fail;

	if (!hvx_enter_begin(vcpu))
		return 1;
	if (svm->need_flush ||
	    svm->asid_gen != this_cpu_ptr(&svm_host_cpu)->asid_gen) {
		svm_new_asid(svm);
		svm->need_flush = false;
		vcpu->tlb_gen = atomic64_read(&vcpu->vm->tlb_gen);
	}
	hvx_vcpu_flush_if_stale(vcpu, svm_flush_asid);
	vmcb->control.tsc_offset = vcpu->tsc_offset;
	vmcb->save.rax = vcpu->regs[HVX_RAX];
	vmcb->save.rsp = vcpu->regs[HVX_RSP];
	vmcb->save.cr2 = vcpu->cr2;
	hvx_switch_to_guest(vcpu, &host);

	/*
	 * GIF=0 holds every interrupt and NMI off the host; RFLAGS.IF=1
	 * makes a physical interrupt in the guest a #VMEXIT (APM 15.17).
	 */
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	fail = hvx_svm_enter(vcpu->regs, svm->vmcb_pa,
			     this_cpu_ptr(&svm_host_cpu)->host_save_pa);
	raw_local_irq_disable();
	hvx_switch_to_host(&host);
	asm volatile("stgi" ::: "memory");
	WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
	vmcb->control.tlb_control = SVM_TLB_CONTROL_NONE;
	local_irq_enable();

	if (unlikely(fail)) {
		vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason =
			SVM_EXIT_INVALID;
		vcpu->run->fail_entry.cpu = vcpu->cpu;
		return 0;
	}
	vcpu->regs[HVX_RAX] = vmcb->save.rax;
	vcpu->regs[HVX_RSP] = vmcb->save.rsp;
	vcpu->cr2 = vmcb->save.cr2;
	svm->exit_code = vmcb->control.exit_code;
	return svm_handle_exit(svm);
}

/* NPT walks the long-mode format, 2 MiB pages included (APM 15.25). */
static bool svm_tdp_2m(void)
{
	return true;
}

static const struct hvx_backend_ops svm_ops = {
	.name = "svm",
	.hardware_setup = svm_hardware_setup,
	.hardware_unsetup = svm_hardware_unsetup,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.describe = svm_describe,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_size = sizeof(struct svm_vcpu),
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.run = svm_run,
	.get_regs = svm_get_regs,
	.set_regs = svm_set_regs,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_cr = svm_get_cr,
	.get_rflags = svm_get_rflags,
	.set_rflags = svm_set_rflags,
	.skip_insn = svm_skip_insn,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_dr7 = svm_get_dr7,
	.set_dr7 = svm_set_dr7,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.inject = svm_inject,
	.request_window = svm_request_window,
	.get_interrupt_shadow = svm_get_interrupt_shadow,
	.set_interrupt_shadow = svm_set_interrupt_shadow,
	.get_nmi_mask = svm_get_nmi_mask,
	.set_nmi_mask = svm_set_nmi_mask,
	.tdp_format = &hvx_npt_format,
	.tdp_2m = svm_tdp_2m,
	.vcpu_pages = 1,	/* the VMCB */
};

/**
 * hvx_svm_probe() - is SVM present and usable on this host?
 *
 * Return: the SVM backend ops, ERR_PTR(-ENODEV) when SVM is absent or
 * disabled by firmware, ERR_PTR(-EBUSY) when another hypervisor has set
 * EFER.SVME on this CPU.
 */
const struct hvx_backend_ops *hvx_svm_probe(void)
{
	u64 vm_cr = 0, efer;

	if (cpuid_eax(0x80000000) < 0x8000000a ||
	    !(cpuid_ecx(0x80000001) & CPUID_80000001_ECX_SVM))
		return ERR_PTR(-ENODEV);

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & VM_CR_SVMDIS)) {
		pr_err(HVX_NAME ": SVM is disabled by firmware (VM_CR %#llx)\n",
		       vm_cr);
		return ERR_PTR(-ENODEV);
	}
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err(HVX_NAME ": SVM is in use by another hypervisor (EFER.SVME is set)\n");
		return ERR_PTR(-EBUSY);
	}
	svm_caps.features = cpuid_edx(0x8000000a);
	svm_caps.nr_asids = cpuid_ebx(0x8000000a);
	if (!(svm_caps.features & SVM_FEAT_NPT) || svm_caps.nr_asids < 2) {
		pr_err(HVX_NAME ": this CPU lacks nested paging or ASIDs, which hvx needs\n");
		return ERR_PTR(-EIO);
	}
	return &svm_ops;
}
