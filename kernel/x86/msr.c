// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model-specific registers: those both backends treat alike live here, the
 * rest (EFER, PAT, the SYSCALL/SYSENTER MSRs, segment bases) are the
 * backend's, reached through hvx_ops->get_msr/set_msr.  An MSR nobody
 * models raises #GP in the guest, as on hardware without it, and fails
 * KVM_GET/SET_MSRS.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "x86.h"

#define MTRR_CAP_VALUE		0x508	/* fixed ranges, WC, 8 variable */

/*
 * AMD model-specific registers a Linux guest touches with unchecked
 * RDMSR/WRMSR during boot (SYSCFG, HWCR, NB_CFG, DE_CFG, BU_CFG2, the
 * OSVW pair): they read as 0 and writes are dropped, as KVM does, since
 * they describe northbridge and errata state a guest has no say in.
 */
static bool hvx_msr_amd_ignored(u32 index)
{
	switch (index) {
	case 0xc0010010:	/* SYSCFG */
	case 0xc0010015:	/* HWCR */
	case 0xc001001f:	/* NB_CFG */
	case 0xc0010140:	/* OSVW_ID_LENGTH */
	case 0xc0010141:	/* OSVW_STATUS */
	case 0xc0011029:	/* DE_CFG */
	case 0xc001102a:	/* BU_CFG2 */
		return true;
	default:
		return false;
	}
}
#define MTRR_PHYS_FIRST		0x200
#define MTRR_PHYS_LAST		0x20f

/* The MSRs KVM_GET_MSR_INDEX_LIST reports: what a VMM saves and restores. */
static const u32 hvx_msrs_to_save[] = {
	MSR_IA32_TSC, MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_EFER, MSR_IA32_CR_PAT, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_MTRRdefType,
};

/**
 * hvx_get_msr_index_list() - KVM_GET_MSR_INDEX_LIST
 * @ulist: userspace's struct kvm_msr_list; nmsrs says its room
 *
 * Return: 0, or -E2BIG with nmsrs set to the size needed.
 */
int hvx_get_msr_index_list(struct kvm_msr_list __user *ulist)
{
	u32 n = ARRAY_SIZE(hvx_msrs_to_save), room;

	if (get_user(room, &ulist->nmsrs))
		return -EFAULT;
	if (put_user(n, &ulist->nmsrs))
		return -EFAULT;
	if (room < n)
		return -E2BIG;
	if (copy_to_user(ulist->indices, hvx_msrs_to_save, sizeof(hvx_msrs_to_save)))
		return -EFAULT;
	return 0;
}

static bool mtrr_index(u32 index, u64 **slot, struct hvx_vcpu *vcpu)
{
	static const u32 fixed[] = {
		MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000,
		MSR_MTRRfix16K_A0000, MSR_MTRRfix4K_C0000,
		MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
		MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000,
		MSR_MTRRfix4K_E8000, MSR_MTRRfix4K_F0000,
		MSR_MTRRfix4K_F8000,
	};
	unsigned int i;

	if (index >= MTRR_PHYS_FIRST && index <= MTRR_PHYS_LAST) {
		*slot = &vcpu->mtrr_var[index - MTRR_PHYS_FIRST];
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (fixed[i] == index) {
			*slot = &vcpu->mtrr_fixed[i];
			return true;
		}
	}
	if (index == MSR_MTRRdefType) {
		*slot = &vcpu->mtrr_deftype;
		return true;
	}
	return false;
}

/**
 * hvx_get_msr() - read an MSR as the guest sees it
 * @vcpu:  the vCPU (loaded)
 * @index: MSR number
 * @data:  the value
 * @host:  true for KVM_GET_MSRS, false for the guest's RDMSR
 *
 * Return: 0, or -ENOENT when the MSR does not exist for this guest.
 */
int hvx_get_msr(struct hvx_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	u64 *slot;

	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->tsc_offset;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_IA32_FEAT_CTL:
		/* The backend's when it offers VMX to the guest, else 0. */
		if (!hvx_ops->get_msr(vcpu, index, data))
			return 0;
		*data = 0;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_PLATFORM_ID:
		*data = 0;
		return 0;
	case MSR_MTRRcap:
		*data = MTRR_CAP_VALUE;
		return 0;
	}
	if (mtrr_index(index, &slot, vcpu)) {
		*data = *slot;
		return 0;
	}
	if (hvx_msr_amd_ignored(index)) {
		*data = 0;
		return 0;
	}
	return hvx_ops->get_msr(vcpu, index, data);
}

/**
 * hvx_set_msr() - write an MSR as the guest sees it
 * @vcpu:  the vCPU (loaded)
 * @index: MSR number
 * @data:  the value
 * @host:  true for KVM_SET_MSRS, false for the guest's WRMSR
 *
 * Return: 0, or -ENOENT / -EINVAL when the guest would take #GP.
 */
int hvx_set_msr(struct hvx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u64 *slot;

	switch (index) {
	case MSR_IA32_TSC:
		vcpu->tsc_offset = data - rdtsc();
		return 0;
	case MSR_IA32_APICBASE:
		/* No in-kernel APIC: remember what the guest wrote. */
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_STATUS:
		return data && !host ? -EINVAL : 0;
	case MSR_IA32_FEAT_CTL: {
		/* The backend's when it offers VMX to the guest. */
		int r = hvx_ops->set_msr(vcpu, index, data, host);

		if (r != -ENOENT)
			return r;
		return host ? 0 : -EINVAL;
	}
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_PLATFORM_ID:
	case MSR_MTRRcap:
		/* Read-only, but a VMM restoring state may write the value. */
		return host ? 0 : -EINVAL;
	}
	if (mtrr_index(index, &slot, vcpu)) {
		*slot = data;
		return 0;
	}
	if (hvx_msr_amd_ignored(index))
		return 0;
	return hvx_ops->set_msr(vcpu, index, data, host);
}

/**
 * hvx_emulate_rdmsr() - an RDMSR exit
 * @vcpu: the vCPU, RCX holding the MSR number
 *
 * Return: 1 (re-enter); the caller skips the instruction unless this
 * queued #GP, which it tells by vcpu->exception.
 */
int hvx_emulate_rdmsr(struct hvx_vcpu *vcpu)
{
	u64 data;

	if (hvx_get_msr(vcpu, vcpu->regs[HVX_RCX], &data, false)) {
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
		return 1;
	}
	vcpu->regs[HVX_RAX] = (u32)data;
	vcpu->regs[HVX_RDX] = data >> 32;
	return 1;
}

/**
 * hvx_emulate_wrmsr() - a WRMSR exit
 * @vcpu: the vCPU, RCX the MSR number, EDX:EAX the value
 *
 * Return: 1, as hvx_emulate_rdmsr().
 */
int hvx_emulate_wrmsr(struct hvx_vcpu *vcpu)
{
	u64 data = (u32)vcpu->regs[HVX_RAX] |
		   ((u64)(u32)vcpu->regs[HVX_RDX] << 32);

	if (hvx_set_msr(vcpu, vcpu->regs[HVX_RCX], data, false))
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
	return 1;
}
