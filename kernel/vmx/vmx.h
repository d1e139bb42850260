/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvx VMX backend, internal: the per-vCPU state and the VMCS accessors the
 * backend's files (vmx.c, exits.c) share.  Not for the core.
 */
#ifndef HVX_VMX_VMX_H
#define HVX_VMX_VMX_H

#include <linux/list.h>
#include <asm/asm.h>

#include "../hvx.h"
#include "vmcs.h"

/* One entry of a VM-entry/VM-exit MSR-load area (SDM 25.7.2) */
struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __aligned(16);

/* The MSRs hvx switches with the MSR-load areas, in this order. */
enum vmx_switched_msr {
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_MSR_KERNEL_GS_BASE,
	VMX_NR_SWITCHED_MSRS
};

/**
 * struct vmx_config - the controls and CR ownership every VMCS starts with
 *
 * Chosen once at probe from the capability MSRs; constant afterwards.
 * @cr0_guest_owned/@cr4_guest_owned are the bits the guest writes without
 * an exit; @cr0_fixed0/@cr4_fixed0 the bits hardware needs set (SDM A.7,
 * A.8; PE and PG exempt with unrestricted guest).
 */
struct vmx_config {
	u32 pin, cpu, cpu2, exit, entry;
	bool vpid, preemption_timer, ept_ad;
	u8 timer_shift;
	u64 cr0_guest_owned, cr4_guest_owned;
	u64 cr0_fixed0, cr4_fixed0;
};

extern struct vmx_config vmx_conf;

/**
 * struct vmx_vmcs - one hardware VMCS and what hvx caches about it
 * @page:	the VMCS region; @pa its physical address.
 * @pa:		see @page.
 * @launched:	VMLAUNCH done since the last VMCLEAR: use VMRESUME.
 * @cpu:	the CPU it is active on, or -1.  Written last when it is
 *		cleared (after a barrier), so a reader seeing -1 may load it.
 * @link:	on that CPU's list of active VMCSs; changed only on that CPU
 *		with interrupts off.
 * @host_rsp:	HOST_RSP as last written (vmenter.S keeps it).
 * @host_cr3:	HOST_CR3 as last written.
 * @host_cr4:	HOST_CR4 as last written.
 * @cpu_based:	CPU_BASED_VM_EXEC_CONTROL as last written.
 * @tsc_offset:	TSC_OFFSET as last written.
 */
struct vmx_vmcs {
	struct page *page;
	u64 pa;
	bool launched;
	int cpu;
	struct list_head link;
	unsigned long host_rsp;
	unsigned long host_cr3;
	unsigned long host_cr4;
	u32 cpu_based;
	s64 tsc_offset;
};

struct nested_vmx;

/**
 * struct vmx_vcpu - a vCPU of the VMX backend
 * @vcpu:	 the core's part; first, so the core's pointer is ours.
 * @vmcs01:	 the VMCS that runs this guest (L1, with nested VMX).
 * @cur:	 the current VMCS: &vmcs01, or nested VMX's vmcs02 while L2
 *		 runs.  Changed with preemption disabled (vmx_switch_vmcs).
 * @nested:	 nested VMX state, NULL unless the module parameter allows it.
 * @nested_guest_mode: L2 is running (cur is vmcs02).
 * @vpid:	 this vCPU's VPID, 0 without VPID.
 * @need_flush:	 set when the vCPU moves to a CPU: flush its EPT context
 *		 there before the next entry.
 * @msr_guest:	 VM-entry MSR-load area: the guest's switched MSRs.
 * @msr_host:	 VM-exit MSR-load area: the host's, refreshed on load.
 * @msr_switch:	 the MSR-load areas are in use (the guest wrote one).
 * @host_ds:	 host DS/ES selectors, restored on put (VM exit zeroes them).
 * @host_es:
 * @exit_reason: the last exit's basic reason and bit 31.
 * @exit_qual:	 its exit qualification.
 * @exit_intr_info: its VM-exit interruption information.
 * @exit_insn_len: its VM-exit instruction length.
 * @idt_vectoring: its IDT-vectoring information.
 * @cr8:	 the guest's TPR as MOV CR8 sees it (no APIC is emulated).
 * @dr7:	 the guest's DR7; hardware runs the guest with DR7 = 0x400.
 */
struct vmx_vcpu {
	struct hvx_vcpu vcpu;
	struct vmx_vmcs vmcs01;
	struct vmx_vmcs *cur;
	struct nested_vmx *nested;
	bool nested_guest_mode;
	u16 vpid;
	bool need_flush;
	struct vmx_msr_entry *msr_guest;
	struct vmx_msr_entry *msr_host;
	bool msr_switch;
	u16 host_ds, host_es;
	u32 exit_reason;
	u64 exit_qual;
	u32 exit_intr_info;
	u32 exit_insn_len;
	u32 idt_vectoring;
	u64 cr8;
	u64 dr7;
};

static inline struct vmx_vcpu *to_vmx(struct hvx_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

void vmx_vmcs_error(unsigned long field, bool write);

/* The access (HVX_PROT_R/W/X) an EPT-violation qualification reports. */
static inline unsigned int vmx_ept_qual_access(u64 qual)
{
	return (qual & EPT_QUAL_READ ? HVX_PROT_R : 0) |
	       (qual & EPT_QUAL_WRITE ? HVX_PROT_W : 0) |
	       (qual & EPT_QUAL_FETCH ? HVX_PROT_X : 0);
}

/*
 * VMREAD/VMWRITE of the current VMCS.  A failure means hvx named a field
 * the CPU lacks or has no current VMCS: a bug, reported (rate-limited) and
 * otherwise survived; a read then returns 0.
 */
static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 value;

	asm_goto_output("1: vmread %[field], %[value]\n\t"
			  "jbe %l[failed]\n\t"
			  _ASM_EXTABLE(1b, %l[failed])
			  : [value] "=rm"(value) : [field] "r"(field)
			  : "cc" : failed);
	return value;
failed:
	vmx_vmcs_error(field, false);
	return 0;
}

static __always_inline void vmcs_write(unsigned long field, u64 value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
			  "jbe %l[failed]\n\t"
			  _ASM_EXTABLE(1b, %l[failed])
			  : : [value] "rm"(value), [field] "r"(field)
			  : "cc" : failed);
	return;
failed:
	vmx_vmcs_error(field, true);
}

static inline void vmcs_set_bits(unsigned long field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits(unsigned long field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

int hvx_vmx_enter(u64 *regs, bool launched, unsigned long *host_rsp);
void hvx_vmx_exit(void);

/* vmx.c */
int vmx_switched_msr(u32 index);
int vmx_alloc_vmcs(struct vmx_vmcs *vmcs);
void vmx_free_vmcs(struct vmx_vmcs *vmcs);
void vmx_clear_vmcs(struct vmx_vmcs *vmcs);
void vmx_switch_vmcs(struct vmx_vcpu *vmx, struct vmx_vmcs *vmcs);
void vmx_set_host_state(struct vmx_vmcs *vmcs);
int vmx_alloc_vpid(void);
u64 vmx_caps_procbased2(void);
u64 vmx_caps_misc(void);
u64 vmx_caps_ept_vpid(void);
void vmx_free_vpid(u16 vpid);
void vmx_flush_eptp(u64 eptp);
void vmx_flush_vpid(u16 vpid);
void vmx_enable_msr_switch(struct vmx_vcpu *vmx);

/* state.c: register state, and the backend ops that move it */
bool vmx_guest_paging_pae(struct vmx_vcpu *vmx);
int vmx_load_pdptrs(struct vmx_vcpu *vmx, u64 cr3);
void vmx_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
void vmx_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer);
void vmx_reset_guest_state(struct vmx_vcpu *vmx);
u64 vmx_get_cr(struct hvx_vcpu *vcpu, int cr);
void vmx_get_regs(struct hvx_vcpu *vcpu, struct kvm_regs *regs);
void vmx_set_regs(struct hvx_vcpu *vcpu, const struct kvm_regs *regs);
void vmx_get_sregs(struct hvx_vcpu *vcpu, struct kvm_sregs *sregs);
int vmx_set_sregs(struct hvx_vcpu *vcpu, const struct kvm_sregs *sregs);
u64 vmx_get_rflags(struct hvx_vcpu *vcpu);
void vmx_set_rflags(struct hvx_vcpu *vcpu, u64 rflags);
void vmx_skip_insn(struct hvx_vcpu *vcpu, unsigned int len);
int vmx_get_msr(struct hvx_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct hvx_vcpu *vcpu, u32 index, u64 data, bool host);
u64 vmx_get_dr7(struct hvx_vcpu *vcpu);
void vmx_set_dr7(struct hvx_vcpu *vcpu, u64 dr7);
bool vmx_interrupt_allowed(struct hvx_vcpu *vcpu);
bool vmx_nmi_allowed(struct hvx_vcpu *vcpu);
void vmx_inject(struct hvx_vcpu *vcpu, const struct hvx_event *ev);
void vmx_request_window(struct hvx_vcpu *vcpu, bool irq, bool nmi);
u32 vmx_get_interrupt_shadow(struct hvx_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct hvx_vcpu *vcpu, u32 shadow);
bool vmx_get_nmi_mask(struct hvx_vcpu *vcpu);
void vmx_set_nmi_mask(struct hvx_vcpu *vcpu, bool masked);

/* exits.c */
int vmx_handle_exit(struct vmx_vcpu *vmx);

#endif /* HVX_VMX_VMX_H */
