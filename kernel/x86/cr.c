// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control-register and KVM_SET_SREGS consistency rules both backends apply
 * (SDM Vol. 3A 2.5, MOV to CR; KVM's rules for KVM_SET_SREGS).  A value
 * that fails here is #GP for a guest write and EINVAL for userspace.
 */
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "x86.h"

/* CR4 bits a guest may set, before asking the host CPU. */
#define HVX_CR4_ALLOWED	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
			 X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

/* EFER bits a guest may set (no SVME: nested SVM is not offered). */
#define HVX_EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/**
 * hvx_cr4_allowed() - the CR4 bits guests may set on this host
 *
 * Return: the allow-list less the features the host CPU lacks.
 */
u64 hvx_cr4_allowed(void)
{
	u64 cr4 = HVX_CR4_ALLOWED;

	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		cr4 &= ~(u64)X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_PCID))
		cr4 &= ~(u64)X86_CR4_PCIDE;
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		cr4 &= ~(u64)X86_CR4_OSXSAVE;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		cr4 &= ~(u64)X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		cr4 &= ~(u64)X86_CR4_SMAP;
	return cr4;
}

/**
 * hvx_cr0_valid() - may a guest hold @cr0?
 * @cr0: the value
 */
bool hvx_cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	return true;
}

/**
 * hvx_cr4_valid() - may a guest hold @cr4?
 * @cr4: the value
 */
bool hvx_cr4_valid(u64 cr4)
{
	return !(cr4 & ~hvx_cr4_allowed());
}

/**
 * hvx_efer_valid() - may a guest hold @efer?
 * @efer: the value
 */
bool hvx_efer_valid(u64 efer)
{
	return !(efer & ~(u64)HVX_EFER_ALLOWED);
}

/**
 * hvx_sregs_valid() - KVM's consistency rules for KVM_SET_SREGS
 * @s: what userspace asks for
 *
 * Long mode with paging needs PAE and EFER.LMA; EFER.LMA and CS.L need
 * long mode with paging.
 */
bool hvx_sregs_valid(const struct kvm_sregs *s)
{
	if (!hvx_cr0_valid(s->cr0) || !hvx_cr4_valid(s->cr4) ||
	    !hvx_efer_valid(s->efer))
		return false;
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG))
		return (s->cr4 & X86_CR4_PAE) && (s->efer & EFER_LMA);
	return !(s->efer & EFER_LMA) && !s->cs.l;
}

/**
 * hvx_pat_valid() - is each of the eight IA32_PAT entries a memory type?
 * @pat: the value (SDM Vol. 3A 11.12.2: types 2, 3 and above 7 are #GP)
 */
bool hvx_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/**
 * hvx_emulate_mov_dr() - MOV to or from DRn (SDM Vol. 2B, MOV DR)
 * @vcpu:  the vCPU
 * @dr:	   0-7
 * @write: MOV to DRn
 * @reg:   the general-purpose register
 * @dr7:   the backend's copy of the guest's DR7
 *
 * hvx keeps the guest's debug registers (vcpu->dr, @dr7) without arming
 * the hardware: CPL > 0 is #GP, DR4/DR5 alias DR6/DR7 unless CR4.DE makes
 * them #UD, and the high half of DR6/DR7 must be zero.
 *
 * Return: 0 when done (the caller skips the instruction), 1 when an
 * exception was queued instead.
 */
int hvx_emulate_mov_dr(struct hvx_vcpu *vcpu, int dr, bool write, u64 *reg,
		       u64 *dr7)
{
	struct kvm_sregs sregs;

	hvx_ops->get_sregs(vcpu, &sregs);
	if ((sregs.cr0 & X86_CR0_PE) && sregs.ss.dpl) {
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
		return 1;
	}
	if (dr == 4 || dr == 5) {
		if (sregs.cr4 & X86_CR4_DE) {
			hvx_queue_exception(vcpu, HVX_UD_VECTOR, false, 0);
			return 1;
		}
		dr += 2;
	}
	if (!write) {
		*reg = dr == 7 ? *dr7 : dr == 6 ? vcpu->dr[4] : vcpu->dr[dr];
		return 0;
	}
	if (dr >= 6 && (*reg >> 32)) {
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
		return 1;
	}
	if (dr == 7)
		*dr7 = (*reg & 0xffff2bff) | HVX_DR7_FIXED;
	else if (dr == 6)
		vcpu->dr[4] = (*reg & 0x1e00f) | DR6_RESERVED;
	else
		vcpu->dr[dr] = *reg;
	return 0;
}
