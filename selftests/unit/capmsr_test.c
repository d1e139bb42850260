// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/vmx/capmsr.c: VMX control adjustment against the
 * allowed-0/allowed-1 halves of a capability MSR, CR0/CR4 fixed bits, and
 * IA32_VMX_BASIC decoding.  Values are taken from the SDM's definitions and
 * from MSR values real CPUs report.
 */
#include <errno.h>

#include "unit.h"
#include "vmx/capmsr.h"

/* Skylake-class IA32_VMX_PINBASED_CTLS: must-be-one 0x16, may-be-one 0x7f */
#define PINBASED_MSR	0x0000007f00000016ULL

static void adjust_sets_must_be_one_bits(void)
{
	u32 v = 0;

	EXPECT_EQ(vmx_adjust_controls(0, 0, PINBASED_MSR, &v), 0);
	EXPECT_EQ(v, 0x16);
}

static void adjust_keeps_allowed_optional_bits(void)
{
	u32 v = 0;

	/* bit 0 (external-interrupt exiting) allowed, bit 8 not */
	EXPECT_EQ(vmx_adjust_controls(0, 0x101, PINBASED_MSR, &v), 0);
	EXPECT_EQ(v, 0x17);
}

static void adjust_rejects_forbidden_required_bit(void)
{
	u32 v = 0xdead;

	EXPECT_EQ(vmx_adjust_controls(0x100, 0, PINBASED_MSR, &v), -EIO);
	EXPECT_EQ(v, 0xdead);	/* untouched on failure */
}

static void adjust_required_and_optional(void)
{
	u32 v = 0;

	EXPECT_EQ(vmx_adjust_controls(0x1, 0x48, PINBASED_MSR, &v), 0);
	EXPECT_EQ(v, 0x5f);
	EXPECT(vmx_controls_valid(v, PINBASED_MSR));
}

static void controls_valid_checks_both_halves(void)
{
	EXPECT(vmx_controls_valid(0x16, PINBASED_MSR));
	EXPECT(!vmx_controls_valid(0x06, PINBASED_MSR));	/* bit 4 missing */
	EXPECT(!vmx_controls_valid(0x96, PINBASED_MSR));	/* bit 7 forbidden */
	EXPECT(vmx_controls_valid(0xffffffff, 0xffffffffffffffffULL));
	EXPECT(vmx_controls_valid(0, 0xffffffff00000000ULL));
}

static void adjust_all_allowed_msr(void)
{
	u32 v = 0;

	EXPECT_EQ(vmx_adjust_controls(0x80000000, 0x1, 0xffffffff00000000ULL,
				      &v), 0);
	EXPECT_EQ(v, 0x80000001);
}

/* Typical IA32_VMX_CR0_FIXED0/1: PE, NE, PG must be 1; all may be 1. */
#define CR0_FIXED0	0x80000021ULL
#define CR0_FIXED1	0xffffffffULL
/* Typical IA32_VMX_CR4_FIXED0/1: VMXE must be 1; bits up to 22 may be 1. */
#define CR4_FIXED0	0x2000ULL
#define CR4_FIXED1	0x7fffffULL

static void cr_fixed_bits(void)
{
	EXPECT(vmx_cr_fixed_ok(0x80050033, CR0_FIXED0, CR0_FIXED1));
	EXPECT(!vmx_cr_fixed_ok(0x80050032, CR0_FIXED0, CR0_FIXED1)); /* PE=0 */
	EXPECT(!vmx_cr_fixed_ok(0x1000080050033ULL, CR0_FIXED0, CR0_FIXED1));
	EXPECT(vmx_cr_fixed_ok(0x3626f0, CR4_FIXED0, CR4_FIXED1));
	EXPECT(!vmx_cr_fixed_ok(0x3606f0, CR4_FIXED0, CR4_FIXED1)); /* VMXE=0 */
	EXPECT(!vmx_cr_fixed_ok(0x13626f0, CR4_FIXED0, CR4_FIXED1));
}

static void cr_apply_fixed(void)
{
	EXPECT_EQ(vmx_cr_apply_fixed(0x10, CR0_FIXED0, CR0_FIXED1), 0x80000031);
	EXPECT_EQ(vmx_cr_apply_fixed(0x1000000000ULL, CR4_FIXED0, CR4_FIXED1),
		  0x2000);
	EXPECT(vmx_cr_fixed_ok(vmx_cr_apply_fixed(0, CR4_FIXED0, CR4_FIXED1),
			       CR4_FIXED0, CR4_FIXED1));
}

static void basic_decode(void)
{
	struct vmx_basic_info b;

	/* revision 4, 1 KiB regions, write-back, INS/OUTS info, true ctls */
	vmx_basic_decode(0x00da040000000004ULL, &b);
	EXPECT_EQ(b.revision, 4);
	EXPECT_EQ(b.region_size, 1024);
	EXPECT_EQ(b.memtype, VMXCAP_BASIC_MEMTYPE_WB);
	EXPECT(!b.pa_32bit);
	EXPECT(b.true_ctls);

	vmx_basic_decode(0x0019100000000012ULL, &b);
	EXPECT_EQ(b.revision, 0x12);
	EXPECT_EQ(b.region_size, 0x1000);
	EXPECT(b.pa_32bit);
	EXPECT(!b.true_ctls);
	EXPECT_EQ(b.memtype, VMXCAP_BASIC_MEMTYPE_WB);
}

UNIT_MAIN(
	{ "adjust_sets_must_be_one_bits", adjust_sets_must_be_one_bits },
	{ "adjust_keeps_allowed_optional_bits",
	  adjust_keeps_allowed_optional_bits },
	{ "adjust_rejects_forbidden_required_bit",
	  adjust_rejects_forbidden_required_bit },
	{ "adjust_required_and_optional", adjust_required_and_optional },
	{ "controls_valid_checks_both_halves",
	  controls_valid_checks_both_halves },
	{ "adjust_all_allowed_msr", adjust_all_allowed_msr },
	{ "cr_fixed_bits", cr_fixed_bits },
	{ "cr_apply_fixed", cr_apply_fixed },
	{ "basic_decode", basic_decode },
)
