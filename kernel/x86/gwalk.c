// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walk; see gwalk.h.  The four paging modes of SDM Vol. 3A
 * chapter 4: none (4.1.1), 32-bit (4.3), PAE (4.4) and 4-level (4.5), with
 * the access rights of 4.6 and the #PF error code of 4.7.  Pure logic, also
 * built and unit-tested in userspace (selftests/unit).
 */
#include <linux/errno.h>
#include <linux/types.h>

#include "gwalk.h"

#define CR0_WP			(1ULL << 16)
#define CR0_PG			(1ULL << 31)
#define CR4_PSE			(1ULL << 4)
#define CR4_PAE			(1ULL << 5)
#define CR4_LA57		(1ULL << 12)
#define CR4_SMEP		(1ULL << 20)
#define CR4_SMAP		(1ULL << 21)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)

/* Paging-structure entry bits common to all modes */
#define PTE_P			(1ULL << 0)
#define PTE_RW			(1ULL << 1)
#define PTE_US			(1ULL << 2)
#define PTE_PS			(1ULL << 7)
#define PTE_XD			(1ULL << 63)

/* Bits hi..lo set; empty when hi < lo (e.g. 51..52 with MAXPHYADDR 52). */
static u64 bit_range(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/**
 * struct walk - state of one translation
 * @env:    the guest state.
 * @access: HVX_WALK_*.
 * @m:	    MAXPHYADDR, clamped to 32..52.
 * @nx:	    the XD bit is in use (EFER.NXE with PAE or 4-level paging).
 * @rw:	    every entry so far allows writes.
 * @us:	    every entry so far allows user accesses.
 * @xd:	    some entry so far forbids instruction fetches.
 */
struct walk {
	const struct hvx_walk_env *env;
	unsigned int access;
	unsigned int m;
	bool nx;
	bool rw;
	bool us;
	bool xd;
};

/* Entries are little-endian in guest memory. */
static int read_entry(const struct walk *w, u64 gpa, unsigned int size,
		      u64 *val)
{
	u8 buf[8];
	unsigned int i;
	u64 v = 0;

	if (w->env->read_gpa(w->env->opaque, gpa, buf, size))
		return -EIO;
	for (i = 0; i < size; i++)
		v |= (u64)buf[i] << (8 * i);
	*val = v;
	return 0;
}

/*
 * The error code describes the access, plus P for "the page was present"
 * (a protection or reserved-bit fault) and RSVD.  I/D is reported only
 * when the CPU could tell a fetch apart: with SMEP, or with NX in PAE or
 * 4-level paging (SDM 4.7).
 */
static int fault(const struct walk *w, u32 bits, u32 *pf_error_code)
{
	const struct hvx_walk_env *env = w->env;
	u32 err = bits;

	if (w->access & HVX_WALK_WRITE)
		err |= HVX_PFERR_WRITE;
	if (w->access & HVX_WALK_USER)
		err |= HVX_PFERR_USER;
	if ((w->access & HVX_WALK_FETCH) &&
	    ((env->cr4 & CR4_SMEP) ||
	     ((env->cr4 & CR4_PAE) && (env->efer & EFER_NXE))))
		err |= HVX_PFERR_FETCH;
	if (pf_error_code)
		*pf_error_code = err;
	return -EFAULT;
}

/*
 * One paging-structure entry: not present faults with P=0; a reserved bit
 * set faults with P=1 and RSVD (SDM 4.7: reserved bits are checked only in
 * present entries).  Otherwise its R/W, U/S and XD join the walk's rights,
 * which are the most restrictive over all levels (SDM 4.6.1).
 */
static int use_entry(struct walk *w, u64 e, u64 rsvd, u32 *pf_error_code)
{
	if (!(e & PTE_P))
		return fault(w, 0, pf_error_code);
	if (e & rsvd)
		return fault(w, HVX_PFERR_PRESENT | HVX_PFERR_RSVD,
			     pf_error_code);
	w->rw &= !!(e & PTE_RW);
	w->us &= !!(e & PTE_US);
	if (w->nx && (e & PTE_XD))
		w->xd = true;
	return 0;
}

/*
 * Access rights once the walk reached a page (SDM 4.6.1):
 * - user accesses need U/S=1 at every level;
 * - writes need R/W=1 at every level, except supervisor writes with
 *   CR0.WP=0;
 * - fetches need XD=0 at every level (when NXE=1);
 * - SMEP forbids supervisor fetches from user pages, SMAP supervisor data
 *   accesses to user pages unless RFLAGS.AC=1 on an explicit access.
 * Protection keys (CR4.PKE/PKS) and CET shadow stacks are not checked.
 */
static int check_rights(const struct walk *w, u32 *pf_error_code)
{
	const struct hvx_walk_env *env = w->env;
	bool user = w->access & HVX_WALK_USER;
	bool write = w->access & HVX_WALK_WRITE;
	bool fetch = w->access & HVX_WALK_FETCH;
	bool ok = true;

	if (user && !w->us)
		ok = false;
	if (write && !w->rw && (user || (env->cr0 & CR0_WP)))
		ok = false;
	if (fetch && w->xd)
		ok = false;
	if (!user && w->us) {
		if (fetch && (env->cr4 & CR4_SMEP))
			ok = false;
		if (!fetch && (env->cr4 & CR4_SMAP) &&
		    !(w->access & HVX_WALK_AC))
			ok = false;
	}
	return ok ? 0 : fault(w, HVX_PFERR_PRESENT, pf_error_code);
}

/*
 * 32-bit paging (SDM 4.3): two levels of 4-byte entries, no XD and no
 * reserved bits except in 4 MiB PDEs (CR4.PSE=1, PS=1).  Those carry
 * physical-address bits 39:32 in bits 20:13 (PSE-36); bit 21 and the bits
 * above MAXPHYADDR are reserved.  With CR4.PSE=0 the PS bit is ignored.
 */
static int walk_32bit(struct walk *w, u32 gva, u64 *gpa, u32 *pf_error_code)
{
	const struct hvx_walk_env *env = w->env;
	unsigned int m = w->m < 40 ? w->m : 40;
	u64 pde, pte;
	int ret;

	ret = read_entry(w, ((u32)env->cr3 & 0xfffff000) + (gva >> 22) * 4,
			 4, &pde);
	if (ret)
		return ret;
	if ((pde & PTE_PS) && (env->cr4 & CR4_PSE)) {
		ret = use_entry(w, pde, bit_range(21, m - 19), pf_error_code);
		if (ret)
			return ret;
		*gpa = (pde & 0xffc00000) | ((pde >> 13) & 0xff) << 32 |
		       (gva & 0x3fffff);
		return check_rights(w, pf_error_code);
	}
	ret = use_entry(w, pde, 0, pf_error_code);
	if (ret)
		return ret;

	ret = read_entry(w, (pde & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4,
			 4, &pte);
	if (ret)
		return ret;
	ret = use_entry(w, pte, 0, pf_error_code);
	if (ret)
		return ret;
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return check_rights(w, pf_error_code);
}

/*
 * The directory and table levels of PAE (SDM 4.4.2) and 4-level paging
 * (4.5.4), which share their format except for the reserved bits above
 * MAXPHYADDR: 62:M with PAE, 51:M with 4-level paging (52-58 are ignored
 * there and 59-62 are protection keys).  @level counts down from @top
 * (4 for PML4, 2 for PAE's page directory) to 1, the page table.  PS=1 is
 * reserved in a PML4E, maps 1 GiB in a PDPTE and 2 MiB in a PDE; the
 * low address bits of a large page other than PAT (bit 12) are reserved.
 */
static int walk_levels(struct walk *w, u64 table, u64 gva, int top,
		       unsigned int rsvd_top, u64 *gpa, u32 *pf_error_code)
{
	u64 addr = bit_range(w->m - 1, 12);
	u64 base_rsvd = bit_range(rsvd_top, w->m) | (w->nx ? 0 : PTE_XD);
	int level;
	int ret;

	for (level = top; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 rsvd = base_rsvd;
		bool large;
		u64 e;

		ret = read_entry(w, table + ((gva >> shift) & 511) * 8, 8, &e);
		if (ret)
			return ret;
		large = (level == 2 || level == 3) && (e & PTE_PS);
		if (level == 4)
			rsvd |= PTE_PS;
		if (large)
			rsvd |= bit_range(shift - 1, 13);
		ret = use_entry(w, e, rsvd, pf_error_code);
		if (ret)
			return ret;
		if (large || level == 1) {
			*gpa = (e & addr & ~bit_range(shift - 1, 0)) |
			       (gva & bit_range(shift - 1, 0));
			return check_rights(w, pf_error_code);
		}
		table = e & addr;
	}
	return -EINVAL;		/* not reached */
}

/*
 * PAE paging (SDM 4.4.1): CR3[31:5] locates four PDPTEs, selected by
 * linear-address bits 31:30.  They carry no access rights; bits 2:1, 8:5
 * and 63:M are reserved.  The CPU loads them when CR3 is written and would
 * raise #GP then for a reserved bit; hvx, reading them on demand, reports
 * a reserved-bit #PF.
 */
static int walk_pae(struct walk *w, u32 gva, u64 *gpa, u32 *pf_error_code)
{
	const struct hvx_walk_env *env = w->env;
	unsigned int i = gva >> 30;
	u64 rsvd = bit_range(63, w->m) | bit_range(8, 5) | bit_range(2, 1);
	u64 pdpte;
	int ret;

	if (env->pdptrs) {
		pdpte = env->pdptrs[i];
	} else {
		ret = read_entry(w, ((u32)env->cr3 & 0xffffffe0) + i * 8, 8,
				 &pdpte);
		if (ret)
			return ret;
	}
	if (!(pdpte & PTE_P))
		return fault(w, 0, pf_error_code);
	if (pdpte & rsvd)
		return fault(w, HVX_PFERR_PRESENT | HVX_PFERR_RSVD,
			     pf_error_code);
	return walk_levels(w, pdpte & bit_range(w->m - 1, 12), gva, 2, 62,
			   gpa, pf_error_code);
}

/**
 * hvx_gva_to_gpa() - translate a guest linear address as the guest would
 * @env:	    the guest's paging state and a reader of its memory
 * @gva:	    the linear address (segment base already added)
 * @access:	    HVX_WALK_* describing the access
 * @gpa:	    the guest-physical address, on success
 * @pf_error_code: on -EFAULT, the error code a #PF would push; may be NULL
 *
 * Walks the guest's paging structures in the mode CR0.PG, CR4.PAE and
 * EFER.LMA select: none (the address is used as is, truncated to 32 bits),
 * 32-bit paging with 4 MiB pages and PSE-36, PAE paging with 2 MiB pages,
 * and 4-level paging with 1 GiB and 2 MiB pages (1 GiB pages are assumed
 * supported).  It applies U/S, R/W with CR0.WP, XD with EFER.NXE, SMEP and
 * SMAP, and the reserved-bit checks of each level (XD when NXE=0, PS in a
 * PML4E, low bits of large pages, bits above MAXPHYADDR).  Protection keys
 * are not checked.
 *
 * The walk does not set the accessed and dirty bits the CPU would set: it
 * only reads guest memory.  A caller that completes the access on the
 * guest's behalf and needs them must set them itself.
 *
 * Return: 0; -EFAULT for a page fault, with *@pf_error_code set; -ERANGE
 * for a non-canonical address in 4-level paging (the CPU raises #GP or #SS,
 * not #PF); -EINVAL for 5-level paging (CR4.LA57), which hvx does not
 * walk; -EIO when @env->read_gpa fails.
 */
int hvx_gva_to_gpa(const struct hvx_walk_env *env, u64 gva,
		   unsigned int access, u64 *gpa, u32 *pf_error_code)
{
	struct walk w = {
		.env = env,
		.access = access,
		.m = env->maxphyaddr ? env->maxphyaddr : 52,
		.rw = true,
		.us = true,
	};

	if (w.m > 52)
		w.m = 52;
	if (w.m < 32)
		w.m = 32;

	if (!(env->cr0 & CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}

	if (env->efer & EFER_LMA) {
		if (env->cr4 & CR4_LA57)
			return -EINVAL;
		/* bits 63:47 must all equal bit 47 (SDM Vol. 1 3.3.7.1) */
		if ((u64)((s64)(gva << 16) >> 16) != gva)
			return -ERANGE;
		w.nx = env->efer & EFER_NXE;
		return walk_levels(&w, env->cr3 & bit_range(w.m - 1, 12), gva,
				   4, 51, gpa, pf_error_code);
	}
	if (env->cr4 & CR4_PAE) {
		w.nx = env->efer & EFER_NXE;
		return walk_pae(&w, (u32)gva, gpa, pf_error_code);
	}
	return walk_32bit(&w, (u32)gva, gpa, pf_error_code);
}
