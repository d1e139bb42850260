/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX capability-MSR arithmetic (SDM Vol. 3D, Appendix A).
 *
 * Pure logic: no hardware access, no kernel services.  This file and
 * capmsr.c also compile in userspace, where selftests/unit tests them.
 */
#ifndef HVX_VMX_CAPMSR_H
#define HVX_VMX_CAPMSR_H

#include <linux/types.h>

/* IA32_VMX_BASIC (SDM A.1) */
#define VMXCAP_BASIC_REVISION_MASK		0x7fffffffULL
#define VMXCAP_BASIC_REGION_SIZE_SHIFT	32
#define VMXCAP_BASIC_REGION_SIZE_MASK	0x1fffULL
#define VMXCAP_BASIC_32BIT_PA		(1ULL << 48)
#define VMXCAP_BASIC_MEMTYPE_SHIFT		50
#define VMXCAP_BASIC_MEMTYPE_MASK		0xfULL
#define VMXCAP_BASIC_MEMTYPE_WB		6
#define VMXCAP_BASIC_INOUT			(1ULL << 54)
#define VMXCAP_BASIC_TRUE_CTLS		(1ULL << 55)

/**
 * struct vmx_basic_info - IA32_VMX_BASIC decoded
 * @revision:	  VMCS revision identifier, written at the start of every
 *		  VMXON region and VMCS.
 * @region_size:  bytes to allocate for the VMXON region and each VMCS.
 * @memtype:	  memory type the CPU uses to access VMCS regions.
 * @pa_32bit:	  regions must lie below 4 GiB.
 * @true_ctls:	  the IA32_VMX_TRUE_*_CTLS MSRs exist and report the
 *		  default1 controls that may be cleared.
 */
struct vmx_basic_info {
	u32 revision;
	u32 region_size;
	u8 memtype;
	bool pa_32bit;
	bool true_ctls;
};

void vmx_basic_decode(u64 msr, struct vmx_basic_info *info);

/*
 * A VMX control capability MSR: bits 31:0 are the allowed-0 settings (a 1
 * there means the control must be 1), bits 63:32 the allowed-1 settings (a 0
 * there means the control must be 0).
 */
static inline u32 vmx_ctl_must_be_one(u64 msr)
{
	return (u32)msr;
}

static inline u32 vmx_ctl_may_be_one(u64 msr)
{
	return (u32)(msr >> 32);
}

int vmx_adjust_controls(u32 required, u32 optional, u64 msr, u32 *result);
bool vmx_controls_valid(u32 value, u64 msr);

/*
 * CR0/CR4 fixed bits (SDM A.7, A.8): a bit set in FIXED0 must be 1, a bit
 * clear in FIXED1 must be 0, in VMX operation.
 */
bool vmx_cr_fixed_ok(u64 value, u64 fixed0, u64 fixed1);
u64 vmx_cr_apply_fixed(u64 value, u64 fixed0, u64 fixed1);

#endif /* HVX_VMX_CAPMSR_H */
