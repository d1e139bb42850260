/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walk: guest-virtual (linear) to guest-physical, as the
 * guest's own paging would translate it (SDM Vol. 3A chapter 4, AMD APM
 * Vol. 2 chapter 5).  Used for KVM_TRANSLATE and to fetch instruction
 * bytes at the guest's RIP.
 *
 * Pure logic: guest memory is read through a callback.  This file and
 * gwalk.c also compile in userspace, where selftests/unit tests them.
 */
#ifndef HVX_X86_GWALK_H
#define HVX_X86_GWALK_H

#include <linux/types.h>

/* Access kinds for hvx_gva_to_gpa(), combined with |. */
#define HVX_WALK_WRITE		0x1	/* a write (else a read) */
#define HVX_WALK_USER		0x2	/* CPL 3 (else supervisor) */
#define HVX_WALK_FETCH		0x4	/* an instruction fetch */
/* an explicit supervisor data access with RFLAGS.AC=1: SMAP does not apply */
#define HVX_WALK_AC		0x8

/* Page-fault error code (SDM Vol. 3A 4.7, Figure 4-12) */
#define HVX_PFERR_PRESENT	0x01	/* protection or reserved bit */
#define HVX_PFERR_WRITE		0x02
#define HVX_PFERR_USER		0x04
#define HVX_PFERR_RSVD		0x08
#define HVX_PFERR_FETCH		0x10

/**
 * struct hvx_walk_env - the guest state a walk depends on
 * @cr0:	 guest CR0 (PG, WP).
 * @cr3:	 guest CR3.
 * @cr4:	 guest CR4 (PSE, PAE, LA57, SMEP, SMAP).
 * @efer:	 guest IA32_EFER (LMA, NXE).
 * @pdptrs:	 PAE paging only: the four PDPTEs the CPU loaded when CR3
 *		 was last written (with EPT/NPT, the VMCS GUEST_PDPTRn
 *		 fields), or NULL to read them from memory at CR3.
 * @maxphyaddr:	 the guest's MAXPHYADDR (CPUID 80000008H EAX[7:0]); 0
 *		 means 52.  Physical-address bits at and above it are
 *		 reserved in paging-structure entries.
 * @read_gpa:	 reads @len bytes of guest-physical memory at @gpa into
 *		 @buf; returns 0 or a negative errno.
 * @opaque:	 passed to @read_gpa.
 */
struct hvx_walk_env {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
	const u64 *pdptrs;
	u8 maxphyaddr;
	int (*read_gpa)(void *opaque, u64 gpa, void *buf, unsigned int len);
	void *opaque;
};

int hvx_gva_to_gpa(const struct hvx_walk_env *env, u64 gva,
		   unsigned int access, u64 *gpa, u32 *pf_error_code);

#endif /* HVX_X86_GWALK_H */
