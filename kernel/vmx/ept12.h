/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Walking an L1 hypervisor's EPT (EPT12) for nested EPT.
 *
 * Pure logic: ept12.c also compiles in userspace, where selftests/unit
 * tests it.  The caller supplies the reads of L1 memory.
 */
#ifndef HVX_VMX_EPT12_H
#define HVX_VMX_EPT12_H

#include <linux/types.h>

#include "ept.h"

/* What L1 may configure in its EPTP: WB, a 4-level walk, no A/D flags. */
bool ept12_eptp_valid(u64 eptp, unsigned int maxphyaddr);

/**
 * struct ept12_env - how to walk one EPT12
 * @eptp:	L1's EPT pointer (checked with ept12_eptp_valid())
 * @maxphyaddr: physical-address width L1 sees
 * @large:	EPT12_LARGE_2M lets PDEs map 2 MiB, EPT12_LARGE_1G lets
 *		PDPTEs map 1 GiB (what IA32_VMX_EPT_VPID_CAP offers L1)
 * @read:	read the 8-byte entry at L1-physical @pa; non-zero when no
 *		RAM is there
 * @ctx:	for @read
 */
struct ept12_env {
	u64 eptp;
	unsigned int maxphyaddr;
	unsigned int large;
	int (*read)(void *ctx, u64 pa, u64 *val);
	void *ctx;
};

#define EPT12_LARGE_2M		BIT(0)
#define EPT12_LARGE_1G		BIT(1)

enum ept12_result {
	EPT12_OK,		/* translated, access allowed */
	EPT12_VIOLATION,	/* not present, or the access is not allowed */
	EPT12_MISCONFIG,	/* an entry L1 could not legally write */
};

/**
 * struct ept12_walk - the outcome of ept12_translate()
 * @gpa:   the L1-physical address (EPT12_OK)
 * @prot:  HVX_PROT_R/W/X: the AND of the rights of every entry walked,
 *	   the not-present one included (bits 3-5 of an EPT-violation
 *	   qualification, SDM 28.2.1 table 28-7)
 * @level: the level of the last entry read (1 = PTE ... 4 = PML4E)
 * @tables: the L1-physical address of each table read, from the PML4 down
 * @nr_tables: how many of @tables are filled
 */
struct ept12_walk {
	u64 gpa;
	unsigned int prot;
	int level;
	u64 tables[4];
	int nr_tables;
};

enum ept12_result ept12_translate(const struct ept12_env *env, u64 l2gpa,
				  unsigned int access, struct ept12_walk *w);

#endif /* HVX_VMX_EPT12_H */
