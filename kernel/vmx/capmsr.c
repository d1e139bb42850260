// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX capability-MSR arithmetic; see capmsr.h.  Pure logic, also built and
 * unit-tested in userspace (selftests/unit).
 */
#include <linux/errno.h>

#include "capmsr.h"

/**
 * vmx_basic_decode() - split IA32_VMX_BASIC into its fields
 * @msr:  the MSR's value
 * @info: filled in
 */
void vmx_basic_decode(u64 msr, struct vmx_basic_info *info)
{
	info->revision = msr & VMXCAP_BASIC_REVISION_MASK;
	info->region_size = (msr >> VMXCAP_BASIC_REGION_SIZE_SHIFT) &
			    VMXCAP_BASIC_REGION_SIZE_MASK;
	info->memtype = (msr >> VMXCAP_BASIC_MEMTYPE_SHIFT) &
			VMXCAP_BASIC_MEMTYPE_MASK;
	info->pa_32bit = !!(msr & VMXCAP_BASIC_32BIT_PA);
	info->true_ctls = !!(msr & VMXCAP_BASIC_TRUE_CTLS);
}

/**
 * vmx_adjust_controls() - choose a VM-execution/exit/entry control value
 * @required: controls hvx cannot work without
 * @optional: controls hvx uses when the CPU allows them
 * @msr:      the capability MSR for this control field
 * @result:   the value to write into the VMCS
 *
 * The result has every must-be-one bit set, every required bit set, each
 * optional bit the CPU allows, and no bit the CPU forbids.
 *
 * Return: 0, or -EIO when the CPU forbids a required control.
 */
int vmx_adjust_controls(u32 required, u32 optional, u64 msr, u32 *result)
{
	u32 may = vmx_ctl_may_be_one(msr);

	if (required & ~may)
		return -EIO;
	*result = ((required | optional) & may) | vmx_ctl_must_be_one(msr);
	return 0;
}

/**
 * vmx_controls_valid() - does a control value obey its capability MSR?
 * @value: the control value
 * @msr:   the capability MSR for this control field
 *
 * Return: true when every must-be-one bit is set and no must-be-zero bit is.
 */
bool vmx_controls_valid(u32 value, u64 msr)
{
	u32 must = vmx_ctl_must_be_one(msr);

	return (value & must) == must && !(value & ~vmx_ctl_may_be_one(msr));
}

/**
 * vmx_cr_fixed_ok() - may CR0/CR4 hold @value in VMX operation?
 * @value:  the register value
 * @fixed0: IA32_VMX_CR0_FIXED0 or IA32_VMX_CR4_FIXED0
 * @fixed1: IA32_VMX_CR0_FIXED1 or IA32_VMX_CR4_FIXED1
 */
bool vmx_cr_fixed_ok(u64 value, u64 fixed0, u64 fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/**
 * vmx_cr_apply_fixed() - force @value to obey the fixed bits
 * @value:  the register value
 * @fixed0: bits that must be 1
 * @fixed1: bits that may be 1
 *
 * Return: @value with the must-be-one bits set and the must-be-zero bits
 * cleared.
 */
u64 vmx_cr_apply_fixed(u64 value, u64 fixed0, u64 fixed1)
{
	return (value | fixed0) & fixed1;
}
