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

/*
 * The generic netlink family "hvx" (Documentation/api.rst): the VMs that
 * exist and their counters.  Every command needs CAP_SYS_ADMIN: the
 * counters say what other users' guests are doing.
 */
#define HVX_GENL_NAME		"hvx"
#define HVX_GENL_VERSION	1

/**
 * enum hvx_genl_cmd - commands of the "hvx" family
 * @HVX_CMD_UNSPEC: unused.
 * @HVX_CMD_GET_VM: as a dump (NLM_F_DUMP), one message per VM, in the order
 *	the VMs were created, with the attributes %HVX_A_VM_ID to
 *	%HVX_A_VM_STATS.  As a request with %HVX_A_VM_ID, one message for
 *	that VM with the same attributes and one %HVX_A_VM_EXIT for each
 *	exit counter that is not zero.  Errors: %EPERM without
 *	CAP_SYS_ADMIN, %EINVAL without %HVX_A_VM_ID or with an attribute
 *	the request does not take, %ENOENT when no VM has the id.
 * @__HVX_CMD_MAX: internal.
 * @HVX_CMD_MAX: the highest command.
 */
enum hvx_genl_cmd {
	HVX_CMD_UNSPEC,
	HVX_CMD_GET_VM,
	__HVX_CMD_MAX,
	HVX_CMD_MAX = __HVX_CMD_MAX - 1
};

/**
 * enum hvx_genl_attr - attributes of %HVX_CMD_GET_VM
 * @HVX_A_UNSPEC:	unused.
 * @HVX_A_PAD:		padding for 64-bit attributes.
 * @HVX_A_VM_ID:	u64: the VM's id, unique while hvx.ko stays loaded
 *			(the first VM is 1); the request's only attribute.
 * @HVX_A_VM_PID:	u32: the process that created the VM (its thread
 *			group id), in the reader's pid namespace; 0 when
 *			it is not visible there.
 * @HVX_A_VM_NR_VCPUS:	u32: the VM's vCPUs.
 * @HVX_A_VM_BACKEND:	string: "vmx" or "svm", which says how to read
 *			the exit reasons.
 * @HVX_A_VM_STATS:	nest of enum hvx_stat_attr: the counters of
 *			struct hvx_vm_stats.
 * @HVX_A_VM_EXIT:	nest of enum hvx_exit_attr, one per nonzero
 *			(set, reason) counter; only in the reply to a
 *			request for one VM.
 * @__HVX_A_MAX:	internal.
 * @HVX_A_MAX:		the highest attribute.
 */
enum hvx_genl_attr {
	HVX_A_UNSPEC,
	HVX_A_PAD,
	HVX_A_VM_ID,
	HVX_A_VM_PID,
	HVX_A_VM_NR_VCPUS,
	HVX_A_VM_BACKEND,
	HVX_A_VM_STATS,
	HVX_A_VM_EXIT,
	__HVX_A_MAX,
	HVX_A_MAX = __HVX_A_MAX - 1
};

/**
 * enum hvx_stat_attr - inside %HVX_A_VM_STATS: each a u64, the field of
 *	struct hvx_vm_stats of the same name
 * @HVX_A_STAT_UNSPEC:		unused.
 * @HVX_A_STAT_PAD:		padding.
 * @HVX_A_STAT_EXITS:		@exits.
 * @HVX_A_STAT_EXITS_TO_USER:	@exits_to_user.
 * @HVX_A_STAT_TDP_FAULTS:	@tdp_faults.
 * @HVX_A_STAT_MMIO_EXITS:	@mmio_exits.
 * @HVX_A_STAT_PINNED_PAGES:	@pinned_pages.
 * @HVX_A_STAT_MAPPED_4K:	@mapped_4k.
 * @HVX_A_STAT_MAPPED_2M:	@mapped_2m.
 * @HVX_A_STAT_TLB_FLUSHES:	@tlb_flushes.
 * @HVX_A_STAT_VM_BYTES:	@vm_bytes.
 * @HVX_A_STAT_VCPU_BYTES:	@vcpu_bytes.
 * @HVX_A_STAT_NESTED_L2_EXITS:	@nested_l2_exits.
 * @HVX_A_STAT_NESTED_L1_EXITS:	@nested_l1_exits.
 * @HVX_A_STAT_NESTED_REFLECTED: @nested_reflected; the exits per reflected
 *				exit are (L2 + L1 exits) / reflected.
 * @__HVX_A_STAT_MAX:		internal.
 * @HVX_A_STAT_MAX:		the highest attribute.
 */
enum hvx_stat_attr {
	HVX_A_STAT_UNSPEC,
	HVX_A_STAT_PAD,
	HVX_A_STAT_EXITS,
	HVX_A_STAT_EXITS_TO_USER,
	HVX_A_STAT_TDP_FAULTS,
	HVX_A_STAT_MMIO_EXITS,
	HVX_A_STAT_PINNED_PAGES,
	HVX_A_STAT_MAPPED_4K,
	HVX_A_STAT_MAPPED_2M,
	HVX_A_STAT_TLB_FLUSHES,
	HVX_A_STAT_VM_BYTES,
	HVX_A_STAT_VCPU_BYTES,
	HVX_A_STAT_NESTED_L2_EXITS,
	HVX_A_STAT_NESTED_L1_EXITS,
	HVX_A_STAT_NESTED_REFLECTED,
	__HVX_A_STAT_MAX,
	HVX_A_STAT_MAX = __HVX_A_STAT_MAX - 1
};

/**
 * enum hvx_exit_attr - inside %HVX_A_VM_EXIT: one counter
 * @HVX_A_EXIT_UNSPEC:	unused.
 * @HVX_A_EXIT_PAD:	padding.
 * @HVX_A_EXIT_SET:	u32: enum hvx_exit_set.
 * @HVX_A_EXIT_REASON:	u32: the slot, below %HVX_NR_EXIT_REASONS (see
 *			"Exit counters by reason" above).
 * @HVX_A_EXIT_COUNT:	u64: exits of all the VM's vCPUs.
 * @__HVX_A_EXIT_MAX:	internal.
 * @HVX_A_EXIT_MAX:	the highest attribute.
 */
enum hvx_exit_attr {
	HVX_A_EXIT_UNSPEC,
	HVX_A_EXIT_PAD,
	HVX_A_EXIT_SET,
	HVX_A_EXIT_REASON,
	HVX_A_EXIT_COUNT,
	__HVX_A_EXIT_MAX,
	HVX_A_EXIT_MAX = __HVX_A_EXIT_MAX - 1
};

#endif /* _UAPI_LINUX_HVX_H */
