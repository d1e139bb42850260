// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/vmx/ept12.c: an L1 EPT built in a buffer that stands
 * for L1-physical memory, walked for L2 accesses: translations at each page
 * size, the rights ANDed across levels, violations with their rights, and
 * every kind of misconfiguration the walk must recognise.
 */
#include <string.h>

#include "unit.h"
#include "vmx/ept12.h"

/* 64 KiB of L1 memory at L1-physical 0; EPT12 tables live in it. */
#define MEM_SIZE	0x10000
static u64 mem[MEM_SIZE / 8];

#define PML4		0x1000
#define PDPT		0x2000
#define PD		0x3000
#define PT		0x4000
#define WB_LEAF		(6ULL << 3)
#define RWX		(EPTE_R | EPTE_W | EPTE_X)
#define EPTP		(PML4 | 6 | 3 << 3)

static int read_pa(void *ctx, u64 pa, u64 *val)
{
	(void)ctx;
	if (pa >= MEM_SIZE)
		return -1;
	*val = mem[pa / 8];
	return 0;
}

static void put(u64 pa, u64 v)
{
	mem[pa / 8] = v;
}

static struct ept12_env env = {
	.eptp = EPTP, .maxphyaddr = 39,
	.large = EPT12_LARGE_2M | EPT12_LARGE_1G, .read = read_pa,
};

/* L2 0x0-0x1fffff through a PT; 4 KiB page 5 at L1 0x123000. */
static void build(void)
{
	memset(mem, 0, sizeof(mem));
	put(PML4, PDPT | RWX);
	put(PDPT, PD | RWX);
	put(PD, PT | RWX);
	put(PT + 5 * 8, 0x123000 | WB_LEAF | RWX);
}

static void eptp_checks(void)
{
	EXPECT(ept12_eptp_valid(EPTP, 39));
	EXPECT(!ept12_eptp_valid(PML4 | 0 | 3 << 3, 39));	/* UC */
	EXPECT(!ept12_eptp_valid(PML4 | 6 | 4 << 3, 39));	/* 5 levels */
	EXPECT(!ept12_eptp_valid(EPTP | EPTP_AD, 39));
	EXPECT(!ept12_eptp_valid(EPTP | 1 << 7, 39));
	EXPECT(!ept12_eptp_valid(EPTP | 1ULL << 39, 39));
}

static void translate_4k(void)
{
	struct ept12_walk w;

	build();
	EXPECT_EQ(ept12_translate(&env, 0x5abc, HVX_PROT_W, &w), EPT12_OK);
	EXPECT_EQ(w.gpa, 0x123abc);
	EXPECT_EQ(w.prot, HVX_PROT_RWX);
	EXPECT_EQ(w.level, 1);
	/* The tables read, for write tracking: PML4, PDPT, PD, PT. */
	EXPECT_EQ(w.nr_tables, 4);
	EXPECT_EQ(w.tables[0], PML4);
	EXPECT_EQ(w.tables[1], PDPT);
	EXPECT_EQ(w.tables[2], PD);
	EXPECT_EQ(w.tables[3], PT);
}

static void translate_large(void)
{
	struct ept12_walk w;

	build();
	put(PD + 8, 0x40000000 | EPTE_LARGE | WB_LEAF | RWX);	/* 2 MiB */
	EXPECT_EQ(ept12_translate(&env, 0x212345, HVX_PROT_R, &w), EPT12_OK);
	EXPECT_EQ(w.gpa, 0x40012345);
	EXPECT_EQ(w.level, 2);
	put(PDPT + 8, 0x80000000 | EPTE_LARGE | WB_LEAF | RWX);	/* 1 GiB */
	EXPECT_EQ(ept12_translate(&env, 0x40312345, HVX_PROT_X, &w), EPT12_OK);
	EXPECT_EQ(w.gpa, 0x80312345);
	EXPECT_EQ(w.level, 3);
	/* Not offered: a misconfiguration. */
	env.large = 0;
	EXPECT_EQ(ept12_translate(&env, 0x212345, HVX_PROT_R, &w),
		  EPT12_MISCONFIG);
	env.large = EPT12_LARGE_2M | EPT12_LARGE_1G;
}

static void rights_and_violations(void)
{
	struct ept12_walk w;

	build();
	/* Read-only at the PDE: writes violate, the leaf's W is masked. */
	put(PD, PT | EPTE_R | EPTE_X);
	EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_W, &w),
		  EPT12_VIOLATION);
	EXPECT_EQ(w.prot, HVX_PROT_R | HVX_PROT_X);
	EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_R, &w), EPT12_OK);
	/* Not present: rights 0, at the level where the walk ended. */
	EXPECT_EQ(ept12_translate(&env, 0x6000, HVX_PROT_R, &w),
		  EPT12_VIOLATION);
	EXPECT_EQ(w.prot, 0);
	EXPECT_EQ(w.level, 1);
	EXPECT_EQ(ept12_translate(&env, 0x8000000000ULL, HVX_PROT_R, &w),
		  EPT12_VIOLATION);
	EXPECT_EQ(w.level, 4);
}

static void misconfigurations(void)
{
	struct ept12_walk w;
	static const u64 bad_leaf[] = {
		0x123000 | WB_LEAF | EPTE_W,		/* write-only */
		0x123000 | WB_LEAF | EPTE_X,		/* execute-only */
		0x123000 | 2ULL << 3 | RWX,		/* memory type 2 */
		0x123000 | 7ULL << 3 | RWX,		/* memory type 7 */
		(1ULL << 40) | WB_LEAF | RWX,		/* beyond MAXPHYADDR */
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad_leaf) / sizeof(bad_leaf[0]); i++) {
		build();
		put(PT + 5 * 8, bad_leaf[i]);
		EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_R, &w),
			  EPT12_MISCONFIG);
	}
	build();
	put(PD, PT | RWX | 1ULL << 3);		/* reserved bit in a table */
	EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_R, &w),
		  EPT12_MISCONFIG);
	build();
	put(PML4, PDPT | RWX | EPTE_LARGE);	/* no pages at level 4 */
	EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_R, &w),
		  EPT12_MISCONFIG);
	build();
	put(PD + 8, 0x40001000 | EPTE_LARGE | WB_LEAF | RWX);	/* unaligned */
	EXPECT_EQ(ept12_translate(&env, 0x200000, HVX_PROT_R, &w),
		  EPT12_MISCONFIG);
	build();
	put(PD, 0x20000 | RWX);			/* a table outside L1 RAM */
	EXPECT_EQ(ept12_translate(&env, 0x5000, HVX_PROT_R, &w),
		  EPT12_MISCONFIG);
}

UNIT_MAIN(
	{ "eptp_checks", eptp_checks },
	{ "translate_4k", translate_4k },
	{ "translate_large", translate_large },
	{ "rights_and_violations", rights_and_violations },
	{ "misconfigurations", misconfigurations },
);
