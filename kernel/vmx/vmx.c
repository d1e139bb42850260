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

#include <linux/idr.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>

#include "capmsr.h"
#include "ept.h"
#include "vmx.h"
#include "nested.h"
#include "../x86/x86.h"

/* CPUID.1:ECX.VMX (SDM Vol. 3C 23.6) */
#define CPUID_1_ECX_VMX		BIT(5)

/**
 * struct vmx_host_cpu - one CPU's VMX root state
 * @vmxon_region: the VMXON region; allocated in hardware_setup for every
 *		  possible CPU, freed in hardware_unsetup.
 * @on:		  this CPU is in VMX root operation because of hvx.  Only
 *		  touched on the CPU itself with preemption disabled.
 * @current_vmcs: the VMCS this CPU last loaded with VMPTRLD, or NULL.
 * @loaded:	  the VMCSs active on this CPU (struct vmx_vmcs, launched
 *		  or loaded since their last VMCLEAR); they must be cleared
 *		  before this CPU leaves VMX operation.  Changed only on this
 *		  CPU with interrupts off.
 */
struct vmx_host_cpu {
	struct page *vmxon_region;
	bool on;
	struct page *current_vmcs;
	struct list_head loaded;
};

static DEFINE_PER_CPU(struct vmx_host_cpu, vmx_host_cpu);

/* Read once at setup; constant afterwards. */
static struct vmx_caps {
	struct vmx_basic_info basic;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	u64 procbased2;		/* IA32_VMX_PROCBASED_CTLS2, 0 if absent */
	u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP, 0 if absent */
	u64 pin, proc, exit, entry;	/* the (TRUE_) control MSRs */
	u64 misc;		/* IA32_VMX_MISC */
} vmx_caps;

struct vmx_config vmx_conf __read_mostly;

static DEFINE_IDA(vmx_vpids);

/* EPT/VPID capabilities (SDM A.10) */
#define EPT_CAP_WB		BIT_ULL(14)
#define EPT_CAP_AD		BIT_ULL(21)
#define EPT_CAP_INVEPT		BIT_ULL(20)
#define EPT_CAP_INVEPT_SINGLE	BIT_ULL(25)
#define EPT_CAP_INVEPT_ALL	BIT_ULL(26)
#define EPT_CAP_PWL4		BIT_ULL(6)
#define EPT_CAP_2M		BIT_ULL(16)
#define VPID_CAP_INVVPID	BIT_ULL(32)
#define VPID_CAP_INVVPID_SINGLE	BIT_ULL(41)
#define VPID_CAP_INVVPID_ALL	BIT_ULL(42)

/* INVEPT types (SDM Vol. 3C 30.3, INVEPT) */
#define INVEPT_SINGLE_CONTEXT	1
#define INVEPT_ALL_CONTEXT	2
/* INVVPID types (SDM Vol. 3C 31.3, INVVPID) */
#define INVVPID_SINGLE_CONTEXT	1
#define INVVPID_ALL_CONTEXT	2

/* A guest slice lasts at most this many TSC cycles: see vmx_run(). */
#define VMX_SLICE_TSC_CYCLES	(1ULL << 24)

/* For nested.c: the capability MSRs it derives L1's offer from. */
u64 vmx_caps_procbased2(void)
{
	return vmx_caps.procbased2;
}

u64 vmx_caps_misc(void)
{
	return vmx_caps.misc;
}

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

static void vmx_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, %l[failed])
		 : : [pa] "m"(pa) : "cc", "memory" : failed);
	return;
failed:
	pr_err_ratelimited(HVX_NAME ": VMCLEAR %#llx failed\n", pa);
}

static void vmx_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jbe %l[failed]\n\t"
		 _ASM_EXTABLE(1b, %l[failed])
		 : : [pa] "m"(pa) : "cc", "memory" : failed);
	return;
failed:
	pr_err_ratelimited(HVX_NAME ": VMPTRLD %#llx failed\n", pa);
}

/*
 * Make @vmcs inactive on this CPU, which must be the one it is active on.
 * Interrupts off.  Once vmcs->cpu reads -1 (written last, after a
 * barrier), any CPU may load it.
 */
static void vmx_clear_local(struct vmx_vmcs *vmcs)
{
	struct vmx_host_cpu *hc = this_cpu_ptr(&vmx_host_cpu);

	vmx_vmclear(vmcs->pa);
	if (hc->current_vmcs == vmcs->page)
		hc->current_vmcs = NULL;
	list_del(&vmcs->link);
	vmcs->launched = false;
	smp_wmb();
	WRITE_ONCE(vmcs->cpu, -1);
}

static void vmx_clear_remote(void *arg)
{
	struct vmx_vmcs *vmcs = arg;

	/* The CPU may have cleared it already, going offline. */
	if (READ_ONCE(vmcs->cpu) == raw_smp_processor_id())
		vmx_clear_local(vmcs);
}

/**
 * vmx_clear_vmcs() - make a VMCS inactive wherever it is active
 * @vmcs: the VMCS; may be active on another CPU (an IPI clears it there)
 */
void vmx_clear_vmcs(struct vmx_vmcs *vmcs)
{
	int cpu = READ_ONCE(vmcs->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_remote, vmcs, 1);
}

static void vmx_hardware_disable(void)
{
	struct vmx_host_cpu *hc = this_cpu_ptr(&vmx_host_cpu);
	struct vmx_vmcs *vmcs, *tmp;
	unsigned long flags;

	if (!hc->on)
		return;
	/* SDM 24.11.1: clear every active VMCS before VMXOFF. */
	local_irq_save(flags);
	list_for_each_entry_safe(vmcs, tmp, &hc->loaded, link)
		vmx_clear_local(vmcs);
	local_irq_restore(flags);

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
	nested_vmx_hardware_setup();

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
		INIT_LIST_HEAD(&hc->loaded);
	}
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	nested_vmx_hardware_unsetup();
	vmx_free_regions();
}

static void vmx_describe(char *buf, size_t len)
{
	snprintf(buf, len, "VMCS revision %#x%s%s%s%s",
		 vmx_caps.basic.revision,
		 vmx_may_use(SEC_ENABLE_EPT) ? ", EPT" : "",
		 vmx_may_use(SEC_ENABLE_VPID) ? ", VPID" : "",
		 vmx_may_use(SEC_UNRESTRICTED_GUEST) ?
			", unrestricted guest" : "",
		 vmx_may_use(SEC_SHADOW_VMCS) ? ", shadow VMCS" : "");
}

/*
 * Choose the controls once.  hvx requires EPT and unrestricted guest (no
 * real-mode emulation), virtual NMIs (for NMI windows) and the EFER/PAT
 * load/save controls; VPID and the preemption timer are used when present.
 */
static int vmx_choose_config(void)
{
	u32 want_cpu2 = SEC_ENABLE_EPT | SEC_UNRESTRICTED_GUEST;
	u32 opt_cpu2 = SEC_ENABLE_VPID;
	u64 ept = vmx_caps.ept_vpid;
	u32 windows = CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING;

	if (vmx_adjust_controls(PIN_EXT_INTR_EXITING | PIN_NMI_EXITING |
				PIN_VIRTUAL_NMIS, PIN_PREEMPTION_TIMER,
				vmx_caps.pin, &vmx_conf.pin) ||
	    vmx_adjust_controls(CPU_HLT_EXITING | CPU_CR8_LOAD_EXITING |
				CPU_CR8_STORE_EXITING | CPU_MOV_DR_EXITING |
				CPU_UNCOND_IO_EXITING | CPU_RDPMC_EXITING |
				CPU_MWAIT_EXITING | CPU_MONITOR_EXITING |
				CPU_USE_TSC_OFFSETTING |
				CPU_ACTIVATE_SECONDARY, 0,
				vmx_caps.proc, &vmx_conf.cpu) ||
	    !(vmx_ctl_may_be_one(vmx_caps.proc) & windows) ||
	    vmx_adjust_controls(want_cpu2, opt_cpu2, vmx_caps.procbased2,
				&vmx_conf.cpu2) ||
	    vmx_adjust_controls(EXIT_HOST_ADDR_SPACE_SIZE |
				EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
				EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER, 0,
				vmx_caps.exit, &vmx_conf.exit) ||
	    vmx_adjust_controls(ENTRY_LOAD_DEBUG_CONTROLS |
				ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER, 0,
				vmx_caps.entry, &vmx_conf.entry)) {
		pr_err(HVX_NAME ": this CPU lacks VMX controls hvx needs (EPT, unrestricted guest, virtual NMIs, EFER/PAT switching)\n");
		return -EIO;
	}
	/* The "IA-32e mode guest" bit follows the guest's EFER.LMA. */
	vmx_conf.entry &= ~ENTRY_IA32E_MODE;
	/* Interrupts stay pending in the APIC and are taken on irq enable. */
	vmx_conf.exit &= ~EXIT_ACK_INTR_ON_EXIT;

	if (!(ept & EPT_CAP_PWL4) || !(ept & EPT_CAP_WB) ||
	    !(ept & EPT_CAP_INVEPT) ||
	    !(ept & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		pr_err(HVX_NAME ": EPT lacks 4-level tables, WB or INVEPT\n");
		return -EIO;
	}
	vmx_conf.ept_ad = !!(ept & EPT_CAP_AD);
	vmx_conf.vpid = !!(vmx_conf.cpu2 & SEC_ENABLE_VPID);
	vmx_conf.preemption_timer = !!(vmx_conf.pin & PIN_PREEMPTION_TIMER);
	vmx_conf.timer_shift = vmx_caps.misc & MSR_IA32_VMX_MISC_PREEMPTION_TIMER_SCALE;

	/*
	 * CR0 bits the guest owns: every bit but those VMX fixes (NE; PE
	 * and PG are free with unrestricted guest), PG itself (paging mode
	 * changes reload PDPTEs and EFER.LMA), and CD/NW, which hvx keeps
	 * clear in hardware so guest memory stays write-back.
	 */
	vmx_conf.cr0_guest_owned = X86_CR0_MP | X86_CR0_EM | X86_CR0_TS |
				   X86_CR0_ET | X86_CR0_WP | X86_CR0_AM |
				   X86_CR0_PE;
	/* CR4 bits the guest owns; PAE, VMXE and unsupported bits exit. */
	vmx_conf.cr4_guest_owned = hvx_cr4_allowed() & ~(u64)X86_CR4_PAE &
				   vmx_caps.cr4_fixed1;
	vmx_conf.cr0_fixed0 = vmx_caps.cr0_fixed0 &
			      ~(u64)(X86_CR0_PE | X86_CR0_PG);
	vmx_conf.cr4_fixed0 = vmx_caps.cr4_fixed0;
	return 0;
}

void vmx_vmcs_error(unsigned long field, bool write)
{
	pr_err_ratelimited(HVX_NAME ": %s of VMCS field %#lx failed\n",
			   write ? "VMWRITE" : "VMREAD", field);
}

static void vmx_invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };

	asm volatile("1: invept %[desc], %[type]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [desc] "m"(desc), [type] "r"(type) : "cc", "memory");
}

/**
 * vmx_flush_eptp() - flush this CPU's translations derived from one EPTP
 * @eptp: the EPT pointer (guest-physical and combined mappings, every VPID)
 */
void vmx_flush_eptp(u64 eptp)
{
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE)
		vmx_invept(INVEPT_SINGLE_CONTEXT, eptp);
	else
		vmx_invept(INVEPT_ALL_CONTEXT, 0);
}

/**
 * vmx_flush_vpid() - flush this CPU's linear and combined mappings of a VPID
 * @vpid: the VPID (not 0)
 *
 * Falls back to all VPIDs, then to every EPT context, as the CPU allows.
 */
void vmx_flush_vpid(u16 vpid)
{
	struct {
		u64 vpid, gla;
	} desc = { vpid, 0 };
	u64 type;

	if (vmx_caps.ept_vpid & VPID_CAP_INVVPID_SINGLE)
		type = INVVPID_SINGLE_CONTEXT;
	else if (vmx_caps.ept_vpid & VPID_CAP_INVVPID_ALL)
		type = INVVPID_ALL_CONTEXT;
	else
		return vmx_invept(INVEPT_ALL_CONTEXT, 0);
	asm volatile("1: invvpid %[desc], %[type]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [desc] "m"(desc), [type] "r"(type) : "cc", "memory");
}

/* For nested.c: what the CPU offers of EPT and VPID. */
u64 vmx_caps_ept_vpid(void)
{
	return vmx_caps.ept_vpid;
}

static u64 vmx_eptp(struct hvx_vm *vm)
{
	return ept_make_eptp(vm->tdp.root_pa, vmx_conf.ept_ad);
}

/*
 * Flush this CPU's translations for the vCPU's VM: guest-physical and
 * combined (VPID-tagged linear) mappings of its EPTP alike (SDM 29.4.3.1).
 */
static void vmx_flush_tlb(struct hvx_vcpu *vcpu)
{
	vmx_flush_eptp(vmx_eptp(vcpu->vm));
	/* L2's tables when L1 runs it behind its own EPT. */
	nested_vmx_flush(to_vmx(vcpu));
}

/* Host state that depends on the CPU: written when the vCPU moves. */
static void vmx_set_host_cpu_state(int cpu)
{
	struct desc_ptr gdt;
	u64 msr;

	native_store_gdt(&gdt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	rdmsrl(MSR_IA32_SYSENTER_ESP, msr);
	vmcs_write(HOST_IA32_SYSENTER_ESP, msr);
	rdmsrl(MSR_GS_BASE, msr);
	vmcs_write(HOST_GS_BASE, msr);
}

static void vmx_vcpu_load(struct hvx_vcpu *vcpu, int cpu)
{
	struct vmx_host_cpu *hc = per_cpu_ptr(&vmx_host_cpu, cpu);
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_vmcs *vmcs = vmx->cur;
	bool moved = READ_ONCE(vmcs->cpu) != cpu;
	u64 msr;

	if (vcpu->cpu != cpu) {
		WRITE_ONCE(vcpu->cpu, cpu);
		vmx->need_flush = true;
	}
	if (moved) {
		vmx_clear_vmcs(vmcs);
		/* Pairs with the smp_wmb() in vmx_clear_local(). */
		smp_rmb();
		local_irq_disable();
		list_add(&vmcs->link, &hc->loaded);
		local_irq_enable();
		WRITE_ONCE(vmcs->cpu, cpu);
	}
	if (hc->current_vmcs != vmcs->page) {
		vmx_vmptrld(vmcs->pa);
		hc->current_vmcs = vmcs->page;
	}
	if (moved)
		vmx_set_host_cpu_state(cpu);

	/* Host state that belongs to the thread. */
	rdmsrl(MSR_FS_BASE, msr);
	vmcs_write(HOST_FS_BASE, msr);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->msr_host[VMX_MSR_KERNEL_GS_BASE].value);
	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
}

/**
 * vmx_switch_vmcs() - make @vmcs the vCPU's current VMCS on this CPU
 * @vmx:  the vCPU, loaded, preemption disabled
 * @vmcs: vmcs01 or (nested VMX) vmcs02
 */
void vmx_switch_vmcs(struct vmx_vcpu *vmx, struct vmx_vmcs *vmcs)
{
	vmx->cur = vmcs;
	vmx_vcpu_load(&vmx->vcpu, smp_processor_id());
}

/*
 * A VM exit loads the host's DS/ES with null selectors, the GDT limit with
 * 0xffff and the TR limit with 0x67 (SDM 28.5.2): put back what the kernel
 * expects before anything else runs in this thread's place.
 */
static void vmx_vcpu_put(struct hvx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	loadsegment(ds, vmx->host_ds);
	loadsegment(es, vmx->host_es);
	invalidate_tss_limit();
	load_fixmap_gdt(raw_smp_processor_id());
}

/**
 * vmx_set_host_state() - the host-state fields every VMCS of hvx shares
 * @vmcs: the current VMCS (SDM 26.2.2, 26.2.3)
 */
void vmx_set_host_state(struct vmx_vmcs *vmcs)
{
	struct desc_ptr idt;
	u64 msr;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs->host_cr3 = __read_cr3();
	vmcs_write(HOST_CR3, vmcs->host_cr3);
	vmcs->host_cr4 = cr4_read_shadow();
	vmcs_write(HOST_CR4, vmcs->host_cr4);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_RIP, (unsigned long)hvx_vmx_exit);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrl(MSR_IA32_CR_PAT, msr);
	vmcs_write(HOST_IA32_PAT, msr);
	rdmsrl(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
	vmx_set_host_cpu_state(vmcs->cpu);
}

static void vmx_vmcs_setup(struct vmx_vcpu *vmx)
{
	struct vmx_vmcs *vmcs = vmx->cur;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_conf.pin);
	vmcs->cpu_based = vmx_conf.cpu;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmcs->cpu_based);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_conf.cpu2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_conf.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_conf.entry);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(EPT_POINTER, vmx_eptp(vmx->vcpu.vm));
	if (vmx_conf.vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(TSC_OFFSET, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);

	vmcs_write(CR0_GUEST_HOST_MASK, ~vmx_conf.cr0_guest_owned);
	vmcs_write(CR4_GUEST_HOST_MASK, ~vmx_conf.cr4_guest_owned);

	/*
	 * The switched MSRs: the exit stores the guest's values where the
	 * next entry loads them from, and loads the host's.  Switching
	 * starts when the guest first writes one of them (counts 0 until).
	 */
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(vmx->msr_guest));
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(vmx->msr_guest));
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(vmx->msr_host));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);

	vmx_set_host_state(vmcs);
	nested_vmx_vmcs01_setup(vmx);

	vmx_reset_guest_state(vmx);
}

static const u32 vmx_switched_msr_index[VMX_NR_SWITCHED_MSRS] = {
	[VMX_MSR_STAR] = MSR_STAR,
	[VMX_MSR_LSTAR] = MSR_LSTAR,
	[VMX_MSR_CSTAR] = MSR_CSTAR,
	[VMX_MSR_SFMASK] = MSR_SYSCALL_MASK,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

/**
 * vmx_alloc_vmcs() - a new VMCS, cleared (SDM 24.11.3), active nowhere
 * @vmcs: filled in
 *
 * Return: 0 or -ENOMEM.
 */
int vmx_alloc_vmcs(struct vmx_vmcs *vmcs)
{
	memset(vmcs, 0, sizeof(*vmcs));
	vmcs->cpu = -1;
	INIT_LIST_HEAD(&vmcs->link);
	vmcs->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vmcs->page)
		return -ENOMEM;
	vmcs->pa = page_to_phys(vmcs->page);
	*(u32 *)page_address(vmcs->page) = vmx_caps.basic.revision;
	vmx_vmclear(vmcs->pa);
	return 0;
}

/**
 * vmx_free_vmcs() - clear a VMCS wherever it is active, and free it
 * @vmcs: from vmx_alloc_vmcs(), or zeroed
 */
void vmx_free_vmcs(struct vmx_vmcs *vmcs)
{
	if (!vmcs->page)
		return;
	vmx_clear_vmcs(vmcs);
	__free_page(vmcs->page);
	vmcs->page = NULL;
}

static int vmx_vcpu_init(struct hvx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct page *msr_page;
	int i, cpu, r;

	r = vmx_alloc_vmcs(&vmx->vmcs01);
	msr_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (r || !msr_page) {
		r = -ENOMEM;
		goto err;
	}
	vmx->cur = &vmx->vmcs01;
	vmx->msr_guest = page_address(msr_page);
	vmx->msr_host = vmx->msr_guest + VMX_NR_SWITCHED_MSRS;
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++) {
		vmx->msr_guest[i].index = vmx_switched_msr_index[i];
		vmx->msr_host[i].index = vmx_switched_msr_index[i];
		if (i != VMX_MSR_KERNEL_GS_BASE)
			rdmsrl(vmx_switched_msr_index[i],
			       vmx->msr_host[i].value);
	}

	if (vmx_conf.vpid) {
		r = vmx_alloc_vpid();
		if (r < 0)
			goto err;
		vmx->vpid = r;
	}
	r = nested_vmx_vcpu_init(vmx);
	if (r)
		goto err_vpid;

	cpu = get_cpu();
	vmx_vcpu_load(vcpu, cpu);
	vmx_vmcs_setup(vmx);
	vmx_vcpu_put(vcpu);
	put_cpu();
	return 0;
err_vpid:
	if (vmx->vpid)
		vmx_free_vpid(vmx->vpid);
err:
	if (msr_page)
		__free_page(msr_page);
	vmx_free_vmcs(&vmx->vmcs01);
	return r;
}

static void vmx_vcpu_free(struct hvx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	nested_vmx_vcpu_free(vmx);
	if (vmx->vpid)
		vmx_free_vpid(vmx->vpid);
	free_page((unsigned long)vmx->msr_guest);
	vmx_free_vmcs(&vmx->vmcs01);
}

/* VPIDs: one per vCPU, and one per vCPU's L2 with nested VMX. */
int vmx_alloc_vpid(void)
{
	return ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);
}

void vmx_free_vpid(u16 vpid)
{
	ida_free(&vmx_vpids, vpid);
}

static int vmx_vm_init(struct hvx_vm *vm)
{
	return 0;
}

static void vmx_vm_destroy(struct hvx_vm *vm)
{
}

/* Turn on MSR switching once the guest uses a switched MSR. */
void vmx_enable_msr_switch(struct vmx_vcpu *vmx)
{
	if (vmx->msr_switch)
		return;
	vmx->msr_switch = true;
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);
}

int vmx_switched_msr(u32 index)
{
	int i;

	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		if (vmx_switched_msr_index[i] == index)
			return i;
	return -1;
}

/*
 * Host state the kernel may change under a running thread: CR3 (a new mm
 * is never switched in, but PCID bits may change) and CR4 (toggled bits
 * such as PCE and TSD).  Cheap to compare before each entry.
 */
static void vmx_refresh_host_state(struct vmx_vmcs *vmcs)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (unlikely(cr3 != vmcs->host_cr3)) {
		vmcs->host_cr3 = cr3;
		vmcs_write(HOST_CR3, cr3);
	}
	if (unlikely(cr4 != vmcs->host_cr4)) {
		vmcs->host_cr4 = cr4;
		vmcs_write(HOST_CR4, cr4);
	}
}

/* An NMI exit: run the host's NMI handler, still with interrupts off. */
static void vmx_handle_nmi(void)
{
	asm volatile("int $2" ::: "memory");
}

static int vmx_run(struct hvx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct hvx_host_state host;
	int fail;

	/* EPT02 is emptied where sleeping is allowed, if EPT01 changed. */
	if (vmx->nested_guest_mode)
		nested_vmx_before_entry(vmx);
	if (!hvx_enter_begin(vcpu))
		return 1;

	if (vmx->need_flush) {
		vmx_flush_tlb(vcpu);
		vmx->need_flush = false;
		vcpu->tlb_gen = atomic64_read(&vcpu->vm->tlb_gen);
	}
	hvx_vcpu_flush_if_stale(vcpu, vmx_flush_tlb);
	if (unlikely(vmx->nested_guest_mode && nested_vmx_entry_stale(vmx))) {
		/* EPT01 changed since: empty EPT02 first (it sleeps). */
		WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
		local_irq_enable();
		return 1;
	}
	vmx_refresh_host_state(vmx->cur);
	if (!vmx->nested_guest_mode && vmx->cur->tsc_offset != vcpu->tsc_offset) {
		vmx->cur->tsc_offset = vcpu->tsc_offset;
		vmcs_write(TSC_OFFSET, vcpu->tsc_offset);
	}
	/*
	 * Bochs (and any CPU) may hold off a host interrupt while the guest
	 * runs with RFLAGS.IF=0; the preemption timer bounds each slice so
	 * a signal or a kick is always seen within one.
	 */
	if (vmx_conf.preemption_timer)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE,
			   VMX_SLICE_TSC_CYCLES >> vmx_conf.timer_shift);
	vmcs_write(GUEST_RSP, vcpu->regs[HVX_RSP]);

	hvx_switch_to_guest(vcpu, &host);
	if (native_read_cr2() != vmx->vcpu.cr2)
		native_write_cr2(vmx->vcpu.cr2);

	fail = hvx_vmx_enter(vcpu->regs, vmx->cur->launched,
			     &vmx->cur->host_rsp);

	vmx->vcpu.cr2 = native_read_cr2();
	hvx_switch_to_host(&host);
	WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);

	if (unlikely(fail)) {
		u32 err = vmcs_read(VM_INSTRUCTION_ERROR);

		local_irq_enable();
		vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason = err;
		vcpu->run->fail_entry.cpu = vcpu->cpu;
		return 0;
	}
	vmx->cur->launched = true;
	vmx->exit_reason = vmcs_read(VM_EXIT_REASON);
	vmx->exit_intr_info = 0;
	if ((u16)vmx->exit_reason == EXIT_REASON_EXCEPTION_NMI) {
		vmx->exit_intr_info = vmcs_read(VM_EXIT_INTR_INFO);
		if ((vmx->exit_intr_info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK)) ==
		    (INTR_INFO_VALID | INTR_TYPE_NMI))
			vmx_handle_nmi();
	}
	local_irq_enable();

	vcpu->regs[HVX_RSP] = vmcs_read(GUEST_RSP);
	return vmx_handle_exit(vmx);
}

static int vmx_nested_gpa(struct hvx_vcpu *vcpu, u64 gpa, unsigned int access,
			  u64 *out)
{
	return nested_vmx_gpa(to_vmx(vcpu), gpa, access, out);
}

static int vmx_nested_events(struct hvx_vcpu *vcpu)
{
	return nested_vmx_events(to_vmx(vcpu));
}

static bool vmx_offers_vmx(void)
{
	return nested_vmx_allowed();
}

static bool vmx_tdp_2m(void)
{
	return vmx_caps.ept_vpid & EPT_CAP_2M;
}

static const struct hvx_backend_ops vmx_ops = {
	.name = "vmx",
	.hardware_setup = vmx_hardware_setup,
	.hardware_unsetup = vmx_hardware_unsetup,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.describe = vmx_describe,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_size = sizeof(struct vmx_vcpu),
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.run = vmx_run,
	.nested_gpa = vmx_nested_gpa,
	.nested_events = vmx_nested_events,
	.get_regs = vmx_get_regs,
	.set_regs = vmx_set_regs,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_rflags = vmx_get_rflags,
	.set_rflags = vmx_set_rflags,
	.get_cr = vmx_get_cr,
	.skip_insn = vmx_skip_insn,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_dr7 = vmx_get_dr7,
	.set_dr7 = vmx_set_dr7,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.inject = vmx_inject,
	.request_window = vmx_request_window,
	.get_interrupt_shadow = vmx_get_interrupt_shadow,
	.set_interrupt_shadow = vmx_set_interrupt_shadow,
	.get_nmi_mask = vmx_get_nmi_mask,
	.set_nmi_mask = vmx_set_nmi_mask,
	.tdp_format = &hvx_ept_format,
	.tdp_2m = vmx_tdp_2m,
	.offers_vmx = vmx_offers_vmx,
	.vcpu_pages = 2,	/* the VMCS, the MSR-load areas */
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

	/* SDM A.2: the TRUE_ MSRs, where present, allow clearing default1s. */
	if (vmx_caps.basic.true_ctls) {
		if (rdmsrl_safe(MSR_IA32_VMX_TRUE_PINBASED_CTLS, &vmx_caps.pin) ||
		    rdmsrl_safe(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, &vmx_caps.proc) ||
		    rdmsrl_safe(MSR_IA32_VMX_TRUE_EXIT_CTLS, &vmx_caps.exit) ||
		    rdmsrl_safe(MSR_IA32_VMX_TRUE_ENTRY_CTLS, &vmx_caps.entry))
			return -EIO;
	} else {
		vmx_caps.proc = procbased;
		if (rdmsrl_safe(MSR_IA32_VMX_PINBASED_CTLS, &vmx_caps.pin) ||
		    rdmsrl_safe(MSR_IA32_VMX_EXIT_CTLS, &vmx_caps.exit) ||
		    rdmsrl_safe(MSR_IA32_VMX_ENTRY_CTLS, &vmx_caps.entry))
			return -EIO;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_MISC, &vmx_caps.misc))
		return -EIO;

	vmx_caps.procbased2 = 0;
	vmx_caps.ept_vpid = 0;
	if (vmx_ctl_may_be_one(procbased) & CPU_ACTIVATE_SECONDARY &&
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &vmx_caps.procbased2))
		return -EIO;
	if (vmx_may_use(SEC_ENABLE_EPT | SEC_ENABLE_VPID) &&
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
	if (vmx_choose_config())
		return ERR_PTR(-EIO);
	return &vmx_ops;
}
