/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EPT entry and EPTP formats (SDM Vol. 3C, "The Extended Page Table
 * Mechanism (EPT)", 29.3.2, and "Extended-Page-Table Pointer (EPTP)").
 *
 * Pure logic: ept.c also compiles in userspace, where selftests/unit tests
 * it.  The bits are here rather than in ept.c so that nested EPT can read
 * L1's tables with the same names.
 */
#ifndef HVX_VMX_EPT_H
#define HVX_VMX_EPT_H

#include <linux/types.h>
#include <linux/bits.h>

#include "../tdp.h"

/* Every EPT paging-structure entry */
#define EPTE_R			BIT_ULL(0)
#define EPTE_W			BIT_ULL(1)
#define EPTE_X			BIT_ULL(2)	/* supervisor-mode execute */
#define EPTE_RWX		(EPTE_R | EPTE_W | EPTE_X)
#define EPTE_A			BIT_ULL(8)	/* when the EPTP enables A/D */
#define EPTE_ADDR		GENMASK_ULL(51, 12)

/* Leaves only */
#define EPTE_MT_SHIFT		3
#define EPTE_MT			GENMASK_ULL(5, 3)
#define EPTE_IPAT		BIT_ULL(6)
#define EPTE_LARGE		BIT_ULL(7)	/* in a PDE or PDPTE: a leaf */
#define EPTE_D			BIT_ULL(9)	/* when the EPTP enables A/D */

/* EPTP */
#define EPTP_MT			GENMASK_ULL(2, 0)
#define EPTP_PWL_SHIFT		3		/* page-walk length - 1 */
#define EPTP_PWL		GENMASK_ULL(5, 3)
#define EPTP_AD			BIT_ULL(6)
#define EPTP_ADDR		GENMASK_ULL(51, 12)

/* The write-back memory type (SDM Vol. 3A, "Methods of Caching Available") */
#define EPT_MT_WB		6ULL

extern const struct hvx_tdp_format hvx_ept_format;

u64 ept_make_eptp(u64 root_pa, bool ad);

#endif /* HVX_VMX_EPT_H */
