/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested VMX: the interface between the VMX backend and nested*.c.
 *
 * The non-nested VMX path knows only whether nested VMX is on for a vCPU
 * (vmx->nested != NULL), whether L2 is running (vmx->nested_guest_mode),
 * and the calls below.  Everything else about L1 and L2 lives in
 * nested.c.
 */
#ifndef HVX_VMX_NESTED_H
#define HVX_VMX_NESTED_H

#include "vmx.h"

#ifdef CONFIG_HVX_NESTED
void nested_vmx_hardware_setup(void);
void nested_vmx_hardware_unsetup(void);
void nested_vmx_vmcs01_setup(struct vmx_vcpu *vmx);
bool nested_vmx_allowed(void);
int nested_vmx_vcpu_init(struct vmx_vcpu *vmx);
void nested_vmx_vcpu_free(struct vmx_vcpu *vmx);
int nested_vmx_get_msr(struct vmx_vcpu *vmx, u32 index, u64 *data);
int nested_vmx_set_msr(struct vmx_vcpu *vmx, u32 index, u64 data,
		       bool host);
bool nested_vmx_cr4_vmxe_ok(struct vmx_vcpu *vmx);
bool nested_vmx_in_vmx_operation(struct vmx_vcpu *vmx);
int nested_vmx_reflect_exit(struct vmx_vcpu *vmx);
void nested_vmx_before_entry(struct vmx_vcpu *vmx);
bool nested_vmx_entry_stale(struct vmx_vcpu *vmx);
void nested_vmx_flush(struct vmx_vcpu *vmx);
int nested_vmx_gpa(struct vmx_vcpu *vmx, u64 gpa, unsigned int access,
		   u64 *out);
int nested_vmx_events(struct vmx_vcpu *vmx);
bool nested_vmx_l1_intercepts_intr(struct vmx_vcpu *vmx);
#else
static inline void nested_vmx_hardware_setup(void) { }
static inline void nested_vmx_hardware_unsetup(void) { }
static inline void nested_vmx_vmcs01_setup(struct vmx_vcpu *vmx) { }
static inline bool nested_vmx_allowed(void) { return false; }
static inline int nested_vmx_vcpu_init(struct vmx_vcpu *vmx) { return 0; }
static inline void nested_vmx_vcpu_free(struct vmx_vcpu *vmx) { }
static inline int nested_vmx_get_msr(struct vmx_vcpu *vmx, u32 index,
				     u64 *data)
{
	return -ENOENT;
}
static inline int nested_vmx_set_msr(struct vmx_vcpu *vmx, u32 index,
				     u64 data, bool host)
{
	return -ENOENT;
}
static inline bool nested_vmx_cr4_vmxe_ok(struct vmx_vcpu *vmx)
{
	return false;
}
static inline bool nested_vmx_in_vmx_operation(struct vmx_vcpu *vmx)
{
	return false;
}
static inline int nested_vmx_reflect_exit(struct vmx_vcpu *vmx)
{
	return -1;
}
static inline void nested_vmx_before_entry(struct vmx_vcpu *vmx) { }
static inline bool nested_vmx_entry_stale(struct vmx_vcpu *vmx)
{
	return false;
}
static inline void nested_vmx_flush(struct vmx_vcpu *vmx) { }
static inline int nested_vmx_events(struct vmx_vcpu *vmx)
{
	return 1;
}
static inline bool nested_vmx_l1_intercepts_intr(struct vmx_vcpu *vmx)
{
	return false;
}
static inline int nested_vmx_gpa(struct vmx_vcpu *vmx, u64 gpa,
				 unsigned int access, u64 *out)
{
	*out = gpa;
	return 0;
}
#endif

/* exits.c: nested VMX installs its handlers for the VMX instructions. */
typedef int (*vmx_exit_handler)(struct vmx_vcpu *vmx);
void vmx_set_exit_handler(u16 reason, vmx_exit_handler fn);
int vmx_handle_exit_l1(struct vmx_vcpu *vmx);

#endif /* HVX_VMX_NESTED_H */
