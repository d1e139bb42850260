// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx VM object and VM-fd ioctls: lifetime, memslots, vCPU creation.
 *
 * Lifetime: the VM fd holds one reference and each vCPU one more; the VM is
 * freed when the last goes, after its vCPUs, so the backend and the TDP
 * tables never see a VM without its memory.
 *
 * Locks: vm->lock serialises vCPU creation and VM-wide settings; memslot
 * changes take vm->mmu_lock (mmu.c).  No ioctl here holds both.
 *
 * Every VM is also on hvx_vm_list, for the generic netlink family
 * (netlink.c), which reads VMs it holds no reference to.  Teardown takes
 * the VM off the list under hvx_vm_list_lock before it frees anything, so
 * whoever holds the lock may read any VM on the list: its vCPUs, its
 * counters, its mmu_lock (taken after hvx_vm_list_lock, never before).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/fpu/types.h>
#include <linux/uaccess.h>

#include "hvx.h"

/* Every VM, in id order; hvx_vm_last_id is the last id handed out. */
static LIST_HEAD(hvx_vm_list);
static DEFINE_MUTEX(hvx_vm_list_lock);
static u64 hvx_vm_last_id;

void hvx_vm_get(struct hvx_vm *vm)
{
	refcount_inc(&vm->users);
}

static void hvx_vm_free(struct hvx_vm *vm)
{
	unsigned int i;

	/* Off the list first: netlink readers hold no reference. */
	mutex_lock(&hvx_vm_list_lock);
	list_del(&vm->node);
	mutex_unlock(&hvx_vm_list_lock);

	for (i = 0; i < vm->nr_vcpus; i++)
		hvx_vcpu_destroy(vm->vcpus[i]);
	/* No vCPU left to kick: the TDP teardown's flush must not look. */
	vm->nr_vcpus = 0;
	hvx_mmu_destroy(vm);
	hvx_ops->vm_destroy(vm);
	put_pid(vm->pid);
	mmdrop(vm->mm);
	kfree(vm);
	module_put(THIS_MODULE);
}

void hvx_vm_put(struct hvx_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		hvx_vm_free(vm);
}

/**
 * hvx_vm_check_extension() - KVM_CHECK_EXTENSION, on the system or a VM fd
 * @cap: a KVM_CAP_* number
 *
 * Return: 0 for every capability hvx does not implement; for what it
 * implements, what KVM answers (1, or a count).
 */
long hvx_vm_check_extension(long cap)
{
	/* A backend without guest support yet implements no capability. */
	if (!hvx_ops->run)
		return 0;

	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return min_t(unsigned int, num_online_cpus(), HVX_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return HVX_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return HVX_MAX_MEMSLOTS;
	default:
		return 0;
	}
}

/**
 * hvx_vm_read_stats() - the VM's counters, as HVX_GET_VM_STATS reports them
 * @vm: the VM, kept alive by the caller (a reference, or hvx_vm_list_lock)
 * @st: zeroed by the caller; filled but for @st->size and @st->flags
 *
 * The vCPUs may be running: each counter is a recent value, not a
 * snapshot of all at one instant.  Takes vm->mmu_lock.
 */
void hvx_vm_read_stats(struct hvx_vm *vm, struct hvx_vm_stats *st)
{
	unsigned int i, n;

	n = smp_load_acquire(&vm->nr_vcpus);
	for (i = 0; i < n; i++) {
		st->exits += READ_ONCE(vm->vcpus[i]->exits);
		st->exits_to_user += READ_ONCE(vm->vcpus[i]->exits_to_user);
		st->mmio_exits += READ_ONCE(vm->vcpus[i]->mmio_exits);
		st->nested_l2_exits +=
			READ_ONCE(vm->vcpus[i]->nested_l2_exits);
		st->nested_l1_exits +=
			READ_ONCE(vm->vcpus[i]->nested_l1_exits);
		st->nested_reflected +=
			READ_ONCE(vm->vcpus[i]->nested_reflected);
	}
	mutex_lock(&vm->mmu_lock);
	st->tdp_faults = vm->stat.tdp_faults;
	st->pinned_pages = vm->pinned_pages;
	st->mapped_4k = vm->stat.mapped_4k;
	st->mapped_2m = vm->stat.mapped_2m;
	st->tlb_flushes = vm->stat.tlb_flushes;
	/* The tables, the engine's batch page, and the object itself. */
	st->vm_bytes = (vm->tdp.nr_tables + 1) * PAGE_SIZE + ksize(vm);
	mutex_unlock(&vm->mmu_lock);
	if (n)
		st->vcpu_bytes = ksize(vm->vcpus[0]) +
				 (HVX_VCPU_MMAP_PAGES + hvx_ops->vcpu_pages) *
				 PAGE_SIZE + vm->vcpus[0]->fpu.fpstate->size;
}

/**
 * hvx_vm_exit_count() - one exit counter, summed over the VM's vCPUs
 * @vm:	  the VM, kept alive by the caller
 * @set:  what ran
 * @slot: the reason's slot, below HVX_NR_EXIT_REASONS
 *
 * Return: the exits of every vCPU in that set with that reason.
 */
u64 hvx_vm_exit_count(struct hvx_vm *vm, enum hvx_exit_set set,
		      unsigned int slot)
{
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);
	u64 sum = 0;

	for (i = 0; i < n; i++)
		sum += READ_ONCE(vm->vcpus[i]->exit_reasons[set][slot]);
	return sum;
}

/* HVX_GET_VM_STATS: fill as much of the caller's structure as both know. */
static long hvx_vm_get_stats(struct hvx_vm *vm, void __user *argp)
{
	struct hvx_vm_stats st = { };
	u32 size;

	if (get_user(size, (u32 __user *)argp))
		return -EFAULT;
	if (size < offsetofend(struct hvx_vm_stats, flags))
		return -EINVAL;
	size = min_t(u32, size, sizeof(st));

	hvx_vm_read_stats(vm, &st);
	st.size = size;
	return copy_to_user(argp, &st, size) ? -EFAULT : 0;
}

/**
 * hvx_vm_for_each() - call @fn on every VM created after VM @after
 * @after: an id; 0 for every VM
 * @fn:	   called in id order with hvx_vm_list_lock held (it may sleep,
 *	   and must not free a VM); a nonzero return stops the walk
 * @arg:   for @fn
 *
 * A VM on the list cannot be freed while @fn reads it: teardown takes it
 * off the list first, under the same lock.
 *
 * Return: the first nonzero value @fn returned, or 0.
 */
int hvx_vm_for_each(u64 after, int (*fn)(struct hvx_vm *vm, void *arg),
		    void *arg)
{
	struct hvx_vm *vm;
	int r = 0;

	mutex_lock(&hvx_vm_list_lock);
	list_for_each_entry(vm, &hvx_vm_list, node) {
		if (vm->id <= after)
			continue;
		r = fn(vm, arg);
		if (r)
			break;
	}
	mutex_unlock(&hvx_vm_list_lock);
	return r;
}

/**
 * hvx_vm_with_id() - call @fn on the VM with id @id
 * @id:	 the VM's id
 * @fn:	 as for hvx_vm_for_each()
 * @arg: for @fn
 *
 * Return: what @fn returned, or -ENOENT when no VM has that id.
 */
int hvx_vm_with_id(u64 id, int (*fn)(struct hvx_vm *vm, void *arg),
		   void *arg)
{
	struct hvx_vm *vm;
	int r = -ENOENT;

	mutex_lock(&hvx_vm_list_lock);
	list_for_each_entry(vm, &hvx_vm_list, node) {
		if (vm->id == id) {
			r = fn(vm, arg);
			break;
		}
	}
	mutex_unlock(&hvx_vm_list_lock);
	return r;
}

static long hvx_vm_ioctl(struct file *filp, unsigned int ioctl,
			 unsigned long arg)
{
	struct hvx_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* A VM belongs to the process that made it, as with KVM. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		return hvx_vcpu_create(vm, arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mr;

		if (copy_from_user(&mr, argp, sizeof(mr)))
			return -EFAULT;
		return hvx_set_memory_region(vm, &mr);
	}
	case KVM_GET_DIRTY_LOG: {
		struct kvm_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		return hvx_get_dirty_log(vm, &log);
	}
	case KVM_SET_TSS_ADDR:
		/*
		 * Only needed by CPUs without unrestricted guest, for which
		 * KVM emulates real mode with vm86; hvx requires unrestricted
		 * guest, so it records the address and never uses it.  KVM
		 * refuses one whose three pages would pass 4 GiB.
		 */
		if (arg > (unsigned int)(-3 * PAGE_SIZE))
			return -EINVAL;
		vm->tss_addr = arg;
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR: {
		u64 addr;

		if (copy_from_user(&addr, argp, sizeof(addr)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		r = vm->nr_vcpus ? -EINVAL : 0;
		if (!r)
			vm->identity_map_addr = addr;
		mutex_unlock(&vm->lock);
		return r;
	}
	case KVM_CHECK_EXTENSION:
		return hvx_vm_check_extension(arg);
	case HVX_GET_VM_STATS:
		return hvx_vm_get_stats(vm, argp);
	default:
		/* KVM answers an unknown VM ioctl with -ENOTTY. */
		return -ENOTTY;
	}
}

static int hvx_vm_release(struct inode *inode, struct file *filp)
{
	hvx_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hvx_vm_fops = {
	.owner = THIS_MODULE,
	.release = hvx_vm_release,
	.unlocked_ioctl = hvx_vm_ioctl,
	.compat_ioctl = hvx_vm_ioctl,
	.llseek = noop_llseek,
};

/**
 * hvx_vm_create() - KVM_CREATE_VM
 * @type: machine type; hvx has only the default, 0
 *
 * Return: a new VM fd, or -errno.
 */
int hvx_vm_create(unsigned long type)
{
	struct hvx_vm *vm;
	int r;

	if (type)
		return -EINVAL;
	if (!hvx_ops->run)
		return -EOPNOTSUPP;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	/* The fd's owner pins the module; the VM object pins it too. */
	__module_get(THIS_MODULE);

	r = hvx_mmu_init(vm);
	if (r)
		goto err_mm;
	r = hvx_ops->vm_init(vm);
	if (r)
		goto err_mmu;

	/*
	 * Listed before the fd exists, so the teardown that closing it may
	 * start at once always finds the VM on the list.  A u64 never wraps:
	 * an id is never seen twice.
	 */
	vm->pid = get_task_pid(current, PIDTYPE_TGID);
	mutex_lock(&hvx_vm_list_lock);
	vm->id = ++hvx_vm_last_id;
	list_add_tail(&vm->node, &hvx_vm_list);
	mutex_unlock(&hvx_vm_list_lock);

	r = anon_inode_getfd("hvx-vm", &hvx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		hvx_vm_put(vm);
		return r;
	}
	return r;

err_mmu:
	hvx_mmu_destroy(vm);
err_mm:
	mmdrop(vm->mm);
	kfree(vm);
	module_put(THIS_MODULE);
	return r;
}
