// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx Intel VMX backend: VMX root operation on every CPU.
 *
 * Lifetime: hardware_setup() reads the capability MSRs once and allocates a
 * VMXON region for every possible CPU; hardware_enable()/hardware_disable()
 * run on one CPU each (cpuhp callbacks, reboot, suspend) and must leave that
 * CPU's CR4 and VMX state exactly as they found them.
 */
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "../hvx.h"
#include "capmsr.h"

/* CPUID.1:ECX.VMX (SDM Vol. 3C 23.6) */
#define CPUID_1_ECX_VMX		BIT(5)

/**
 * struct vmx_host_cpu - one CPU's VMX root state
 * @vmxon_region: the VMXON region; allocated in hardware_setup for every
 *		  possible CPU, freed in hardware_unsetup.
 * @on:		  this CPU is in VMX root operation because of hvx.  Only
 *		  touched on the CPU itself with preemption disabled.
 */
struct vmx_host_cpu {
	struct page *vmxon_region;
	bool on;
};

static DEFINE_PER_CPU(struct vmx_host_cpu, vmx_host_cpu);

/* Read once at setup; constant afterwards. */
static struct vmx_caps {
	struct vmx_basic_info basic;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2, 0 if absent */
	u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP, 0 if absent */
} vmx_caps;

/* IA32_VMX_PROCBASED_CTLS bit 31: the secondary controls exist */
#define CPU_BASED_SECONDARY		BIT(31)
/* Secondary processor-based controls (SDM Vol. 3C 25.6.2, table 25-7) */
#define SECONDARY_EPT			BIT(1)
#define SECONDARY_VPID			BIT(5)
#define SECONDARY_UNRESTRICTED		BIT(7)
#define SECONDARY_SHADOW_VMCS		BIT(14)

static bool vmx_may_use(u32 secondary_bit)
{
	return vmx_ctl_may_be_one(vmx_caps.procbased2) & secondary_bit;
}

/*
 * VMXON and VMXOFF fault (#UD, #GP) rather than fail when the CPU is in the
 * wrong state; the exception table turns a fault into an error return so a
 * confused state never oopses the host.
 */
static int vmx_vmxon(u64 region_pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, %l[faulted])
		 : : [pa] "m"(region_pa) : "cc", "memory" : failed, faulted);
	return 0;
failed:
	return -EIO;
faulted:
	return -EFAULT;
}

static int vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[faulted])
		 : : : "cc", "memory" : faulted);
	return 0;
faulted:
	return -EIO;
}

static int vmx_hardware_enable(void)
{
	struct vmx_host_cpu *hc = this_cpu_ptr(&vmx_host_cpu);
	unsigned long cr4 = cr4_read_shadow();
	u64 feat = 0;
	int r;

	if (hc->on)
		return 0;
	/* CR4.VMXE set by someone else: another hypervisor owns this CPU. */
	if (cr4 & X86_CR4_VMXE)
		return -EBUSY;

	/* Firmware may lock VMX off on one CPU and not another. */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -ENODEV;

	/* SDM 24.8: VMXON needs CR0 and CR4 to obey the fixed bits. */
	if (!vmx_cr_fixed_ok(read_cr0(), vmx_caps.cr0_fixed0,
			     vmx_caps.cr0_fixed1) ||
	    !vmx_cr_fixed_ok(cr4 | X86_CR4_VMXE, vmx_caps.cr4_fixed0,
			     vmx_caps.cr4_fixed1))
		return -EIO;

	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(hc->vmxon_region));
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		return r;
	}
	hc->on = true;
	return 0;
}

static void vmx_hardware_disable(void)
{
	struct vmx_host_cpu *hc = this_cpu_ptr(&vmx_host_cpu);

	if (!hc->on)
		return;
	if (vmx_vmxoff())
		pr_warn_ratelimited(HVX_NAME ": VMXOFF faulted on CPU %d\n",
				    smp_processor_id());
	cr4_clear_bits(X86_CR4_VMXE);
	hc->on = false;
}

static void vmx_free_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_host_cpu *hc = per_cpu_ptr(&vmx_host_cpu, cpu);

		if (hc->vmxon_region)
			__free_page(hc->vmxon_region);
		hc->vmxon_region = NULL;
	}
}

static int vmx_hardware_setup(void)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	int cpu;

	if (vmx_caps.basic.pa_32bit)
		gfp |= GFP_DMA32;

	for_each_possible_cpu(cpu) {
		struct vmx_host_cpu *hc = per_cpu_ptr(&vmx_host_cpu, cpu);
		struct page *pg = alloc_pages_node(cpu_to_node(cpu), gfp, 0);

		if (!pg) {
			vmx_free_regions();
			return -ENOMEM;
		}
		/* SDM 24.11.5: the region starts with the VMCS revision id. */
		*(u32 *)page_address(pg) = vmx_caps.basic.revision;
		hc->vmxon_region = pg;
	}
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	vmx_free_regions();
}

static void vmx_describe(char *buf, size_t len)
{
	snprintf(buf, len, "VMCS revision %#x%s%s%s%s",
		 vmx_caps.basic.revision,
		 vmx_may_use(SECONDARY_EPT) ? ", EPT" : "",
		 vmx_may_use(SECONDARY_VPID) ? ", VPID" : "",
		 vmx_may_use(SECONDARY_UNRESTRICTED) ?
			", unrestricted guest" : "",
		 vmx_may_use(SECONDARY_SHADOW_VMCS) ? ", shadow VMCS" : "");
}

static const struct hvx_backend_ops vmx_ops = {
	.name = "vmx",
	.hardware_setup = vmx_hardware_setup,
	.hardware_unsetup = vmx_hardware_unsetup,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.describe = vmx_describe,
};

static int vmx_read_caps(void)
{
	u64 basic, procbased;

	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &vmx_caps.cr0_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &vmx_caps.cr0_fixed1) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &vmx_caps.cr4_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &vmx_caps.cr4_fixed1) ||
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &procbased))
		return -EIO;
	vmx_basic_decode(basic, &vmx_caps.basic);

	vmx_caps.procbased2 = 0;
	vmx_caps.ept_vpid = 0;
	if (vmx_ctl_may_be_one(procbased) & CPU_BASED_SECONDARY &&
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &vmx_caps.procbased2))
		return -EIO;
	if (vmx_may_use(SECONDARY_EPT | SECONDARY_VPID) &&
	    rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &vmx_caps.ept_vpid))
		return -EIO;
	return 0;
}

/**
 * hvx_vmx_probe() - is VMX present and usable on this host?
 *
 * Return: the VMX backend ops, ERR_PTR(-ENODEV) when VMX is absent or locked
 * off by firmware, ERR_PTR(-EBUSY) when another hypervisor is in VMX
 * operation on this CPU, ERR_PTR(-EIO) when the capability MSRs describe a
 * CPU hvx cannot use.
 */
const struct hvx_backend_ops *hvx_vmx_probe(void)
{
	u64 feat = 0;

	if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX))
		return ERR_PTR(-ENODEV);

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err(HVX_NAME ": VMX is disabled by firmware (IA32_FEATURE_CONTROL %#llx)\n",
		       feat);
		return ERR_PTR(-ENODEV);
	}
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err(HVX_NAME ": VMX is in use by another hypervisor (CR4.VMXE is set)\n");
		return ERR_PTR(-EBUSY);
	}
	if (vmx_read_caps()) {
		pr_err(HVX_NAME ": cannot read the VMX capability MSRs\n");
		return ERR_PTR(-EIO);
	}
	if (vmx_caps.basic.memtype != VMXCAP_BASIC_MEMTYPE_WB ||
	    vmx_caps.basic.region_size > PAGE_SIZE) {
		pr_err(HVX_NAME ": unsupported VMCS memory type %u or size %u\n",
		       vmx_caps.basic.memtype, vmx_caps.basic.region_size);
		return ERR_PTR(-EIO);
	}
	return &vmx_ops;
}
