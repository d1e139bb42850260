// SPDX-License-Identifier: GPL-2.0-only
/*
 * EPT entry format for the paging engine (tdp.c); see ept.h.  Pure logic,
 * also built and unit-tested in userspace (selftests/unit).
 *
 * hvx maps only RAM through EPT: guest MMIO has no entry and exits.  So
 * every leaf is write-back with "ignore PAT" set, and the guest's PAT cannot
 * make host RAM uncacheable behind the host's back (SDM Vol. 3C, "EPT and
 * Memory Typing").  Execute permission is bit 2 alone: hvx does not enable
 * mode-based execute control, so bit 10 is ignored and left clear.
 */
#include <linux/types.h>

#include "ept.h"

/*
 * Rights at upper levels are ANDed with the leaf's, so a table entry grants
 * everything and the leaf decides.  Bit 7 must be 0 in an entry that points
 * to a table, and bits 6:3 are reserved in one.
 */
static u64 ept_make_table(u64 table_pa)
{
	return (table_pa & EPTE_ADDR) | EPTE_RWX;
}

static u64 ept_make_leaf(u64 pa, int level, unsigned int prot)
{
	u64 pte = (pa & EPTE_ADDR) | (EPT_MT_WB << EPTE_MT_SHIFT) | EPTE_IPAT;

	if (prot & HVX_PROT_R)
		pte |= EPTE_R;
	if (prot & HVX_PROT_W)
		pte |= EPTE_W;
	if (prot & HVX_PROT_X)
		pte |= EPTE_X;
	if (level > HVX_TDP_LEVEL_4K)
		pte |= EPTE_LARGE;
	return pte;
}

/* An entry with bits 2:0 all clear is not present (SDM Vol. 3C 29.3.2). */
static bool ept_present(u64 pte)
{
	return pte & EPTE_RWX;
}

static bool ept_large(u64 pte)
{
	return pte & EPTE_LARGE;
}

static u64 ept_addr(u64 pte)
{
	return pte & EPTE_ADDR;
}

static unsigned int ept_prot(u64 pte)
{
	unsigned int prot = 0;

	if (pte & EPTE_R)
		prot |= HVX_PROT_R;
	if (pte & EPTE_W)
		prot |= HVX_PROT_W;
	if (pte & EPTE_X)
		prot |= HVX_PROT_X;
	return prot;
}

static u64 ept_set_prot(u64 pte, unsigned int prot)
{
	pte &= ~EPTE_RWX;
	if (prot & HVX_PROT_R)
		pte |= EPTE_R;
	if (prot & HVX_PROT_W)
		pte |= EPTE_W;
	if (prot & HVX_PROT_X)
		pte |= EPTE_X;
	return pte;
}

/*
 * The CPU sets bit 9 of a leaf on a write only when the EPTP enables A/D
 * flags (SDM Vol. 3C, "Accessed and Dirty Flags for EPT"); otherwise the bit
 * is ignored and stays as hvx wrote it, clear.
 */
static bool ept_dirty(u64 pte)
{
	return pte & EPTE_D;
}

static u64 ept_clear_dirty(u64 pte)
{
	return pte & ~EPTE_D;
}

const struct hvx_tdp_format hvx_ept_format = {
	.name		= "ept",
	.make_table	= ept_make_table,
	.make_leaf	= ept_make_leaf,
	.present	= ept_present,
	.large		= ept_large,
	.addr		= ept_addr,
	.prot		= ept_prot,
	.set_prot	= ept_set_prot,
	.dirty		= ept_dirty,
	.clear_dirty	= ept_clear_dirty,
};

/**
 * ept_make_eptp() - the EPT pointer for a set of tables
 * @root_pa: physical address of the EPT PML4 table (hvx_tdp.root_pa)
 * @ad:	     enable accessed and dirty flags; only when
 *	     IA32_VMX_EPT_VPID_CAP bit 21 says the CPU has them
 *
 * The CPU walks the tables with write-back accesses (bits 2:0; WB support is
 * IA32_VMX_EPT_VPID_CAP bit 14) and four levels (bits 5:3 hold the length
 * minus one).
 *
 * Return: the value for the EPTP VM-execution control field.
 */
u64 ept_make_eptp(u64 root_pa, bool ad)
{
	u64 eptp = (root_pa & EPTP_ADDR) | EPT_MT_WB |
		   ((u64)(HVX_TDP_ROOT_LEVEL - 1) << EPTP_PWL_SHIFT);

	if (ad)
		eptp |= EPTP_AD;
	return eptp;
}
