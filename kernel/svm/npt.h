/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NPT entry format: nested page tables are ordinary x86-64 long-mode page
 * tables (APM Vol. 2, 15.25 "Nested Paging", and 5.4 "Page-Translation-Table
 * Entry Fields").
 *
 * Pure logic: npt.c also compiles in userspace, where selftests/unit tests
 * it.
 */
#ifndef HVX_SVM_NPT_H
#define HVX_SVM_NPT_H

#include <linux/types.h>
#include <linux/bits.h>

#include "../tdp.h"

#define NPTE_P			BIT_ULL(0)
#define NPTE_RW			BIT_ULL(1)
#define NPTE_US			BIT_ULL(2)
#define NPTE_A			BIT_ULL(5)
#define NPTE_D			BIT_ULL(6)	/* leaves only */
#define NPTE_PS			BIT_ULL(7)	/* in a PDE or PDPE: a leaf */
#define NPTE_NX			BIT_ULL(63)
#define NPTE_ADDR		GENMASK_ULL(51, 12)

extern const struct hvx_tdp_format hvx_npt_format;

/*
 * nCR3 for a set of tables: the PML4 address with PWT and PCD clear, so the
 * walker reads the tables write-back (APM Vol. 2, 15.25).
 */
static inline u64 npt_make_ncr3(u64 root_pa)
{
	return root_pa & NPTE_ADDR;
}

#endif /* HVX_SVM_NPT_H */
