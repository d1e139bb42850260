// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested VMX: an L1 guest hypervisor runs its own L2 guests.
 *
 * hvx runs L2 directly ("flat"): L1's VMCS (vmcs12) lives in L1 memory
 * and, while current, in a kernel cache; VMLAUNCH/VMRESUME build vmcs02
 * from vmcs12 and hvx's own requirements and enter L2; each L2 exit comes
 * to hvx first and is either handled here (hvx's business: host
 * interrupts, NMIs, faults in hvx's map of L1) or reflected to L1 as an
 * emulated VM exit, per vmcs12's controls.
 *
 * Every emulated VMX instruction ends through one of three outcomes (SDM
 * Vol. 3C 31.2): nested_succeed(), nested_fail_valid(error) or
 * nested_fail_invalid(), or raises #UD/#GP as the SDM's pseudocode says.
 *
 * What L1 is offered is what is emulated here: EPT (nested_ept.c) and
 * VPID with INVEPT and INVVPID, the MSR-load and MSR-store lists; no
 * unrestricted guest, no VMCS shadowing, no preemption timer (see
 * Documentation/nested-vmx.rst).
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "nested.h"
#include "nested_ept.h"
#include "vmcs12.h"
#include "capmsr.h"
#include "../x86/x86.h"

static bool nested = true;
module_param(nested, bool, 0444);
MODULE_PARM_DESC(nested, "Offer VMX to guests that set CPUID.1:ECX.VMX (default on)");

static bool enable_shadow_vmcs = true;
module_param(enable_shadow_vmcs, bool, 0444);
MODULE_PARM_DESC(enable_shadow_vmcs, "Let L1's VMREAD/VMWRITE of the hot fields run without exits, where the CPU has VMCS shadowing (default on)");

/*
 * The fields an L1 hypervisor reads or writes on every L2 exit, shadowed
 * in a hardware shadow VMCS so those accesses do not exit (SDM 25.10).
 * Listed once, as data.  The read-only exit-information fields are
 * shadowed for reading only, and only where the CPU lets hvx write them
 * into the shadow VMCS (IA32_VMX_MISC bit 29).
 */
static const u16 shadow_ro_fields[] = {
	VM_EXIT_REASON, EXIT_QUALIFICATION, VM_EXIT_INTR_INFO,
	VM_EXIT_INTR_ERROR_CODE, VM_EXIT_INSTRUCTION_LEN,
	IDT_VECTORING_INFO_FIELD, IDT_VECTORING_ERROR_CODE,
	VMX_INSTRUCTION_INFO, GUEST_LINEAR_ADDRESS, VM_INSTRUCTION_ERROR,
};

static const u16 shadow_rw_fields[] = {
	GUEST_RIP, GUEST_RSP, GUEST_RFLAGS, GUEST_INTERRUPTIBILITY_INFO,
	VM_ENTRY_INTR_INFO_FIELD, VM_ENTRY_EXCEPTION_ERROR_CODE,
	VM_ENTRY_INSTRUCTION_LEN, CPU_BASED_VM_EXEC_CONTROL,
	EXCEPTION_BITMAP, GUEST_CR0, GUEST_CR3, GUEST_CR4,
	CR0_READ_SHADOW, CR4_READ_SHADOW, TSC_OFFSET,
};

/* The VMREAD/VMWRITE bitmaps: a clear bit lets the access run in L1. */
static unsigned long *shadow_vmread_bitmap, *shadow_vmwrite_bitmap;
static bool shadow_ro_ok;

static bool nested_shadowing(void)
{
	return shadow_vmread_bitmap != NULL;
}

#define VMCS12_NONE		(~0ULL)

/* The IA32_VMX_* capability MSRs L1 reads (0x480-0x491). */
enum {
	CAP_BASIC, CAP_PIN, CAP_PROC, CAP_EXIT, CAP_ENTRY, CAP_MISC,
	CAP_CR0_FIXED0, CAP_CR0_FIXED1, CAP_CR4_FIXED0, CAP_CR4_FIXED1,
	CAP_VMCS_ENUM, CAP_PROC2, CAP_EPT_VPID, CAP_TRUE_PIN, CAP_TRUE_PROC,
	CAP_TRUE_EXIT, CAP_TRUE_ENTRY, CAP_VMFUNC, NR_CAPS
};

/**
 * struct nested_vmx - one vCPU's L1 state
 * @vmxon:	  L1 executed VMXON.
 * @vmxon_ptr:	  its operand.
 * @current_ptr:  the current VMCS pointer, VMCS12_NONE when none.
 * @vmcs12:	  the cached current vmcs12; written back to L1 memory when
 *		  it stops being current (VMCLEAR, VMPTRLD, VMXOFF).
 * @vmcs02:	  the hardware VMCS that runs L2.
 * @vmcs02_ready: @vmcs02 has its constant (host) state.
 * @vpid02:	  the VPID L2 runs with (0 without VPID).
 * @shadow:	  the hardware shadow VMCS (VMCS shadowing), or no page.
 * @shadow_on:	  vmcs01 links @shadow: L1 has a current VMCS and @shadow
 *		  holds its shadowed fields; vmcs12 is behind for the
 *		  read-write ones until nested_shadow_to_vmcs12().
 * @caps:	  the capability MSR values this vCPU's L1 reads.
 * @feature_control: IA32_FEATURE_CONTROL as L1 (or userspace) set it.
 * @ept02:	  L2's tables while vmcs12 enables EPT.
 * @ept_on:	  the vmcs12 L2 runs with enables EPT: L2 is on @ept02.
 * @vpid12:	  the VPID of the last L2 run with VPID enabled, 0 when the
 *		  last one ran without: which L2's translations @vpid02 holds.
 */
struct nested_vmx {
	bool vmxon;
	u64 vmxon_ptr;
	u64 current_ptr;
	struct vmcs12 *vmcs12;
	struct vmx_vmcs vmcs02;
	bool vmcs02_ready;
	u16 vpid02;
	struct vmx_vmcs shadow;
	bool shadow_on;
	u64 caps[NR_CAPS];
	u64 feature_control;
	struct nested_ept02 ept02;
	bool ept_on;
	u16 vpid12;
};

/* Controls a VMCS must set whatever L1 wants: the "default1" bits. */
#define PIN_DEFAULT1		0x16
#define PROC_DEFAULT1		0x0401e172
#define EXIT_DEFAULT1		0x00036dff
#define ENTRY_DEFAULT1		0x000011ff

/* The controls hvx emulates for L1. */
#define NESTED_PIN		(PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | \
				 PIN_VIRTUAL_NMIS)
#define NESTED_PROC		(CPU_INTR_WINDOW_EXITING | CPU_USE_TSC_OFFSETTING | \
				 CPU_HLT_EXITING | CPU_INVLPG_EXITING | \
				 CPU_MWAIT_EXITING | CPU_RDPMC_EXITING | \
				 CPU_RDTSC_EXITING | CPU_CR3_LOAD_EXITING | \
				 CPU_CR3_STORE_EXITING | CPU_CR8_LOAD_EXITING | \
				 CPU_CR8_STORE_EXITING | CPU_NMI_WINDOW_EXITING | \
				 CPU_MOV_DR_EXITING | CPU_UNCOND_IO_EXITING | \
				 CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | \
				 CPU_MONITOR_EXITING | CPU_PAUSE_EXITING | \
				 CPU_ACTIVATE_SECONDARY)
#define NESTED_PROC2		(SEC_ENABLE_EPT | SEC_ENABLE_VPID)

/*
 * IA32_VMX_EPT_VPID_CAP bits (SDM A.10) hvx emulates for L1: a 4-level
 * walk of write-back tables, 2 MiB and 1 GiB pages, INVEPT single- and
 * all-context; INVVPID of every type.  Not offered: execute-only pages,
 * A/D flags, UC tables, EPT-violation #VE.
 */
#define NESTED_EPT_CAPS		(BIT_ULL(6) | BIT_ULL(14) | BIT_ULL(16) | \
				 BIT_ULL(17) | BIT_ULL(20) | BIT_ULL(25) | \
				 BIT_ULL(26))
#define NESTED_VPID_CAPS	(BIT_ULL(32) | BIT_ULL(40) | BIT_ULL(41) | \
				 BIT_ULL(42) | BIT_ULL(43))
#define NESTED_INVEPT_TYPES	(BIT(1) | BIT(2))	/* single, all */
#define NESTED_INVVPID_TYPES	(BIT(0) | BIT(1) | BIT(2) | BIT(3))
#define NESTED_EXIT		(EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_PAT | \
				 EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_EFER | \
				 EXIT_LOAD_IA32_EFER)
#define NESTED_ENTRY		(ENTRY_IA32E_MODE | ENTRY_LOAD_IA32_PAT | \
				 ENTRY_LOAD_IA32_EFER)

static inline u64 cap_ctl(u32 default1, u32 allowed1)
{
	return (u64)(allowed1 | default1) << 32 | default1;
}

/* The capability values of a new vCPU (SDM appendix A). */
static void nested_default_caps(u64 *caps)
{
	u32 idx_max = 0x19;	/* highest field index: TSC_MULTIPLIER */

	caps[CAP_BASIC] = VMCS12_REVISION | (u64)PAGE_SIZE << 32 |
			  (u64)VMXCAP_BASIC_MEMTYPE_WB << VMXCAP_BASIC_MEMTYPE_SHIFT |
			  VMXCAP_BASIC_INOUT | VMXCAP_BASIC_TRUE_CTLS;
	caps[CAP_PIN] = cap_ctl(PIN_DEFAULT1, NESTED_PIN);
	caps[CAP_PROC] = cap_ctl(PROC_DEFAULT1, NESTED_PROC);
	caps[CAP_EXIT] = cap_ctl(EXIT_DEFAULT1, NESTED_EXIT);
	caps[CAP_ENTRY] = cap_ctl(ENTRY_DEFAULT1, NESTED_ENTRY);
	caps[CAP_TRUE_PIN] = caps[CAP_PIN];
	caps[CAP_TRUE_PROC] = caps[CAP_PROC];
	caps[CAP_TRUE_EXIT] = caps[CAP_EXIT];
	caps[CAP_TRUE_ENTRY] = caps[CAP_ENTRY];
	/* VPID for L2 only where hvx has VPIDs to give it one. */
	caps[CAP_PROC2] = (u64)(NESTED_PROC2 &
				~(vmx_conf.vpid ? 0 : SEC_ENABLE_VPID)) << 32;
	/* Activity state HLT; no CR3 targets; 512 MSR-list entries. */
	caps[CAP_MISC] = BIT(6);
	caps[CAP_CR0_FIXED0] = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	caps[CAP_CR0_FIXED1] = 0xffffffff;
	caps[CAP_CR4_FIXED0] = X86_CR4_VMXE;
	caps[CAP_CR4_FIXED1] = hvx_cr4_allowed() | X86_CR4_VMXE;
	caps[CAP_VMCS_ENUM] = idx_max << 1;
	caps[CAP_EPT_VPID] = NESTED_EPT_CAPS |
			     (vmx_conf.vpid ? NESTED_VPID_CAPS : 0);
	caps[CAP_VMFUNC] = 0;
}

bool nested_vmx_allowed(void)
{
	return nested;
}

int nested_vmx_vcpu_init(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n;

	if (!nested)
		return 0;
	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	n->vmcs12 = kzalloc(VMCS12_SIZE, GFP_KERNEL_ACCOUNT);
	if (!n->vmcs12) {
		kfree(n);
		return -ENOMEM;
	}
	n->current_ptr = VMCS12_NONE;
	nested_default_caps(n->caps);
	if (vmx_conf.vpid) {
		int r = vmx_alloc_vpid();

		if (r < 0) {
			kfree(n->vmcs12);
			kfree(n);
			return r;
		}
		n->vpid02 = r;
	}
	if (nested_shadowing()) {
		int r = vmx_alloc_vmcs(&n->shadow);

		if (r) {
			if (n->vpid02)
				vmx_free_vpid(n->vpid02);
			kfree(n->vmcs12);
			kfree(n);
			return r;
		}
		/* The shadow-VMCS indicator (SDM 25.2), before any VMPTRLD. */
		*(u32 *)page_address(n->shadow.page) |= BIT(31);
	}
	vmx->nested = n;
	return 0;
}

void nested_vmx_vcpu_free(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;

	if (!n)
		return;
	nested_ept02_destroy(&n->ept02);
	vmx_free_vmcs(&n->vmcs02);
	vmx_free_vmcs(&n->shadow);
	if (n->vpid02)
		vmx_free_vpid(n->vpid02);
	kfree(n->vmcs12);
	kfree(n);
	vmx->nested = NULL;
}

/* Does this vCPU's CPUID offer VMX (KVM semantics: userspace decides)? */
static bool nested_cpuid_vmx(struct vmx_vcpu *vmx)
{
	const struct kvm_cpuid_entry2 *e = hvx_find_cpuid(&vmx->vcpu, 1, 0);

	return vmx->nested && e && (e->ecx & BIT(5));
}

bool nested_vmx_in_vmx_operation(struct vmx_vcpu *vmx)
{
	return vmx->nested && vmx->nested->vmxon;
}

bool nested_vmx_cr4_vmxe_ok(struct vmx_vcpu *vmx)
{
	return nested_cpuid_vmx(vmx);
}

/* MSR_IA32_FEAT_CTL bits L1 may set */
#define FEAT_CTL_L1_BITS	(FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)

int nested_vmx_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data)
{
	struct nested_vmx *n = vmx->nested;

	if (!n)
		return -ENOENT;
	if (index == MSR_IA32_FEAT_CTL) {
		*data = n->feature_control;
		return 0;
	}
	if (index >= MSR_IA32_VMX_BASIC && index < MSR_IA32_VMX_BASIC + NR_CAPS &&
	    nested_cpuid_vmx(vmx)) {
		*data = n->caps[index - MSR_IA32_VMX_BASIC];
		return 0;
	}
	return -ENOENT;
}

/*
 * Userspace may narrow what L1 is offered: a control MSR may lose
 * allowed-1 bits, never gain them; other capability MSRs take only the
 * value hvx offers.  The guest may only write IA32_FEATURE_CONTROL, and
 * only until it is locked.
 */
int nested_vmx_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data, bool host)
{
	struct nested_vmx *n = vmx->nested;
	u64 def[NR_CAPS];
	int cap;

	if (!n)
		return -ENOENT;
	if (index == MSR_IA32_FEAT_CTL) {
		if (data & ~(u64)FEAT_CTL_L1_BITS)
			return -EINVAL;
		if (!host && (n->feature_control & FEAT_CTL_LOCKED))
			return -EINVAL;
		n->feature_control = data;
		return 0;
	}
	if (index < MSR_IA32_VMX_BASIC || index >= MSR_IA32_VMX_BASIC + NR_CAPS)
		return -ENOENT;
	if (!host)
		return -EINVAL;		/* read-only to the guest: #GP */
	cap = index - MSR_IA32_VMX_BASIC;
	nested_default_caps(def);
	switch (cap) {
	case CAP_PIN: case CAP_PROC: case CAP_EXIT: case CAP_ENTRY:
	case CAP_TRUE_PIN: case CAP_TRUE_PROC: case CAP_TRUE_EXIT:
	case CAP_TRUE_ENTRY: case CAP_PROC2:
		if ((u32)data != (u32)def[cap] ||
		    ((data >> 32) & ~(def[cap] >> 32)))
			return -EINVAL;
		break;
	default:
		if (data != def[cap])
			return -EINVAL;
	}
	n->caps[cap] = data;
	return 0;
}

/* ---- VMCS shadowing ---- */

/* Run @fn with the shadow VMCS current, then go back to vmcs01. */
static void nested_with_shadow(struct vmx_vcpu *vmx,
			       void (*fn)(struct vmcs12 *v, bool to_shadow),
			       bool to_shadow)
{
	struct nested_vmx *n = vmx->nested;

	preempt_disable();
	vmx_switch_vmcs(vmx, &n->shadow);
	fn(n->vmcs12, to_shadow);
	vmx_switch_vmcs(vmx, &vmx->vmcs01);
	preempt_enable();
}

static void shadow_copy(struct vmcs12 *v, bool to_shadow)
{
	unsigned int i;
	u64 val;

	for (i = 0; i < ARRAY_SIZE(shadow_rw_fields); i++) {
		if (to_shadow) {
			vmcs12_read(v, shadow_rw_fields[i], &val);
			vmcs_write(shadow_rw_fields[i], val);
		} else {
			/* The fields are writable: no error. */
			vmcs12_write(v, shadow_rw_fields[i],
				     vmcs_read(shadow_rw_fields[i]));
		}
	}
	if (!to_shadow || !shadow_ro_ok)
		return;
	for (i = 0; i < ARRAY_SIZE(shadow_ro_fields); i++) {
		vmcs12_read(v, shadow_ro_fields[i], &val);
		vmcs_write(shadow_ro_fields[i], val);
	}
}

/* vmcs12 -> shadow, and link the shadow from vmcs01 (vmcs01 current). */
static void nested_shadow_from_vmcs12(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;

	if (!n->shadow.page || vmx->nested_guest_mode)
		return;
	nested_with_shadow(vmx, shadow_copy, true);
	if (!n->shadow_on) {
		vmcs_write(VMCS_LINK_POINTER, n->shadow.pa);
		vmcs_set_bits(SECONDARY_VM_EXEC_CONTROL, SEC_SHADOW_VMCS);
		n->shadow_on = true;
	}
}

/* Shadow -> vmcs12 for what L1 may have written without an exit. */
static void nested_shadow_to_vmcs12(struct vmx_vcpu *vmx)
{
	if (vmx->nested->shadow_on)
		nested_with_shadow(vmx, shadow_copy, false);
}

/* No current VMCS: L1's VMREAD/VMWRITE must exit (and fail) again. */
static void nested_shadow_off(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;

	if (!n->shadow_on)
		return;
	vmcs_clear_bits(SECONDARY_VM_EXEC_CONTROL, SEC_SHADOW_VMCS);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	n->shadow_on = false;
}

/**
 * nested_vmx_vmcs01_setup() - vmcs01's part of VMCS shadowing
 * @vmx: the vCPU, vmcs01 current
 *
 * The bitmaps are set once; shadowing itself is switched on while L1 has
 * a current VMCS (nested_shadow_from_vmcs12()).
 */
void nested_vmx_vmcs01_setup(struct vmx_vcpu *vmx)
{
	if (!vmx->nested || !vmx->nested->shadow.page)
		return;
	vmcs_write(VMREAD_BITMAP, virt_to_phys(shadow_vmread_bitmap));
	vmcs_write(VMWRITE_BITMAP, virt_to_phys(shadow_vmwrite_bitmap));
}

/**
 * nested_vmx_hardware_unsetup() - free what nested_vmx_hardware_setup() took
 */
void nested_vmx_hardware_unsetup(void)
{
	free_page((unsigned long)shadow_vmread_bitmap);
	free_page((unsigned long)shadow_vmwrite_bitmap);
	shadow_vmread_bitmap = shadow_vmwrite_bitmap = NULL;
}

static void nested_shadow_setup(void)
{
	unsigned int i;

	if (!enable_shadow_vmcs || !(vmx_ctl_may_be_one(vmx_caps_procbased2()) &
				     SEC_SHADOW_VMCS))
		return;
	shadow_vmread_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	shadow_vmwrite_bitmap = (void *)get_zeroed_page(GFP_KERNEL);
	if (!shadow_vmread_bitmap || !shadow_vmwrite_bitmap) {
		free_page((unsigned long)shadow_vmread_bitmap);
		free_page((unsigned long)shadow_vmwrite_bitmap);
		shadow_vmread_bitmap = shadow_vmwrite_bitmap = NULL;
		return;
	}
	memset(shadow_vmread_bitmap, 0xff, PAGE_SIZE);
	memset(shadow_vmwrite_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(shadow_rw_fields); i++) {
		__clear_bit(shadow_rw_fields[i], shadow_vmread_bitmap);
		__clear_bit(shadow_rw_fields[i], shadow_vmwrite_bitmap);
	}
	shadow_ro_ok = vmx_caps_misc() & MSR_IA32_VMX_MISC_VMWRITE_SHADOW_RO_FIELDS;
	if (shadow_ro_ok)
		for (i = 0; i < ARRAY_SIZE(shadow_ro_fields); i++)
			__clear_bit(shadow_ro_fields[i], shadow_vmread_bitmap);
}

/* ---- the three outcomes (SDM Vol. 3C 31.2) ---- */

#define RFLAGS_ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

static int nested_done(struct vmx_vcpu *vmx, u64 set)
{
	struct hvx_vcpu *vcpu = &vmx->vcpu;

	vmx_set_rflags(vcpu, (vmx_get_rflags(vcpu) & ~RFLAGS_ARITH) | set);
	vmx_skip_insn(vcpu, vmx->exit_insn_len);
	return 1;
}

static int nested_succeed(struct vmx_vcpu *vmx)
{
	return nested_done(vmx, 0);
}

static int nested_fail_invalid(struct vmx_vcpu *vmx)
{
	return nested_done(vmx, X86_EFLAGS_CF);
}

static int nested_fail_valid(struct vmx_vcpu *vmx, u32 error)
{
	struct nested_vmx *n = vmx->nested;

	/* VMfailValid needs a current VMCS to hold the error. */
	if (n->current_ptr == VMCS12_NONE)
		return nested_fail_invalid(vmx);
	if (shadow_ro_ok) {
		/* Keep what L1 wrote through the shadow; add the error. */
		nested_shadow_to_vmcs12(vmx);
		vmcs12_set(n->vmcs12, VM_INSTRUCTION_ERROR, error);
		nested_shadow_from_vmcs12(vmx);
	} else {
		vmcs12_set(n->vmcs12, VM_INSTRUCTION_ERROR, error);
	}
	return nested_done(vmx, X86_EFLAGS_ZF);
}

static int nested_ud(struct vmx_vcpu *vmx)
{
	hvx_queue_exception(&vmx->vcpu, HVX_UD_VECTOR, false, 0);
	return 1;
}

static int nested_gp(struct vmx_vcpu *vmx)
{
	hvx_queue_exception(&vmx->vcpu, HVX_GP_VECTOR, true, 0);
	return 1;
}

/*
 * The checks every VMX instruction but VMXON makes first (SDM 31.3):
 * #UD outside protected mode, in compatibility mode, or outside VMX
 * operation; #GP at CPL > 0.  Returns 0 to go on, else the exit result.
 */
/* Access-rights bits of a VMCS segment (SDM 25.4.1, table 25-2). */
#define VMCS_AR_DPL(ar)	(((ar) >> 5) & 3)
#define VMCS_AR_L	BIT(13)

/*
 * Only the four fields the checks need: this runs on every VMRESUME, and
 * a whole KVM_GET_SREGS-style read would cost dozens of VMREADs there.
 */
static int nested_check_permission(struct vmx_vcpu *vmx, bool vmxon)
{
	u32 cs_ar;

	if (!vmx->nested || !(vmx_get_cr(&vmx->vcpu, 0) & X86_CR0_PE) ||
	    !(vmx_get_cr(&vmx->vcpu, 4) & X86_CR4_VMXE) ||
	    (vmx_get_rflags(&vmx->vcpu) & X86_EFLAGS_VM))
		return nested_ud(vmx);
	cs_ar = vmcs_read(GUEST_CS_AR_BYTES);
	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && !(cs_ar & VMCS_AR_L))
		return nested_ud(vmx);
	if (!vmxon && !vmx->nested->vmxon)
		return nested_ud(vmx);
	if (VMCS_AR_DPL(cs_ar))
		return nested_gp(vmx);
	return 0;
}

/*
 * The memory operand of a VMX instruction: VMX-instruction information
 * (SDM 28.2.5, table 28-13) names the registers, the exit qualification
 * holds the displacement.
 */
static u64 nested_operand_gva(struct vmx_vcpu *vmx)
{
	u32 info = vmcs_read(VMX_INSTRUCTION_INFO);
	u64 *regs = vmx->vcpu.regs, ea = vmx->exit_qual;
	int asize = (info >> 7) & 7, seg = (info >> 15) & 7;
	struct kvm_sregs sregs;
	u64 base;

	if (!(info & BIT(27)))
		ea += regs[(info >> 23) & 0xf];
	if (!(info & BIT(22)))
		ea += regs[(info >> 18) & 0xf] << (info & 3);
	ea &= asize == 0 ? 0xffff : asize == 1 ? 0xffffffff : ~0ULL;

	vmx_get_sregs(&vmx->vcpu, &sregs);
	switch (seg) {
	case 0: base = sregs.es.base; break;
	case 1: base = sregs.cs.base; break;
	case 2: base = sregs.ss.base; break;
	case 3: base = sregs.ds.base; break;
	case 4: base = sregs.fs.base; break;
	default: base = sregs.gs.base; break;
	}
	/* In 64-bit mode only FS and GS have a base (SDM 3.3.7.1). */
	if ((sregs.efer & EFER_LMA) && sregs.cs.l && seg < 4)
		base = 0;
	return base + ea;
}

/* Read the m64 operand of VMXON/VMCLEAR/VMPTRLD; 0, or the exit result. */
static int nested_read_ptr(struct vmx_vcpu *vmx, u64 *ptr)
{
	int r = hvx_read_gva(&vmx->vcpu, nested_operand_gva(vmx), ptr,
			     sizeof(*ptr));

	if (r == -EFAULT)
		return 1;	/* #PF queued */
	return r ? nested_gp(vmx) : 0;
}

static bool nested_bad_ptr(u64 ptr)
{
	return !PAGE_ALIGNED(ptr) || (ptr >> boot_cpu_data.x86_phys_bits);
}

/* The vmcs12 cache goes back to L1 memory when it stops being current. */
static void nested_release_vmcs12(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;

	if (n->current_ptr == VMCS12_NONE)
		return;
	nested_shadow_to_vmcs12(vmx);
	nested_shadow_off(vmx);
	hvx_write_guest(vmx->vcpu.vm, n->current_ptr, n->vmcs12, VMCS12_SIZE);
	n->current_ptr = VMCS12_NONE;
}

static int handle_vmxon(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	struct kvm_sregs sregs;
	u32 rev;
	u64 ptr;
	int r;

	r = nested_check_permission(vmx, true);
	if (r)
		return r;
	if (n->vmxon)
		return nested_fail_valid(vmx, VMXERR_VMXON_IN_VMX_ROOT);
	/* SDM VMXON: fixed CR bits and IA32_FEATURE_CONTROL, else #GP. */
	vmx_get_sregs(&vmx->vcpu, &sregs);
	if (!vmx_cr_fixed_ok(sregs.cr0, n->caps[CAP_CR0_FIXED0],
			     n->caps[CAP_CR0_FIXED1]) ||
	    !vmx_cr_fixed_ok(vmx_get_cr(&vmx->vcpu, 4), n->caps[CAP_CR4_FIXED0],
			     n->caps[CAP_CR4_FIXED1]) ||
	    (n->feature_control & FEAT_CTL_L1_BITS) != FEAT_CTL_L1_BITS)
		return nested_gp(vmx);
	r = nested_read_ptr(vmx, &ptr);
	if (r)
		return r;
	if (nested_bad_ptr(ptr) ||
	    hvx_read_guest(vmx->vcpu.vm, ptr, &rev, sizeof(rev)) ||
	    (rev & 0x7fffffff) != VMCS12_REVISION)
		return nested_fail_invalid(vmx);
	n->vmxon = true;
	n->vmxon_ptr = ptr;
	n->current_ptr = VMCS12_NONE;
	return nested_succeed(vmx);
}

static int handle_vmxoff(struct vmx_vcpu *vmx)
{
	int r = nested_check_permission(vmx, false);

	if (r)
		return r;
	nested_release_vmcs12(vmx);
	vmx->nested->vmxon = false;
	return nested_succeed(vmx);
}

static int handle_vmclear(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u32 zero = 0;
	u64 ptr;
	int r;

	r = nested_check_permission(vmx, false);
	if (!r)
		r = nested_read_ptr(vmx, &ptr);
	if (r)
		return r;
	if (nested_bad_ptr(ptr))
		return nested_fail_valid(vmx, VMXERR_VMCLEAR_INVALID_ADDRESS);
	if (ptr == n->vmxon_ptr)
		return nested_fail_valid(vmx, VMXERR_VMCLEAR_VMXON_POINTER);
	if (ptr == n->current_ptr) {
		n->vmcs12->launched = 0;
		nested_release_vmcs12(vmx);
	} else {
		/* Not current: clear the launch state in L1 memory. */
		hvx_write_guest(vmx->vcpu.vm,
				ptr + offsetof(struct vmcs12, launched),
				&zero, sizeof(zero));
	}
	return nested_succeed(vmx);
}

static int handle_vmptrld(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u32 rev;
	u64 ptr;
	int r;

	r = nested_check_permission(vmx, false);
	if (!r)
		r = nested_read_ptr(vmx, &ptr);
	if (r)
		return r;
	if (nested_bad_ptr(ptr))
		return nested_fail_valid(vmx, VMXERR_VMPTRLD_INVALID_ADDRESS);
	if (ptr == n->vmxon_ptr)
		return nested_fail_valid(vmx, VMXERR_VMPTRLD_VMXON_POINTER);
	if (hvx_read_guest(vmx->vcpu.vm, ptr, &rev, sizeof(rev)) ||
	    (rev & 0x7fffffff) != VMCS12_REVISION)
		return nested_fail_valid(vmx, VMXERR_VMPTRLD_INCORRECT_REVISION);
	if (ptr != n->current_ptr) {
		nested_release_vmcs12(vmx);
		if (hvx_read_guest(vmx->vcpu.vm, ptr, n->vmcs12, VMCS12_SIZE))
			return nested_fail_invalid(vmx);
		n->current_ptr = ptr;
		nested_shadow_from_vmcs12(vmx);
	}
	return nested_succeed(vmx);
}

static int handle_vmptrst(struct vmx_vcpu *vmx)
{
	u64 ptr = vmx->nested ? vmx->nested->current_ptr : 0;
	int r = nested_check_permission(vmx, false);

	if (r)
		return r;
	r = hvx_write_gva(&vmx->vcpu, nested_operand_gva(vmx), &ptr,
			  sizeof(ptr));
	if (r == -EFAULT)
		return 1;
	return r ? nested_gp(vmx) : nested_succeed(vmx);
}

/* Operand size of VMREAD/VMWRITE: 8 bytes in 64-bit mode, else 4. */
static unsigned int nested_opsize(struct vmx_vcpu *vmx)
{
	return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(GUEST_CS_AR_BYTES) & BIT(13)) ? 8 : 4;
}

static int handle_vmread(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u32 info = vmcs_read(VMX_INSTRUCTION_INFO);
	unsigned int size = nested_opsize(vmx);
	u64 field, value = 0;
	int r;

	r = nested_check_permission(vmx, false);
	if (r)
		return r;
	if (n->current_ptr == VMCS12_NONE)
		return nested_fail_invalid(vmx);
	field = vmx->vcpu.regs[(info >> 28) & 0xf];
	if (size == 4)
		field = (u32)field;
	if (vmcs12_read(n->vmcs12, field, &value))
		return nested_fail_valid(vmx, VMXERR_UNSUPPORTED_FIELD);
	if (info & BIT(10)) {
		/* A 32-bit register write clears the upper half (64-bit mode). */
		vmx->vcpu.regs[(info >> 3) & 0xf] = size == 4 ? (u32)value : value;
	} else {
		r = hvx_write_gva(&vmx->vcpu, nested_operand_gva(vmx), &value,
				  size);
		if (r == -EFAULT)
			return 1;
		if (r)
			return nested_gp(vmx);
	}
	return nested_succeed(vmx);
}

static int handle_vmwrite(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u32 info = vmcs_read(VMX_INSTRUCTION_INFO);
	unsigned int size = nested_opsize(vmx);
	u64 field, value = 0;
	int r;

	r = nested_check_permission(vmx, false);
	if (r)
		return r;
	if (info & BIT(10)) {
		value = vmx->vcpu.regs[(info >> 3) & 0xf];
	} else {
		r = hvx_read_gva(&vmx->vcpu, nested_operand_gva(vmx), &value,
				 size);
		if (r == -EFAULT)
			return 1;
		if (r)
			return nested_gp(vmx);
	}
	if (size == 4)
		value = (u32)value;
	if (n->current_ptr == VMCS12_NONE)
		return nested_fail_invalid(vmx);
	field = vmx->vcpu.regs[(info >> 28) & 0xf];
	if (size == 4)
		field = (u32)field;
	r = vmcs12_write(n->vmcs12, field, value);
	if (r == -ENOENT)
		return nested_fail_valid(vmx, VMXERR_UNSUPPORTED_FIELD);
	if (r)
		return nested_fail_valid(vmx, VMXERR_VMWRITE_READ_ONLY);
	return nested_succeed(vmx);
}

static bool nested_canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* Is this secondary control offered to L1 (and not taken away)? */
static bool nested_offers2(struct nested_vmx *n, u32 sec)
{
	return (n->caps[CAP_PROC2] >> 32) & sec;
}

/*
 * What INVEPT and INVVPID check first, then their operands: #UD when the
 * feature (@sec) is not offered, the common checks, then the type from the
 * register in bits 31:28 of the instruction information (64 or 32 bits by
 * mode, SDM 31.3) and the 128-bit descriptor from memory.  0, or the exit
 * result.
 */
static int nested_inv_operands(struct vmx_vcpu *vmx, u32 sec, u64 *type,
			       u64 desc[2])
{
	u32 info = vmcs_read(VMX_INSTRUCTION_INFO);
	int r;

	if (vmx->nested && !nested_offers2(vmx->nested, sec))
		return nested_ud(vmx);
	r = nested_check_permission(vmx, false);
	if (r)
		return r;

	*type = vmx->vcpu.regs[(info >> 28) & 0xf];
	if (nested_opsize(vmx) == 4)
		*type = (u32)*type;
	r = hvx_read_gva(&vmx->vcpu, nested_operand_gva(vmx), desc, 16);
	if (r == -EFAULT)
		return 1;	/* #PF queued */
	return r ? nested_gp(vmx) : 0;
}

/*
 * INVEPT (SDM 31.3): EPT02 is hvx's only cache of EPT12, so both types
 * empty it; single-context checks the EPTP in the descriptor first.
 */
static int handle_invept(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u64 type, desc[2];
	int r = nested_inv_operands(vmx, SEC_ENABLE_EPT, &type, desc);

	if (r)
		return r;
	if (type > 31 || !(NESTED_INVEPT_TYPES & BIT(type)) ||
	    (type == 1 &&
	     !ept12_eptp_valid(desc[0], boot_cpu_data.x86_phys_bits)))
		return nested_fail_valid(vmx, VMXERR_INVALID_OPERAND);
	nested_ept02_reset(&n->ept02);
	return nested_succeed(vmx);
}

/*
 * INVVPID (SDM 31.3): every L2 runs with vpid02, so each type flushes
 * all of it (more than asked, which the SDM allows); the operand checks
 * are the instruction's own.
 */
static int handle_invvpid(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u64 type, desc[2];
	int r = nested_inv_operands(vmx, SEC_ENABLE_VPID, &type, desc);

	if (r)
		return r;
	if (type > 31 || !(NESTED_INVVPID_TYPES & BIT(type)) ||
	    (desc[0] >> 16) ||
	    (type != 2 && !(u16)desc[0]) ||
	    (type == 0 && !nested_canonical(desc[1])))
		return nested_fail_valid(vmx, VMXERR_INVALID_OPERAND);
	if (n->vpid02) {
		preempt_disable();
		vmx_flush_vpid(n->vpid02);
		preempt_enable();
	}
	return nested_succeed(vmx);
}

/* ---- VM entry to L2 ---- */

#define CC(check)	(check)

/* ---- the MSR lists of vmcs12 (SDM 25.7.2, 25.8.2, 26.4, 27.4, 27.6) ---- */

/* One entry of an MSR-load or MSR-store area in L1 memory. */
struct nested_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
};

/*
 * IA32_VMX_MISC bits 27:25 are 0: 512 entries per list is what L1 is
 * told to stay within; hvx refuses longer lists as bad controls.
 */
#define NESTED_MSR_LIST_MAX	512

/* A list's address checks (26.2.1.2, 26.2.1.3): 16-byte aligned, in range. */
static bool nested_msr_list_ok(struct vmcs12 *v, int addr_slot,
			       int count_slot)
{
	u64 addr = v->field[addr_slot], count = v->field[count_slot];

	if (!count)
		return true;
	return count <= NESTED_MSR_LIST_MAX && !(addr & 0xf) &&
	       !((addr + count * sizeof(struct nested_msr_entry) - 1) >>
		 boot_cpu_data.x86_phys_bits);
}

/* MSRs no list may load (26.4, 27.6): x2APIC, SMM monitor, FS/GS base. */
static bool nested_msr_loadable(u32 index)
{
	return (index >> 8) != 0x8 && index != MSR_IA32_SMM_MONITOR_CTL &&
	       index != MSR_FS_BASE && index != MSR_GS_BASE;
}

/*
 * Load a list into the vCPU as WRMSRs at CPL 0 would, in order.  Return:
 * 0, or the 1-based number of the entry that failed (the VM-entry failure
 * qualification, 26.8); MSRs before it stay loaded, as on hardware.
 */
static u32 nested_load_msrs(struct vmx_vcpu *vmx, u64 addr, u32 count)
{
	struct nested_msr_entry e;
	u32 i;

	for (i = 0; i < count; i++) {
		if (hvx_read_guest(vmx->vcpu.vm, addr + i * sizeof(e), &e,
				   sizeof(e)) ||
		    e.reserved || !nested_msr_loadable(e.index) ||
		    hvx_set_msr(&vmx->vcpu, e.index, e.value, false))
			return i + 1;
	}
	return 0;
}

/* Store the guest's MSRs into a list (27.4).  Return: 0 or -EINVAL. */
static int nested_store_msrs(struct vmx_vcpu *vmx, u64 addr, u32 count)
{
	struct nested_msr_entry e;
	u32 i;

	for (i = 0; i < count; i++) {
		u64 at = addr + i * sizeof(e);

		if (hvx_read_guest(vmx->vcpu.vm, at, &e, sizeof(e)) ||
		    e.reserved || (e.index >> 8) == 0x8 ||
		    e.index == MSR_IA32_SMBASE ||
		    hvx_get_msr(&vmx->vcpu, e.index, &e.value, false) ||
		    hvx_write_guest(vmx->vcpu.vm,
				    at + offsetof(struct nested_msr_entry, value),
				    &e.value, sizeof(e.value)))
			return -EINVAL;
	}
	return 0;
}

/* VMX-abort indicators (27.7) */
#define VMX_ABORT_SAVE_MSRS	1
#define VMX_ABORT_LOAD_HOST_MSRS 4

/*
 * A VM exit that cannot complete (27.7): the abort indicator goes to the
 * VMCS region in L1 memory and the logical processor shuts down, which
 * userspace sees as KVM_EXIT_SHUTDOWN.
 */
static void nested_vmx_abort(struct vmx_vcpu *vmx, u32 indicator)
{
	struct nested_vmx *n = vmx->nested;

	n->vmcs12->abort = indicator;
	hvx_write_guest(vmx->vcpu.vm,
			n->current_ptr + offsetof(struct vmcs12, abort),
			&indicator, sizeof(indicator));
	vmx->vcpu.triple_fault = true;
}

/* vmcs12's secondary controls, 0 unless the primary ones activate them. */
static u32 nested_proc2(struct vmcs12 *v)
{
	return vmcs12_get(v, CPU_BASED_VM_EXEC_CONTROL) & CPU_ACTIVATE_SECONDARY ?
	       vmcs12_get(v, SECONDARY_VM_EXEC_CONTROL) : 0;
}

static int nested_check_controls(struct nested_vmx *n, struct vmcs12 *v)
{
	u32 proc = vmcs12_get(v, CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2 = nested_proc2(v);

	if (CC(!vmx_controls_valid(vmcs12_get(v, PIN_BASED_VM_EXEC_CONTROL),
				   n->caps[CAP_TRUE_PIN])) ||
	    CC(!vmx_controls_valid(proc, n->caps[CAP_TRUE_PROC])) ||
	    CC((proc & CPU_ACTIVATE_SECONDARY) &&
	       !vmx_controls_valid(vmcs12_get(v, SECONDARY_VM_EXEC_CONTROL),
				   n->caps[CAP_PROC2])) ||
	    CC(!vmx_controls_valid(vmcs12_get(v, VM_EXIT_CONTROLS),
				   n->caps[CAP_TRUE_EXIT])) ||
	    CC(!vmx_controls_valid(vmcs12_get(v, VM_ENTRY_CONTROLS),
				   n->caps[CAP_TRUE_ENTRY])) ||
	    CC(vmcs12_get(v, CR3_TARGET_COUNT) > 0) ||
	    CC(!nested_msr_list_ok(v, V12_VM_EXIT_MSR_STORE_ADDR,
				   V12_VM_EXIT_MSR_STORE_COUNT)) ||
	    CC(!nested_msr_list_ok(v, V12_VM_EXIT_MSR_LOAD_ADDR,
				   V12_VM_EXIT_MSR_LOAD_COUNT)) ||
	    CC(!nested_msr_list_ok(v, V12_VM_ENTRY_MSR_LOAD_ADDR,
				   V12_VM_ENTRY_MSR_LOAD_COUNT)) ||
	    CC((proc & CPU_USE_IO_BITMAPS) &&
	       (nested_bad_ptr(vmcs12_get(v, IO_BITMAP_A)) ||
		nested_bad_ptr(vmcs12_get(v, IO_BITMAP_B)))) ||
	    CC((proc & CPU_USE_MSR_BITMAPS) &&
	       nested_bad_ptr(vmcs12_get(v, MSR_BITMAP))) ||
	    CC((proc2 & SEC_ENABLE_EPT) &&
	       !ept12_eptp_valid(vmcs12_get(v, EPT_POINTER),
				 boot_cpu_data.x86_phys_bits)) ||
	    CC((proc2 & SEC_ENABLE_VPID) &&
	       !vmcs12_get(v, VIRTUAL_PROCESSOR_ID)))
		return -EINVAL;
	return 0;
}

/* SDM 26.2.2-26.2.4 for a 64-bit L1 (host address-space size = 1). */
static int nested_check_host_state(struct nested_vmx *n, struct vmcs12 *v)
{
	u32 exit = vmcs12_get(v, VM_EXIT_CONTROLS);

	if (CC(!vmx_cr_fixed_ok(vmcs12_get(v, HOST_CR0),
				n->caps[CAP_CR0_FIXED0],
				n->caps[CAP_CR0_FIXED1])) ||
	    CC(!vmx_cr_fixed_ok(vmcs12_get(v, HOST_CR4),
				n->caps[CAP_CR4_FIXED0],
				n->caps[CAP_CR4_FIXED1])) ||
	    CC(vmcs12_get(v, HOST_CR3) >> boot_cpu_data.x86_phys_bits) ||
	    CC(!(exit & EXIT_HOST_ADDR_SPACE_SIZE)) ||
	    CC(!(vmcs12_get(v, HOST_CR4) & X86_CR4_PAE)) ||
	    CC((vmcs12_get(v, HOST_CS_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_SS_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_DS_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_ES_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_FS_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_GS_SELECTOR) & 7) ||
	       (vmcs12_get(v, HOST_TR_SELECTOR) & 7)) ||
	    CC(!vmcs12_get(v, HOST_CS_SELECTOR) ||
	       !vmcs12_get(v, HOST_TR_SELECTOR)) ||
	    CC(!nested_canonical(vmcs12_get(v, HOST_FS_BASE)) ||
	       !nested_canonical(vmcs12_get(v, HOST_GS_BASE)) ||
	       !nested_canonical(vmcs12_get(v, HOST_TR_BASE)) ||
	       !nested_canonical(vmcs12_get(v, HOST_GDTR_BASE)) ||
	       !nested_canonical(vmcs12_get(v, HOST_IDTR_BASE)) ||
	       !nested_canonical(vmcs12_get(v, HOST_RIP))) ||
	    CC((exit & EXIT_LOAD_IA32_EFER) &&
	       (!hvx_efer_valid(vmcs12_get(v, HOST_IA32_EFER)) ||
		!(vmcs12_get(v, HOST_IA32_EFER) & EFER_LMA) ||
		!(vmcs12_get(v, HOST_IA32_EFER) & EFER_LME))) ||
	    CC((exit & EXIT_LOAD_IA32_PAT) &&
	       !hvx_pat_valid(vmcs12_get(v, HOST_IA32_PAT))))
		return -EINVAL;
	return 0;
}

/* VM-entry failure qualification: invalid VMCS link pointer (SDM 26.8) */
#define ENTRY_FAIL_VMCS_LINK_PTR	4

/*
 * Guest-state checks hvx makes itself; the CPU checks the rest.  Returns 0
 * or the exit qualification of the failed entry, plus one.
 */
static int nested_check_guest_state(struct nested_vmx *n, struct vmcs12 *v)
{
	u32 entry = vmcs12_get(v, VM_ENTRY_CONTROLS);
	u64 efer = vmcs12_get(v, GUEST_IA32_EFER);

	if (CC(!vmx_cr_fixed_ok(vmcs12_get(v, GUEST_CR0),
				n->caps[CAP_CR0_FIXED0],
				n->caps[CAP_CR0_FIXED1])) ||
	    CC(!vmx_cr_fixed_ok(vmcs12_get(v, GUEST_CR4),
				n->caps[CAP_CR4_FIXED0],
				n->caps[CAP_CR4_FIXED1])) ||
	    CC((entry & ENTRY_LOAD_IA32_EFER) &&
	       (!hvx_efer_valid(efer) ||
		!!(efer & EFER_LMA) != !!(entry & ENTRY_IA32E_MODE))) ||
	    CC((entry & ENTRY_LOAD_IA32_PAT) &&
	       !hvx_pat_valid(vmcs12_get(v, GUEST_IA32_PAT))) ||
	    CC(vmcs12_get(v, GUEST_ACTIVITY_STATE) > GUEST_ACTIVITY_HLT))
		return 1;
	if (CC(vmcs12_get(v, VMCS_LINK_POINTER) != VMCS12_NONE))
		return 1 + ENTRY_FAIL_VMCS_LINK_PTR;
	return 0;
}

/* Guest-state fields copied as they are between vmcs12 and vmcs02. */
static const u16 nested_guest_fields[] = {
	GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR,
	GUEST_DS_SELECTOR, GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	GUEST_LDTR_SELECTOR, GUEST_TR_SELECTOR,
	GUEST_ES_LIMIT, GUEST_CS_LIMIT, GUEST_SS_LIMIT, GUEST_DS_LIMIT,
	GUEST_FS_LIMIT, GUEST_GS_LIMIT, GUEST_LDTR_LIMIT, GUEST_TR_LIMIT,
	GUEST_GDTR_LIMIT, GUEST_IDTR_LIMIT,
	GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES,
	GUEST_DS_AR_BYTES, GUEST_FS_AR_BYTES, GUEST_GS_AR_BYTES,
	GUEST_LDTR_AR_BYTES, GUEST_TR_AR_BYTES,
	GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE,
	GUEST_FS_BASE, GUEST_GS_BASE, GUEST_LDTR_BASE, GUEST_TR_BASE,
	GUEST_GDTR_BASE, GUEST_IDTR_BASE, GUEST_CR3, GUEST_RIP,
	GUEST_INTERRUPTIBILITY_INFO, GUEST_PENDING_DBG_EXCEPTIONS,
	GUEST_SYSENTER_CS, GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP,
	GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3,
};

/* Control fields L2's VMCS takes from vmcs12 unchanged. */
static const u16 nested_ctl_fields[] = {
	EXCEPTION_BITMAP, PAGE_FAULT_ERROR_CODE_MASK,
	PAGE_FAULT_ERROR_CODE_MATCH, VM_ENTRY_INTR_INFO_FIELD,
	VM_ENTRY_EXCEPTION_ERROR_CODE, VM_ENTRY_INSTRUCTION_LEN,
};

static u64 vmcs12_field(struct vmcs12 *v, u16 enc)
{
	u64 val = 0;

	vmcs12_read(v, enc, &val);
	return val;
}

/* What vmcs02 needs from vmcs01, read while vmcs01 is current. */
struct l1_snapshot {
	u64 efer, pat, eptp;
};

/* Fill vmcs02 (current) from vmcs12 and hvx's needs. */
static void nested_prepare_vmcs02(struct vmx_vcpu *vmx, struct vmcs12 *v,
				  const struct l1_snapshot *l1)
{
	struct nested_vmx *n = vmx->nested;
	struct vmx_vmcs *vmcs02 = &n->vmcs02;
	u32 proc12 = vmcs12_get(v, CPU_BASED_VM_EXEC_CONTROL);
	u32 entry12 = vmcs12_get(v, VM_ENTRY_CONTROLS);
	u64 owned01_cr0 = vmx_conf.cr0_guest_owned;
	u64 owned01_cr4 = vmx_conf.cr4_guest_owned;
	u64 efer;
	unsigned int i;

	if (!n->vmcs02_ready) {
		vmx_set_host_state(vmcs02);
		vmcs_write(VMCS_LINK_POINTER, ~0ULL);
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_conf.cpu2);
		vmcs_write(VM_EXIT_CONTROLS, vmx_conf.exit);
		/* L2's linear translations must not meet L1's. */
		if (vmx_conf.vpid)
			vmcs_write(VIRTUAL_PROCESSOR_ID, n->vpid02);
		vmcs_write(CR3_TARGET_COUNT, 0);
		n->vmcs02_ready = true;
	}

	/* L2 runs on EPT02 behind L1's EPT, else on EPT01 as L1 does. */
	vmcs_write(EPT_POINTER, n->ept_on ? nested_ept02_eptp(&n->ept02) :
					    l1->eptp);

	/* hvx's exits stay on; L1's are added (reflection sorts them). */
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_conf.pin |
		   (vmcs12_get(v, PIN_BASED_VM_EXEC_CONTROL) & NESTED_PIN));
	/* All ports and MSRs exit anyway: L1's bitmaps sort them later. */
	vmcs02->cpu_based = vmx_conf.cpu |
			    (proc12 & (NESTED_PROC & ~(CPU_USE_IO_BITMAPS |
						       CPU_USE_MSR_BITMAPS)));
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmcs02->cpu_based);
	vmcs_write(VM_ENTRY_CONTROLS, (vmx_conf.entry & ~ENTRY_IA32E_MODE) |
		   (entry12 & ENTRY_IA32E_MODE));
	for (i = 0; i < ARRAY_SIZE(nested_ctl_fields); i++)
		vmcs_write(nested_ctl_fields[i],
			   vmcs12_field(v, nested_ctl_fields[i]));
	vmcs02->tsc_offset = vmx->vcpu.tsc_offset +
			     (proc12 & CPU_USE_TSC_OFFSETTING ?
			      vmcs12_get(v, TSC_OFFSET) : 0);
	vmcs_write(TSC_OFFSET, vmcs02->tsc_offset);

	/* The switched MSRs are L1's hardware state: L2 shares them. */
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(vmx->msr_guest));
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(vmx->msr_guest));
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(vmx->msr_host));
	i = vmx->msr_switch ? VMX_NR_SWITCHED_MSRS : 0;
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, i);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, i);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, i);

	/*
	 * CR0/CR4: a bit L1 or hvx owns exits; L2 reads L1's shadow for
	 * L1's bits and its own value for bits only hvx owns.
	 */
	vmcs_write(CR0_GUEST_HOST_MASK,
		   vmcs12_get(v, CR0_GUEST_HOST_MASK) | ~owned01_cr0);
	vmcs_write(CR4_GUEST_HOST_MASK,
		   vmcs12_get(v, CR4_GUEST_HOST_MASK) | ~owned01_cr4);
	vmcs_write(CR0_READ_SHADOW,
		   (vmcs12_get(v, CR0_READ_SHADOW) &
		    vmcs12_get(v, CR0_GUEST_HOST_MASK)) |
		   (vmcs12_get(v, GUEST_CR0) &
		    ~vmcs12_get(v, CR0_GUEST_HOST_MASK)));
	vmcs_write(CR4_READ_SHADOW,
		   (vmcs12_get(v, CR4_READ_SHADOW) &
		    vmcs12_get(v, CR4_GUEST_HOST_MASK)) |
		   (vmcs12_get(v, GUEST_CR4) &
		    ~vmcs12_get(v, CR4_GUEST_HOST_MASK)));
	vmcs_write(GUEST_CR0, (vmcs12_get(v, GUEST_CR0) &
			       ~(u64)(X86_CR0_CD | X86_CR0_NW)) |
		   X86_CR0_NE | vmx_conf.cr0_fixed0);
	vmcs_write(GUEST_CR4, vmcs12_get(v, GUEST_CR4) | vmx_conf.cr4_fixed0);

	for (i = 0; i < ARRAY_SIZE(nested_guest_fields); i++)
		vmcs_write(nested_guest_fields[i],
			   vmcs12_field(v, nested_guest_fields[i]));
	vmcs_write(GUEST_RFLAGS, vmcs12_get(v, GUEST_RFLAGS));
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	/* L2's breakpoints are not armed, as L1's are not (state.c). */
	vmcs_write(GUEST_DR7, HVX_DR7_FIXED);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	efer = entry12 & ENTRY_LOAD_IA32_EFER ? vmcs12_get(v, GUEST_IA32_EFER) :
	       (entry12 & ENTRY_IA32E_MODE ?
		l1->efer | EFER_LMA | EFER_LME :
		l1->efer & ~(u64)(EFER_LMA | EFER_LME));
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(GUEST_IA32_PAT, entry12 & ENTRY_LOAD_IA32_PAT ?
		   vmcs12_get(v, GUEST_IA32_PAT) : l1->pat);
	vmx->vcpu.regs[HVX_RSP] = vmcs12_get(v, GUEST_RSP);
}

/* ---- VM exit from L2 to L1 ---- */

/* L2's CR0/CR4 as vmcs12 holds them: hvx-only bits from the shadow. */
static u64 nested_l2_cr(u64 hw, u64 shadow02, u64 mask12, u64 owned01)
{
	u64 l0_only = ~owned01 & ~mask12;

	return (hw & ~l0_only) | (shadow02 & l0_only);
}

/* Copy L2's state and the exit's information from vmcs02 to vmcs12. */
static void nested_sync_vmcs12(struct vmx_vcpu *vmx, struct vmcs12 *v,
			       u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nested_guest_fields); i++)
		vmcs12_write(v, nested_guest_fields[i],
			     vmcs_read(nested_guest_fields[i]));
	vmcs12_set(v, GUEST_RSP, vmx->vcpu.regs[HVX_RSP]);
	vmcs12_set(v, GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS));
	vmcs12_set(v, GUEST_CR0,
		   nested_l2_cr(vmcs_read(GUEST_CR0), vmcs_read(CR0_READ_SHADOW),
				vmcs12_get(v, CR0_GUEST_HOST_MASK),
				vmx_conf.cr0_guest_owned));
	vmcs12_set(v, GUEST_CR4,
		   nested_l2_cr(vmcs_read(GUEST_CR4), vmcs_read(CR4_READ_SHADOW),
				vmcs12_get(v, CR4_GUEST_HOST_MASK),
				vmx_conf.cr4_guest_owned));
	vmcs12_set(v, GUEST_IA32_EFER, vmcs_read(GUEST_IA32_EFER));
	vmcs12_set(v, GUEST_IA32_PAT, vmcs_read(GUEST_IA32_PAT));
	vmcs12_set(v, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	/* The "IA-32e mode guest" control follows L2's EFER.LMA (27.2). */
	vmcs12_set(v, VM_ENTRY_CONTROLS,
		   (vmcs12_get(v, VM_ENTRY_CONTROLS) & ~(u64)ENTRY_IA32E_MODE) |
		   (vmcs_read(GUEST_IA32_EFER) & EFER_LMA ? ENTRY_IA32E_MODE : 0));
	/* A successful exit invalidates the entry's event (27.2.3). */
	vmcs12_set(v, VM_ENTRY_INTR_INFO_FIELD,
		   vmcs12_get(v, VM_ENTRY_INTR_INFO_FIELD) & ~(u64)INTR_INFO_VALID);

	vmcs12_set(v, VM_EXIT_REASON, reason);
	vmcs12_set(v, EXIT_QUALIFICATION, vmx->exit_qual);
	/* vmx_run() read it for exits that have it; 0 for the rest. */
	vmcs12_set(v, VM_EXIT_INTR_INFO, vmx->exit_intr_info);
	vmcs12_set(v, VM_EXIT_INTR_ERROR_CODE, vmcs_read(VM_EXIT_INTR_ERROR_CODE));
	vmcs12_set(v, IDT_VECTORING_INFO_FIELD, vmx->idt_vectoring);
	vmcs12_set(v, IDT_VECTORING_ERROR_CODE,
		   vmcs_read(IDT_VECTORING_ERROR_CODE));
	vmcs12_set(v, VM_EXIT_INSTRUCTION_LEN, vmx->exit_insn_len);
	vmcs12_set(v, VMX_INSTRUCTION_INFO, vmcs_read(VMX_INSTRUCTION_INFO));
	vmcs12_set(v, GUEST_LINEAR_ADDRESS, vmcs_read(GUEST_LINEAR_ADDRESS));
	if (reason == EXIT_REASON_EPT_VIOLATION ||
	    reason == EXIT_REASON_EPT_MISCONFIG)
		vmcs12_set(v, GUEST_PHYSICAL_ADDRESS,
			   vmcs_read(GUEST_PHYSICAL_ADDRESS));
	vmcs12_set(v, VM_INSTRUCTION_ERROR, 0);
}

static void nested_set_seg(int sel_f, u16 sel, u64 base, u32 limit, u32 ar)
{
	/* Encodings: selector, then limit/AR/base at fixed distances. */
	vmcs_write(sel_f, sel);
	vmcs_write(sel_f - GUEST_ES_SELECTOR + GUEST_ES_LIMIT, limit);
	vmcs_write(sel_f - GUEST_ES_SELECTOR + GUEST_ES_AR_BYTES,
		   sel ? ar : VMX_AR_UNUSABLE);
	vmcs_write(sel_f - GUEST_ES_SELECTOR + GUEST_ES_BASE, base);
}

/*
 * L1 resumes at its host state (SDM 28.5): with vmcs01 current again,
 * vmcs01's guest state becomes vmcs12's host state.
 */
static void nested_load_l1_host_state(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	u32 exit = vmcs12_get(v, VM_EXIT_CONTROLS);
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	u32 data_ar = 0xc093;	/* read/write, accessed, S, P, D/B, G */

	if (exit & EXIT_LOAD_IA32_EFER)
		efer = vmcs12_get(v, HOST_IA32_EFER);
	else
		efer |= EFER_LMA | EFER_LME;
	vmx_set_efer(vmx, efer);
	vmcs_write(GUEST_CR3, vmcs12_get(v, HOST_CR3));
	vmx_set_cr4(vmx, vmcs12_get(v, HOST_CR4));
	vmx_set_cr0(vmx, vmcs12_get(v, HOST_CR0));
	if (exit & EXIT_LOAD_IA32_PAT)
		vmcs_write(GUEST_IA32_PAT, vmcs12_get(v, HOST_IA32_PAT));

	vmcs_write(GUEST_CS_SELECTOR, vmcs12_get(v, HOST_CS_SELECTOR));
	vmcs_write(GUEST_CS_BASE, 0);
	vmcs_write(GUEST_CS_LIMIT, 0xffffffff);
	vmcs_write(GUEST_CS_AR_BYTES, 0xa09b);	/* 64-bit code, DPL 0 */
	nested_set_seg(GUEST_SS_SELECTOR, vmcs12_get(v, HOST_SS_SELECTOR), 0,
		       0xffffffff, data_ar);
	nested_set_seg(GUEST_DS_SELECTOR, vmcs12_get(v, HOST_DS_SELECTOR), 0,
		       0xffffffff, data_ar);
	nested_set_seg(GUEST_ES_SELECTOR, vmcs12_get(v, HOST_ES_SELECTOR), 0,
		       0xffffffff, data_ar);
	nested_set_seg(GUEST_FS_SELECTOR, vmcs12_get(v, HOST_FS_SELECTOR),
		       vmcs12_get(v, HOST_FS_BASE), 0xffffffff, data_ar);
	nested_set_seg(GUEST_GS_SELECTOR, vmcs12_get(v, HOST_GS_SELECTOR),
		       vmcs12_get(v, HOST_GS_BASE), 0xffffffff, data_ar);
	/* FS/GS bases load even with a null selector (28.5.2). */
	vmcs_write(GUEST_FS_BASE, vmcs12_get(v, HOST_FS_BASE));
	vmcs_write(GUEST_GS_BASE, vmcs12_get(v, HOST_GS_BASE));
	nested_set_seg(GUEST_TR_SELECTOR, vmcs12_get(v, HOST_TR_SELECTOR),
		       vmcs12_get(v, HOST_TR_BASE), 0x67, 0x8b);
	vmcs_write(GUEST_LDTR_SELECTOR, 0);
	vmcs_write(GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE);
	vmcs_write(GUEST_GDTR_BASE, vmcs12_get(v, HOST_GDTR_BASE));
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, vmcs12_get(v, HOST_IDTR_BASE));
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_SYSENTER_CS, vmcs12_get(v, HOST_IA32_SYSENTER_CS));
	vmcs_write(GUEST_SYSENTER_ESP, vmcs12_get(v, HOST_IA32_SYSENTER_ESP));
	vmcs_write(GUEST_SYSENTER_EIP, vmcs12_get(v, HOST_IA32_SYSENTER_EIP));
	vmcs_write(GUEST_RIP, vmcs12_get(v, HOST_RIP));
	vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmx->vcpu.regs[HVX_RSP] = vmcs12_get(v, HOST_RSP);
	vmx->dr7 = HVX_DR7_FIXED;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/**
 * nested_vmexit() - an emulated VM exit from L2 (or a failed entry) to L1
 * @vmx:    the vCPU
 * @reason: the exit reason L1 reads (bit 31 for a failed entry)
 * @sync:   L2 ran: save its state into vmcs12 (not for a failed entry)
 *
 * Return: 1 (L1 runs next).
 */
static int nested_vmexit(struct vmx_vcpu *vmx, u32 reason, bool sync)
{
	struct nested_vmx *n = vmx->nested;
	struct vmcs12 *v = n->vmcs12;
	u32 abort = 0;

	if (sync) {
		nested_sync_vmcs12(vmx, v, reason);
		vmx->vcpu.nested_reflected++;
		/* L2's MSRs, read while vmcs02 is current (27.4). */
		abort = nested_store_msrs(vmx, vmcs12_get(v, VM_EXIT_MSR_STORE_ADDR),
					  vmcs12_get(v, VM_EXIT_MSR_STORE_COUNT)) ?
			VMX_ABORT_SAVE_MSRS : 0;
	} else {
		vmcs12_set(v, VM_EXIT_REASON, reason);
		vmcs12_set(v, EXIT_QUALIFICATION, vmx->exit_qual);
		vmcs12_set(v, VM_EXIT_INTR_INFO, 0);
		vmcs12_set(v, IDT_VECTORING_INFO_FIELD, 0);
	}
	/* An event L2 did not get is L1's to re-inject (27.2.4). */
	vmx->vcpu.reinject.type = HVX_EVENT_NONE;
	vmx->vcpu.exception.type = HVX_EVENT_NONE;

	preempt_disable();
	if (vmx->nested_guest_mode) {
		vmx->nested_guest_mode = false;
		vmx_switch_vmcs(vmx, &vmx->vmcs01);
	}
	nested_load_l1_host_state(vmx, v);
	/*
	 * Without VPID in vmcs12, a VM exit flushes L1's linear mappings
	 * (SDM 28.5.5): L1 may rely on it, as on real hardware.
	 */
	if (vmx->vpid && !(nested_proc2(v) & SEC_ENABLE_VPID))
		vmx_flush_vpid(vmx->vpid);
	preempt_enable();
	/* L1's MSRs from its list, with vmcs01 current again (27.6). */
	if (!abort && nested_load_msrs(vmx, vmcs12_get(v, VM_EXIT_MSR_LOAD_ADDR),
				       vmcs12_get(v, VM_EXIT_MSR_LOAD_COUNT)))
		abort = VMX_ABORT_LOAD_HOST_MSRS;
	if (abort)
		nested_vmx_abort(vmx, abort);
	/* L1 reads the exit through the shadow VMCS without exits. */
	nested_shadow_from_vmcs12(vmx);
	return 1;
}

/*
 * L2's linear translations on VM entry (SDM 27.3.3.1): without VPID in
 * vmcs12 every entry starts afresh; with it, they survive as long as L1
 * keeps running the same VPID (vpid02 holds one L2's at a time).
 */
static void nested_flush_vpid02(struct nested_vmx *n, struct vmcs12 *v)
{
	u16 vpid12 = nested_proc2(v) & SEC_ENABLE_VPID ?
		     vmcs12_get(v, VIRTUAL_PROCESSOR_ID) : 0;

	if (n->vpid02 && (!vpid12 || vpid12 != n->vpid12))
		vmx_flush_vpid(n->vpid02);
	n->vpid12 = vpid12;
}

static int nested_vmenter(struct vmx_vcpu *vmx, bool launch)
{
	struct nested_vmx *n = vmx->nested;
	struct vmcs12 *v = n->vmcs12;
	struct l1_snapshot l1;
	int r;

	r = nested_check_permission(vmx, false);
	if (r)
		return r;
	if (n->current_ptr == VMCS12_NONE)
		return nested_fail_invalid(vmx);
	/* What L1 wrote through the shadow VMCS counts from here. */
	nested_shadow_to_vmcs12(vmx);
	if (vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_MOV_SS_BLOCKING)
		return nested_fail_valid(vmx, VMXERR_ENTRY_EVENTS_BLOCKED_MOV_SS);
	if (launch && v->launched)
		return nested_fail_valid(vmx, VMXERR_VMLAUNCH_NONCLEAR_VMCS);
	if (!launch && !v->launched)
		return nested_fail_valid(vmx, VMXERR_VMRESUME_NONLAUNCHED_VMCS);
	if (nested_check_controls(n, v))
		return nested_fail_valid(vmx, VMXERR_ENTRY_INVALID_CONTROL);
	if (nested_check_host_state(n, v))
		return nested_fail_valid(vmx, VMXERR_ENTRY_INVALID_HOST_STATE);
	r = nested_check_guest_state(n, v);
	if (r) {
		/* A VM-entry failure is a VM exit to L1 (26.8). */
		vmx->exit_qual = r - 1;
		return nested_vmexit(vmx, EXIT_REASON_INVALID_STATE |
				     EXIT_REASON_FAILED_ENTRY, false);
	}

	if (!n->vmcs02.page) {
		r = vmx_alloc_vmcs(&n->vmcs02);
		if (r)
			return r;
	}
	n->ept_on = nested_proc2(v) & SEC_ENABLE_EPT;
	if (n->ept_on) {
		r = nested_ept02_use(&n->ept02, &vmx->vcpu,
				     vmcs12_get(v, EPT_POINTER));
		if (r)
			return r;
	}
	l1.efer = vmcs_read(GUEST_IA32_EFER);
	l1.pat = vmcs_read(GUEST_IA32_PAT);
	l1.eptp = vmcs_read(EPT_POINTER);

	preempt_disable();
	vmx_switch_vmcs(vmx, &n->vmcs02);
	vmx->nested_guest_mode = true;
	nested_prepare_vmcs02(vmx, v, &l1);
	nested_flush_vpid02(n, v);
	preempt_enable();

	/* L2's MSRs from L1's list, after its guest state (26.4). */
	r = nested_load_msrs(vmx, vmcs12_get(v, VM_ENTRY_MSR_LOAD_ADDR),
			     vmcs12_get(v, VM_ENTRY_MSR_LOAD_COUNT));
	if (r) {
		vmx->exit_qual = r;
		return nested_vmexit(vmx, EXIT_REASON_MSR_LOAD_FAIL |
				     EXIT_REASON_FAILED_ENTRY, false);
	}
	/* Launched only once the entry has succeeded (VMLAUNCH, 31.3). */
	if (launch)
		v->launched = 1;
	return 1;
}

static int handle_vmlaunch(struct vmx_vcpu *vmx)
{
	return nested_vmenter(vmx, true);
}

static int handle_vmresume(struct vmx_vcpu *vmx)
{
	return nested_vmenter(vmx, false);
}

/* ---- which L2 exits are L1's (SDM 26.1) ---- */

/* Is any port of [port, port + size) set in L1's I/O bitmaps? */
static bool nested_io_bitmap(struct vmx_vcpu *vmx, struct vmcs12 *v,
			     u16 port, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		u32 p = (u16)(port + i);
		u64 bitmap = p < 0x8000 ? vmcs12_get(v, IO_BITMAP_A) :
					  vmcs12_get(v, IO_BITMAP_B);
		u8 byte;

		if (hvx_read_guest(vmx->vcpu.vm, bitmap + (p & 0x7fff) / 8,
				   &byte, 1) || (byte & BIT(p & 7)))
			return true;
	}
	return false;
}

/* L1's MSR bitmap (SDM 25.6.9): read-low, read-high, write-low, write-high. */
static bool nested_msr_bitmap(struct vmx_vcpu *vmx, struct vmcs12 *v,
			      u32 msr, bool write)
{
	u64 base = vmcs12_get(v, MSR_BITMAP) + (write ? 0x800 : 0);
	u8 byte;

	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base += 0x400;
	else if (msr > 0x1fff)
		return true;
	msr &= 0x1fff;
	return hvx_read_guest(vmx->vcpu.vm, base + msr / 8, &byte, 1) ||
	       (byte & BIT(msr & 7));
}

static bool nested_cr_wanted(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	u64 q = vmx->exit_qual, val = vmx->vcpu.regs[(q >> 8) & 0xf];
	u32 proc = vmcs12_get(v, CPU_BASED_VM_EXEC_CONTROL);
	u64 mask0 = vmcs12_get(v, CR0_GUEST_HOST_MASK);
	u64 shadow0 = vmcs12_get(v, CR0_READ_SHADOW);

	switch ((q >> 4) & 3) {
	case 0:		/* MOV to CR */
		switch (q & 0xf) {
		case 0:
			return (val ^ shadow0) & mask0;
		case 3:
			return proc & CPU_CR3_LOAD_EXITING;
		case 4:
			return (val ^ vmcs12_get(v, CR4_READ_SHADOW)) &
			       vmcs12_get(v, CR4_GUEST_HOST_MASK);
		case 8:
			return proc & CPU_CR8_LOAD_EXITING;
		}
		return true;
	case 1:		/* MOV from CR */
		return (q & 0xf) == 3 ? proc & CPU_CR3_STORE_EXITING :
					proc & CPU_CR8_STORE_EXITING;
	case 2:		/* CLTS */
		return (mask0 & X86_CR0_TS) && (shadow0 & X86_CR0_TS);
	default:	/* LMSW */
		val = (q >> 16) & 0xf;
		return ((mask0 & X86_CR0_PE) && !(shadow0 & X86_CR0_PE) &&
			(val & X86_CR0_PE)) ||
		       ((val ^ shadow0) & mask0 & 0xe);
	}
}

/* Exits L1 asks for with one processor-based control each (SDM 26.1.3). */
static const struct {
	u16 reason;
	u32 control;
} nested_proc_exits[] = {
	{ EXIT_REASON_INTERRUPT_WINDOW, CPU_INTR_WINDOW_EXITING },
	{ EXIT_REASON_NMI_WINDOW, CPU_NMI_WINDOW_EXITING },
	{ EXIT_REASON_HLT, CPU_HLT_EXITING },
	{ EXIT_REASON_INVLPG, CPU_INVLPG_EXITING },
	{ EXIT_REASON_RDPMC, CPU_RDPMC_EXITING },
	{ EXIT_REASON_RDTSC, CPU_RDTSC_EXITING },
	{ EXIT_REASON_MWAIT, CPU_MWAIT_EXITING },
	{ EXIT_REASON_MONITOR, CPU_MONITOR_EXITING },
	{ EXIT_REASON_PAUSE, CPU_PAUSE_EXITING },
	{ EXIT_REASON_DR_ACCESS, CPU_MOV_DR_EXITING },
};

static bool nested_exit_wanted(struct vmx_vcpu *vmx, struct vmcs12 *v,
			       u16 reason)
{
	u32 proc = vmcs12_get(v, CPU_BASED_VM_EXEC_CONTROL);
	unsigned int i;
	u32 info;

	for (i = 0; i < ARRAY_SIZE(nested_proc_exits); i++)
		if (nested_proc_exits[i].reason == reason)
			return proc & nested_proc_exits[i].control;

	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		info = vmx->exit_intr_info;
		if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
			return false;
		if ((info & INTR_INFO_VECTOR_MASK) == HVX_PF_VECTOR) {
			bool bit = vmcs12_get(v, EXCEPTION_BITMAP) &
				   BIT(HVX_PF_VECTOR);
			u32 ec = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
			bool match = (ec & vmcs12_get(v, PAGE_FAULT_ERROR_CODE_MASK)) ==
				     vmcs12_get(v, PAGE_FAULT_ERROR_CODE_MATCH);

			return bit == match;
		}
		return vmcs12_get(v, EXCEPTION_BITMAP) &
		       BIT(info & INTR_INFO_VECTOR_MASK);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		return false;
	case EXIT_REASON_CR_ACCESS:
		return nested_cr_wanted(vmx, v);
	case EXIT_REASON_IO_INSTRUCTION:
		if (proc & CPU_USE_IO_BITMAPS)
			return nested_io_bitmap(vmx, v,
				vmx->exit_qual >> IO_QUAL_PORT_SHIFT,
				(vmx->exit_qual & IO_QUAL_SIZE_MASK) + 1);
		return proc & CPU_UNCOND_IO_EXITING;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		if (!(proc & CPU_USE_MSR_BITMAPS))
			return true;
		return nested_msr_bitmap(vmx, v, vmx->vcpu.regs[HVX_RCX],
					 reason == EXIT_REASON_MSR_WRITE);
	default:
		/* CPUID, VMCALL, the VMX instructions, XSETBV...: always. */
		return true;
	}
}

/* The bits of an EPT-violation qualification L1 gets as the CPU gave them. */
#define EPT_QUAL_PASSED		(EPT_QUAL_READ | EPT_QUAL_WRITE | \
				 EPT_QUAL_FETCH | BIT(7) | BIT(8) | \
				 EPT_QUAL_NMI_UNBLOCK)

/*
 * An EPT violation of L2 on EPT02: L1's when EPT12 forbids the access
 * (reflected with EPT12's rights in bits 5:3, SDM 28.2.1) or is
 * misconfigured; otherwise EPT02 lacked the translation, and hvx adds it.
 */
static int nested_ept_violation(struct vmx_vcpu *vmx)
{
	struct nested_vmx *n = vmx->nested;
	u64 q = vmx->exit_qual, l2gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	unsigned int access = vmx_ept_qual_access(q);
	struct ept12_walk w;
	u64 data[3];
	int i, r;

	switch (nested_ept12_translate(&vmx->vcpu, vmcs12_get(n->vmcs12,
							      EPT_POINTER),
				       l2gpa, access, &w)) {
	case EPT12_VIOLATION:
		vmx->exit_qual = (q & EPT_QUAL_PASSED) |
				 (w.prot & HVX_PROT_R ? BIT(3) : 0) |
				 (w.prot & HVX_PROT_W ? BIT(4) : 0) |
				 (w.prot & HVX_PROT_X ? BIT(5) : 0);
		return nested_vmexit(vmx, EXIT_REASON_EPT_VIOLATION, true);
	case EPT12_MISCONFIG:
		vmx->exit_qual = 0;
		return nested_vmexit(vmx, EXIT_REASON_EPT_MISCONFIG, true);
	case EPT12_OK:
		break;
	}

	/* As for L1's own violations: IRET's NMI unblocking is undone. */
	if ((q & EPT_QUAL_NMI_UNBLOCK) &&
	    !(vmx->idt_vectoring & INTR_INFO_VALID))
		vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO,
			      GUEST_INTR_NMI_BLOCKING);
	/*
	 * L1's next write to any EPT12 table this translation came through
	 * empties every EPT02 (mmu.c's write tracking bumps tlb_gen), so a
	 * change of EPT12 reaches L2 even without INVEPT.  Tracking a table
	 * for the first time may itself empty EPT02 once: the fault repeats.
	 */
	for (i = 0; i < w.nr_tables; i++) {
		r = hvx_mmu_track_write(vmx->vcpu.vm, w.tables[i] >> PAGE_SHIFT);
		if (r)
			return r;
	}
	r = hvx_tdp_fault(&vmx->vcpu, w.gpa, access);
	if (r == HVX_FAULT_MMIO) {
		/*
		 * L2 reaching L1's emulated devices through EPT12 would need
		 * L2's instruction emulated by hvx: not done.  Say where.
		 */
		data[0] = EXIT_REASON_EPT_VIOLATION;
		data[1] = l2gpa;
		data[2] = w.gpa;
		return hvx_internal_error(&vmx->vcpu,
					  KVM_INTERNAL_ERROR_EMULATION, 3,
					  data);
	}
	if (r != HVX_FAULT_FIXED)
		return r;
	return nested_ept02_map(&n->ept02, l2gpa, w.gpa, w.prot);
}

/**
 * nested_vmx_reflect_exit() - is this L2 exit L1's? Then give it to L1
 * @vmx: the vCPU, in guest mode, vmcs02 current, exit information read
 *
 * Return: -1 when hvx handles the exit itself (as an exit of L2 on L1's
 * behalf), else what the exit handler returns (1: L1 runs next).
 */
int nested_vmx_reflect_exit(struct vmx_vcpu *vmx)
{
	struct vmcs12 *v = vmx->nested->vmcs12;
	u32 reason = vmx->exit_reason;

	if (reason & EXIT_REASON_FAILED_ENTRY)
		return nested_vmexit(vmx, reason, false);
	if (reason == EXIT_REASON_EPT_VIOLATION && vmx->nested->ept_on)
		return nested_ept_violation(vmx);
	if (!nested_exit_wanted(vmx, v, (u16)reason))
		return -1;
	return nested_vmexit(vmx, (u16)reason, true);
}

/**
 * nested_vmx_l1_intercepts_intr() - does L1 take external interrupts as
 * VM exits from the L2 now running?
 * @vmx: the vCPU, in guest mode
 *
 * Return: vmcs12's "external-interrupt exiting".
 */
bool nested_vmx_l1_intercepts_intr(struct vmx_vcpu *vmx)
{
	return vmcs12_get(vmx->nested->vmcs12, PIN_BASED_VM_EXEC_CONTROL) &
	       PIN_EXT_INTR_EXITING;
}

/*
 * An exit L1 asked for that no L2 instruction caused: an interrupt or NMI
 * of L1's arriving while L2 runs (SDM 26.2, 28.2.2).  No event of L2's is
 * in flight (the caller checks), so there is no IDT-vectoring information.
 */
static int nested_vmexit_event(struct vmx_vcpu *vmx, u16 reason,
			       u32 intr_info)
{
	vmx->exit_qual = 0;
	vmx->exit_insn_len = 0;
	vmx->idt_vectoring = 0;
	vmx->exit_intr_info = intr_info;
	return nested_vmexit(vmx, reason, true);
}

/**
 * nested_vmx_events() - L1's interrupts and NMIs while L2 runs
 * @vmx: the vCPU, before an entry
 *
 * An NMI that L1 intercepts ("NMI exiting") becomes an exit with reason 0
 * and NMI interruption information, and is consumed; an interrupt that
 * L1 intercepts ("external-interrupt exiting") becomes an exit with reason
 * 1 and stays pending, since hvx does not offer "acknowledge interrupt on
 * exit": L1 takes it through its IDT once it enables interrupts.  An event
 * L2 is being given (re-injection, an exception) goes first; the exit
 * follows on the next entry.
 *
 * Return: 1.
 */
int nested_vmx_events(struct vmx_vcpu *vmx)
{
	struct hvx_vcpu *vcpu = &vmx->vcpu;
	u32 pin;

	if (!vmx->nested_guest_mode ||
	    vcpu->reinject.type != HVX_EVENT_NONE ||
	    vcpu->exception.type != HVX_EVENT_NONE)
		return 1;
	pin = vmcs12_get(vmx->nested->vmcs12, PIN_BASED_VM_EXEC_CONTROL);
	if (vcpu->nmi_pending && (pin & PIN_NMI_EXITING)) {
		vcpu->nmi_pending--;
		return nested_vmexit_event(vmx, EXIT_REASON_EXCEPTION_NMI,
					   INTR_INFO_VALID | INTR_TYPE_NMI |
					   HVX_NMI_VECTOR);
	}
	if (vcpu->irq.type != HVX_EVENT_NONE && (pin & PIN_EXT_INTR_EXITING))
		return nested_vmexit_event(vmx, EXIT_REASON_EXTERNAL_INTERRUPT,
					   0);
	return 1;
}

/**
 * nested_vmx_gpa() - an L2-physical address as hvx's accesses must see it
 * @vmx:    the vCPU
 * @gpa:    a guest-physical address of the guest now running
 * @access: HVX_PROT_R/W/X
 * @out:    the VM's guest-physical address
 *
 * Identity unless L2 runs behind L1's EPT, where EPT12 translates.
 *
 * Return: 0, or -EIO when EPT12 maps nothing there or forbids @access.
 */
int nested_vmx_gpa(struct vmx_vcpu *vmx, u64 gpa, unsigned int access,
		   u64 *out)
{
	struct ept12_walk w;

	*out = gpa;
	if (!vmx->nested_guest_mode || !vmx->nested->ept_on)
		return 0;
	if (nested_ept12_translate(&vmx->vcpu,
				   vmcs12_get(vmx->nested->vmcs12, EPT_POINTER),
				   gpa, access, &w) != EPT12_OK)
		return -EIO;
	*out = w.gpa;
	return 0;
}

/**
 * nested_vmx_before_entry() - before entering L2, where sleeping is allowed
 * @vmx: the vCPU, in guest mode
 *
 * Empties EPT02 if EPT01 changed since it was last emptied.
 */
void nested_vmx_before_entry(struct vmx_vcpu *vmx)
{
	if (vmx->nested->ept_on)
		nested_ept02_sync(&vmx->nested->ept02);
}

/**
 * nested_vmx_entry_stale() - must the entry into L2 wait for EPT02?
 * @vmx: the vCPU, in guest mode, interrupts off, mode published
 *
 * Return: true when EPT01 changed after nested_vmx_before_entry(): the
 * caller backs out and the run loop comes round again.
 */
bool nested_vmx_entry_stale(struct vmx_vcpu *vmx)
{
	return vmx->nested->ept_on && nested_ept02_stale(&vmx->nested->ept02);
}

/**
 * nested_vmx_flush() - flush this CPU's translations of L2's EPT02
 * @vmx: the vCPU (any mode), on the CPU it is about to run on
 */
void nested_vmx_flush(struct vmx_vcpu *vmx)
{
	if (vmx->nested)
		nested_ept02_flush(&vmx->nested->ept02);
}

/**
 * nested_vmx_hardware_setup() - install the VMX-instruction handlers
 *
 * Without nested VMX they raise #UD (exits.c); with it, they are emulated
 * here (habit: the nested code switches itself on).
 */
void nested_vmx_hardware_setup(void)
{
	if (!nested)
		return;
	nested_shadow_setup();
	vmx_set_exit_handler(EXIT_REASON_VMXON, handle_vmxon);
	vmx_set_exit_handler(EXIT_REASON_VMXOFF, handle_vmxoff);
	vmx_set_exit_handler(EXIT_REASON_VMCLEAR, handle_vmclear);
	vmx_set_exit_handler(EXIT_REASON_VMPTRLD, handle_vmptrld);
	vmx_set_exit_handler(EXIT_REASON_VMPTRST, handle_vmptrst);
	vmx_set_exit_handler(EXIT_REASON_VMREAD, handle_vmread);
	vmx_set_exit_handler(EXIT_REASON_VMWRITE, handle_vmwrite);
	vmx_set_exit_handler(EXIT_REASON_VMLAUNCH, handle_vmlaunch);
	vmx_set_exit_handler(EXIT_REASON_VMRESUME, handle_vmresume);
	vmx_set_exit_handler(EXIT_REASON_INVEPT, handle_invept);
	vmx_set_exit_handler(EXIT_REASON_INVVPID, handle_invvpid);
}
