// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-dimensional paging engine for EPT and NPT; tdp.h states the rules it
 * keeps (locking, single-store updates, flush before release).  Pure logic,
 * also built and unit-tested in userspace (selftests/unit).
 */
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/errno.h>

#include "tdp.h"

/**
 * struct hvx_tdp_zapped - an entry taken out of the tables, awaiting a flush
 * @gpa:   for a leaf, the first guest-physical address it mapped.
 * @pte:   the entry as it was when removed, with the accessed and dirty bits
 *	   the CPU had set.
 * @level: the level the entry sat at.
 * @table: @pte pointed at a table, to be freed; otherwise it was a leaf, to
 *	   be released.
 */
struct hvx_tdp_zapped {
	u64 gpa;
	u64 pte;
	int level;
	bool table;
};

/*
 * Room the batch must have before a leaf is removed: the leaf itself, and
 * the tables at levels 1 to 3 that removing it may leave empty.  Between two
 * leaf removals the walk can only free tables above the last leaf removed,
 * so this bound is never exceeded.
 */
#define TDP_ZAP_ROOM	(1 + HVX_TDP_LEVEL_1G)

_Static_assert(HVX_TDP_TABLE_SIZE / sizeof(struct hvx_tdp_zapped) >=
	       TDP_ZAP_ROOM, "the removal batch must hold one leaf's worth");

static unsigned int tdp_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (HVX_TDP_ENTRIES - 1);
}

static bool tdp_prot_valid(unsigned int prot)
{
	/*
	 * Every mapping is readable: NPT cannot express anything else, and an
	 * EPT entry that is writable but not readable is a misconfiguration
	 * (SDM Vol. 3C, "EPT Misconfigurations").
	 */
	return (prot & HVX_PROT_R) && !(prot & ~HVX_PROT_RWX);
}

static bool tdp_is_leaf(const struct hvx_tdp *tdp, u64 pte, int level)
{
	return level == HVX_TDP_LEVEL_4K ||
	       (level < HVX_TDP_ROOT_LEVEL && tdp->fmt->large(pte));
}

static u64 *tdp_child(const struct hvx_tdp *tdp, u64 pte)
{
	return tdp->mm->table_va(tdp->mm->ctx, tdp->fmt->addr(pte));
}

static void tdp_decode(const struct hvx_tdp *tdp, u64 gpa, u64 pte, int level,
		       struct hvx_tdp_leaf *leaf)
{
	const struct hvx_tdp_format *fmt = tdp->fmt;
	u64 mask = hvx_tdp_level_size(level) - 1;

	leaf->gpa = gpa & ~mask;
	leaf->pa = fmt->addr(pte) & ~mask;
	leaf->pte = pte;
	leaf->level = level;
	leaf->prot = fmt->prot(pte);
	leaf->dirty = fmt->dirty && fmt->dirty(pte);
}

/* The end of [gpa, gpa + size), clipped to the 48-bit guest-physical space. */
static int tdp_range_end(u64 gpa, u64 size, u64 *end)
{
	if (gpa >= HVX_TDP_GPA_LIMIT)
		return -EINVAL;
	*end = size > HVX_TDP_GPA_LIMIT - gpa ? HVX_TDP_GPA_LIMIT : gpa + size;
	return 0;
}

/* The leaf entry that maps @gpa, or NULL. */
static u64 *tdp_find_leaf(const struct hvx_tdp *tdp, u64 gpa, int *level)
{
	u64 *table = tdp->root;
	int l;

	for (l = HVX_TDP_ROOT_LEVEL; l >= HVX_TDP_LEVEL_4K; l--) {
		u64 *ptep = &table[tdp_index(gpa, l)];
		u64 pte = READ_ONCE(*ptep);

		if (!tdp->fmt->present(pte))
			return NULL;
		if (tdp_is_leaf(tdp, pte, l)) {
			*level = l;
			return ptep;
		}
		table = tdp_child(tdp, pte);
	}
	return NULL;
}

/*
 * Replace a live leaf's rights.  The CPU may set the accessed or dirty bit
 * between our read and our write, so the write is a compare-exchange that
 * retries with whatever the CPU left.
 */
static void tdp_set_leaf_prot(const struct hvx_tdp *tdp, u64 *ptep,
			      unsigned int prot)
{
	u64 old = READ_ONCE(*ptep);
	u64 prev;

	for (;;) {
		prev = cmpxchg(ptep, old, tdp->fmt->set_prot(old, prot));
		if (prev == old)
			return;
		old = prev;
	}
}

static bool tdp_table_empty(const struct hvx_tdp *tdp, const u64 *table)
{
	unsigned int i;

	for (i = 0; i < HVX_TDP_ENTRIES; i++)
		if (tdp->fmt->present(READ_ONCE(table[i])))
			return false;
	return true;
}

static void tdp_batch_add(struct hvx_tdp *tdp, u64 gpa, u64 pte, int level,
			  bool table)
{
	struct hvx_tdp_zapped *z = &tdp->batch[tdp->batch_nr++];

	z->gpa = gpa;
	z->pte = pte;
	z->level = level;
	z->table = table;
}

/*
 * Steps 2 and 3 of a removal (see tdp.h): flush, and only then release the
 * leaves and free the tables of the batch.
 */
static void tdp_batch_finish(struct hvx_tdp *tdp)
{
	const struct hvx_tdp_mm *mm = tdp->mm;
	struct hvx_tdp_leaf leaf;
	unsigned int i;

	if (!tdp->batch_nr)
		return;
	mm->flush(mm->ctx);
	for (i = 0; i < tdp->batch_nr; i++) {
		const struct hvx_tdp_zapped *z = &tdp->batch[i];

		if (z->table) {
			u64 pa = tdp->fmt->addr(z->pte);

			mm->free_table(mm->ctx, mm->table_va(mm->ctx, pa), pa);
		} else if (mm->release) {
			tdp_decode(tdp, z->gpa, z->pte, z->level, &leaf);
			mm->release(mm->ctx, &leaf);
		}
	}
	tdp->batch_nr = 0;
}

/*
 * Step 1 of a removal, for [start, end) within @table at @level: move every
 * leaf that overlaps the range into the batch, and unlink every table that
 * this leaves empty.  A large leaf that only overlaps is removed whole.
 *
 * Return: @end when the range is done, or the address to resume from when
 * the batch filled first.
 */
static u64 tdp_zap(struct hvx_tdp *tdp, u64 *table, int level, u64 start,
		   u64 end, unsigned long *removed)
{
	u64 size = hvx_tdp_level_size(level);
	u64 base = start & ~(size * HVX_TDP_ENTRIES - 1);
	unsigned int i;

	for (i = tdp_index(start, level); i < HVX_TDP_ENTRIES; i++) {
		u64 gpa = base + (u64)i * size;
		u64 from = gpa > start ? gpa : start;
		unsigned long before;
		u64 pte, resume;
		u64 *child;

		if (gpa >= end)
			break;
		pte = READ_ONCE(table[i]);
		if (!tdp->fmt->present(pte))
			continue;

		if (tdp_is_leaf(tdp, pte, level)) {
			if (tdp->batch_max - tdp->batch_nr < TDP_ZAP_ROOM)
				return from;
			/* xchg returns the dirty bit as the CPU left it. */
			pte = xchg(&table[i], 0);
			tdp_batch_add(tdp, gpa, pte, level, false);
			(*removed)++;
			continue;
		}

		child = tdp_child(tdp, pte);
		before = *removed;
		resume = tdp_zap(tdp, child, level - 1, from, end, removed);
		if (*removed != before && tdp_table_empty(tdp, child)) {
			WRITE_ONCE(table[i], 0);
			tdp_batch_add(tdp, gpa, pte, level, true);
			tdp->nr_tables--;
		}
		if (resume < end)
			return resume;
	}
	return end;
}

typedef bool (*tdp_visit_fn)(struct hvx_tdp *tdp, u64 *ptep, u64 gpa,
			     int level, void *arg);

/* Call @visit on every leaf overlapping [start, end); count its trues. */
static unsigned long tdp_walk_leaves(struct hvx_tdp *tdp, u64 *table,
				     int level, u64 start, u64 end,
				     tdp_visit_fn visit, void *arg)
{
	u64 size = hvx_tdp_level_size(level);
	u64 base = start & ~(size * HVX_TDP_ENTRIES - 1);
	unsigned long n = 0;
	unsigned int i;

	for (i = tdp_index(start, level); i < HVX_TDP_ENTRIES; i++) {
		u64 gpa = base + (u64)i * size;
		u64 pte;

		if (gpa >= end)
			break;
		pte = READ_ONCE(table[i]);
		if (!tdp->fmt->present(pte))
			continue;
		if (tdp_is_leaf(tdp, pte, level))
			n += visit(tdp, &table[i], gpa, level, arg);
		else
			n += tdp_walk_leaves(tdp, tdp_child(tdp, pte),
					     level - 1,
					     gpa > start ? gpa : start, end,
					     visit, arg);
	}
	return n;
}

/* Release every leaf and free every table under @table, then @table. */
static void tdp_free_tree(struct hvx_tdp *tdp, u64 *table, u64 table_pa,
			  int level, u64 base)
{
	const struct hvx_tdp_mm *mm = tdp->mm;
	u64 size = hvx_tdp_level_size(level);
	struct hvx_tdp_leaf leaf;
	unsigned int i;

	for (i = 0; i < HVX_TDP_ENTRIES; i++) {
		u64 gpa = base + (u64)i * size;
		u64 pte = READ_ONCE(table[i]);

		if (!tdp->fmt->present(pte))
			continue;
		if (tdp_is_leaf(tdp, pte, level)) {
			if (mm->release) {
				tdp_decode(tdp, gpa, pte, level, &leaf);
				mm->release(mm->ctx, &leaf);
			}
		} else {
			tdp_free_tree(tdp, tdp_child(tdp, pte),
				      tdp->fmt->addr(pte), level - 1, gpa);
		}
	}
	mm->free_table(mm->ctx, table, table_pa);
	tdp->nr_tables--;
}

/**
 * hvx_tdp_init() - set up empty tables
 * @tdp: the tables
 * @fmt: the backend's entry format
 * @mm:  the owner's callbacks; must outlive @tdp
 *
 * Takes two pages from @mm: the root table and the removal batch.
 *
 * Return: 0, or -ENOMEM.  On failure hvx_tdp_destroy() is a no-op.
 */
int hvx_tdp_init(struct hvx_tdp *tdp, const struct hvx_tdp_format *fmt,
		 const struct hvx_tdp_mm *mm)
{
	tdp->fmt = fmt;
	tdp->mm = mm;
	tdp->root = NULL;
	tdp->nr_tables = 0;
	tdp->batch_nr = 0;
	tdp->batch_max = HVX_TDP_TABLE_SIZE / sizeof(*tdp->batch);
	tdp->batch = mm->alloc_table(mm->ctx, &tdp->batch_pa);
	if (!tdp->batch)
		return -ENOMEM;
	tdp->root = mm->alloc_table(mm->ctx, &tdp->root_pa);
	if (!tdp->root) {
		mm->free_table(mm->ctx, tdp->batch, tdp->batch_pa);
		tdp->batch = NULL;
		return -ENOMEM;
	}
	tdp->nr_tables = 1;
	return 0;
}

/**
 * hvx_tdp_destroy() - release every leaf and free every table
 * @tdp: the tables
 *
 * Calls mm->release() for each leaf and frees every table, the root
 * included, without a flush: the caller guarantees that no vCPU can enter
 * the guest with these tables again, typically because every vCPU is gone.
 * The backend must still invalidate an EPTP or ASID before a vCPU first runs
 * with it on a CPU (INVEPT single-context on first use, or a fresh or
 * flushed ASID), because the root page freed here may become the root of
 * other tables, and translations cached under it would match them.
 */
void hvx_tdp_destroy(struct hvx_tdp *tdp)
{
	const struct hvx_tdp_mm *mm = tdp->mm;

	if (!tdp->root)
		return;
	tdp_free_tree(tdp, tdp->root, tdp->root_pa, HVX_TDP_ROOT_LEVEL, 0);
	mm->free_table(mm->ctx, tdp->batch, tdp->batch_pa);
	tdp->root = NULL;
	tdp->batch = NULL;
}

/*
 * Link a new path below the empty entry *@slot at @level, ending in @leaf
 * at @leaf_level.  Every table is allocated before any is linked, so a
 * failure frees only pages hardware never saw; the finished path then
 * appears with the single store into *@slot.
 */
static int tdp_link_path(struct hvx_tdp *tdp, u64 *slot, int level, u64 gpa,
			 int leaf_level, u64 leaf)
{
	const struct hvx_tdp_mm *mm = tdp->mm;
	void *va[HVX_TDP_ROOT_LEVEL - 1];
	u64 pa[HVX_TDP_ROOT_LEVEL - 1];
	int n = level - leaf_level;
	u64 entry = leaf;
	int i;

	/* va[0] is the new table at level - 1, va[n - 1] at leaf_level. */
	for (i = 0; i < n; i++) {
		va[i] = mm->alloc_table(mm->ctx, &pa[i]);
		if (!va[i]) {
			while (i--)
				mm->free_table(mm->ctx, va[i], pa[i]);
			return -ENOMEM;
		}
	}
	/*
	 * Fill the new tables bottom-up.  WRITE_ONCE keeps these stores in
	 * program order ahead of the one that publishes them, and x86 does not
	 * reorder stores (SDM Vol. 3A 9.2.2), so a walk that sees the new
	 * entry in *@slot sees the whole path beneath it.
	 */
	for (i = n - 1; i >= 0; i--) {
		u64 *table = va[i];

		WRITE_ONCE(table[tdp_index(gpa, level - 1 - i)], entry);
		entry = tdp->fmt->make_table(pa[i]);
	}
	WRITE_ONCE(*slot, entry);
	tdp->nr_tables += n;
	return 0;
}

/**
 * hvx_tdp_map() - map one page or large page
 * @tdp:   the tables
 * @gpa:   guest-physical address, aligned to the level's size, below 2^48
 * @pa:    host-physical address, aligned to the level's size, below 2^52
 * @level: HVX_TDP_LEVEL_4K, _2M or _1G
 * @prot:  HVX_PROT_* rights; must include HVX_PROT_R
 *
 * Needs no flush: it only fills entries that were not present, and a CPU
 * caches no translation for those.
 *
 * Return: 0; -EINVAL for a bad argument; -EEXIST when a leaf already maps
 * part of the range (a table in the way of a large leaf always holds one);
 * -ENOMEM, with the tables unchanged.
 */
int hvx_tdp_map(struct hvx_tdp *tdp, u64 gpa, u64 pa, int level,
		unsigned int prot)
{
	const struct hvx_tdp_format *fmt = tdp->fmt;
	u64 mask, leaf, pte, *slot;
	u64 *table = tdp->root;
	int l;

	if (level < HVX_TDP_LEVEL_4K || level > HVX_TDP_LEVEL_1G ||
	    !tdp_prot_valid(prot))
		return -EINVAL;
	mask = hvx_tdp_level_size(level) - 1;
	if (gpa >= HVX_TDP_GPA_LIMIT || (gpa & mask) || (pa & mask) ||
	    (pa >> 52))
		return -EINVAL;

	leaf = fmt->make_leaf(pa, level, prot);
	for (l = HVX_TDP_ROOT_LEVEL; l > level; l--) {
		slot = &table[tdp_index(gpa, l)];
		pte = READ_ONCE(*slot);
		if (!fmt->present(pte))
			return tdp_link_path(tdp, slot, l, gpa, level, leaf);
		if (tdp_is_leaf(tdp, pte, l))
			return -EEXIST;
		table = tdp_child(tdp, pte);
	}
	slot = &table[tdp_index(gpa, level)];
	if (fmt->present(READ_ONCE(*slot)))
		return -EEXIST;
	WRITE_ONCE(*slot, leaf);
	return 0;
}

/**
 * hvx_tdp_lookup() - find the leaf that maps an address
 * @tdp:  the tables
 * @gpa:  any guest-physical address
 * @leaf: filled in on success; @leaf->gpa and @leaf->pa are the start of
 *	  the leaf, so @gpa maps to @leaf->pa + (@gpa - @leaf->gpa)
 *
 * Return: 0; -ENOENT when nothing maps @gpa; -EINVAL when @gpa >= 2^48.
 */
int hvx_tdp_lookup(const struct hvx_tdp *tdp, u64 gpa,
		   struct hvx_tdp_leaf *leaf)
{
	u64 *ptep;
	int level;

	if (gpa >= HVX_TDP_GPA_LIMIT)
		return -EINVAL;
	ptep = tdp_find_leaf(tdp, gpa, &level);
	if (!ptep)
		return -ENOENT;
	tdp_decode(tdp, gpa, READ_ONCE(*ptep), level, leaf);
	return 0;
}

/**
 * hvx_tdp_unmap() - remove every leaf overlapping a range
 * @tdp:  the tables
 * @gpa:  start of the range, below 2^48
 * @size: bytes; the range is clipped at 2^48
 *
 * A large leaf that only overlaps the range is removed whole.  Tables left
 * empty are freed.  The removed leaves reach mm->release() and the tables
 * mm->free_table() only after mm->flush() (see tdp.h); a large range takes
 * one flush per batch of about 170 entries.
 *
 * Return: the number of leaves removed, or -EINVAL when @gpa >= 2^48.
 */
long hvx_tdp_unmap(struct hvx_tdp *tdp, u64 gpa, u64 size)
{
	unsigned long removed = 0;
	u64 end;
	int r;

	r = tdp_range_end(gpa, size, &end);
	if (r)
		return r;
	/* Each pass starts with an empty batch, so it removes at least one. */
	while (gpa < end) {
		gpa = tdp_zap(tdp, tdp->root, HVX_TDP_ROOT_LEVEL, gpa, end,
			      &removed);
		tdp_batch_finish(tdp);
	}
	return removed;
}

static bool tdp_protect_leaf(struct hvx_tdp *tdp, u64 *ptep,
			     u64 gpa __always_unused, int level __always_unused,
			     void *arg)
{
	unsigned int clear = *(unsigned int *)arg;
	unsigned int prot = tdp->fmt->prot(READ_ONCE(*ptep));

	if (!(prot & clear))
		return false;
	tdp_set_leaf_prot(tdp, ptep, prot & ~clear);
	return true;
}

/**
 * hvx_tdp_protect() - take rights away from every leaf in a range
 * @tdp:   the tables
 * @gpa:   start of the range, below 2^48
 * @size:  bytes; the range is clipped at 2^48
 * @clear: HVX_PROT_W and/or HVX_PROT_X; to take away read access, unmap
 *
 * Write-protects memory for dirty logging.  A large leaf that only overlaps
 * the range is changed whole.  Flushes before returning when anything
 * changed, so on return no CPU can still use a right taken away.
 *
 * Return: the number of leaves changed, or -EINVAL.
 */
long hvx_tdp_protect(struct hvx_tdp *tdp, u64 gpa, u64 size,
		     unsigned int clear)
{
	unsigned long n;
	u64 end;
	int r;

	if (clear & ~(HVX_PROT_W | HVX_PROT_X))
		return -EINVAL;
	r = tdp_range_end(gpa, size, &end);
	if (r)
		return r;
	if (!clear || gpa == end)
		return 0;
	n = tdp_walk_leaves(tdp, tdp->root, HVX_TDP_ROOT_LEVEL, gpa, end,
			    tdp_protect_leaf, &clear);
	if (n)
		tdp->mm->flush(tdp->mm->ctx);
	return n;
}

/**
 * hvx_tdp_set_prot() - change the rights of the leaf that maps an address
 * @tdp:  the tables
 * @gpa:  any guest-physical address inside the leaf
 * @prot: the new HVX_PROT_* rights; must include HVX_PROT_R
 *
 * Typically gives write access back after a write fault on a page that
 * dirty logging protected.  Flushes only when @prot takes a right away.
 *
 * Return: 0; -ENOENT when nothing maps @gpa; -EINVAL for a bad argument.
 */
int hvx_tdp_set_prot(struct hvx_tdp *tdp, u64 gpa, unsigned int prot)
{
	unsigned int old;
	u64 *ptep;
	int level;

	if (gpa >= HVX_TDP_GPA_LIMIT || !tdp_prot_valid(prot))
		return -EINVAL;
	ptep = tdp_find_leaf(tdp, gpa, &level);
	if (!ptep)
		return -ENOENT;
	old = tdp->fmt->prot(READ_ONCE(*ptep));
	if (old == prot)
		return 0;
	tdp_set_leaf_prot(tdp, ptep, prot);
	if (old & ~prot)
		tdp->mm->flush(tdp->mm->ctx);
	return 0;
}

struct tdp_dirty_arg {
	hvx_tdp_leaf_fn mark;
	void *ctx;
};

static bool tdp_clear_dirty_leaf(struct hvx_tdp *tdp, u64 *ptep, u64 gpa,
				 int level, void *arg)
{
	const struct tdp_dirty_arg *a = arg;
	struct hvx_tdp_leaf leaf;
	u64 old = READ_ONCE(*ptep);
	u64 prev;

	for (;;) {
		if (!tdp->fmt->dirty(old))
			return false;
		prev = cmpxchg(ptep, old, tdp->fmt->clear_dirty(old));
		if (prev == old)
			break;
		old = prev;
	}
	tdp_decode(tdp, gpa, old, level, &leaf);
	a->mark(a->ctx, &leaf);
	return true;
}

/**
 * hvx_tdp_clear_dirty() - harvest the CPU's dirty bits in a range
 * @tdp:  the tables
 * @gpa:  start of the range, below 2^48
 * @size: bytes; the range is clipped at 2^48
 * @mark: called for each leaf whose dirty bit was set, with the leaf as it
 *	  was; the bit is clear when it is called
 * @ctx:  passed to @mark
 *
 * Dirty logging by A/D bits (EPT with A/D enabled in the EPTP, or NPT)
 * instead of write protection.  Flushes before returning when any bit was
 * cleared: a CPU that cached a translation as dirty would not set the bit
 * again on the next write.
 *
 * Return: the number of leaves that were dirty; -EINVAL; -EOPNOTSUPP when
 * the format has no dirty bit.
 */
long hvx_tdp_clear_dirty(struct hvx_tdp *tdp, u64 gpa, u64 size,
			 hvx_tdp_leaf_fn mark, void *ctx)
{
	struct tdp_dirty_arg arg = { .mark = mark, .ctx = ctx };
	unsigned long n;
	u64 end;
	int r;

	if (!tdp->fmt->dirty || !tdp->fmt->clear_dirty)
		return -EOPNOTSUPP;
	r = tdp_range_end(gpa, size, &end);
	if (r)
		return r;
	if (gpa == end)
		return 0;
	n = tdp_walk_leaves(tdp, tdp->root, HVX_TDP_ROOT_LEVEL, gpa, end,
			    tdp_clear_dirty_leaf, &arg);
	if (n)
		tdp->mm->flush(tdp->mm->ctx);
	return n;
}
