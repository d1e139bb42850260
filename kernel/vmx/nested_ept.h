/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested EPT: EPT02, the tables L2 runs on when L1 enables EPT for it.
 */
#ifndef HVX_VMX_NESTED_EPT_H
#define HVX_VMX_NESTED_EPT_H

#include "../tdp.h"
#include "ept12.h"
#include "vmx.h"

/**
 * struct nested_ept02 - one vCPU's shadow of L1's EPT12 composed with EPT01
 * @tdp:    the tables, in hvx's EPT format; only this vCPU's thread
 *	    touches them, so they need no lock of their own.
 * @mm:	    their callbacks.
 * @vcpu:   the owner.
 * @ready:  @tdp is initialised (on first use: most L1s never enable EPT).
 * @eptp12: the EPT12 pointer the entries were derived from.
 * @gen:    the VM's tlb_gen when @tdp was last emptied.
 *
 * Invariant: every leaf of @tdp maps an L2 page to the host page that EPT01
 * mapped for the L1 page EPT12 gave, as both were when the leaf was made,
 * with no more rights than either.  EPT02 holds no page references of its
 * own: when EPT01 drops a page it bumps tlb_gen before unpinning, and the
 * vCPU empties EPT02 before its next entry into L2 (nested_ept02_sync()).
 * L1's INVEPT empties it, and so does L1's first write to any EPT12 table
 * a leaf was derived through: those tables are write-tracked (mmu.c), and
 * the write bumps tlb_gen.
 */
struct nested_ept02 {
	struct hvx_tdp tdp;
	struct hvx_tdp_mm mm;
	struct hvx_vcpu *vcpu;
	bool ready;
	u64 eptp12;
	u64 gen;
};

int nested_ept02_use(struct nested_ept02 *e, struct hvx_vcpu *vcpu,
		     u64 eptp12);
u64 nested_ept02_eptp(const struct nested_ept02 *e);
void nested_ept02_reset(struct nested_ept02 *e);
bool nested_ept02_stale(const struct nested_ept02 *e);
void nested_ept02_sync(struct nested_ept02 *e);
void nested_ept02_flush(const struct nested_ept02 *e);
void nested_ept02_destroy(struct nested_ept02 *e);
enum ept12_result nested_ept12_translate(struct hvx_vcpu *vcpu, u64 eptp12,
					 u64 l2gpa, unsigned int access,
					 struct ept12_walk *w);
int nested_ept02_map(struct nested_ept02 *e, u64 l2gpa, u64 l1gpa,
		     unsigned int prot);

#endif /* HVX_VMX_NESTED_EPT_H */
