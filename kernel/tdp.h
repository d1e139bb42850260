/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two-dimensional paging: one table engine for Intel EPT and AMD NPT.
 *
 * The engine builds and tears down 4-level tables that translate a
 * guest-physical address below 2^48 into a host-physical address.  It knows
 * nothing of either format: a backend describes its entries in one const
 * struct hvx_tdp_format (vmx/ept.c, svm/npt.c), and the owner of the tables
 * (the VM, or nested VMX for a shadow EPT) supplies memory, TLB flushes and
 * page release through struct hvx_tdp_mm.
 *
 * Pure logic: no kernel services, no locks of its own.  This file and tdp.c
 * also compile in userspace, where selftests/unit tests them.
 *
 * Locking.  The caller holds the owner's MMU lock across every call, and
 * the engine calls the hvx_tdp_mm callbacks with that lock held.  The engine
 * never sleeps by itself: if the MMU lock is a spinlock, the callbacks must
 * not sleep either.
 *
 * Hardware walks these tables while the engine edits them.  Every store to
 * a live entry is a single 64-bit store (WRITE_ONCE), so a walk sees the old
 * entry or the new one and never half of each.  A present leaf is only ever
 * changed with an atomic exchange or compare-exchange, because the CPU may
 * set its accessed and dirty bits at any moment (SDM Vol. 3C, "Accessed
 * and Dirty Flags for EPT"; APM Vol. 2, 5.4 "Page-Translation-Table Entry
 * Fields" and 15.25 "Nested Paging"): a plain read-modify-write could lose
 * a dirty bit, and with it a guest write.
 *
 * Memory safety: a guest must never reach a page after hvx has dropped its
 * reference, and never walk a table page that has been freed.
 *
 *   Clearing an entry is not enough.  Until the TLB is invalidated, a logical
 *   processor may still hold the old translation in its TLB and the old
 *   upper-level entries in its paging-structure caches (SDM Vol. 3A 4.10.3,
 *   "Paging-Structure Caches"; SDM Vol. 3C, "Caching Translation
 *   Information"; APM Vol. 2, 15.16 "TLB Control").  A stale leaf lets the
 *   guest keep writing a page that hvx already gave back; a stale upper entry
 *   lets the walker read a freed table page, whose next owner's data it would
 *   take for entries pointing anywhere in host memory.
 *
 *   So the engine removes in three steps, and is the only one that performs
 *   the last: (1) it clears the entries, collecting each removed leaf and
 *   each unlinked table in a batch; (2) it calls mm->flush(), which returns
 *   only when no logical processor can use a translation cached before the
 *   call; (3) only then does it call mm->release() for each leaf, which is
 *   where the owner unpins the page and marks it dirty, and mm->free_table()
 *   for each table.  The batch lives in one page taken from mm->alloc_table()
 *   at init; when it fills, the engine stops at an entry boundary, does
 *   steps 2 and 3, and goes on.  The owner never sees a removed entry before
 *   the flush, so it cannot release too early by mistake; its part of the
 *   bargain is a correct flush.
 *
 *   hvx_tdp_map() never frees a table that hardware could have seen: it
 *   allocates every table a new path needs before linking any of them, then
 *   links the finished path with one store.
 *
 *   Permission changes follow the same rule: hvx_tdp_protect() and
 *   hvx_tdp_clear_dirty() flush before they return, so on return no CPU can
 *   write through a translation that was writable, or already dirty, before
 *   the call.  hvx_tdp_set_prot() flushes only when it takes a permission
 *   away; a stale translation with fewer rights costs at most a spurious
 *   fault.
 *
 *   hvx_tdp_destroy() is the one exception: it runs when no vCPU can enter
 *   with the tables any more, and releases without a flush; see there.
 *
 * Invariant: every table but the root maps at least one leaf.  Tables are
 * freed as soon as an unmap empties them and map never leaves an empty one,
 * so a present non-leaf entry always covers a mapping.
 */
#ifndef HVX_TDP_H
#define HVX_TDP_H

#include <linux/types.h>
#include <linux/bits.h>

/*
 * Access rights of a leaf.  Every mapping is readable: NPT has no
 * present-but-unreadable entry, and EPT write-without-read is a
 * misconfiguration.
 */
#define HVX_PROT_R		BIT(0)
#define HVX_PROT_W		BIT(1)
#define HVX_PROT_X		BIT(2)
#define HVX_PROT_RWX		(HVX_PROT_R | HVX_PROT_W | HVX_PROT_X)

/*
 * Levels: a leaf at level 1 maps 4 KiB, at level 2 2 MiB, at level 3 1 GiB.
 * Level 4 is the root and holds only tables.  Whether the CPU accepts 1 GiB
 * leaves (IA32_VMX_EPT_VPID_CAP bit 17, CPUID 0x80000001:EDX.Page1GB) is the
 * backend's to check before asking for them.
 */
#define HVX_TDP_LEVEL_4K	1
#define HVX_TDP_LEVEL_2M	2
#define HVX_TDP_LEVEL_1G	3
#define HVX_TDP_ROOT_LEVEL	4
#define HVX_TDP_ENTRIES		512
#define HVX_TDP_GPA_BITS	48
#define HVX_TDP_GPA_LIMIT	BIT_ULL(HVX_TDP_GPA_BITS)
#define HVX_TDP_TABLE_SIZE	4096

/* Bytes mapped by one entry at @level (1..4). */
static inline u64 hvx_tdp_level_size(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/**
 * struct hvx_tdp_format - one backend's page-table entry format
 * @name:	 "ept" or "npt", for messages.
 * @make_table:	 a non-leaf entry pointing at the table at @table_pa, with
 *		 every right (rights are ANDed down the walk; leaves decide).
 * @make_leaf:	 a leaf mapping @pa (aligned to the level's size) at @level
 *		 with @prot, which always includes HVX_PROT_R.
 * @present:	 the entry translates (the walker does not fault on it).
 * @large:	 a present entry at level 2 or 3 is a leaf, not a table.
 * @addr:	 the physical address an entry holds, bits 51:12.
 * @prot:	 the HVX_PROT_* rights of a present leaf.
 * @set_prot:	 @pte with its rights replaced by @prot, every other bit
 *		 (address, accessed, dirty, memory type) kept.
 * @dirty:	 the CPU has set the leaf's dirty bit.  NULL when the format
 *		 has none.
 * @clear_dirty: @pte with the dirty bit cleared.  NULL with @dirty.
 *
 * The engine writes 0 to an entry it removes, so 0 must be not present.
 */
struct hvx_tdp_format {
	const char *name;
	u64 (*make_table)(u64 table_pa);
	u64 (*make_leaf)(u64 pa, int level, unsigned int prot);
	bool (*present)(u64 pte);
	bool (*large)(u64 pte);
	u64 (*addr)(u64 pte);
	unsigned int (*prot)(u64 pte);
	u64 (*set_prot)(u64 pte, unsigned int prot);
	bool (*dirty)(u64 pte);
	u64 (*clear_dirty)(u64 pte);
};

/**
 * struct hvx_tdp_leaf - one leaf, decoded so the core needs no format
 * @gpa:   first guest-physical address it maps (aligned to its size).
 * @pa:    first host-physical address it maps.
 * @pte:   the raw entry, for format-aware callers.
 * @level: HVX_TDP_LEVEL_*.
 * @prot:  HVX_PROT_* rights.
 * @dirty: the CPU set the dirty bit.  Always false for EPT without A/D
 *	   flags enabled in the EPTP: then a writable leaf must be taken as
 *	   dirty.
 */
struct hvx_tdp_leaf {
	u64 gpa;
	u64 pa;
	u64 pte;
	int level;
	unsigned int prot;
	bool dirty;
};

/* Called for one leaf; @ctx is the owner's. */
typedef void (*hvx_tdp_leaf_fn)(void *ctx, const struct hvx_tdp_leaf *leaf);

/**
 * struct hvx_tdp_mm - what the engine needs from the tables' owner
 * @alloc_table: a zeroed, 4 KiB-aligned 4 KiB page: returns its virtual
 *		 address and sets *@pa to its physical address; NULL when out
 *		 of memory.
 * @free_table:	 give back a page from @alloc_table.  For a page that was
 *		 ever linked into the tables, only after @flush (but see
 *		 hvx_tdp_destroy()).
 * @table_va:	 the virtual address of a page from @alloc_table, from its
 *		 physical address.
 * @flush:	 invalidate, on every logical processor, the translations and
 *		 paging-structure entries cached from these tables (INVEPT
 *		 single-context; for NPT, a TLB_CONTROL flush of the ASID that
 *		 every vCPU performs before it next enters the guest, after
 *		 each has been made to leave it).  Returns only when no logical
 *		 processor can use anything it cached before the call.
 * @release:	 a leaf has gone and the flush is done (hvx_tdp_destroy():
 *		 no vCPU is left): drop the reference on its pages and mark
 *		 them dirty if @leaf says so.  May be NULL.
 * @ctx:	 passed to every callback.
 *
 * Every callback runs with the caller's MMU lock held, and none may call
 * back into the engine to change the same tables.
 */
struct hvx_tdp_mm {
	void *(*alloc_table)(void *ctx, u64 *pa);
	void (*free_table)(void *ctx, void *va, u64 pa);
	void *(*table_va)(void *ctx, u64 pa);
	void (*flush)(void *ctx);
	hvx_tdp_leaf_fn release;
	void *ctx;
};

struct hvx_tdp_zapped;

/**
 * struct hvx_tdp - one set of tables (one EPTP, one nCR3)
 * @fmt:	the entry format; constant.
 * @mm:		the owner's callbacks; constant.
 * @root:	the level-4 table; constant from init to destroy.
 * @root_pa:	its physical address, for the EPTP or nCR3; constant.
 * @nr_tables:	tables linked into the tree, the root included.
 * @batch:	entries removed but not yet flushed (see the top of this file);
 *		empty between calls.
 * @batch_nr:	entries in @batch.
 * @batch_max:	capacity of @batch.
 * @batch_pa:	physical address of @batch's page.
 *
 * Every field but the constant ones is protected by the owner's MMU lock.
 */
struct hvx_tdp {
	const struct hvx_tdp_format *fmt;
	const struct hvx_tdp_mm *mm;
	u64 *root;
	u64 root_pa;
	unsigned long nr_tables;
	struct hvx_tdp_zapped *batch;
	unsigned int batch_nr;
	unsigned int batch_max;
	u64 batch_pa;
};

int hvx_tdp_init(struct hvx_tdp *tdp, const struct hvx_tdp_format *fmt,
		 const struct hvx_tdp_mm *mm);
void hvx_tdp_destroy(struct hvx_tdp *tdp);
int hvx_tdp_map(struct hvx_tdp *tdp, u64 gpa, u64 pa, int level,
		unsigned int prot);
int hvx_tdp_lookup(const struct hvx_tdp *tdp, u64 gpa,
		   struct hvx_tdp_leaf *leaf);
long hvx_tdp_unmap(struct hvx_tdp *tdp, u64 gpa, u64 size);
long hvx_tdp_protect(struct hvx_tdp *tdp, u64 gpa, u64 size,
		     unsigned int clear);
int hvx_tdp_set_prot(struct hvx_tdp *tdp, u64 gpa, unsigned int prot);
long hvx_tdp_clear_dirty(struct hvx_tdp *tdp, u64 gpa, u64 size,
			 hvx_tdp_leaf_fn mark, void *ctx);

#endif /* HVX_TDP_H */
