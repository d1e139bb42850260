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

#endif /* _UAPI_LINUX_HVX_H */
