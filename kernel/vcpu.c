// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx vCPU object and vCPU-fd ioctls: the KVM_RUN loop and the kvm_run page.
 *
 * Lifetime: a vCPU lives as long as its VM; the vCPU fd holds a VM
 * reference, and the VM frees its vCPUs when it goes.
 *
 * Locks: every vCPU ioctl holds vcpu->mutex, so one thread at a time works
 * on a vCPU.  While it does, the vCPU is "loaded": its hardware state (VMCS
 * or VMCB) is current on the CPU the thread runs on, and a preempt notifier
 * moves it when the scheduler moves the thread.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>

#include "hvx.h"
#include "x86/x86.h"

static inline struct hvx_vcpu *pn_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct hvx_vcpu, preempt_notifier);
}

static void hvx_sched_in(struct preempt_notifier *pn, int cpu)
{
	hvx_ops->vcpu_load(pn_to_vcpu(pn), cpu);
}

static void hvx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	hvx_ops->vcpu_put(pn_to_vcpu(pn));
}

static struct preempt_ops hvx_preempt_ops = {
	.sched_in = hvx_sched_in,
	.sched_out = hvx_sched_out,
};

/**
 * hvx_vcpu_load() - make this CPU hold the vCPU's hardware state
 * @vcpu: the vCPU, its mutex held
 *
 * Until hvx_vcpu_put(), the backend may touch the vCPU's VMCS/VMCB; if the
 * scheduler moves the thread, the preempt notifier moves the state along.
 */
void hvx_vcpu_load(struct hvx_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->preempt_notifier);
	hvx_ops->vcpu_load(vcpu, cpu);
	put_cpu();
}

/**
 * hvx_vcpu_put() - end hvx_vcpu_load()
 * @vcpu: the vCPU
 */
void hvx_vcpu_put(struct hvx_vcpu *vcpu)
{
	preempt_disable();
	hvx_ops->vcpu_put(vcpu);
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	preempt_enable();
}

/**
 * hvx_vcpu_request() - ask a vCPU to do something before its next entry
 * @vcpu: the vCPU
 * @req:  what
 *
 * Does not wait: hvx_vcpu_kick() makes a running vCPU see it promptly.
 */
void hvx_vcpu_request(struct hvx_vcpu *vcpu, enum hvx_request req)
{
	set_bit(req, &vcpu->requests);
}

static void hvx_kick_ack(void *unused)
{
}

/**
 * hvx_vcpu_kick() - force a vCPU out of the guest, and wait until it is out
 * @vcpu: the vCPU
 *
 * Pairs with the entry path, which sets vcpu->mode = HVX_IN_GUEST, then
 * (after a full barrier) checks requests with interrupts off: either the
 * vCPU sees what the caller set before the kick, or the caller sees
 * HVX_IN_GUEST and interrupts the CPU, which cannot take the IPI until the
 * guest has exited.  So on return, the vCPU runs no guest code that missed
 * the caller's request.  May sleep; call without spinlocks.
 */
void hvx_vcpu_kick(struct hvx_vcpu *vcpu)
{
	int cpu;

	smp_mb();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == HVX_IN_GUEST && cpu >= 0 &&
	    cpu != raw_smp_processor_id())
		smp_call_function_single(cpu, hvx_kick_ack, NULL, 1);
}

/* Fill in the "out" fields KVM updates on every return from KVM_RUN. */
static void hvx_post_run(struct hvx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(hvx_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection =
		vcpu->irq.type == HVX_EVENT_NONE &&
		hvx_ops->interrupt_allowed(vcpu);
	run->cr8 = 0;
	run->apic_base = vcpu->apic_base;
	run->flags = 0;
}

static int hvx_vcpu_run(struct hvx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);

	hvx_vcpu_load(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->fpu, true);

	r = hvx_complete_io(vcpu);
	if (r <= 0)
		goto out;

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}

	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		r = hvx_inject_events(vcpu);
		if (r <= 0)
			break;
		r = hvx_ops->run(vcpu);
		vcpu->exits++;
		if (r <= 0) {
			vcpu->exits_to_user += !r;
			break;
		}
		cond_resched();
	}
out:
	hvx_post_run(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
	hvx_vcpu_put(vcpu);

	if (vcpu->sigset_active) {
		sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
		sigemptyset(&current->real_blocked);
	}
	return r < 0 ? r : 0;
}

static int hvx_set_signal_mask(struct hvx_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *usm = argp;
	struct kvm_signal_mask ksm;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&ksm, argp, sizeof(ksm)))
		return -EFAULT;
	if (ksm.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, usm->sigset, sizeof(set)))
		return -EFAULT;
	/* As sigprocmask(): SIGKILL and SIGSTOP cannot be blocked. */
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

static long hvx_vcpu_ioctl_locked(struct hvx_vcpu *vcpu, unsigned int ioctl,
				  void __user *argp)
{
	switch (ioctl) {
	case KVM_RUN:
		if (argp)
			return -EINVAL;
		return hvx_vcpu_run(vcpu);
	case KVM_SET_SIGNAL_MASK:
		return hvx_set_signal_mask(vcpu, argp);
	default:
		return hvx_x86_vcpu_ioctl(vcpu, ioctl, argp);
	}
}

static long hvx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvx_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	r = hvx_vcpu_ioctl_locked(vcpu, ioctl, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return r;
}

/* Page 0 of the vCPU mapping is the kvm_run page, page 1 the PIO data. */
static vm_fault_t hvx_vcpu_fault(struct vm_fault *vmf)
{
	struct hvx_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == HVX_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvx_vcpu_vm_ops = {
	.fault = hvx_vcpu_fault,
};

static int hvx_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hvx_vcpu_vm_ops;
	return 0;
}

static int hvx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hvx_vcpu *vcpu = filp->private_data;

	hvx_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hvx_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hvx_vcpu_release,
	.unlocked_ioctl = hvx_vcpu_ioctl,
	.compat_ioctl = hvx_vcpu_ioctl,
	.mmap = hvx_vcpu_mmap,
	.llseek = noop_llseek,
};

/**
 * hvx_vcpu_destroy() - free a vCPU; only from the VM's final put
 * @vcpu: the vCPU, whose fd is closed
 */
void hvx_vcpu_destroy(struct hvx_vcpu *vcpu)
{
	hvx_ops->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->fpu);
	kfree(vcpu->cpuid);
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	kfree(vcpu);
}

static struct hvx_vcpu *hvx_vcpu_alloc(struct hvx_vm *vm, u32 id)
{
	struct hvx_vcpu *vcpu;

	vcpu = kzalloc(hvx_ops->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	preempt_notifier_init(&vcpu->preempt_notifier, &hvx_preempt_ops);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data)
		goto err;
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		goto err;
	hvx_x86_vcpu_reset(vcpu);
	return vcpu;
err:
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	kfree(vcpu);
	return NULL;
}

/**
 * hvx_vcpu_create() - KVM_CREATE_VCPU
 * @vm: the VM
 * @id: the vCPU id, below HVX_MAX_VCPUS and not in use
 *
 * Return: a new vCPU fd, or -errno: -EINVAL for a bad id or when the VM is
 * full, -EEXIST for an id in use.
 */
int hvx_vcpu_create(struct hvx_vm *vm, u32 id)
{
	struct hvx_vcpu *vcpu;
	unsigned int i;
	int r;

	if (id >= HVX_MAX_VCPUS)
		return -EINVAL;

	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus >= HVX_MAX_VCPUS)
		goto out_unlock;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out_unlock;

	r = -ENOMEM;
	vcpu = hvx_vcpu_alloc(vm, id);
	if (!vcpu)
		goto out_unlock;

	r = hvx_ops->vcpu_init(vcpu);
	if (r)
		goto out_free;

	hvx_vm_get(vm);
	r = anon_inode_getfd("hvx-vcpu", &hvx_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0) {
		hvx_vm_put(vm);
		hvx_ops->vcpu_free(vcpu);
		goto out_free;
	}
	vm->vcpus[vm->nr_vcpus] = vcpu;
	/* Publish the slot before the count (hvx_vm_for_each_vcpu reads). */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	return r;

out_free:
	fpu_free_guest_fpstate(&vcpu->fpu);
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	kfree(vcpu);
out_unlock:
	mutex_unlock(&vm->lock);
	return r;
}
