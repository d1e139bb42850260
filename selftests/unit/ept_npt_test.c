// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/vmx/ept.c and kernel/svm/npt.c: the exact bits of
 * every entry the paging engine asks for, decoding of entries as the CPU
 * leaves them (accessed/dirty set), and the EPTP.  Expected values are
 * written out from the SDM's and APM's tables, not from the headers' macros.
 */
#include "unit.h"
#include "vmx/ept.h"
#include "svm/npt.h"

static const struct hvx_tdp_format *ept = &hvx_ept_format;
static const struct hvx_tdp_format *npt = &hvx_npt_format;

static void ept_table_entry(void)
{
	/* R, W, X; bits 7:3 zero; address */
	EXPECT_EQ(ept->make_table(0x12345000), 0x12345007);
	EXPECT_EQ(ept->make_table(0x000ffffffffff000ULL),
		  0x000ffffffffff007ULL);
	EXPECT(ept->present(ept->make_table(0x1000)));
	EXPECT(!ept->large(ept->make_table(0x1000)));
	EXPECT_EQ(ept->addr(ept->make_table(0xabcdef000ULL)), 0xabcdef000ULL);
}

static void ept_leaf_entry(void)
{
	/* 4 KiB RWX: RWX=7, WB (6) in 5:3 = 0x30, ignore PAT 0x40 */
	EXPECT_EQ(ept->make_leaf(0x12345000, 1, HVX_PROT_RWX), 0x12345077);
	/* 4 KiB read-only */
	EXPECT_EQ(ept->make_leaf(0x12345000, 1, HVX_PROT_R), 0x12345071);
	/* 4 KiB read-execute */
	EXPECT_EQ(ept->make_leaf(0x7000, 1, HVX_PROT_R | HVX_PROT_X), 0x7075);
	/* 2 MiB RW: + page size bit 7 */
	EXPECT_EQ(ept->make_leaf(0x40200000, 2, HVX_PROT_R | HVX_PROT_W),
		  0x402000f3);
	/* 1 GiB R at the top of the 52-bit space */
	EXPECT_EQ(ept->make_leaf(0x000fffffc0000000ULL, 3, HVX_PROT_R),
		  0x000fffffc00000f1ULL);
	/* A/D (bits 8, 9) are the CPU's: never set by hvx */
	EXPECT_EQ(ept->make_leaf(0x1000, 1, HVX_PROT_RWX) & 0x300, 0);
}

static void ept_decode(void)
{
	u64 leaf = 0x402000f3 | 0x300;		/* 2 MiB RW, A and D set */

	EXPECT(!ept->present(0));
	EXPECT(ept->present(0x1));
	EXPECT(ept->present(0x4));		/* execute-only is present */
	EXPECT(!ept->present(0x000ffffffffff0f8ULL));	/* bits 2:0 clear */
	EXPECT(ept->large(leaf));
	EXPECT_EQ(ept->addr(leaf), 0x40200000);
	EXPECT_EQ(ept->addr(0xfff0000012345fffULL), 0x12345000);
	EXPECT_EQ(ept->prot(leaf), HVX_PROT_R | HVX_PROT_W);
	EXPECT_EQ(ept->prot(0x7077), HVX_PROT_RWX);
	EXPECT(ept->dirty(leaf));
	EXPECT(!ept->dirty(0x402000f3 | 0x100));
	EXPECT_EQ(ept->clear_dirty(leaf), 0x402001f3);
}

static void ept_set_prot(void)
{
	u64 leaf = 0x12345077 | 0x300;

	/* Only bits 2:0 change; memory type, IPAT, A/D and address stay. */
	EXPECT_EQ(ept->set_prot(leaf, HVX_PROT_R | HVX_PROT_X), 0x12345375);
	EXPECT_EQ(ept->set_prot(leaf, HVX_PROT_R), 0x12345371);
	EXPECT_EQ(ept->set_prot(0x12345071, HVX_PROT_RWX), 0x12345077);
}

static void ept_pointer(void)
{
	/* WB (6) in 2:0, walk length 4 - 1 = 3 in 5:3 */
	EXPECT_EQ(ept_make_eptp(0x1000, false), 0x101e);
	/* + A/D enable, bit 6 */
	EXPECT_EQ(ept_make_eptp(0x1000, true), 0x105e);
	EXPECT_EQ(ept_make_eptp(0x000ffffffffff000ULL, false),
		  0x000ffffffffff01eULL);
}

static void npt_table_entry(void)
{
	/* P, RW, US */
	EXPECT_EQ(npt->make_table(0x12345000), 0x12345007);
	EXPECT(npt->present(npt->make_table(0x1000)));
	EXPECT(!npt->large(npt->make_table(0x1000)));
	EXPECT_EQ(npt->addr(npt->make_table(0x000ffffffffff000ULL)),
		  0x000ffffffffff000ULL);
}

static void npt_leaf_entry(void)
{
	/* 4 KiB RWX: P, RW, US */
	EXPECT_EQ(npt->make_leaf(0x12345000, 1, HVX_PROT_RWX), 0x12345007);
	/* 4 KiB read-only, no execute: P, US, NX */
	EXPECT_EQ(npt->make_leaf(0x12345000, 1, HVX_PROT_R),
		  0x8000000012345005ULL);
	/* 4 KiB read-execute: P, US */
	EXPECT_EQ(npt->make_leaf(0x7000, 1, HVX_PROT_R | HVX_PROT_X), 0x7005);
	/* 2 MiB RW, no execute: P, RW, US, PS, NX */
	EXPECT_EQ(npt->make_leaf(0x40200000, 2, HVX_PROT_R | HVX_PROT_W),
		  0x8000000040200087ULL);
	/* 1 GiB RWX: P, RW, US, PS */
	EXPECT_EQ(npt->make_leaf(0x000fffffc0000000ULL, 3, HVX_PROT_RWX),
		  0x000fffffc0000087ULL);
	/* A (5), D (6), PWT/PCD (3, 4) and PAT stay clear */
	EXPECT_EQ(npt->make_leaf(0x1000, 1, HVX_PROT_RWX) & 0x78, 0);
	EXPECT_EQ(npt->make_leaf(0x200000, 2, HVX_PROT_RWX) & 0x1078, 0);
}

static void npt_decode(void)
{
	u64 leaf = 0x8000000040200087ULL | 0x60;	/* 2 MiB RW, A and D */

	EXPECT(!npt->present(0));
	EXPECT(!npt->present(0x8000000040200086ULL));	/* P clear */
	EXPECT(npt->present(0x1));
	EXPECT(npt->large(leaf));
	EXPECT(!npt->large(0x7));
	EXPECT_EQ(npt->addr(leaf), 0x40200000);
	EXPECT_EQ(npt->addr(0xfff0000012345fffULL), 0x12345000);
	EXPECT_EQ(npt->prot(leaf), HVX_PROT_R | HVX_PROT_W);
	EXPECT_EQ(npt->prot(0x12345007), HVX_PROT_RWX);
	EXPECT_EQ(npt->prot(0x8000000012345005ULL), HVX_PROT_R);
	EXPECT(npt->dirty(leaf));
	EXPECT(!npt->dirty(leaf & ~0x40ULL));
	EXPECT_EQ(npt->clear_dirty(leaf), 0x80000000402000a7ULL);
}

static void npt_set_prot(void)
{
	u64 leaf = 0x12345007 | 0x60;

	/* Only RW and NX change; P, US, A/D and address stay. */
	EXPECT_EQ(npt->set_prot(leaf, HVX_PROT_R | HVX_PROT_X), 0x12345065);
	EXPECT_EQ(npt->set_prot(leaf, HVX_PROT_R), 0x8000000012345065ULL);
	EXPECT_EQ(npt->set_prot(0x8000000012345005ULL, HVX_PROT_RWX),
		  0x12345007);
}

static void npt_ncr3(void)
{
	EXPECT_EQ(npt_make_ncr3(0x12345000), 0x12345000);
	EXPECT_EQ(npt_make_ncr3(0x000ffffffffff000ULL), 0x000ffffffffff000ULL);
}

UNIT_MAIN(
	{ "ept_table_entry", ept_table_entry },
	{ "ept_leaf_entry", ept_leaf_entry },
	{ "ept_decode", ept_decode },
	{ "ept_set_prot", ept_set_prot },
	{ "ept_pointer", ept_pointer },
	{ "npt_table_entry", npt_table_entry },
	{ "npt_leaf_entry", npt_leaf_entry },
	{ "npt_decode", npt_decode },
	{ "npt_set_prot", npt_set_prot },
	{ "npt_ncr3", npt_ncr3 },
)
