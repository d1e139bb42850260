// SPDX-License-Identifier: GPL-2.0-only
/*
 * NPT entry format for the paging engine (tdp.c); see npt.h.  Pure logic,
 * also built and unit-tested in userspace (selftests/unit).
 *
 * Two rules differ from the host's own page tables:
 * - The processor performs every nested-table access as a user access
 *   (APM Vol. 2, 15.25.5), so U/S must be set at every level or the guest
 *   faults on everything.
 * - There is no "present but not readable": P means readable.  The engine
 *   only asks for readable mappings.
 *
 * Bit 63 is NX because the host runs with EFER.NXE set, as every x86-64
 * Linux kernel does; the nested walk takes NXE from the host.  PWT, PCD and
 * PAT stay clear: the host PAT's entry 0, write-back, applies, and hvx maps
 * only RAM this way.
 */
#include <linux/types.h>

#include "npt.h"

/* Rights are ANDed down the walk: a table entry grants everything. */
static u64 npt_make_table(u64 table_pa)
{
	return (table_pa & NPTE_ADDR) | NPTE_P | NPTE_RW | NPTE_US;
}

static u64 npt_make_leaf(u64 pa, int level, unsigned int prot)
{
	u64 pte = (pa & NPTE_ADDR) | NPTE_P | NPTE_US;

	if (prot & HVX_PROT_W)
		pte |= NPTE_RW;
	if (!(prot & HVX_PROT_X))
		pte |= NPTE_NX;
	if (level > HVX_TDP_LEVEL_4K)
		pte |= NPTE_PS;
	return pte;
}

static bool npt_present(u64 pte)
{
	return pte & NPTE_P;
}

static bool npt_large(u64 pte)
{
	return pte & NPTE_PS;
}

/*
 * Bits 51:12.  In a large leaf bit 12 is PAT, which hvx never sets; the
 * engine masks the address to the leaf's size anyway.
 */
static u64 npt_addr(u64 pte)
{
	return pte & NPTE_ADDR;
}

static unsigned int npt_prot(u64 pte)
{
	unsigned int prot = HVX_PROT_R;

	if (pte & NPTE_RW)
		prot |= HVX_PROT_W;
	if (!(pte & NPTE_NX))
		prot |= HVX_PROT_X;
	return prot;
}

static u64 npt_set_prot(u64 pte, unsigned int prot)
{
	pte &= ~(NPTE_RW | NPTE_NX);
	if (prot & HVX_PROT_W)
		pte |= NPTE_RW;
	if (!(prot & HVX_PROT_X))
		pte |= NPTE_NX;
	return pte;
}

/* The processor sets D in a leaf on the first write through it. */
static bool npt_dirty(u64 pte)
{
	return pte & NPTE_D;
}

static u64 npt_clear_dirty(u64 pte)
{
	return pte & ~NPTE_D;
}

const struct hvx_tdp_format hvx_npt_format = {
	.name		= "npt",
	.make_table	= npt_make_table,
	.make_leaf	= npt_make_leaf,
	.present	= npt_present,
	.large		= npt_large,
	.addr		= npt_addr,
	.prot		= npt_prot,
	.set_prot	= npt_set_prot,
	.dirty		= npt_dirty,
	.clear_dirty	= npt_clear_dirty,
};
