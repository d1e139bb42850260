/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmcs12: the VMCS an L1 hypervisor sees, in hvx's own layout.
 *
 * The SDM leaves a VMCS region's layout to the implementation (only the
 * revision identifier and the abort indicator have fixed places, 25.2), so
 * hvx stores every field it supports as a u64 at a fixed slot.  The layout
 * is an ABI between hvx versions (a VMCS may live in L1 memory across a
 * migration): fields are only ever appended, and VMCS12_REVISION changes
 * if that rule is ever broken.
 *
 * Pure logic: this file and vmcs12.c also compile in userspace, where
 * selftests/unit tests the encoding table and the width rules.
 */
#ifndef HVX_VMX_VMCS12_H
#define HVX_VMX_VMCS12_H

#include <linux/types.h>

#include "vmcs.h"

/* What L1 reads from IA32_VMX_BASIC[30:0]: not a real CPU's value. */
#define VMCS12_REVISION		0x48565831	/* "HVX1" */

/* Every field L1 may VMREAD/VMWRITE, in slot order.  Append only. */
#define VMCS12_FIELDS(X)						\
	X(VIRTUAL_PROCESSOR_ID) X(POSTED_INTR_NV) X(EPTP_INDEX)		\
	X(GUEST_ES_SELECTOR) X(GUEST_CS_SELECTOR) X(GUEST_SS_SELECTOR)	\
	X(GUEST_DS_SELECTOR) X(GUEST_FS_SELECTOR) X(GUEST_GS_SELECTOR)	\
	X(GUEST_LDTR_SELECTOR) X(GUEST_TR_SELECTOR) X(GUEST_INTR_STATUS) \
	X(GUEST_PML_INDEX)						\
	X(HOST_ES_SELECTOR) X(HOST_CS_SELECTOR) X(HOST_SS_SELECTOR)	\
	X(HOST_DS_SELECTOR) X(HOST_FS_SELECTOR) X(HOST_GS_SELECTOR)	\
	X(HOST_TR_SELECTOR)						\
	X(IO_BITMAP_A) X(IO_BITMAP_B) X(MSR_BITMAP)			\
	X(VM_EXIT_MSR_STORE_ADDR) X(VM_EXIT_MSR_LOAD_ADDR)		\
	X(VM_ENTRY_MSR_LOAD_ADDR) X(EXECUTIVE_VMCS_POINTER) X(PML_ADDRESS) \
	X(TSC_OFFSET) X(VIRTUAL_APIC_PAGE_ADDR) X(APIC_ACCESS_ADDR)	\
	X(POSTED_INTR_DESC_ADDR) X(VM_FUNCTION_CONTROL) X(EPT_POINTER)	\
	X(EOI_EXIT_BITMAP0) X(EOI_EXIT_BITMAP1) X(EOI_EXIT_BITMAP2)	\
	X(EOI_EXIT_BITMAP3) X(EPTP_LIST_ADDRESS) X(VMREAD_BITMAP)	\
	X(VMWRITE_BITMAP) X(XSS_EXIT_BITMAP) X(TSC_MULTIPLIER)		\
	X(GUEST_PHYSICAL_ADDRESS)					\
	X(VMCS_LINK_POINTER) X(GUEST_IA32_DEBUGCTL) X(GUEST_IA32_PAT)	\
	X(GUEST_IA32_EFER) X(GUEST_IA32_PERF_GLOBAL_CTRL)		\
	X(GUEST_PDPTR0) X(GUEST_PDPTR1) X(GUEST_PDPTR2) X(GUEST_PDPTR3)	\
	X(HOST_IA32_PAT) X(HOST_IA32_EFER) X(HOST_IA32_PERF_GLOBAL_CTRL) \
	X(PIN_BASED_VM_EXEC_CONTROL) X(CPU_BASED_VM_EXEC_CONTROL)	\
	X(EXCEPTION_BITMAP) X(PAGE_FAULT_ERROR_CODE_MASK)		\
	X(PAGE_FAULT_ERROR_CODE_MATCH) X(CR3_TARGET_COUNT)		\
	X(VM_EXIT_CONTROLS) X(VM_EXIT_MSR_STORE_COUNT)			\
	X(VM_EXIT_MSR_LOAD_COUNT) X(VM_ENTRY_CONTROLS)			\
	X(VM_ENTRY_MSR_LOAD_COUNT) X(VM_ENTRY_INTR_INFO_FIELD)		\
	X(VM_ENTRY_EXCEPTION_ERROR_CODE) X(VM_ENTRY_INSTRUCTION_LEN)	\
	X(TPR_THRESHOLD) X(SECONDARY_VM_EXEC_CONTROL) X(PLE_GAP)	\
	X(PLE_WINDOW)							\
	X(VM_INSTRUCTION_ERROR) X(VM_EXIT_REASON) X(VM_EXIT_INTR_INFO)	\
	X(VM_EXIT_INTR_ERROR_CODE) X(IDT_VECTORING_INFO_FIELD)		\
	X(IDT_VECTORING_ERROR_CODE) X(VM_EXIT_INSTRUCTION_LEN)		\
	X(VMX_INSTRUCTION_INFO)						\
	X(GUEST_ES_LIMIT) X(GUEST_CS_LIMIT) X(GUEST_SS_LIMIT)		\
	X(GUEST_DS_LIMIT) X(GUEST_FS_LIMIT) X(GUEST_GS_LIMIT)		\
	X(GUEST_LDTR_LIMIT) X(GUEST_TR_LIMIT) X(GUEST_GDTR_LIMIT)	\
	X(GUEST_IDTR_LIMIT) X(GUEST_ES_AR_BYTES) X(GUEST_CS_AR_BYTES)	\
	X(GUEST_SS_AR_BYTES) X(GUEST_DS_AR_BYTES) X(GUEST_FS_AR_BYTES)	\
	X(GUEST_GS_AR_BYTES) X(GUEST_LDTR_AR_BYTES) X(GUEST_TR_AR_BYTES) \
	X(GUEST_INTERRUPTIBILITY_INFO) X(GUEST_ACTIVITY_STATE)		\
	X(GUEST_SMBASE) X(GUEST_SYSENTER_CS) X(VMX_PREEMPTION_TIMER_VALUE) \
	X(HOST_IA32_SYSENTER_CS)					\
	X(CR0_GUEST_HOST_MASK) X(CR4_GUEST_HOST_MASK) X(CR0_READ_SHADOW) \
	X(CR4_READ_SHADOW) X(CR3_TARGET_VALUE0) X(CR3_TARGET_VALUE1)	\
	X(CR3_TARGET_VALUE2) X(CR3_TARGET_VALUE3)			\
	X(EXIT_QUALIFICATION) X(EXIT_IO_RCX) X(EXIT_IO_RSI)		\
	X(EXIT_IO_RDI) X(EXIT_IO_RIP) X(GUEST_LINEAR_ADDRESS)		\
	X(GUEST_CR0) X(GUEST_CR3) X(GUEST_CR4) X(GUEST_ES_BASE)		\
	X(GUEST_CS_BASE) X(GUEST_SS_BASE) X(GUEST_DS_BASE)		\
	X(GUEST_FS_BASE) X(GUEST_GS_BASE) X(GUEST_LDTR_BASE)		\
	X(GUEST_TR_BASE) X(GUEST_GDTR_BASE) X(GUEST_IDTR_BASE)		\
	X(GUEST_DR7) X(GUEST_RSP) X(GUEST_RIP) X(GUEST_RFLAGS)		\
	X(GUEST_PENDING_DBG_EXCEPTIONS) X(GUEST_SYSENTER_ESP)		\
	X(GUEST_SYSENTER_EIP)						\
	X(HOST_CR0) X(HOST_CR3) X(HOST_CR4) X(HOST_FS_BASE)		\
	X(HOST_GS_BASE) X(HOST_TR_BASE) X(HOST_GDTR_BASE)		\
	X(HOST_IDTR_BASE) X(HOST_IA32_SYSENTER_ESP)			\
	X(HOST_IA32_SYSENTER_EIP) X(HOST_RSP) X(HOST_RIP)

#define VMCS12_SLOT_ENUM(name) V12_##name,
enum vmcs12_slot {
	VMCS12_FIELDS(VMCS12_SLOT_ENUM)
	VMCS12_NR_FIELDS
};
#undef VMCS12_SLOT_ENUM

/**
 * struct vmcs12 - the VMCS region as L1 memory holds it (4 KiB at most)
 * @revision:	 VMCS12_REVISION, written by L1 before VMPTRLD (SDM 25.2).
 * @abort:	 the VMX-abort indicator.
 * @launched:	 launch state: 1 after VMLAUNCH, 0 after VMCLEAR.
 * @reserved:	 0.
 * @field:	 one u64 per supported field, by enum vmcs12_slot.
 */
struct vmcs12 {
	u32 revision;
	u32 abort;
	u32 launched;
	u32 reserved;
	u64 field[VMCS12_NR_FIELDS];
};

#define VMCS12_SIZE		sizeof(struct vmcs12)

/* vmcs12->field[V12_X], read or written by name. */
#define vmcs12_get(v, name)	((v)->field[V12_##name])
#define vmcs12_set(v, name, x)	((v)->field[V12_##name] = (x))

int vmcs12_slot(unsigned long encoding);
bool vmcs12_field_read_only(unsigned long encoding);
int vmcs12_read(const struct vmcs12 *v, unsigned long encoding, u64 *value);
int vmcs12_write(struct vmcs12 *v, unsigned long encoding, u64 value);

#endif /* HVX_VMX_VMCS12_H */
