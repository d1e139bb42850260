/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Architecture rules both backends share: CPUID, MSRs, the event queue of
 * the userspace interrupt-controller model, port I/O and MMIO exits, and
 * the vCPU ioctls that move x86 state in and out.
 *
 * Backends call the hvx_emulate_*() and hvx_*_exit() helpers from their
 * exit handlers; each returns what a backend's run op returns: 1 to
 * re-enter the guest, 0 when vcpu->run describes an exit for userspace.
 */
#ifndef HVX_X86_H
#define HVX_X86_H

#include "../hvx.h"

/* Exception vectors (SDM Vol. 3A 6.3.1) */
#define HVX_DE_VECTOR	0
#define HVX_DB_VECTOR	1
#define HVX_NMI_VECTOR	2
#define HVX_BP_VECTOR	3
#define HVX_UD_VECTOR	6
#define HVX_DF_VECTOR	8
#define HVX_GP_VECTOR	13
#define HVX_PF_VECTOR	14

/* ioctl.c */
long hvx_x86_vcpu_ioctl(struct hvx_vcpu *vcpu, unsigned int ioctl,
			void __user *argp);
void hvx_x86_vcpu_reset(struct hvx_vcpu *vcpu);

/* enter.c: around the world switch */
struct hvx_host_state {
	u64 xcr0, debugctl, dr7;
	bool xcr0_switched;
};
bool hvx_enter_begin(struct hvx_vcpu *vcpu);
void hvx_switch_to_guest(struct hvx_vcpu *vcpu, struct hvx_host_state *h);
void hvx_switch_to_host(const struct hvx_host_state *h);

/* cr.c */
u64 hvx_cr4_allowed(void);
bool hvx_cr0_valid(u64 cr0);
bool hvx_cr4_valid(u64 cr4);
bool hvx_efer_valid(u64 efer);
bool hvx_sregs_valid(const struct kvm_sregs *s);
bool hvx_pat_valid(u64 pat);
int hvx_emulate_mov_dr(struct hvx_vcpu *vcpu, int dr, bool write, u64 *reg,
		       u64 *dr7);

/* cpuid.c */
int hvx_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid);
int hvx_set_cpuid2(struct hvx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid);
int hvx_get_cpuid2(struct hvx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid);
int hvx_emulate_cpuid(struct hvx_vcpu *vcpu);
const struct kvm_cpuid_entry2 *hvx_find_cpuid(struct hvx_vcpu *vcpu,
					      u32 function, u32 index);

/* msr.c */
int hvx_get_msr_index_list(struct kvm_msr_list __user *ulist);
int hvx_get_msr(struct hvx_vcpu *vcpu, u32 index, u64 *data, bool host);
int hvx_set_msr(struct hvx_vcpu *vcpu, u32 index, u64 data, bool host);
int hvx_emulate_rdmsr(struct hvx_vcpu *vcpu);
int hvx_emulate_wrmsr(struct hvx_vcpu *vcpu);

/* events.c */
void hvx_queue_exception(struct hvx_vcpu *vcpu, u8 vector, bool has_error,
			 u32 error_code);
int hvx_inject_events(struct hvx_vcpu *vcpu);

/* io.c */
int hvx_pio_exit(struct hvx_vcpu *vcpu, u16 port, u8 size, bool in,
		 unsigned int insn_len);
int hvx_string_pio_exit(struct hvx_vcpu *vcpu, u16 port, u8 size, bool in,
			bool rep, unsigned int insn_len);
int hvx_mmio_exit(struct hvx_vcpu *vcpu, u64 gpa);
int hvx_complete_io(struct hvx_vcpu *vcpu);
int hvx_internal_error(struct hvx_vcpu *vcpu, u32 suberror,
		       unsigned int ndata, const u64 *data);
int hvx_emulate_xsetbv(struct hvx_vcpu *vcpu);
int hvx_decode_at_rip(struct hvx_vcpu *vcpu, struct hvx_insn *insn);
int hvx_read_gva(struct hvx_vcpu *vcpu, u64 gva, void *buf, unsigned int len);
int hvx_write_gva(struct hvx_vcpu *vcpu, u64 gva, const void *buf,
		  unsigned int len);
u64 hvx_supported_xcr0(void);

/* Guest mode as the decoder and page walker need it. */
struct hvx_guest_mode {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	bool cs_l, cs_db;
	u8 cpl;
	u64 seg_base[6];	/* ES CS SS DS FS GS */
};
void hvx_get_guest_mode(struct hvx_vcpu *vcpu, struct hvx_guest_mode *m);
int hvx_translate_gva(struct hvx_vcpu *vcpu, u64 gva, unsigned int access,
		      u64 *gpa, u32 *pf_error);

#endif /* HVX_X86_H */
