// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EPT12 walk: an L2 guest-physical address through L1's EPT tables to
 * an L1 guest-physical address, as the CPU would walk them for L1 (SDM Vol.
 * 3C 29.3.2 "EPT Translation Mechanism" and 29.3.3 "EPT-Induced VM
 * Exits").  Nested EPT (nested.c) caches the results in EPT02.
 *
 * hvx offers L1 a 4-level walk, write-back paging structures, 2 MiB and
 * 1 GiB pages, and neither execute-only translations nor A/D flags, so an
 * entry with R=0 and X=1 is a misconfiguration here and the walk never
 * writes to L1's tables.
 *
 * Pure logic: no kernel services; also compiled in userspace.
 */
#include <linux/types.h>

#include "ept12.h"

/* Memory types an EPT leaf may hold: UC, WC, WT, WP, WB (SDM 29.3.7). */
static bool ept12_mt_valid(u64 pte)
{
	u64 mt = (pte & EPTE_MT) >> EPTE_MT_SHIFT;

	return mt != 2 && mt != 3 && mt != 7;
}

/**
 * ept12_eptp_valid() - may L1 enter L2 with this EPT pointer?
 * @eptp:	the EPT_POINTER field of vmcs12
 * @maxphyaddr: the physical-address width L1 sees
 *
 * The VM-entry checks of SDM 26.2.1.1 for what hvx offers: memory type WB
 * (bit 14 of IA32_VMX_EPT_VPID_CAP, the only one offered), page-walk length
 * 4, A/D flags off (not offered), bits 11:7 and those above the physical
 * width clear.
 *
 * Return: true when VM entry may go on.
 */
bool ept12_eptp_valid(u64 eptp, unsigned int maxphyaddr)
{
	if ((eptp & EPTP_MT) != EPT_MT_WB ||
	    ((eptp & EPTP_PWL) >> EPTP_PWL_SHIFT) != 3 || (eptp & EPTP_AD))
		return false;
	if (eptp & GENMASK_ULL(11, 7))
		return false;
	return !(eptp >> maxphyaddr);
}

/*
 * Is @pte, read at @level, one L1 could not legally write (SDM 29.3.3.1)?
 * Only called for a present entry.
 */
static bool ept12_misconfigured(const struct ept12_env *env, u64 pte,
				int level)
{
	bool leaf;

	/*
	 * Present without read: write-only, or execute-only, which hvx does
	 * not offer (IA32_VMX_EPT_VPID_CAP bit 0 clear).
	 */
	if (!(pte & EPTE_R))
		return true;
	/* Address bits beyond the physical width. */
	if (pte & GENMASK_ULL(51, 12) & ~GENMASK_ULL(env->maxphyaddr - 1, 0))
		return true;
	if (level == 4 && (pte & EPTE_LARGE))
		return true;
	if (level == 3 && (pte & EPTE_LARGE) && !(env->large & EPT12_LARGE_1G))
		return true;
	if (level == 2 && (pte & EPTE_LARGE) && !(env->large & EPT12_LARGE_2M))
		return true;

	leaf = level == 1 || (pte & EPTE_LARGE);
	if (!leaf)
		/* Bits 6:3 of a table entry are reserved (bit 7 is 0 here). */
		return pte & GENMASK_ULL(6, 3);
	if (!ept12_mt_valid(pte))
		return true;
	/* A large page's address bits below its size are reserved. */
	return level > 1 &&
	       (pte & GENMASK_ULL(12 + 9 * (level - 1) - 1, 12));
}

static unsigned int ept12_prot(u64 pte)
{
	return (pte & EPTE_R ? HVX_PROT_R : 0) |
	       (pte & EPTE_W ? HVX_PROT_W : 0) |
	       (pte & EPTE_X ? HVX_PROT_X : 0);
}

/**
 * ept12_translate() - walk L1's EPT for one access of L2
 * @env:    the tables and how to read them
 * @l2gpa:  the L2 guest-physical address
 * @access: HVX_PROT_R/W/X: what L2 did
 * @w:	    filled in: the L1-physical address, the rights, the level
 *
 * An entry whose bits 2:0 are all clear ends the walk as not present (an
 * EPT violation); a present entry L1 could not legally write is an EPT
 * misconfiguration, and so is a table L1 points at but hvx cannot read
 * (real hardware reads all ones there, which is misconfigured too).
 *
 * Return: EPT12_OK, EPT12_VIOLATION or EPT12_MISCONFIG.
 */
enum ept12_result ept12_translate(const struct ept12_env *env, u64 l2gpa,
				  unsigned int access, struct ept12_walk *w)
{
	u64 table = env->eptp & EPTP_ADDR, pte = 0;
	unsigned int prot = HVX_PROT_R | HVX_PROT_W | HVX_PROT_X;
	int level;

	w->nr_tables = 0;
	for (level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 index = (l2gpa >> shift) & 0x1ff;

		w->level = level;
		w->tables[w->nr_tables++] = table;
		if (env->read(env->ctx, table + index * 8, &pte))
			return EPT12_MISCONFIG;
		if (!(pte & EPTE_RWX)) {
			w->prot = 0;
			return EPT12_VIOLATION;
		}
		if (ept12_misconfigured(env, pte, level))
			return EPT12_MISCONFIG;
		prot &= ept12_prot(pte);
		if (level == 1 || (pte & EPTE_LARGE)) {
			u64 size_mask = GENMASK_ULL(shift - 1, 0);

			w->prot = prot;
			w->gpa = (pte & EPTE_ADDR & ~size_mask) |
				 (l2gpa & size_mask);
			return (access & prot) == access ? EPT12_OK :
							   EPT12_VIOLATION;
		}
		table = pte & EPTE_ADDR;
	}
	return EPT12_MISCONFIG;	/* not reached: level 1 is always a leaf */
}
