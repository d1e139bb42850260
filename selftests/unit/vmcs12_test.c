// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/vmx/vmcs12.c: the encoding -> slot table and the
 * SDM's VMREAD/VMWRITE width rules (25.11.2) that nested VMX relies on.
 */
#include <errno.h>

#include "unit.h"
#include "vmx/vmcs12.h"

static void layout_fits_a_page(void)
{
	EXPECT(VMCS12_SIZE <= 4096);
	EXPECT_EQ(__builtin_offsetof(struct vmcs12, field), 16);
}

#define CHECK_SLOT(name) EXPECT_EQ(vmcs12_slot(name), V12_##name);
static void every_field_has_its_slot(void)
{
	VMCS12_FIELDS(CHECK_SLOT)
}

static void high_forms_and_unsupported(void)
{
	EXPECT_EQ(vmcs12_slot(EPT_POINTER | 1), V12_EPT_POINTER);
	EXPECT_EQ(vmcs12_slot(GUEST_IA32_EFER | 1), V12_GUEST_IA32_EFER);
	/* only 64-bit fields have a high form */
	EXPECT_EQ(vmcs12_slot(GUEST_RIP | 1), -ENOENT);
	EXPECT_EQ(vmcs12_slot(GUEST_ES_SELECTOR | 1), -ENOENT);
	EXPECT_EQ(vmcs12_slot(0x7fff), -ENOENT);
	EXPECT_EQ(vmcs12_slot(0x10000), -ENOENT);
	EXPECT_EQ(vmcs12_slot(0x202a), -ENOENT);	/* #VE info: not offered */
}

static void read_only_fields(void)
{
	EXPECT(vmcs12_field_read_only(VM_EXIT_REASON));
	EXPECT(vmcs12_field_read_only(EXIT_QUALIFICATION));
	EXPECT(vmcs12_field_read_only(GUEST_PHYSICAL_ADDRESS));
	EXPECT(!vmcs12_field_read_only(GUEST_RIP));
	EXPECT(!vmcs12_field_read_only(HOST_RIP));
}

static void widths(void)
{
	struct vmcs12 v = { 0 };
	u64 x = 0;

	EXPECT_EQ(vmcs12_write(&v, GUEST_CS_SELECTOR, 0x123456789ull), 0);
	EXPECT_EQ(vmcs12_read(&v, GUEST_CS_SELECTOR, &x), 0);
	EXPECT_EQ(x, 0x6789);
	EXPECT_EQ(vmcs12_write(&v, GUEST_CS_LIMIT, 0x1ffffffffull), 0);
	EXPECT_EQ(vmcs12_read(&v, GUEST_CS_LIMIT, &x), 0);
	EXPECT_EQ(x, 0xffffffff);
	EXPECT_EQ(vmcs12_write(&v, GUEST_RIP, 0xffffffff81000000ull), 0);
	EXPECT_EQ(vmcs12_read(&v, GUEST_RIP, &x), 0);
	EXPECT_EQ(x, 0xffffffff81000000ull);
}

static void high_halves(void)
{
	struct vmcs12 v = { 0 };
	u64 x = 0;

	EXPECT_EQ(vmcs12_write(&v, TSC_OFFSET, 0x1111222233334444ull), 0);
	EXPECT_EQ(vmcs12_read(&v, TSC_OFFSET | 1, &x), 0);
	EXPECT_EQ(x, 0x11112222);
	EXPECT_EQ(vmcs12_write(&v, TSC_OFFSET | 1, 0xaaaabbbb), 0);
	EXPECT_EQ(vmcs12_read(&v, TSC_OFFSET, &x), 0);
	EXPECT_EQ(x, 0xaaaabbbb33334444ull);
}

static void read_only_refuses_write(void)
{
	struct vmcs12 v = { 0 };
	u64 x = 1;

	EXPECT_EQ(vmcs12_write(&v, VM_EXIT_REASON, 5), -EPERM);
	EXPECT_EQ(vmcs12_read(&v, VM_EXIT_REASON, &x), 0);
	EXPECT_EQ(x, 0);
	EXPECT_EQ(vmcs12_write(&v, 0x7fff, 5), -ENOENT);
	EXPECT_EQ(vmcs12_read(&v, 0x7fff, &x), -ENOENT);
}

UNIT_MAIN(
	{ "layout_fits_a_page", layout_fits_a_page },
	{ "every_field_has_its_slot", every_field_has_its_slot },
	{ "high_forms_and_unsupported", high_forms_and_unsupported },
	{ "read_only_fields", read_only_fields },
	{ "widths", widths },
	{ "high_halves", high_halves },
	{ "read_only_refuses_write", read_only_refuses_write },
)
