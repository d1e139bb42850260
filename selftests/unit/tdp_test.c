// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/tdp.c, the EPT/NPT paging engine, run once with each
 * format.  Table pages come from aligned_alloc() and get fake physical
 * addresses; ASan catches a leaked or doubly freed table.
 *
 * The fake owner also checks the memory-safety order on every callback: a
 * leaf is released, and a linked table freed, only after a flush, when
 * neither can be reached from the root any more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "tdp.h"
#include "vmx/ept.h"
#include "svm/npt.h"

#define PAGE		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define TABLE_PA_BASE	0x100000000ULL	/* fake physical addresses of tables */
#define MAX_TABLES	1024
#define RAM_PA		0x8000000000ULL	/* guest RAM's fake host address */

struct test_fmt {
	const struct hvx_tdp_format *fmt;
	u64 dirty_bit;			/* as the CPU would set it */
};

static const struct test_fmt formats[] = {
	{ &hvx_ept_format, 1ULL << 9 },
	{ &hvx_npt_format, 1ULL << 6 },
};

#define for_each_format(tf)						\
	for (tf = formats; tf < formats + 2; tf++)

#define MAX_SNAP	4096

struct fake {
	struct hvx_tdp tdp;
	struct hvx_tdp_mm mm;
	const struct test_fmt *tf;
	void *va[MAX_TABLES];
	unsigned long live;		/* pages allocated and not freed */
	int fail_in;			/* fail the n-th next allocation */
	unsigned long flushes;
	unsigned long released;
	bool destroying;
	bool order_ok;			/* released only what a flush covered */
	struct hvx_tdp_leaf last;
	unsigned char *seen;		/* gpa / 4K pages released, if set */
	unsigned long seen_pages;
	/* reachable since the last flush: leaf gpas, table pas */
	u64 snap[MAX_SNAP];
	unsigned int nr_snap;
};

static void *fake_alloc(void *ctx, u64 *pa)
{
	struct fake *f = ctx;
	int i;

	if (f->fail_in && --f->fail_in == 0)
		return NULL;
	for (i = 0; i < MAX_TABLES; i++) {
		if (!f->va[i]) {
			f->va[i] = aligned_alloc(PAGE, PAGE);
			memset(f->va[i], 0, PAGE);
			*pa = TABLE_PA_BASE + i * PAGE;
			f->live++;
			return f->va[i];
		}
	}
	return NULL;
}

static void *fake_table_va(void *ctx, u64 pa)
{
	struct fake *f = ctx;
	u64 i = (pa - TABLE_PA_BASE) / PAGE;

	if (pa < TABLE_PA_BASE || i >= MAX_TABLES || (pa & (PAGE - 1))) {
		printf("# table_va(%#llx): not a table\n",
		       (unsigned long long)pa);
		abort();
	}
	return f->va[i];
}

/* Add every leaf gpa and table pa reachable under @table to the snapshot. */
static void snapshot(struct fake *f, const u64 *table, int level, u64 base)
{
	const struct hvx_tdp_format *fmt = f->tf->fmt;
	int i;

	for (i = 0; i < HVX_TDP_ENTRIES; i++) {
		u64 pte = table[i];
		u64 gpa = base + (u64)i * hvx_tdp_level_size(level);

		if (!fmt->present(pte))
			continue;
		if (f->nr_snap == MAX_SNAP)
			abort();
		if (level == 1 || (level < 4 && fmt->large(pte))) {
			f->snap[f->nr_snap++] = gpa;
		} else {
			f->snap[f->nr_snap++] = fmt->addr(pte);
			snapshot(f, fake_table_va(f, fmt->addr(pte)), level - 1,
				 gpa);
		}
	}
}

/*
 * A leaf or table may be given back only if it is unreachable now and was
 * unreachable at the last flush, or was never seen reachable since: then no
 * CPU can still hold it in a TLB or paging-structure cache.  The tests call
 * unmap() below, which records what is reachable before each unmap, so a
 * release that skips the flush is caught.  (Leaf gpas and table pas never
 * collide in these tests.)
 */
static bool covered_by_flush(struct fake *f, u64 addr)
{
	unsigned int i;

	if (f->destroying)		/* no vCPU left: no flush owed */
		return true;
	for (i = 0; i < f->nr_snap; i++)
		if (f->snap[i] == addr)
			return false;
	return true;
}

static void fake_free(void *ctx, void *va, u64 pa)
{
	struct fake *f = ctx;
	u64 i = (pa - TABLE_PA_BASE) / PAGE;

	EXPECT(f->va[i] == va);
	if (!covered_by_flush(f, pa))
		f->order_ok = false;
	free(va);
	f->va[i] = NULL;
	f->live--;
}

static void fake_flush(void *ctx)
{
	struct fake *f = ctx;

	f->flushes++;
	f->nr_snap = 0;
	if (!f->destroying)
		snapshot(f, f->tdp.root, 4, 0);
}

static void fake_release(void *ctx, const struct hvx_tdp_leaf *leaf)
{
	struct fake *f = ctx;
	struct hvx_tdp_leaf now;

	if (!covered_by_flush(f, leaf->gpa))
		f->order_ok = false;
	if (!f->destroying &&
	    hvx_tdp_lookup(&f->tdp, leaf->gpa, &now) != -ENOENT)
		f->order_ok = false;
	if (f->seen) {
		u64 p = leaf->gpa / PAGE;

		EXPECT(p < f->seen_pages && !f->seen[p]);
		if (p < f->seen_pages)
			f->seen[p] = 1;
		EXPECT_EQ(leaf->pa, RAM_PA + leaf->gpa);
	}
	f->released++;
	f->last = *leaf;
}

static void fake_init(struct fake *f, const struct test_fmt *tf)
{
	memset(f, 0, sizeof(*f));
	f->tf = tf;
	f->order_ok = true;
	f->mm.alloc_table = fake_alloc;
	f->mm.free_table = fake_free;
	f->mm.table_va = fake_table_va;
	f->mm.flush = fake_flush;
	f->mm.release = fake_release;
	f->mm.ctx = f;
	EXPECT_EQ(hvx_tdp_init(&f->tdp, tf->fmt, &f->mm), 0);
	EXPECT_EQ(f->tdp.nr_tables, 1);
	EXPECT_EQ(f->live, 2);			/* root and removal batch */
}

static void fake_check(struct fake *f)
{
	EXPECT(f->order_ok);
}

static void fake_destroy(struct fake *f)
{
	f->destroying = true;
	hvx_tdp_destroy(&f->tdp);
	EXPECT_EQ(f->tdp.nr_tables, 0);
	EXPECT_EQ(f->live, 0);
	fake_check(f);
}

/* The entry at @level on the walk to @gpa, found independently of tdp.c. */
static u64 *entry_at(struct fake *f, u64 gpa, int level)
{
	const struct hvx_tdp_format *fmt = f->tf->fmt;
	u64 *table = f->tdp.root;
	int l;

	for (l = 4; l > level; l--) {
		u64 pte = table[(gpa >> (12 + 9 * (l - 1))) & 511];

		if (!fmt->present(pte) || (l < 4 && fmt->large(pte)))
			return NULL;
		table = fake_table_va(f, fmt->addr(pte));
	}
	return &table[(gpa >> (12 + 9 * (level - 1))) & 511];
}

static long unmap(struct fake *f, u64 gpa, u64 size)
{
	snapshot(f, f->tdp.root, 4, 0);
	return hvx_tdp_unmap(&f->tdp, gpa, size);
}

static int map_ram(struct fake *f, u64 gpa, int level, unsigned int prot)
{
	return hvx_tdp_map(&f->tdp, gpa, RAM_PA + gpa, level, prot);
}

/* Map @n 4 KiB pages from @gpa. */
static void map_pages(struct fake *f, u64 gpa, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		EXPECT_EQ(map_ram(f, gpa + i * PAGE, 1, HVX_PROT_RWX), 0);
}

static void init_and_destroy(void)
{
	const struct test_fmt *tf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		fake_destroy(&f);
		EXPECT_EQ(f.flushes, 0);
		EXPECT_EQ(f.released, 0);
		hvx_tdp_destroy(&f.tdp);	/* a second call is harmless */
		EXPECT_EQ(f.live, 0);
	}
}

static void init_out_of_memory(void)
{
	struct hvx_tdp_mm mm;
	struct fake f;
	int n;

	for (n = 1; n <= 2; n++) {
		memset(&f, 0, sizeof(f));
		f.tf = &formats[0];
		mm = (struct hvx_tdp_mm){ fake_alloc, fake_free, fake_table_va,
					  fake_flush, fake_release, &f };
		f.fail_in = n;
		EXPECT_EQ(hvx_tdp_init(&f.tdp, &hvx_ept_format, &mm), -ENOMEM);
		EXPECT_EQ(f.live, 0);
		hvx_tdp_destroy(&f.tdp);	/* no-op after a failed init */
		EXPECT_EQ(f.flushes, 0);
	}
}

static void map_and_lookup_each_level(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		const struct hvx_tdp_format *fmt = tf->fmt;

		fake_init(&f, tf);

		EXPECT_EQ(hvx_tdp_map(&f.tdp, 0x7000, 0x12345000, 1,
				      HVX_PROT_RWX), 0);
		EXPECT_EQ(f.tdp.nr_tables, 4);	/* root, PDPT, PD, PT */
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0x7abc, &leaf), 0);
		EXPECT_EQ(leaf.gpa, 0x7000);
		EXPECT_EQ(leaf.pa, 0x12345000);
		EXPECT_EQ(leaf.level, 1);
		EXPECT_EQ(leaf.prot, HVX_PROT_RWX);
		EXPECT(!leaf.dirty);
		EXPECT_EQ(leaf.pte,
			  fmt->make_leaf(0x12345000, 1, HVX_PROT_RWX));
		EXPECT_EQ(*entry_at(&f, 0x7000, 1), leaf.pte);
		EXPECT_EQ(*entry_at(&f, 0x7000, 2),
			  fmt->make_table(fmt->addr(*entry_at(&f, 0x7000, 2))));

		/* 2 MiB in the same PD: no new table */
		EXPECT_EQ(hvx_tdp_map(&f.tdp, 5 * SZ_2M, 0x40000000, 2,
				      HVX_PROT_R | HVX_PROT_W), 0);
		EXPECT_EQ(f.tdp.nr_tables, 4);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 5 * SZ_2M + 0x12345, &leaf),
			  0);
		EXPECT_EQ(leaf.gpa, 5 * SZ_2M);
		EXPECT_EQ(leaf.pa, 0x40000000);
		EXPECT_EQ(leaf.level, 2);
		EXPECT_EQ(leaf.prot, HVX_PROT_R | HVX_PROT_W);
		EXPECT_EQ(leaf.pte, fmt->make_leaf(0x40000000, 2,
						   HVX_PROT_R | HVX_PROT_W));

		/* 1 GiB in the same PDPT: no new table */
		EXPECT_EQ(hvx_tdp_map(&f.tdp, 3 * SZ_1G, 0x140000000ULL, 3,
				      HVX_PROT_R), 0);
		EXPECT_EQ(f.tdp.nr_tables, 4);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 4 * SZ_1G - 1, &leaf), 0);
		EXPECT_EQ(leaf.gpa, 3 * SZ_1G);
		EXPECT_EQ(leaf.pa, 0x140000000ULL);
		EXPECT_EQ(leaf.level, 3);
		EXPECT_EQ(leaf.prot, HVX_PROT_R);

		/* The last 4 KiB below 2^48: PDPT, PD, PT of its own */
		EXPECT_EQ(hvx_tdp_map(&f.tdp, HVX_TDP_GPA_LIMIT - PAGE,
				      0x000ffffffffff000ULL, 1,
				      HVX_PROT_R | HVX_PROT_X), 0);
		EXPECT_EQ(f.tdp.nr_tables, 7);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, HVX_TDP_GPA_LIMIT - 1, &leaf),
			  0);
		EXPECT_EQ(leaf.pa, 0x000ffffffffff000ULL);
		EXPECT_EQ(leaf.prot, HVX_PROT_R | HVX_PROT_X);

		/* Holes */
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0x6000, &leaf), -ENOENT);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 4 * SZ_2M, &leaf), -ENOENT);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 4 * SZ_1G, &leaf), -ENOENT);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, HVX_TDP_GPA_LIMIT, &leaf),
			  -EINVAL);
		EXPECT_EQ(f.flushes, 0);	/* mapping never flushes */

		fake_destroy(&f);
		EXPECT_EQ(f.released, 4);
	}
}

static void map_rejects_bad_arguments(void)
{
	const struct test_fmt *tf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		EXPECT_EQ(map_ram(&f, 0, 0, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(map_ram(&f, 0, 4, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(map_ram(&f, PAGE, 2, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(map_ram(&f, SZ_2M, 3, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(hvx_tdp_map(&f.tdp, 0, 0x800, 1, HVX_PROT_R),
			  -EINVAL);
		EXPECT_EQ(hvx_tdp_map(&f.tdp, 0, SZ_1G + SZ_2M, 3, HVX_PROT_R),
			  -EINVAL);
		EXPECT_EQ(hvx_tdp_map(&f.tdp, 0, 1ULL << 52, 1, HVX_PROT_R),
			  -EINVAL);
		EXPECT_EQ(map_ram(&f, HVX_TDP_GPA_LIMIT, 1, HVX_PROT_R),
			  -EINVAL);
		EXPECT_EQ(map_ram(&f, ~0ULL << 30, 3, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(map_ram(&f, 0, 1, 0), -EINVAL);
		EXPECT_EQ(map_ram(&f, 0, 1, HVX_PROT_W), -EINVAL);
		EXPECT_EQ(map_ram(&f, 0, 1, HVX_PROT_X), -EINVAL);
		EXPECT_EQ(map_ram(&f, 0, 1, HVX_PROT_RWX | 8), -EINVAL);
		EXPECT_EQ(f.tdp.nr_tables, 1);
		EXPECT_EQ(f.live, 2);
		fake_destroy(&f);
	}
}

static void map_overlap_is_eexist(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		EXPECT_EQ(map_ram(&f, 0, 1, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, 0, 1, HVX_PROT_RWX), -EEXIST);
		EXPECT_EQ(map_ram(&f, 0, 2, HVX_PROT_R), -EEXIST);
		EXPECT_EQ(map_ram(&f, 0, 3, HVX_PROT_R), -EEXIST);
		/* a 4 KiB page at the far end of the same 1 GiB */
		EXPECT_EQ(map_ram(&f, SZ_1G - PAGE, 1, HVX_PROT_R), 0);

		EXPECT_EQ(map_ram(&f, SZ_1G + SZ_2M, 2, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, SZ_1G + SZ_2M + PAGE, 1, HVX_PROT_R),
			  -EEXIST);
		EXPECT_EQ(map_ram(&f, SZ_1G + SZ_2M, 2, HVX_PROT_R), -EEXIST);
		EXPECT_EQ(map_ram(&f, SZ_1G, 3, HVX_PROT_R), -EEXIST);

		EXPECT_EQ(map_ram(&f, 4 * SZ_1G, 3, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, 5 * SZ_1G - SZ_2M, 2, HVX_PROT_R),
			  -EEXIST);
		EXPECT_EQ(map_ram(&f, 5 * SZ_1G - PAGE, 1, HVX_PROT_R),
			  -EEXIST);

		/* failures changed nothing */
		EXPECT_EQ(f.tdp.nr_tables, 6);	/* root, PDPT, 2 PDs, 2 PTs */
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0, &leaf), 0);
		EXPECT_EQ(leaf.prot, HVX_PROT_R);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 5 * SZ_1G - 1, &leaf), 0);
		EXPECT_EQ(leaf.level, 3);
		fake_destroy(&f);
		EXPECT_EQ(f.released, 4);
	}
}

static void map_out_of_memory_changes_nothing(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;
	int n, i;

	for_each_format(tf) {
		fake_init(&f, tf);
		for (n = 1; n <= 3; n++) {
			f.fail_in = n;
			EXPECT_EQ(map_ram(&f, 0x5000, 1, HVX_PROT_R), -ENOMEM);
			EXPECT_EQ(f.tdp.nr_tables, 1);
			EXPECT_EQ(f.live, 2);
			for (i = 0; i < HVX_TDP_ENTRIES; i++)
				EXPECT_EQ(f.tdp.root[i], 0);
		}
		f.fail_in = 0;
		EXPECT_EQ(map_ram(&f, 0x5000, 1, HVX_PROT_R), 0);
		EXPECT_EQ(f.tdp.nr_tables, 4);

		/* only the missing PT is needed now */
		f.fail_in = 1;
		EXPECT_EQ(map_ram(&f, SZ_2M, 1, HVX_PROT_R), -ENOMEM);
		EXPECT_EQ(f.tdp.nr_tables, 4);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M, &leaf), -ENOENT);
		f.fail_in = 0;
		EXPECT_EQ(map_ram(&f, SZ_2M, 1, HVX_PROT_R), 0);
		EXPECT_EQ(f.tdp.nr_tables, 5);
		EXPECT_EQ(f.flushes, 0);
		fake_destroy(&f);
	}
}

static void unmap_splits_and_frees_tables(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		/* four pages across a 2 MiB boundary: two page tables */
		map_pages(&f, SZ_2M - 2 * PAGE, 4);
		EXPECT_EQ(f.tdp.nr_tables, 5);

		/* the middle two: both tables keep a page */
		EXPECT_EQ(unmap(&f, SZ_2M - PAGE, 2 * PAGE), 2);
		EXPECT_EQ(f.tdp.nr_tables, 5);
		EXPECT_EQ(f.released, 2);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M - 2 * PAGE, &leaf), 0);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M - PAGE, &leaf), -ENOENT);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M, &leaf), -ENOENT);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M + PAGE, &leaf), 0);

		/* an unaligned range touching one byte of the first page */
		EXPECT_EQ(unmap(&f, SZ_2M - PAGE - 1, 1), 1);
		EXPECT_EQ(f.tdp.nr_tables, 4);	/* first PT freed */
		EXPECT_EQ(f.last.gpa, SZ_2M - 2 * PAGE);

		/* nothing there: no flush */
		EXPECT_EQ(unmap(&f, 0, SZ_2M), 0);
		EXPECT_EQ(f.flushes, 2);

		EXPECT_EQ(unmap(&f, SZ_2M + PAGE, PAGE), 1);
		EXPECT_EQ(f.tdp.nr_tables, 1);	/* PT, PD, PDPT freed */
		EXPECT_EQ(f.live, 2);
		EXPECT_EQ(f.flushes, 3);
		EXPECT_EQ(f.released, 4);
		fake_check(&f);
		fake_destroy(&f);
		EXPECT_EQ(f.released, 4);
	}
}

static void unmap_removes_large_leaf_whole(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		EXPECT_EQ(map_ram(&f, 2 * SZ_2M, 2, HVX_PROT_RWX), 0);
		EXPECT_EQ(map_ram(&f, 3 * SZ_2M, 1, HVX_PROT_RWX), 0);
		EXPECT_EQ(map_ram(&f, SZ_1G, 3, HVX_PROT_R | HVX_PROT_W), 0);

		/* one page in the middle of the 2 MiB leaf */
		EXPECT_EQ(unmap(&f, 2 * SZ_2M + 5 * PAGE, PAGE), 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 2 * SZ_2M, &leaf), -ENOENT);
		EXPECT_EQ(f.last.gpa, 2 * SZ_2M);
		EXPECT_EQ(f.last.pa, RAM_PA + 2 * SZ_2M);
		EXPECT_EQ(f.last.level, 2);
		EXPECT_EQ(f.last.prot, HVX_PROT_RWX);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 3 * SZ_2M, &leaf), 0);

		/* the last byte of the 1 GiB leaf */
		EXPECT_EQ(unmap(&f, 2 * SZ_1G - 1, 1), 1);
		EXPECT_EQ(f.last.gpa, SZ_1G);
		EXPECT_EQ(f.last.level, 3);
		EXPECT_EQ(f.last.prot, HVX_PROT_R | HVX_PROT_W);
		EXPECT_EQ(f.tdp.nr_tables, 4);
		fake_check(&f);
		fake_destroy(&f);
	}
}

static void unmap_large_range_in_batches(void)
{
	const unsigned long n = 1500;	/* several batches, three PTs */
	const struct test_fmt *tf;
	struct fake f;
	unsigned long i;

	for_each_format(tf) {
		fake_init(&f, tf);
		f.seen_pages = n + 512;
		f.seen = calloc(f.seen_pages, 1);
		map_pages(&f, 0, n);
		EXPECT_EQ(f.tdp.nr_tables, 6);
		EXPECT_EQ(unmap(&f, 0, n * PAGE), n);
		EXPECT_EQ(f.released, n);
		for (i = 0; i < n; i++)
			EXPECT(f.seen[i]);
		/* each batch holds at most 4096 / 24 = 170 entries */
		EXPECT(f.flushes >= (n + 169) / 170);
		EXPECT(f.flushes <= n / 160 + 1);
		EXPECT_EQ(f.tdp.nr_tables, 1);
		EXPECT_EQ(f.live, 2);
		fake_check(&f);
		fake_destroy(&f);
		free(f.seen);
	}
}

/*
 * One page per page table, per page directory, per PDPT: each leaf removed
 * empties one, two or three tables as well, so the batch fills with tables
 * at every possible position (the @off pages shift where the last group
 * starts in a batch).  A batch that overflowed would trip ASan.
 */
static void unmap_frees_tables_at_batch_edges(void)
{
	const u64 sz_512g = 1ULL << 39;
	const struct test_fmt *tf;
	unsigned long i, n;
	struct fake f;
	int off;

	for_each_format(tf) {
		for (off = 0; off < 5; off++) {
			fake_init(&f, tf);
			n = 0;
			/* 2 MiB apart, across two PDs: one PT each */
			for (i = 1; i <= 300; i++, n++)
				EXPECT_EQ(map_ram(&f, SZ_1G - 100 * SZ_2M +
						  i * SZ_2M, 1, HVX_PROT_R), 0);
			/* 1 GiB apart: one PD and one PT each */
			for (i = 2; i < 150; i++, n++)
				EXPECT_EQ(map_ram(&f, i * SZ_1G + PAGE, 1,
						  HVX_PROT_R), 0);
			map_pages(&f, sz_512g, off);
			n += off;
			/* 512 GiB apart: one PDPT, PD and PT each */
			for (i = 2; i < 62; i++, n++)
				EXPECT_EQ(map_ram(&f, i * sz_512g, 1,
						  HVX_PROT_R), 0);
			EXPECT_EQ(f.tdp.nr_tables, 1 + 3 + 300 + 2 * 148 +
				  (off ? 3 : 0) + 3 * 60);
			EXPECT_EQ(unmap(&f, 0, ~0ULL), n);
			EXPECT_EQ(f.released, n);
			EXPECT_EQ(f.tdp.nr_tables, 1);
			EXPECT_EQ(f.live, 2);
			fake_check(&f);
			fake_destroy(&f);
		}
	}
}

static void unmap_everything(void)
{
	const struct test_fmt *tf;
	struct fake f;
	long mapped = 0;

	for_each_format(tf) {
		fake_init(&f, tf);
		map_pages(&f, SZ_2M - 300 * PAGE, 600);	/* 2 PTs, 1 PD */
		mapped = 600;
		EXPECT_EQ(map_ram(&f, 7 * SZ_2M, 2, HVX_PROT_RWX), 0);
		EXPECT_EQ(map_ram(&f, 5 * SZ_1G, 3, HVX_PROT_RWX), 0);
		EXPECT_EQ(map_ram(&f, 1ULL << 40, 2, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, HVX_TDP_GPA_LIMIT - PAGE, 1, HVX_PROT_R),
			  0);
		mapped += 4;
		/* root; PDPT, PD, 2 PTs; PDPT, PD; PDPT, PD, PT */
		EXPECT_EQ(f.tdp.nr_tables, 1 + 4 + 2 + 3);

		/* a size that wraps */
		EXPECT_EQ(unmap(&f, 0, ~0ULL), mapped);
		EXPECT_EQ(f.tdp.nr_tables, 1);
		EXPECT_EQ(f.live, 2);
		EXPECT_EQ(f.released, mapped);
		fake_check(&f);

		/* the tables are reusable */
		map_pages(&f, 0, 2);
		EXPECT_EQ(f.tdp.nr_tables, 4);
		fake_destroy(&f);
		EXPECT_EQ(f.released, mapped + 2);
	}
}

static void unmap_range_checks(void)
{
	const struct test_fmt *tf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		map_pages(&f, HVX_TDP_GPA_LIMIT - 2 * PAGE, 2);
		EXPECT_EQ(unmap(&f, HVX_TDP_GPA_LIMIT, PAGE),
			  -EINVAL);
		EXPECT_EQ(unmap(&f, ~0ULL, 1), -EINVAL);
		EXPECT_EQ(unmap(&f, 0, 0), 0);
		EXPECT_EQ(f.flushes, 0);
		/* clipped at 2^48 */
		EXPECT_EQ(unmap(&f, HVX_TDP_GPA_LIMIT - PAGE,
					1ULL << 50), 1);
		EXPECT_EQ(unmap(&f, HVX_TDP_GPA_LIMIT - 2 * PAGE,
					~0ULL), 1);
		EXPECT_EQ(f.tdp.nr_tables, 1);
		fake_check(&f);
		fake_destroy(&f);
	}
}

static void release_reports_dirty_and_rights(void)
{
	const struct test_fmt *tf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		EXPECT_EQ(map_ram(&f, 0x9000, 1, HVX_PROT_R | HVX_PROT_W), 0);
		EXPECT_EQ(map_ram(&f, 0xa000, 1, HVX_PROT_R), 0);

		*entry_at(&f, 0x9000, 1) |= tf->dirty_bit; /* a CPU write */
		EXPECT_EQ(unmap(&f, 0x9000, PAGE), 1);
		EXPECT_EQ(f.last.gpa, 0x9000);
		EXPECT_EQ(f.last.pa, RAM_PA + 0x9000);
		EXPECT_EQ(f.last.level, 1);
		EXPECT_EQ(f.last.prot, HVX_PROT_R | HVX_PROT_W);
		EXPECT(f.last.dirty);
		EXPECT(f.last.pte & tf->dirty_bit);

		EXPECT_EQ(unmap(&f, 0xa000, PAGE), 1);
		EXPECT_EQ(f.last.prot, HVX_PROT_R);
		EXPECT(!f.last.dirty);
		fake_check(&f);
		fake_destroy(&f);
	}
}

static void protect_range(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;
	u64 gpa;

	for_each_format(tf) {
		fake_init(&f, tf);
		map_pages(&f, 0, 4);
		EXPECT_EQ(map_ram(&f, 4 * PAGE, 1, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, SZ_2M, 2, HVX_PROT_RWX), 0);
		*entry_at(&f, PAGE, 1) |= tf->dirty_bit;

		EXPECT_EQ(hvx_tdp_protect(&f.tdp, 0, 4, HVX_PROT_R), -EINVAL);
		EXPECT_EQ(hvx_tdp_protect(&f.tdp, HVX_TDP_GPA_LIMIT, 4,
					  HVX_PROT_W), -EINVAL);
		EXPECT_EQ(hvx_tdp_protect(&f.tdp, 0, SZ_1G, 0), 0);
		EXPECT_EQ(f.flushes, 0);

		/* ends one byte into the 2 MiB leaf: changed whole */
		EXPECT_EQ(hvx_tdp_protect(&f.tdp, 0, SZ_2M + 1, HVX_PROT_W), 5);
		EXPECT_EQ(f.flushes, 1);
		for (gpa = 0; gpa < 5 * PAGE; gpa += PAGE) {
			EXPECT_EQ(hvx_tdp_lookup(&f.tdp, gpa, &leaf), 0);
			EXPECT_EQ(leaf.prot, gpa < 4 * PAGE ?
				  HVX_PROT_R | HVX_PROT_X : HVX_PROT_R);
		}
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M + SZ_1G / 1024, &leaf),
			  0);
		EXPECT_EQ(leaf.prot, HVX_PROT_R | HVX_PROT_X);
		/* the CPU's dirty bit survives */
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, PAGE, &leaf), 0);
		EXPECT(leaf.dirty);

		/* nothing left to change: no flush */
		EXPECT_EQ(hvx_tdp_protect(&f.tdp, 0, SZ_1G, HVX_PROT_W), 0);
		EXPECT_EQ(f.flushes, 1);

		EXPECT_EQ(hvx_tdp_protect(&f.tdp, 2 * PAGE, 1, HVX_PROT_X), 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 2 * PAGE, &leaf), 0);
		EXPECT_EQ(leaf.prot, HVX_PROT_R);
		EXPECT_EQ(leaf.pte, tf->fmt->make_leaf(RAM_PA + 2 * PAGE, 1,
						       HVX_PROT_R));
		EXPECT_EQ(f.flushes, 2);
		EXPECT_EQ(f.released, 0);
		fake_destroy(&f);
	}
}

static void set_prot_one_leaf(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		EXPECT_EQ(map_ram(&f, 0x3000, 1, HVX_PROT_RWX), 0);
		EXPECT_EQ(map_ram(&f, 3 * SZ_2M, 2, HVX_PROT_R), 0);

		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 0x4000, HVX_PROT_R),
			  -ENOENT);
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, HVX_TDP_GPA_LIMIT,
					   HVX_PROT_R), -EINVAL);
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 0x3000, HVX_PROT_W),
			  -EINVAL);

		/* taking a right away flushes */
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 0x3000, HVX_PROT_R), 0);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0x3000, &leaf), 0);
		EXPECT_EQ(leaf.prot, HVX_PROT_R);

		/* giving one back (after a write fault) does not */
		*entry_at(&f, 0x3000, 1) |= tf->dirty_bit;
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 0x3fff,
					   HVX_PROT_R | HVX_PROT_W), 0);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0x3000, &leaf), 0);
		EXPECT_EQ(leaf.prot, HVX_PROT_R | HVX_PROT_W);
		EXPECT(leaf.dirty);

		/* inside a large leaf; the same rights again: no flush */
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 3 * SZ_2M + 0x1234,
					   HVX_PROT_RWX), 0);
		EXPECT_EQ(hvx_tdp_set_prot(&f.tdp, 3 * SZ_2M, HVX_PROT_RWX), 0);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 3 * SZ_2M, &leaf), 0);
		EXPECT_EQ(leaf.prot, HVX_PROT_RWX);
		EXPECT_EQ(leaf.level, 2);
		EXPECT_EQ(leaf.pte, tf->fmt->make_leaf(RAM_PA + 3 * SZ_2M, 2,
						       HVX_PROT_RWX));
		fake_destroy(&f);
	}
}

static unsigned long marked;
static u64 marked_gpa[8];

static void mark_dirty(void *ctx, const struct hvx_tdp_leaf *leaf)
{
	struct fake *f = ctx;

	EXPECT(leaf->dirty);
	/* cleared in the table before the owner hears of it */
	EXPECT(!(*entry_at(f, leaf->gpa, leaf->level) & f->tf->dirty_bit));
	if (marked < 8)
		marked_gpa[marked] = leaf->gpa;
	marked++;
}

static void clear_dirty_harvests(void)
{
	const struct test_fmt *tf;
	struct hvx_tdp_leaf leaf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		map_pages(&f, 0x10000, 3);
		EXPECT_EQ(map_ram(&f, SZ_2M, 2, HVX_PROT_RWX), 0);
		*entry_at(&f, 0x10000, 1) |= tf->dirty_bit;
		*entry_at(&f, 0x12000, 1) |= tf->dirty_bit;
		*entry_at(&f, SZ_2M, 2) |= tf->dirty_bit;

		marked = 0;
		EXPECT_EQ(hvx_tdp_clear_dirty(&f.tdp, HVX_TDP_GPA_LIMIT, 1,
					      mark_dirty, &f), -EINVAL);
		EXPECT_EQ(hvx_tdp_clear_dirty(&f.tdp, 0, SZ_2M, mark_dirty,
					      &f), 2);
		EXPECT_EQ(marked, 2);
		EXPECT_EQ(marked_gpa[0], 0x10000);
		EXPECT_EQ(marked_gpa[1], 0x12000);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, 0x12000, &leaf), 0);
		EXPECT(!leaf.dirty);
		EXPECT_EQ(leaf.prot, HVX_PROT_RWX);
		EXPECT_EQ(hvx_tdp_lookup(&f.tdp, SZ_2M, &leaf), 0);
		EXPECT(leaf.dirty);		/* outside the range */

		/* again: nothing dirty in the range, no flush */
		EXPECT_EQ(hvx_tdp_clear_dirty(&f.tdp, 0, SZ_2M, mark_dirty,
					      &f), 0);
		EXPECT_EQ(f.flushes, 1);
		EXPECT_EQ(hvx_tdp_clear_dirty(&f.tdp, 0, ~0ULL, mark_dirty,
					      &f), 1);
		EXPECT_EQ(marked_gpa[2], SZ_2M);
		EXPECT_EQ(f.flushes, 2);
		fake_destroy(&f);
	}
}

static void destroy_releases_everything(void)
{
	const struct test_fmt *tf;
	struct fake f;

	for_each_format(tf) {
		fake_init(&f, tf);
		map_pages(&f, SZ_1G - 10 * PAGE, 20);
		EXPECT_EQ(map_ram(&f, 8 * SZ_1G, 3, HVX_PROT_R), 0);
		EXPECT_EQ(map_ram(&f, 1ULL << 45, 2, HVX_PROT_R), 0);
		*entry_at(&f, SZ_1G, 1) |= tf->dirty_bit;
		f.released = 0;
		fake_destroy(&f);
		EXPECT_EQ(f.flushes, 0);
		EXPECT_EQ(f.released, 22);
		EXPECT(f.last.gpa == (1ULL << 45) && f.last.level == 2);
		EXPECT(f.tdp.root == NULL);
	}
}

UNIT_MAIN(
	{ "init_and_destroy", init_and_destroy },
	{ "init_out_of_memory", init_out_of_memory },
	{ "map_and_lookup_each_level", map_and_lookup_each_level },
	{ "map_rejects_bad_arguments", map_rejects_bad_arguments },
	{ "map_overlap_is_eexist", map_overlap_is_eexist },
	{ "map_out_of_memory_changes_nothing",
	  map_out_of_memory_changes_nothing },
	{ "unmap_splits_and_frees_tables", unmap_splits_and_frees_tables },
	{ "unmap_removes_large_leaf_whole", unmap_removes_large_leaf_whole },
	{ "unmap_large_range_in_batches", unmap_large_range_in_batches },
	{ "unmap_frees_tables_at_batch_edges",
	  unmap_frees_tables_at_batch_edges },
	{ "unmap_everything", unmap_everything },
	{ "unmap_range_checks", unmap_range_checks },
	{ "release_reports_dirty_and_rights",
	  release_reports_dirty_and_rights },
	{ "protect_range", protect_range },
	{ "set_prot_one_leaf", set_prot_one_leaf },
	{ "clear_dirty_harvests", clear_dirty_harvests },
	{ "destroy_releases_everything", destroy_releases_everything },
)
