// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested EPT: when L1 runs L2 behind its own EPT (EPT12), L2 runs on EPT02,
 * which hvx builds on EPT-violation exits by walking EPT12 (ept12.c) and
 * then EPT01, hvx's own map of L1 (mmu.c).  Faults that are L1's, because
 * EPT12 forbids the access, are reflected by nested.c; the rest fill EPT02.
 * See the invariant at struct nested_ept02.
 */
#include <linux/mm.h>
#include <asm/io.h>

#include "../hvx.h"
#include "ept.h"
#include "nested_ept.h"

/*
 * The engine's flush for EPT02: this CPU's translations of it.  Enough,
 * because only this vCPU runs on EPT02 and a vCPU arriving on a CPU
 * flushes there first (nested_vmx_flush() from vmx_flush_tlb()).
 */
static void nested_ept02_tdp_flush(void *ctx)
{
	struct nested_ept02 *e = ctx;

	vmx_flush_eptp(nested_ept02_eptp(e));
}

/* EPT02 holds no page references: EPT01's leaves do (see the invariant). */
static void nested_ept02_release(void *ctx, const struct hvx_tdp_leaf *leaf)
{
}

/**
 * nested_ept02_use() - make EPT02 the shadow of @eptp12
 * @e:	    the vCPU's EPT02
 * @vcpu:   its vCPU
 * @eptp12: the EPT pointer of the vmcs12 about to run
 *
 * Sets EPT02 up on first use; empties it when L1 switches to other EPT12
 * tables.  Sleeps.
 *
 * Return: 0 or -ENOMEM.
 */
int nested_ept02_use(struct nested_ept02 *e, struct hvx_vcpu *vcpu,
		     u64 eptp12)
{
	int r;

	if (!e->ready) {
		e->vcpu = vcpu;
		hvx_mmu_table_pages(&e->mm);
		e->mm.flush = nested_ept02_tdp_flush;
		e->mm.release = nested_ept02_release;
		e->mm.ctx = e;
		r = hvx_tdp_init(&e->tdp, &hvx_ept_format, &e->mm);
		if (r)
			return r;
		e->ready = true;
		e->eptp12 = eptp12;
		e->gen = atomic64_read(&vcpu->vm->tlb_gen);
		/* A new root may still be cached here under an old owner. */
		vmx_flush_eptp(nested_ept02_eptp(e));
		return 0;
	}
	if (e->eptp12 != eptp12) {
		nested_ept02_reset(e);
		e->eptp12 = eptp12;
	}
	return 0;
}

/**
 * nested_ept02_eptp() - the EPT pointer vmcs02 runs L2 with
 * @e: a ready EPT02
 *
 * Return: the EPTP value.
 */
u64 nested_ept02_eptp(const struct nested_ept02 *e)
{
	return ept_make_eptp(e->tdp.root_pa, vmx_conf.ept_ad);
}

/**
 * nested_ept02_reset() - empty EPT02 (L1's INVEPT, a new EPT12, a change
 * of EPT01); flushed on this CPU before it returns.  Sleeps.
 * @e: the vCPU's EPT02
 */
void nested_ept02_reset(struct nested_ept02 *e)
{
	if (!e->ready)
		return;
	e->gen = atomic64_read(&e->vcpu->vm->tlb_gen);
	hvx_tdp_unmap(&e->tdp, 0, BIT_ULL(HVX_GPA_BITS));
}

/**
 * nested_ept02_stale() - has EPT01 changed since EPT02 was last emptied?
 * @e: the vCPU's EPT02
 *
 * Called with interrupts off and vcpu->mode published, after the check of
 * the VM's tlb_gen that protects EPT01 (hvx_vcpu_flush_if_stale()): a page
 * EPT01 dropped is not unpinned before this vCPU is out of the guest.
 *
 * Return: true when EPT02 must be emptied before entering L2.
 */
bool nested_ept02_stale(const struct nested_ept02 *e)
{
	return e->ready && e->gen != atomic64_read(&e->vcpu->vm->tlb_gen);
}

/**
 * nested_ept02_sync() - empty EPT02 if EPT01 changed since; sleeps
 * @e: the vCPU's EPT02
 */
void nested_ept02_sync(struct nested_ept02 *e)
{
	if (nested_ept02_stale(e))
		nested_ept02_reset(e);
}

/**
 * nested_ept02_flush() - flush this CPU's translations of EPT02
 * @e: the vCPU's EPT02
 */
void nested_ept02_flush(const struct nested_ept02 *e)
{
	if (e->ready)
		vmx_flush_eptp(nested_ept02_eptp(e));
}

/**
 * nested_ept02_destroy() - free EPT02 with the vCPU
 * @e: the vCPU's EPT02, never to run again
 */
void nested_ept02_destroy(struct nested_ept02 *e)
{
	if (e->ready)
		hvx_tdp_destroy(&e->tdp);
	e->ready = false;
}

static int nested_ept12_read(void *ctx, u64 pa, u64 *val)
{
	return hvx_read_guest(ctx, pa, val, sizeof(*val));
}

/**
 * nested_ept12_translate() - walk L1's EPT12 for an access of L2
 * @vcpu:   the vCPU
 * @eptp12: vmcs12's EPT pointer
 * @l2gpa:  the L2-physical address
 * @access: HVX_PROT_R/W/X
 * @w:	    the outcome
 *
 * Return: as ept12_translate().
 */
enum ept12_result nested_ept12_translate(struct hvx_vcpu *vcpu, u64 eptp12,
					 u64 l2gpa, unsigned int access,
					 struct ept12_walk *w)
{
	struct ept12_env env = {
		.eptp = eptp12,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.large = EPT12_LARGE_2M | EPT12_LARGE_1G,
		.read = nested_ept12_read,
		.ctx = vcpu->vm,
	};

	return ept12_translate(&env, l2gpa, access, w);
}

/**
 * nested_ept02_map() - map one L2 page in EPT02 after EPT12 allowed it
 * @e:	   the vCPU's EPT02
 * @l2gpa: the L2-physical address
 * @l1gpa: what EPT12 translates it to; hvx_tdp_fault() has just mapped it
 *	   in EPT01 with the rights of the access
 * @prot:  the rights EPT12 grants
 *
 * Return: 1 to run L2 again (also when EPT01 lost the page meanwhile: the
 * access faults again), or -errno.
 */
int nested_ept02_map(struct nested_ept02 *e, u64 l2gpa, u64 l1gpa,
		     unsigned int prot)
{
	struct hvx_vm *vm = e->vcpu->vm;
	struct hvx_tdp_leaf leaf;
	u64 pa;
	int r;

	mutex_lock(&vm->mmu_lock);
	r = hvx_tdp_lookup(&vm->tdp, l1gpa, &leaf);
	if (r) {
		mutex_unlock(&vm->mmu_lock);
		return 1;
	}
	pa = leaf.pa + ((l1gpa & PAGE_MASK) &
			(hvx_tdp_level_size(leaf.level) - 1));
	prot &= leaf.prot;
	/*
	 * A leaf already there for the same page had fewer rights: raise
	 * them.  One for another page is from before L1 changed EPT12:
	 * replace it, never mix the old page with the new rights.
	 */
	r = hvx_tdp_lookup(&e->tdp, l2gpa, &leaf);
	if (!r && leaf.pa == pa) {
		r = hvx_tdp_set_prot(&e->tdp, l2gpa, prot);
	} else {
		if (!r)
			hvx_tdp_unmap(&e->tdp, l2gpa & PAGE_MASK, PAGE_SIZE);
		r = hvx_tdp_map(&e->tdp, l2gpa & PAGE_MASK, pa,
				HVX_TDP_LEVEL_4K, prot);
	}
	mutex_unlock(&vm->mmu_lock);
	return r < 0 ? r : 1;
}
