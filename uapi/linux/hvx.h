/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * hvx's additions to the KVM ABI.
 *
 * /dev/hvx speaks the KVM API of <linux/kvm.h>: the same ioctl numbers,
 * structures, exit reasons and capability numbers, for the subset hvx
 * implements (KVM_CHECK_EXTENSION says which).  What hvx adds is defined
 * here and never reuses a KVM number for another meaning.
 */
#ifndef _UAPI_LINUX_HVX_H
#define _UAPI_LINUX_HVX_H

#include <linux/kvm.h>

/* The device node the module registers (a misc device). */
#define HVX_DEVICE_PATH		"/dev/hvx"

/*
 * hvx's own ioctls use their own type, so no KVM number ever means two
 * things.
 */
#define HVXIO			0xb7

/**
 * struct hvx_vm_stats - counters of one VM (HVX_GET_VM_STATS)
 * @size:	   in: the size of the caller's structure; out: the size the
 *		   kernel filled (the smaller of the two).  Fields are only
 *		   ever added at the end, so old callers keep working.
 * @flags:	   0.
 * @exits:	   VM exits taken by all vCPUs.
 * @exits_to_user: of those, the ones that returned to userspace.
 * @tdp_faults:	   EPT violations / NPT faults on memslot memory.
 * @mmio_exits:	   accesses outside every memslot (or writes to read-only
 *		   ones) emulated for userspace.
 * @pinned_pages:  guest pages hvx holds pinned right now.
 * @mapped_4k:	   4 KiB mappings created in the EPT/NPT tables.
 * @mapped_2m:	   2 MiB mappings created (large pages).
 * @tlb_flushes:   TLB flushes the VM asked of its vCPUs (mapping changes).
 * @vm_bytes:	   kernel memory the VM itself holds: its object and its
 *		   EPT/NPT tables (not the guest's pages, which are the
 *		   process's).
 * @vcpu_bytes:	   kernel memory one vCPU holds: its object, the kvm_run
 *		   and PIO pages, the VMCS/VMCB and MSR areas, the FPU state.
 * @nested_l2_exits: nested VMX: exits to hvx while an L2 guest ran.
 * @nested_l1_exits: nested VMX: exits to hvx while L1 ran in VMX operation
 *		   (its VMREAD, VMWRITE, VMRESUME... of handling L2 exits).
 * @nested_reflected: L2 exits hvx reflected to L1.  The "exit
 *		   multiplication" is (nested_l2_exits + nested_l1_exits) /
 *		   nested_reflected.
 */
struct hvx_vm_stats {
	__u32 size;
	__u32 flags;
	__u64 exits;
	__u64 exits_to_user;
	__u64 tdp_faults;
	__u64 mmio_exits;
	__u64 pinned_pages;
	__u64 mapped_4k;
	__u64 mapped_2m;
	__u64 tlb_flushes;
	__u64 vm_bytes;
	__u64 vcpu_bytes;
	__u64 nested_l2_exits;
	__u64 nested_l1_exits;
	__u64 nested_reflected;
};

/* On a VM fd: read the VM's counters. */
#define HVX_GET_VM_STATS	_IOWR(HVXIO, 0x00, struct hvx_vm_stats)

/*
 * Exit counters by reason.
 *
 * Each vCPU counts its VM exits in HVX_NR_EXIT_REASONS slots, in one of
 * three sets (enum hvx_exit_set) by what ran when the exit happened; the
 * generic netlink family below reports their sums over the VM's vCPUs.
 *
 * VMX: the slot is the basic exit reason, bits 15:0 of the exit-reason
 * field (Intel SDM Vol. 3, Appendix C).  Failed VM entries count under
 * their basic reason (33, 34, 41).  A reason beyond the last slot is
 * counted in no slot (the totals still count it); the SDM's highest
 * today is 85.
 *
 * SVM: exit codes (AMD APM Vol. 2, Appendix C) fold into the same slots:
 *
 *   exit code          slot
 *   0x000-0x00f        HVX_SVM_SLOT_CR_READ   (any CR)
 *   0x010-0x01f        HVX_SVM_SLOT_CR_WRITE
 *   0x020-0x02f        HVX_SVM_SLOT_DR_READ   (any DR)
 *   0x030-0x03f        HVX_SVM_SLOT_DR_WRITE
 *   0x040-0x05f        HVX_SVM_SLOT_EXCEPTION (any vector)
 *   0x400 (NPF)        HVX_SVM_SLOT_NPF
 *   -1 (VMEXIT_INVALID) HVX_SVM_SLOT_INVALID
 *   0x060-0x0b7        code - HVX_SVM_CODE_BASE + HVX_SVM_SLOT_BASE,
 *                      so 0x072 (CPUID) is slot 26, 0x07b (IOIO) 35
 *   anything else      HVX_SVM_SLOT_OTHER
 */
#define HVX_NR_EXIT_REASONS	96

#define HVX_SVM_SLOT_CR_READ	0
#define HVX_SVM_SLOT_CR_WRITE	1
#define HVX_SVM_SLOT_DR_READ	2
#define HVX_SVM_SLOT_DR_WRITE	3
#define HVX_SVM_SLOT_EXCEPTION	4
#define HVX_SVM_SLOT_NPF	5
#define HVX_SVM_SLOT_OTHER	6
#define HVX_SVM_SLOT_INVALID	7
#define HVX_SVM_SLOT_BASE	8
#define HVX_SVM_CODE_BASE	0x060

/**
 * enum hvx_exit_set - what the vCPU ran when it exited
 * @HVX_EXIT_SET_GUEST: the guest, not in VMX operation (on SVM, always).
 * @HVX_EXIT_SET_L1:	nested VMX: the guest as a hypervisor (L1) in VMX
 *			operation, between runs of its own guest: its
 *			VMREAD, VMWRITE, VMRESUME... of handling L2's exits.
 * @HVX_EXIT_SET_L2:	nested VMX: L1's guest (L2), whether hvx handled
 *			the exit itself or reflected it to L1.
 * @HVX_NR_EXIT_SETS:	the number of sets.
 */
enum hvx_exit_set {
	HVX_EXIT_SET_GUEST,
	HVX_EXIT_SET_L1,
	HVX_EXIT_SET_L2,
	HVX_NR_EXIT_SETS
};

#endif /* _UAPI_LINUX_HVX_H */
