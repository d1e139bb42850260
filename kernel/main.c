// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx: module init and exit, backend choice, per-CPU enablement, /dev/hvx
 * and its system ioctls.
 *
 * Invariant: while the module is loaded, every online CPU is in VMX root
 * operation (or has EFER.SVME set) because of hvx, except after a reboot
 * notification, when none is and hvx_disabled is true.  CPU hotplug keeps
 * it so: the cpuhp online callback enables, the offline callback disables.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>

#include "hvx.h"
#include "x86/x86.h"

const struct hvx_backend_ops *hvx_ops __read_mostly;

static enum cpuhp_state hvx_cpuhp_state;

/* Set once a reboot has taken VMX/SVM away from every CPU. */
static bool hvx_disabled;

/*
 * The cpuhp callbacks run on the CPU being brought up or down, in its
 * hotplug thread; preemption is disabled so the backend's per-CPU state is
 * only ever touched from its own CPU.
 */
static int hvx_cpu_online(unsigned int cpu)
{
	int r;

	preempt_disable();
	r = hvx_ops->hardware_enable();
	preempt_enable();
	if (r)
		pr_err(HVX_NAME ": cannot enable %s on CPU %u: %d%s\n",
		       hvx_ops->name, cpu, r,
		       r == -EBUSY ? " (in use by another hypervisor)" : "");
	return r;
}

static int hvx_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	hvx_ops->hardware_disable();
	preempt_enable();
	return 0;
}

static void hvx_disable_this_cpu(void *unused)
{
	hvx_ops->hardware_disable();
}

/*
 * A CPU in VMX operation ignores INIT, so a reboot that sends INIT to the
 * application processors would hang them: leave VMX/SVM first.
 */
static int hvx_reboot(struct notifier_block *nb, unsigned long code, void *p)
{
	hvx_disabled = true;
	on_each_cpu(hvx_disable_this_cpu, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hvx_reboot_nb = {
	.notifier_call = hvx_reboot,
};

/* Suspend runs on the boot CPU alone, the others already offline. */
static int hvx_suspend(void)
{
	hvx_ops->hardware_disable();
	return 0;
}

static void hvx_resume(void)
{
	if (!hvx_disabled && hvx_ops->hardware_enable())
		pr_err(HVX_NAME ": cannot re-enable %s after resume\n",
		       hvx_ops->name);
}

static struct syscore_ops hvx_syscore_ops = {
	.suspend = hvx_suspend,
	.resume = hvx_resume,
};

static long hvx_dev_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CREATE_VM:
		return hvx_vm_create(arg);
	case KVM_CHECK_EXTENSION:
		return hvx_vm_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : HVX_VCPU_MMAP_PAGES * PAGE_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		return hvx_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return hvx_get_msr_index_list((void __user *)arg);
	default:
		/* KVM answers an unknown system ioctl with -EINVAL. */
		return -EINVAL;
	}
}

static const struct file_operations hvx_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hvx_dev_ioctl,
	.compat_ioctl = hvx_dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hvx_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HVX_NAME,
	.fops = &hvx_dev_fops,
};

static const struct hvx_backend_ops *hvx_probe_backend(void)
{
	const struct hvx_backend_ops *ops = ERR_PTR(-ENODEV);

	if (IS_ENABLED(CONFIG_HVX_INTEL))
		ops = hvx_vmx_probe();
	if (IS_ENABLED(CONFIG_HVX_AMD) && PTR_ERR(ops) == -ENODEV)
		ops = hvx_svm_probe();
	if (PTR_ERR(ops) == -ENODEV)
		pr_err(HVX_NAME ": no usable VT-x or AMD-V on this CPU\n");
	return ops;
}

static int __init hvx_init(void)
{
	char features[128];
	int r;

	hvx_ops = hvx_probe_backend();
	if (IS_ERR(hvx_ops))
		return PTR_ERR(hvx_ops);

	r = hvx_ops->hardware_setup();
	if (r)
		return r;
	/* vCPUs follow their thread across CPUs with preempt notifiers. */
	preempt_notifier_inc();

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, HVX_NAME ":online",
			      hvx_cpu_online, hvx_cpu_offline);
	if (r < 0)
		goto err_unsetup;
	hvx_cpuhp_state = r;

	register_reboot_notifier(&hvx_reboot_nb);
	register_syscore_ops(&hvx_syscore_ops);

	r = hvx_netlink_init();
	if (r) {
		pr_err(HVX_NAME ": cannot register the generic netlink family: %d\n",
		       r);
		goto err_cpuhp;
	}

	r = misc_register(&hvx_dev);
	if (r) {
		pr_err(HVX_NAME ": cannot register /dev/" HVX_NAME ": %d\n", r);
		goto err_netlink;
	}

	hvx_ops->describe(features, sizeof(features));
	pr_info(HVX_NAME ": %s backend enabled on %u CPUs: %s\n",
		hvx_ops->name, num_online_cpus(), features);
	return 0;

err_netlink:
	hvx_netlink_exit();
err_cpuhp:
	unregister_syscore_ops(&hvx_syscore_ops);
	unregister_reboot_notifier(&hvx_reboot_nb);
	cpuhp_remove_state(hvx_cpuhp_state);
err_unsetup:
	preempt_notifier_dec();
	hvx_ops->hardware_unsetup();
	return r;
}

static void __exit hvx_exit(void)
{
	misc_deregister(&hvx_dev);
	hvx_netlink_exit();
	unregister_syscore_ops(&hvx_syscore_ops);
	unregister_reboot_notifier(&hvx_reboot_nb);
	cpuhp_remove_state(hvx_cpuhp_state);
	preempt_notifier_dec();
	hvx_ops->hardware_unsetup();
	pr_info(HVX_NAME ": unloaded, %s disabled on every CPU\n",
		hvx_ops->name);
}

module_init(hvx_init);
module_exit(hvx_exit);

MODULE_DESCRIPTION("hvx: a KVM-compatible hypervisor for VT-x and AMD-V");
MODULE_LICENSE("GPL");
