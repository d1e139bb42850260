// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU ioctls that move x86 state in and out: registers, segments and
 * control registers, FPU/XSAVE, XCRs, debug registers, MSRs, CPUID, event
 * state, and the userspace interrupt controller's KVM_INTERRUPT and
 * KVM_NMI.  Each is called with vcpu->mutex held; each loads the vCPU so
 * the backend can reach its VMCS/VMCB.
 *
 * Everything userspace passes is checked here, before any state changes:
 * a bad argument returns -EINVAL/-EFAULT and leaves the vCPU as it was.
 */
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/debugreg.h>
#include <asm/fpu/xstate.h>

#include "x86.h"
#include "gwalk.h"

#define HVX_MAX_MSR_ENTRIES	256

/* KVM_SET_VCPU_EVENTS flags hvx understands. */
#define HVX_EVENTS_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING | \
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
				 KVM_VCPUEVENT_VALID_SHADOW)

/**
 * hvx_x86_vcpu_reset() - a new vCPU's architectural state outside the
 * backend (SDM Vol. 3A 9.1.1)
 * @vcpu: the vCPU
 */
void hvx_x86_vcpu_reset(struct hvx_vcpu *vcpu)
{
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
			    MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->dr[4] = DR6_RESERVED;
	vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	vcpu->regs[HVX_RDX] = 0x600;	/* CPUID signature family 6 */
}

static void hvx_get_regs(struct hvx_vcpu *vcpu, struct kvm_regs *r)
{
	const u64 *g = vcpu->regs;

	hvx_ops->get_regs(vcpu, r);
	r->rax = g[HVX_RAX]; r->rbx = g[HVX_RBX];
	r->rcx = g[HVX_RCX]; r->rdx = g[HVX_RDX];
	r->rsi = g[HVX_RSI]; r->rdi = g[HVX_RDI];
	r->rsp = g[HVX_RSP]; r->rbp = g[HVX_RBP];
	r->r8 = g[HVX_R8];   r->r9 = g[HVX_R9];
	r->r10 = g[HVX_R10]; r->r11 = g[HVX_R11];
	r->r12 = g[HVX_R12]; r->r13 = g[HVX_R13];
	r->r14 = g[HVX_R14]; r->r15 = g[HVX_R15];
}

static void hvx_set_regs(struct hvx_vcpu *vcpu, const struct kvm_regs *r)
{
	u64 *g = vcpu->regs;

	hvx_ops->set_regs(vcpu, r);
	g[HVX_RAX] = r->rax; g[HVX_RBX] = r->rbx;
	g[HVX_RCX] = r->rcx; g[HVX_RDX] = r->rdx;
	g[HVX_RSI] = r->rsi; g[HVX_RDI] = r->rdi;
	g[HVX_RSP] = r->rsp; g[HVX_RBP] = r->rbp;
	g[HVX_R8] = r->r8;   g[HVX_R9] = r->r9;
	g[HVX_R10] = r->r10; g[HVX_R11] = r->r11;
	g[HVX_R12] = r->r12; g[HVX_R13] = r->r13;
	g[HVX_R14] = r->r14; g[HVX_R15] = r->r15;
	/* KVM drops a pending I/O completion when RIP is set by hand. */
	vcpu->pending_io = HVX_IO_NONE;
}

/* The parts of struct kvm_sregs the core keeps: CR2, APIC base, IRQ. */
static void hvx_get_sregs(struct hvx_vcpu *vcpu, struct kvm_sregs *sregs)
{
	hvx_ops->get_sregs(vcpu, sregs);
	sregs->cr2 = vcpu->cr2;
	sregs->apic_base = vcpu->apic_base;
	memset(sregs->interrupt_bitmap, 0, sizeof(sregs->interrupt_bitmap));
	if (vcpu->irq.type == HVX_EVENT_EXTINT)
		__set_bit(vcpu->irq.vector,
			  (unsigned long *)sregs->interrupt_bitmap);
}

static int hvx_set_sregs(struct hvx_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	int bit, r;

	if (!hvx_sregs_valid(sregs))
		return -EINVAL;
	r = hvx_ops->set_sregs(vcpu, sregs);
	if (r)
		return r;
	vcpu->cr2 = sregs->cr2;
	vcpu->apic_base = sregs->apic_base;
	/* A set bit queues that interrupt, as KVM_INTERRUPT would. */
	bit = find_first_bit((const unsigned long *)sregs->interrupt_bitmap,
			     KVM_NR_INTERRUPTS);
	if (bit < KVM_NR_INTERRUPTS) {
		vcpu->irq.type = HVX_EVENT_EXTINT;
		vcpu->irq.vector = bit;
	}
	return 0;
}

/* KVM_GET/SET_FPU: the legacy FXSAVE image inside the XSAVE buffer. */
static int hvx_fpu_ioctl(struct hvx_vcpu *vcpu, struct kvm_fpu __user *ufpu,
			 bool set)
{
	struct kvm_xsave *xs;
	struct fxregs_state *fx;
	struct kvm_fpu fpu;
	u32 pkru = 0;
	int r = 0;

	if (set && copy_from_user(&fpu, ufpu, sizeof(fpu)))
		return -EFAULT;
	xs = kzalloc(sizeof(*xs), GFP_KERNEL);
	if (!xs)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->fpu, xs, sizeof(*xs),
				       hvx_supported_xcr0(), 0);
	fx = (struct fxregs_state *)xs->region;
	if (set) {
		struct xstate_header *hdr = (void *)xs->region + XSAVE_HDR_OFFSET;

		/* The legacy state counts only if the header says it is there. */
		hdr->xfeatures |= XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
		memcpy(fx->st_space, fpu.fpr, sizeof(fpu.fpr));
		fx->cwd = fpu.fcw;
		fx->swd = fpu.fsw;
		fx->twd = fpu.ftwx;
		fx->fop = fpu.last_opcode;
		fx->rip = fpu.last_ip;
		fx->rdp = fpu.last_dp;
		memcpy(fx->xmm_space, fpu.xmm, sizeof(fpu.xmm));
		fx->mxcsr = fpu.mxcsr;
		r = fpu_copy_uabi_to_guest_fpstate(&vcpu->fpu, xs,
						   hvx_supported_xcr0(), &pkru);
	} else {
		memset(&fpu, 0, sizeof(fpu));
		memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
		fpu.fcw = fx->cwd;
		fpu.fsw = fx->swd;
		fpu.ftwx = fx->twd;
		fpu.last_opcode = fx->fop;
		fpu.last_ip = fx->rip;
		fpu.last_dp = fx->rdp;
		memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
		fpu.mxcsr = fx->mxcsr;
		if (copy_to_user(ufpu, &fpu, sizeof(fpu)))
			r = -EFAULT;
	}
	kfree(xs);
	return r;
}

static int hvx_xsave_ioctl(struct hvx_vcpu *vcpu,
			   struct kvm_xsave __user *uxs, bool set)
{
	struct kvm_xsave *xs;
	u32 pkru = 0;
	int r = 0;

	if (set) {
		xs = memdup_user(uxs, sizeof(*xs));
		if (IS_ERR(xs))
			return PTR_ERR(xs);
		r = fpu_copy_uabi_to_guest_fpstate(&vcpu->fpu, xs,
						   hvx_supported_xcr0(), &pkru);
	} else {
		xs = kzalloc(sizeof(*xs), GFP_KERNEL);
		if (!xs)
			return -ENOMEM;
		fpu_copy_guest_fpstate_to_uabi(&vcpu->fpu, xs, sizeof(*xs),
				       hvx_supported_xcr0(), 0);
		if (copy_to_user(uxs, xs, sizeof(*xs)))
			r = -EFAULT;
	}
	kfree(xs);
	return r;
}

static int hvx_xcrs_ioctl(struct hvx_vcpu *vcpu, struct kvm_xcrs __user *ux,
			  bool set)
{
	struct kvm_xcrs x;
	u64 avx512 = XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 |
		     XFEATURE_MASK_Hi16_ZMM;
	u32 i;

	if (!set) {
		memset(&x, 0, sizeof(x));
		if (boot_cpu_has(X86_FEATURE_XSAVE)) {
			x.nr_xcrs = 1;
			x.xcrs[0].xcr = 0;
			x.xcrs[0].value = vcpu->xcr0;
		}
		return copy_to_user(ux, &x, sizeof(x)) ? -EFAULT : 0;
	}
	if (copy_from_user(&x, ux, sizeof(x)))
		return -EFAULT;
	if (x.nr_xcrs > KVM_MAX_XCRS || x.flags)
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++) {
		u64 v = x.xcrs[i].value;

		if (x.xcrs[i].xcr != 0 || !(v & XFEATURE_MASK_FP) ||
		    (v & ~hvx_supported_xcr0()) ||
		    ((v & XFEATURE_MASK_YMM) && !(v & XFEATURE_MASK_SSE)) ||
		    ((v & avx512) && (v & avx512) != avx512))
			return -EINVAL;
	}
	for (i = 0; i < x.nr_xcrs; i++)
		vcpu->xcr0 = x.xcrs[i].value;
	return 0;
}

static int hvx_debugregs_ioctl(struct hvx_vcpu *vcpu,
			       struct kvm_debugregs __user *ud, bool set)
{
	struct kvm_debugregs d;

	if (!set) {
		memset(&d, 0, sizeof(d));
		memcpy(d.db, vcpu->dr, sizeof(d.db));
		d.dr6 = vcpu->dr[4];
		d.dr7 = hvx_ops->get_dr7(vcpu);
		return copy_to_user(ud, &d, sizeof(d)) ? -EFAULT : 0;
	}
	if (copy_from_user(&d, ud, sizeof(d)))
		return -EFAULT;
	if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->dr, d.db, sizeof(d.db));
	vcpu->dr[4] = d.dr6;
	hvx_ops->set_dr7(vcpu, d.dr7);
	return 0;
}

static void hvx_get_events(struct hvx_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	const struct hvx_event *ri = &vcpu->reinject;

	memset(e, 0, sizeof(*e));
	if (ri->type == HVX_EVENT_EXCEPTION) {
		e->exception.injected = 1;
		e->exception.nr = ri->vector;
		e->exception.has_error_code = ri->has_error;
		e->exception.error_code = ri->error_code;
	} else if (vcpu->exception.type != HVX_EVENT_NONE) {
		/* Without KVM_CAP_EXCEPTION_PAYLOAD, KVM reports it injected. */
		e->exception.injected = 1;
		e->exception.nr = vcpu->exception.vector;
		e->exception.has_error_code = vcpu->exception.has_error;
		e->exception.error_code = vcpu->exception.error_code;
	}
	if (ri->type == HVX_EVENT_EXTINT || ri->type == HVX_EVENT_SOFT_INT) {
		e->interrupt.injected = 1;
		e->interrupt.nr = ri->vector;
		e->interrupt.soft = ri->type == HVX_EVENT_SOFT_INT;
	} else if (vcpu->irq.type != HVX_EVENT_NONE) {
		e->interrupt.injected = 1;
		e->interrupt.nr = vcpu->irq.vector;
	}
	e->interrupt.shadow = hvx_ops->get_interrupt_shadow(vcpu);
	e->nmi.injected = ri->type == HVX_EVENT_NMI;
	e->nmi.pending = vcpu->nmi_pending != 0;
	e->nmi.masked = hvx_ops->get_nmi_mask(vcpu);
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
}

static int hvx_set_events(struct hvx_vcpu *vcpu,
			  const struct kvm_vcpu_events *e)
{
	if (e->flags & ~HVX_EVENTS_FLAGS)
		return -EINVAL;
	if (e->exception.injected && (e->exception.nr > 31 ||
				      e->exception.nr == HVX_NMI_VECTOR))
		return -EINVAL;
	if (e->nmi.injected && e->exception.injected)
		return -EINVAL;

	vcpu->reinject.type = HVX_EVENT_NONE;
	vcpu->exception.type = HVX_EVENT_NONE;
	vcpu->irq.type = HVX_EVENT_NONE;
	if (e->exception.injected) {
		vcpu->exception.type = HVX_EVENT_EXCEPTION;
		vcpu->exception.vector = e->exception.nr;
		vcpu->exception.has_error = e->exception.has_error_code;
		vcpu->exception.error_code = e->exception.error_code;
	}
	if (e->interrupt.injected) {
		vcpu->irq.type = e->interrupt.soft ? HVX_EVENT_SOFT_INT :
						     HVX_EVENT_EXTINT;
		vcpu->irq.vector = e->interrupt.nr;
	}
	if (e->nmi.injected) {
		vcpu->reinject.type = HVX_EVENT_NMI;
		vcpu->reinject.vector = HVX_NMI_VECTOR;
	}
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = e->nmi.pending ? 1 : 0;
	hvx_ops->set_nmi_mask(vcpu, e->nmi.masked);
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW)
		hvx_ops->set_interrupt_shadow(vcpu, e->interrupt.shadow);
	return 0;
}

/*
 * KVM_GET_MSRS/KVM_SET_MSRS: process entries in order, stop at the first
 * the vCPU does not have, and return how many were done.
 */
static int hvx_msrs_ioctl(struct hvx_vcpu *vcpu, struct kvm_msrs __user *um,
			  bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	/* As KVM: fewer than 256 entries per call. */
	if (hdr.nmsrs >= HVX_MAX_MSR_ENTRIES)
		return -E2BIG;
	e = memdup_user(um->entries, hdr.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nmsrs; i++) {
		r = set ? hvx_set_msr(vcpu, e[i].index, e[i].data, true) :
			  hvx_get_msr(vcpu, e[i].index, &e[i].data, true);
		if (r)
			break;
	}
	r = i;
	if (!set && copy_to_user(um->entries, e, i * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}

static int hvx_translate(struct hvx_vcpu *vcpu, struct kvm_translation *t)
{
	u64 gpa;
	u32 pferr;

	t->valid = !hvx_translate_gva(vcpu, t->linear_address, 0, &gpa,
				      &pferr);
	t->physical_address = t->valid ? gpa : ~0ULL;
	t->writeable = t->valid &&
		       !hvx_translate_gva(vcpu, t->linear_address,
					  HVX_WALK_WRITE, &gpa, &pferr);
	t->usermode = t->valid &&
		      !hvx_translate_gva(vcpu, t->linear_address,
					 HVX_WALK_USER, &gpa, &pferr);
	return 0;
}

/*
 * The ioctls whose argument is one fixed-size structure: copied in before,
 * out after, so each handler works on kernel memory.
 */
static long hvx_struct_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
			     void __user *argp)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_vcpu_events events;
		struct kvm_mp_state mp;
		struct kvm_interrupt irq;
		struct kvm_translation tr;
	} *u;
	size_t size = _IOC_SIZE(ioctl);
	long r = 0;

	if (size > sizeof(*u))
		return -EINVAL;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	if ((_IOC_DIR(ioctl) & _IOC_WRITE) && copy_from_user(u, argp, size)) {
		r = -EFAULT;
		goto out;
	}

	hvx_vcpu_load(vcpu);
	switch (ioctl) {
	case KVM_GET_REGS:
		hvx_get_regs(vcpu, &u->regs);
		break;
	case KVM_SET_REGS:
		hvx_set_regs(vcpu, &u->regs);
		break;
	case KVM_GET_SREGS:
		hvx_get_sregs(vcpu, &u->sregs);
		break;
	case KVM_SET_SREGS:
		r = hvx_set_sregs(vcpu, &u->sregs);
		break;
	case KVM_GET_VCPU_EVENTS:
		hvx_get_events(vcpu, &u->events);
		break;
	case KVM_SET_VCPU_EVENTS:
		r = hvx_set_events(vcpu, &u->events);
		break;
	case KVM_GET_MP_STATE:
		u->mp.mp_state = vcpu->mp_state;
		break;
	case KVM_SET_MP_STATE:
		/* Without an in-kernel APIC only "runnable" exists (KVM). */
		r = u->mp.mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
		break;
	case KVM_INTERRUPT:
		if (u->irq.irq >= KVM_NR_INTERRUPTS) {
			r = -EINVAL;
			break;
		}
		vcpu->irq.type = HVX_EVENT_EXTINT;
		vcpu->irq.vector = u->irq.irq;
		break;
	case KVM_TRANSLATE:
		r = hvx_translate(vcpu, &u->tr);
		break;
	default:
		r = -EINVAL;
		break;
	}
	hvx_vcpu_put(vcpu);

	if (!r && (_IOC_DIR(ioctl) & _IOC_READ) && copy_to_user(argp, u, size))
		r = -EFAULT;
out:
	kfree(u);
	return r;
}

/**
 * hvx_x86_vcpu_ioctl() - every vCPU ioctl but KVM_RUN and the signal mask
 * @vcpu:  the vCPU, its mutex held
 * @ioctl: the ioctl number
 * @argp:  its argument
 *
 * Return: as KVM: 0 or a count, -errno; -EINVAL for an unknown ioctl.
 */
long hvx_x86_vcpu_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
			void __user *argp)
{
	long r;

	switch (ioctl) {
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
	case KVM_INTERRUPT:
	case KVM_TRANSLATE:
		return hvx_struct_ioctl(vcpu, ioctl, argp);
	case KVM_NMI:
		vcpu->nmi_pending = min(vcpu->nmi_pending + 1, 2u);
		return 0;
	case KVM_SET_CPUID2:
		return hvx_set_cpuid2(vcpu, argp);
	case KVM_GET_CPUID2:
		return hvx_get_cpuid2(vcpu, argp);
	case KVM_GET_FPU:
	case KVM_SET_FPU:
		return hvx_fpu_ioctl(vcpu, argp, ioctl == KVM_SET_FPU);
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
		return hvx_xsave_ioctl(vcpu, argp, ioctl == KVM_SET_XSAVE);
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
		return hvx_xcrs_ioctl(vcpu, argp, ioctl == KVM_SET_XCRS);
	case KVM_GET_DEBUGREGS:
	case KVM_SET_DEBUGREGS:
		hvx_vcpu_load(vcpu);
		r = hvx_debugregs_ioctl(vcpu, argp, ioctl == KVM_SET_DEBUGREGS);
		hvx_vcpu_put(vcpu);
		return r;
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		hvx_vcpu_load(vcpu);
		r = hvx_msrs_ioctl(vcpu, argp, ioctl == KVM_SET_MSRS);
		hvx_vcpu_put(vcpu);
		return r;
	default:
		/* KVM answers an unknown vCPU ioctl with -EINVAL. */
		return -EINVAL;
	}
}
