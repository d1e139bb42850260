// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx AMD SVM backend: EFER.SVME and the host save area on every CPU.
 *
 * Lifetime: hardware_setup() reads CPUID 0x8000000A once and allocates a
 * host save area for every possible CPU; hardware_enable()/disable() run on
 * one CPU each and restore EFER and VM_HSAVE_PA to what they found.
 */
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "../hvx.h"

/* CPUID 0x80000001:ECX.SVM (APM Vol. 2, 15.4) */
#define CPUID_80000001_ECX_SVM	BIT(2)
/* VM_CR.SVMDIS: firmware has disabled SVM (APM Vol. 2, 15.30.1) */
#define VM_CR_SVMDIS		BIT(4)

/* CPUID 0x8000000A:EDX, the optional SVM features (APM Vol. 3, E.4.9) */
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_FLUSHBYASID	BIT(6)
#define SVM_FEAT_DECODEASSISTS	BIT(7)

/**
 * struct svm_host_cpu - one CPU's SVM state
 * @hsave:	   the host save area VMRUN uses; allocated in hardware_setup
 *		   for every possible CPU.
 * @saved_hsave_pa: VM_HSAVE_PA as hardware_enable found it.
 * @on:		   EFER.SVME is set because of hvx.  Only touched on the CPU
 *		   itself with preemption disabled.
 */
struct svm_host_cpu {
	struct page *hsave;
	u64 saved_hsave_pa;
	bool on;
};

static DEFINE_PER_CPU(struct svm_host_cpu, svm_host_cpu);

/* Read once at probe; constant afterwards. */
static struct svm_caps {
	u32 features;		/* CPUID 0x8000000A:EDX */
	u32 nr_asids;		/* CPUID 0x8000000A:EBX */
} svm_caps;

static int svm_hardware_enable(void)
{
	struct svm_host_cpu *hc = this_cpu_ptr(&svm_host_cpu);
	u64 efer, vm_cr;

	if (hc->on)
		return 0;
	rdmsrl(MSR_EFER, efer);
	/* EFER.SVME set by someone else: another hypervisor owns this CPU. */
	if (efer & EFER_SVME)
		return -EBUSY;
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & VM_CR_SVMDIS))
		return -ENODEV;

	rdmsrl(MSR_VM_HSAVE_PA, hc->saved_hsave_pa);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(hc->hsave));
	hc->on = true;
	return 0;
}

static void svm_hardware_disable(void)
{
	struct svm_host_cpu *hc = this_cpu_ptr(&svm_host_cpu);
	u64 efer;

	if (!hc->on)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, hc->saved_hsave_pa);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~(u64)EFER_SVME);
	hc->on = false;
}

static void svm_free_areas(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_host_cpu *hc = per_cpu_ptr(&svm_host_cpu, cpu);

		if (hc->hsave)
			__free_page(hc->hsave);
		hc->hsave = NULL;
	}
}

static int svm_hardware_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_host_cpu *hc = per_cpu_ptr(&svm_host_cpu, cpu);

		hc->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		if (!hc->hsave) {
			svm_free_areas();
			return -ENOMEM;
		}
	}
	return 0;
}

static void svm_hardware_unsetup(void)
{
	svm_free_areas();
}

static void svm_describe(char *buf, size_t len)
{
	snprintf(buf, len, "%u ASIDs%s%s%s%s", svm_caps.nr_asids,
		 svm_caps.features & SVM_FEAT_NPT ? ", NPT" : "",
		 svm_caps.features & SVM_FEAT_NRIPS ? ", NRIP save" : "",
		 svm_caps.features & SVM_FEAT_FLUSHBYASID ?
			", flush by ASID" : "",
		 svm_caps.features & SVM_FEAT_DECODEASSISTS ?
			", decode assists" : "");
}

static const struct hvx_backend_ops svm_ops = {
	.name = "svm",
	.hardware_setup = svm_hardware_setup,
	.hardware_unsetup = svm_hardware_unsetup,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.describe = svm_describe,
};

/**
 * hvx_svm_probe() - is SVM present and usable on this host?
 *
 * Return: the SVM backend ops, ERR_PTR(-ENODEV) when SVM is absent or
 * disabled by firmware, ERR_PTR(-EBUSY) when another hypervisor has set
 * EFER.SVME on this CPU.
 */
const struct hvx_backend_ops *hvx_svm_probe(void)
{
	u64 vm_cr = 0, efer;

	if (cpuid_eax(0x80000000) < 0x8000000a ||
	    !(cpuid_ecx(0x80000001) & CPUID_80000001_ECX_SVM))
		return ERR_PTR(-ENODEV);

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & VM_CR_SVMDIS)) {
		pr_err(HVX_NAME ": SVM is disabled by firmware (VM_CR %#llx)\n",
		       vm_cr);
		return ERR_PTR(-ENODEV);
	}
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err(HVX_NAME ": SVM is in use by another hypervisor (EFER.SVME is set)\n");
		return ERR_PTR(-EBUSY);
	}
	svm_caps.features = cpuid_edx(0x8000000a);
	svm_caps.nr_asids = cpuid_ebx(0x8000000a);
	return &svm_ops;
}
