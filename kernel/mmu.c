// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory: memslots, and the EPT/NPT tables built from them on demand.
 *
 * tdp.c is the table engine (pure logic, unit-tested); this file connects
 * it to the kernel: it pins a memslot's page when the guest first touches
 * it, maps it with tdp.c, and unpins it when the mapping goes, after every
 * vCPU's TLB is flushed (the engine calls hvx_mmu_flush() before it calls
 * hvx_mmu_release()).
 *
 * Invariants, under vm->mmu_lock:
 * - every leaf in vm->tdp maps a page of a memslot, pinned once by this
 *   file (a 2 MiB leaf: each of its 512 pages), so a guest reaches no host
 *   page outside its memslots;
 * - a leaf of a read-only slot is never writable; a leaf of a slot with
 *   dirty logging is writable only if its bit in dirty_bitmap is set.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/io.h>

#include "hvx.h"

/* Table pages, charged to the process's memory cgroup. */
static void *hvx_mmu_alloc_table(void *ctx, u64 *pa)
{
	struct page *pg = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!pg)
		return NULL;
	*pa = page_to_phys(pg);
	return page_address(pg);
}

static void hvx_mmu_free_table(void *ctx, void *va, u64 pa)
{
	free_page((unsigned long)va);
}

static void *hvx_mmu_table_va(void *ctx, u64 pa)
{
	return phys_to_virt(pa);
}

/**
 * hvx_mmu_table_pages() - the table-page callbacks of any hvx_tdp a VM or
 * one of its vCPUs owns (the VM's EPT/NPT, nested VMX's EPT02)
 * @mm: the owner's callbacks; its flush, release and ctx are the owner's
 */
void hvx_mmu_table_pages(struct hvx_tdp_mm *mm)
{
	mm->alloc_table = hvx_mmu_alloc_table;
	mm->free_table = hvx_mmu_free_table;
	mm->table_va = hvx_mmu_table_va;
}

/*
 * The engine's flush: afterwards no vCPU runs on a translation cached
 * before.  Each vCPU compares vm->tlb_gen with its own before every entry
 * (with vcpu->mode = HVX_IN_GUEST published first) and flushes when it
 * lags; a vCPU already in the guest is kicked out and waited for.  A vCPU
 * that moves to another CPU flushes there anyway, so translations left in
 * CPUs it ran on before are never used again.
 */
static void hvx_mmu_flush(void *ctx)
{
	struct hvx_vm *vm = ctx;
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	atomic64_inc(&vm->tlb_gen);
	vm->stat.tlb_flushes++;
	for (i = 0; i < n; i++)
		hvx_vcpu_kick(vm->vcpus[i]);
}

static void hvx_mmu_release(void *ctx, const struct hvx_tdp_leaf *leaf)
{
	struct hvx_vm *vm = ctx;
	unsigned long i, n = hvx_tdp_level_size(leaf->level) >> PAGE_SHIFT;
	bool dirty = leaf->dirty || (leaf->prot & HVX_PROT_W);

	for (i = 0; i < n; i++) {
		struct page *page = pfn_to_page((leaf->pa >> PAGE_SHIFT) + i);

		unpin_user_pages_dirty_lock(&page, 1, dirty);
	}
	vm->pinned_pages -= n;
}

/**
 * hvx_vcpu_flush_if_stale() - flush the vCPU's TLB if a mapping changed
 * @vcpu:  the vCPU, about to enter with interrupts off and mode published
 * @flush: the backend's flush of this vCPU's translations on this CPU
 */
void hvx_vcpu_flush_if_stale(struct hvx_vcpu *vcpu,
			     void (*flush)(struct hvx_vcpu *vcpu))
{
	u64 gen = atomic64_read(&vcpu->vm->tlb_gen);

	if (vcpu->tlb_gen != gen) {
		flush(vcpu);
		vcpu->tlb_gen = gen;
	}
}

int hvx_mmu_init(struct hvx_vm *vm)
{
	xa_init(&vm->write_tracked);
	hvx_mmu_table_pages(&vm->tdp_mm);
	vm->tdp_mm.flush = hvx_mmu_flush;
	vm->tdp_mm.release = hvx_mmu_release;
	vm->tdp_mm.ctx = vm;
	return hvx_tdp_init(&vm->tdp, hvx_ops->tdp_format, &vm->tdp_mm);
}

void hvx_mmu_destroy(struct hvx_vm *vm)
{
	unsigned int i;

	mutex_lock(&vm->mmu_lock);
	hvx_tdp_destroy(&vm->tdp);
	WARN_ON_ONCE(vm->pinned_pages);
	xa_destroy(&vm->write_tracked);
	for (i = 0; i < HVX_MAX_MEMSLOTS; i++)
		kvfree(vm->slots[i].dirty_bitmap);
	mutex_unlock(&vm->mmu_lock);
}

static struct hvx_memslot *hvx_find_slot(struct hvx_vm *vm, u64 gfn)
{
	unsigned int i;

	lockdep_assert_held(&vm->mmu_lock);
	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		struct hvx_memslot *s = &vm->slots[i];

		if (s->npages && gfn >= s->base_gfn &&
		    gfn < s->base_gfn + s->npages)
			return s;
	}
	return NULL;
}

static unsigned long hvx_dirty_bitmap_bytes(u64 npages)
{
	return ALIGN(npages, BITS_PER_LONG) / 8;
}

/* Unmap a slot's whole range; the engine flushes before it unpins. */
static int hvx_unmap_slot(struct hvx_vm *vm, struct hvx_memslot *s)
{
	long r = hvx_tdp_unmap(&vm->tdp, s->base_gfn << PAGE_SHIFT,
			       s->npages << PAGE_SHIFT);

	return r < 0 ? r : 0;
}

static int hvx_check_region(const struct kvm_userspace_memory_region *mr)
{
	u64 end = mr->guest_phys_addr + mr->memory_size;

	if (mr->slot >= HVX_MAX_MEMSLOTS)	/* also rejects address spaces */
		return -EINVAL;
	if (mr->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	if (!PAGE_ALIGNED(mr->memory_size) ||
	    !PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->userspace_addr))
		return -EINVAL;
	if (end < mr->guest_phys_addr || end > BIT_ULL(HVX_GPA_BITS))
		return -EINVAL;
	if (mr->memory_size &&
	    !access_ok((void __user *)(unsigned long)mr->userspace_addr,
		       mr->memory_size))
		return -EINVAL;
	return 0;
}

/**
 * hvx_set_memory_region() - KVM_SET_USER_MEMORY_REGION
 * @vm: the VM
 * @mr: the region, as userspace gave it
 *
 * Creates, deletes (size 0), moves (same size and address, new GPA) or
 * changes the flags of one slot, with KVM's rules: a slot's size and
 * userspace address cannot change, nor its KVM_MEM_READONLY flag; slots may
 * not overlap.  Deleting or moving flushes and unpins every page the old
 * range mapped before the call returns.
 *
 * Return: 0, -EINVAL for a bad region, -EEXIST for an overlap, -ENOMEM.
 */
int hvx_set_memory_region(struct hvx_vm *vm,
			  const struct kvm_userspace_memory_region *mr)
{
	u64 gfn = mr->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = mr->memory_size >> PAGE_SHIFT;
	struct hvx_memslot *s;
	unsigned long *bitmap = NULL;
	unsigned int i;
	int r;

	r = hvx_check_region(mr);
	if (r)
		return r;

	mutex_lock(&vm->mmu_lock);
	s = &vm->slots[mr->slot];

	if (!npages) {				/* delete; KVM: EINVAL if empty */
		r = -EINVAL;
		if (s->npages) {
			r = hvx_unmap_slot(vm, s);
			kvfree(s->dirty_bitmap);
			memset(s, 0, sizeof(*s));
		}
		goto out;
	}

	r = -EINVAL;
	if (s->npages && (s->npages != npages ||
			  s->hva != mr->userspace_addr ||
			  ((s->flags ^ mr->flags) & KVM_MEM_READONLY)))
		goto out;

	r = -EEXIST;
	for (i = 0; i < HVX_MAX_MEMSLOTS; i++) {
		struct hvx_memslot *o = &vm->slots[i];

		if (i == mr->slot || !o->npages)
			continue;
		if (gfn < o->base_gfn + o->npages && o->base_gfn < gfn + npages)
			goto out;
	}

	if (mr->flags & KVM_MEM_LOG_DIRTY_PAGES &&
	    !(s->npages && s->dirty_bitmap)) {
		r = -ENOMEM;
		bitmap = kvzalloc(hvx_dirty_bitmap_bytes(npages),
				  GFP_KERNEL_ACCOUNT);
		if (!bitmap)
			goto out;
	}

	if (s->npages && s->base_gfn != gfn) {	/* move */
		r = hvx_unmap_slot(vm, s);
		if (r)
			goto out;
	} else if (s->npages && bitmap) {
		/*
		 * Dirty logging starts: later writes must fault to be seen,
		 * page by page, so the slot's mappings go (2 MiB leaves
		 * included) and come back as 4 KiB, read-only until written.
		 */
		r = hvx_unmap_slot(vm, s);
		if (r)
			goto out;
	}

	if (bitmap) {
		s->dirty_bitmap = bitmap;
		bitmap = NULL;
	} else if (!(mr->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
		kvfree(s->dirty_bitmap);
		s->dirty_bitmap = NULL;
	}
	s->base_gfn = gfn;
	s->npages = npages;
	s->hva = mr->userspace_addr;
	s->flags = mr->flags;
	r = 0;
out:
	mutex_unlock(&vm->mmu_lock);
	kvfree(bitmap);
	return r;
}

/**
 * hvx_get_dirty_log() - KVM_GET_DIRTY_LOG
 * @vm:  the VM
 * @log: slot and userspace bitmap
 *
 * Copies the slot's dirty bitmap out, clears it, and write-protects the
 * pages that were dirty (flushed before return), so the next write to each
 * is seen again.
 *
 * Return: 0; -EINVAL for a bad slot, -ENOENT when the slot does not log.
 */
int hvx_get_dirty_log(struct hvx_vm *vm, struct kvm_dirty_log *log)
{
	struct hvx_memslot *s;
	unsigned long bytes, *snap = NULL;
	int r;

	if (log->slot >= HVX_MAX_MEMSLOTS)
		return -EINVAL;

	mutex_lock(&vm->mmu_lock);
	s = &vm->slots[log->slot];
	r = -ENOENT;
	if (!s->npages || !s->dirty_bitmap)
		goto out;
	bytes = hvx_dirty_bitmap_bytes(s->npages);
	r = -ENOMEM;
	snap = kvmalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!snap)
		goto out;
	memcpy(snap, s->dirty_bitmap, bytes);
	memset(s->dirty_bitmap, 0, bytes);

	/*
	 * Only pages written since the last call can be writable: one pass
	 * over the slot write-protects them with a single flush.
	 */
	if (!bitmap_empty(snap, s->npages)) {
		long n = hvx_tdp_protect(&vm->tdp, s->base_gfn << PAGE_SHIFT,
					 s->npages << PAGE_SHIFT, HVX_PROT_W);

		if (n < 0) {
			r = n;
			goto out;
		}
	}
	r = copy_to_user(log->dirty_bitmap, snap, bytes) ? -EFAULT : 0;
out:
	mutex_unlock(&vm->mmu_lock);
	kvfree(snap);
	return r;
}

/* Pin the page behind @gfn in @s; returns its physical address or -errno. */
static int hvx_pin_gfn(struct hvx_memslot *s, u64 gfn, bool writable,
		       struct page **page)
{
	unsigned long hva = s->hva + ((gfn - s->base_gfn) << PAGE_SHIFT);
	long n;

	n = pin_user_pages_unlocked(hva, 1, page, writable ? FOLL_WRITE : 0);
	if (n == 1)
		return 0;
	return n < 0 ? n : -EFAULT;
}

#define HVX_LARGE_PAGES	(1UL << (PMD_SHIFT - PAGE_SHIFT))

/* Is a gfn in [@gfn, @gfn + @n) write-tracked?  mmu_lock held. */
static bool hvx_tracked_in(struct hvx_vm *vm, u64 gfn, u64 n)
{
	unsigned long index = gfn;

	return xa_find(&vm->write_tracked, &index, gfn + n - 1, XA_PRESENT);
}

/**
 * hvx_mmu_track_write() - make the guest's next write to a page visible
 * @vm:	 the VM
 * @gfn: the guest page (nested VMX: a table of the guest hypervisor's EPT)
 *
 * Invariant: a tracked gfn is never writable in the VM's tables and never
 * inside a 2 MiB leaf.  The guest's first write to it untracks it and bumps
 * the VM's tlb_gen before the write goes through, so everything derived
 * from the page's old contents and keyed to tlb_gen (nested VMX's EPT02)
 * is dropped before any vCPU enters again.  Tracking a gfn that is mapped
 * writable bumps tlb_gen too (the engine's flush).  Sleeps.
 *
 * Return: 0 or -ENOMEM.
 */
int hvx_mmu_track_write(struct hvx_vm *vm, u64 gfn)
{
	struct hvx_tdp_leaf leaf;
	u64 gpa = gfn << PAGE_SHIFT;
	int r = 0;

	mutex_lock(&vm->mmu_lock);
	if (xa_load(&vm->write_tracked, gfn))
		goto out;
	r = xa_err(xa_store(&vm->write_tracked, gfn, xa_mk_value(1),
			    GFP_KERNEL_ACCOUNT));
	if (r || hvx_tdp_lookup(&vm->tdp, gpa, &leaf))
		goto out;
	if (leaf.level > HVX_TDP_LEVEL_4K) {
		/* Faults map the range again at 4 KiB (hvx_map_large()). */
		r = hvx_tdp_unmap(&vm->tdp, leaf.gpa,
				  hvx_tdp_level_size(leaf.level));
	} else if (leaf.prot & HVX_PROT_W) {
		r = hvx_tdp_set_prot(&vm->tdp, gpa, leaf.prot & ~HVX_PROT_W);
	}
out:
	mutex_unlock(&vm->mmu_lock);
	return r < 0 ? r : 0;
}

/*
 * Map the 2 MiB around @gpa with one leaf when the backing allows: the
 * whole 2 MiB lies in the slot at the same offset modulo 2 MiB in the
 * process, and the process's pages there are one physically contiguous,
 * aligned block (a transparent huge page).  Returns HVX_FAULT_FIXED, or
 * -EAGAIN to fall back to a 4 KiB mapping.
 */
static int hvx_map_large(struct hvx_vm *vm, struct hvx_memslot *s, u64 gpa,
			 unsigned int prot, struct page *page)
{
	u64 base = gpa & PMD_MASK, slot_start = s->base_gfn << PAGE_SHIFT;
	unsigned long hva = s->hva + (base - slot_start), pfn0, i;
	unsigned int flags = s->flags & KVM_MEM_READONLY ? 0 : FOLL_WRITE;
	struct page **pages;
	long n;
	int r = -EAGAIN;

	if (!hvx_ops->tdp_2m() || s->dirty_bitmap || base < slot_start ||
	    hvx_tracked_in(vm, base >> PAGE_SHIFT, HVX_LARGE_PAGES) ||
	    base + PMD_SIZE > slot_start + (s->npages << PAGE_SHIFT) ||
	    !IS_ALIGNED(hva, PMD_SIZE) || !PageTransCompound(page) ||
	    compound_order(compound_head(page)) < PMD_SHIFT - PAGE_SHIFT)
		return -EAGAIN;

	pages = kvmalloc_array(HVX_LARGE_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -EAGAIN;
	n = pin_user_pages_unlocked(hva, HVX_LARGE_PAGES, pages, flags);
	if (n != HVX_LARGE_PAGES)
		goto unpin;
	pfn0 = page_to_pfn(pages[0]);
	if (!IS_ALIGNED(pfn0, HVX_LARGE_PAGES))
		goto unpin;
	for (i = 1; i < HVX_LARGE_PAGES; i++)
		if (page_to_pfn(pages[i]) != pfn0 + i)
			goto unpin;
	/* -EEXIST: 4 KiB leaves already map part of it; keep those. */
	if (hvx_tdp_map(&vm->tdp, base, PFN_PHYS(pfn0), HVX_TDP_LEVEL_2M,
			prot))
		goto unpin;
	vm->pinned_pages += HVX_LARGE_PAGES;
	vm->stat.mapped_2m++;
	r = HVX_FAULT_FIXED;
	goto out;
unpin:
	if (n > 0)
		unpin_user_pages(pages, n);
out:
	kvfree(pages);
	return r;
}

/**
 * hvx_tdp_fault() - an EPT violation / NPT fault: map the page, or not
 * @vcpu:   the faulting vCPU
 * @gpa:    the guest-physical address
 * @access: HVX_PROT_R/W/X: what the guest tried
 *
 * Return: HVX_FAULT_FIXED when the page is now mapped with @access,
 * HVX_FAULT_MMIO when no memslot backs @gpa or the guest wrote a read-only
 * slot, -EFAULT when the slot's userspace memory is gone, or -errno.
 */
int hvx_tdp_fault(struct hvx_vcpu *vcpu, u64 gpa, unsigned int access)
{
	struct hvx_vm *vm = vcpu->vm;
	u64 gfn = gpa >> PAGE_SHIFT;
	struct hvx_tdp_leaf leaf;
	struct hvx_memslot *s;
	struct page *page;
	unsigned int prot;
	bool write = access & HVX_PROT_W;
	void *tracked;
	int r;

	if (gpa >= BIT_ULL(HVX_GPA_BITS))
		return HVX_FAULT_MMIO;

	mutex_lock(&vm->mmu_lock);
	s = hvx_find_slot(vm, gfn);
	r = HVX_FAULT_MMIO;
	if (!s || (write && (s->flags & KVM_MEM_READONLY)))
		goto out;

	if (s->dirty_bitmap && write)
		__set_bit(gfn - s->base_gfn, s->dirty_bitmap);
	tracked = xa_load(&vm->write_tracked, gfn);
	if (tracked && write) {
		/* See hvx_mmu_track_write(): untrack, then drop what was derived. */
		xa_erase(&vm->write_tracked, gfn);
		hvx_mmu_flush(vm);
		tracked = NULL;
	}

	r = hvx_tdp_lookup(&vm->tdp, gpa, &leaf);
	if (!r) {
		/* Mapped: a write to a page write-protected for logging. */
		r = HVX_FAULT_FIXED;
		if ((leaf.prot & access) != access)
			r = hvx_tdp_set_prot(&vm->tdp, gpa, leaf.prot | access);
		r = r < 0 ? r : HVX_FAULT_FIXED;
		goto out;
	}

	prot = HVX_PROT_R | HVX_PROT_X;
	if (!(s->flags & KVM_MEM_READONLY) && (!s->dirty_bitmap || write) &&
	    !tracked)
		prot |= HVX_PROT_W;
	r = hvx_pin_gfn(s, gfn, !(s->flags & KVM_MEM_READONLY), &page);
	if (r)
		goto out;
	vm->stat.tdp_faults++;
	r = hvx_map_large(vm, s, gpa, prot, page);
	if (r == HVX_FAULT_FIXED) {
		/* The 2 MiB pin holds this page too. */
		unpin_user_page(page);
		goto out;
	}
	r = hvx_tdp_map(&vm->tdp, gpa & PAGE_MASK, page_to_phys(page),
			HVX_TDP_LEVEL_4K, prot);
	if (r) {
		unpin_user_page(page);
		goto out;
	}
	vm->pinned_pages++;
	vm->stat.mapped_4k++;
	r = HVX_FAULT_FIXED;
out:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

/* Copy to or from guest-physical memory through the memslots' hva. */
static int hvx_access_guest(struct hvx_vm *vm, u64 gpa, void *buf,
			    unsigned int len, bool write)
{
	while (len) {
		unsigned int chunk = min_t(unsigned int, len,
					   PAGE_SIZE - offset_in_page(gpa));
		struct hvx_memslot *s;
		unsigned long hva;
		int r = 0;

		mutex_lock(&vm->mmu_lock);
		s = hvx_find_slot(vm, gpa >> PAGE_SHIFT);
		if (!s || (write && (s->flags & KVM_MEM_READONLY)))
			r = -EFAULT;
		else
			hva = s->hva + gpa - (s->base_gfn << PAGE_SHIFT);
		if (!r && write && s->dirty_bitmap)
			__set_bit((gpa >> PAGE_SHIFT) - s->base_gfn,
				  s->dirty_bitmap);
		mutex_unlock(&vm->mmu_lock);
		if (r)
			return r;
		if (write ? copy_to_user((void __user *)hva, buf, chunk) :
			    copy_from_user(buf, (void __user *)hva, chunk))
			return -EFAULT;
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * hvx_read_guest() - read guest-physical memory from the vCPU thread
 * @vm:	 the VM (current->mm must be its mm)
 * @gpa: where
 * @buf: into
 * @len: bytes
 *
 * Return: 0, or -EFAULT when some byte is outside every memslot.
 */
int hvx_read_guest(struct hvx_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return hvx_access_guest(vm, gpa, buf, len, false);
}

/**
 * hvx_write_guest() - write guest-physical memory, marking it dirty
 * @vm:	 the VM (current->mm must be its mm)
 * @gpa: where
 * @buf: from
 * @len: bytes
 *
 * Return: 0, or -EFAULT when some byte is outside every writable memslot.
 */
int hvx_write_guest(struct hvx_vm *vm, u64 gpa, const void *buf,
		    unsigned int len)
{
	return hvx_access_guest(vm, gpa, (void *)buf, len, true);
}
