/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvx core: the objects every layer shares and the one table through which
 * the core reaches a hardware backend.
 *
 * The core (main.c, vm.c, vcpu.c, mmu.c, tdp.c, x86/) includes this header
 * and never a vmx/ or svm/ header; a backend includes this header and fills
 * in one const struct hvx_backend_ops.  Adding a backend touches no core
 * file but the probe list in main.c.
 */
#ifndef HVX_H
#define HVX_H

#include <linux/kvm.h>
#include <linux/hvx.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/refcount.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <asm/fpu/api.h>

#include "tdp.h"
#include "x86/decode.h"

#define HVX_NAME "hvx"

#define HVX_MAX_VCPUS		64
#define HVX_MAX_MEMSLOTS	32
#define HVX_MAX_CPUID_ENTRIES	256
/* GPA width hvx maps: 4-level EPT/NPT tables */
#define HVX_GPA_BITS		48

/* DR7 bit 10 reads as 1; DR7 after reset (SDM Vol. 3B 18.2.4) */
#define HVX_DR7_FIXED		0x400ULL

/* General-purpose registers, in the hardware's encoding order. */
enum hvx_reg {
	HVX_RAX, HVX_RCX, HVX_RDX, HVX_RBX, HVX_RSP, HVX_RBP, HVX_RSI, HVX_RDI,
	HVX_R8, HVX_R9, HVX_R10, HVX_R11, HVX_R12, HVX_R13, HVX_R14, HVX_R15,
	HVX_NR_GPRS
};

/**
 * struct hvx_memslot - one KVM_SET_USER_MEMORY_REGION slot
 * @npages:	  0 for an unused slot.
 * @base_gfn:	  first guest frame.
 * @hva:	  userspace address of the first page.
 * @flags:	  KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES.
 * @dirty_bitmap: one bit per page while dirty logging is on, else NULL.
 *
 * Protected by hvx_vm.mmu_lock.
 */
struct hvx_memslot {
	u64 npages;
	u64 base_gfn;
	unsigned long hva;
	u32 flags;
	unsigned long *dirty_bitmap;
};

/**
 * struct hvx_vm - one virtual machine (one VM fd)
 * @users:	 the VM fd and each vCPU hold one reference.
 * @mm:		 the creating process; ioctls from another mm fail with -EIO.
 * @id:		 unique while the module is loaded; names the VM in the
 *		 generic netlink family.  Constant.
 * @pid:	 the creating process (thread group), for the netlink family.
 * @node:	 on the list of all VMs (vm.c), from just before the VM fd
 *		 exists until its teardown starts.
 * @lock:	 serialises vCPU creation and VM-wide settings.
 * @write_tracked: gfns whose writes hvx must see (hvx_mmu_track_write());
 *		 under @mmu_lock.
 * @mmu_lock:	 protects @slots, @tdp and every page the TDP tables map:
 *		 a page is pinned while a leaf maps it, and unpinned only
 *		 after the leaf is gone and every vCPU's TLB is flushed.
 * @slots:	 the memslots, indexed by slot id.
 * @tdp:	 the EPT/NPT tables (format from the backend).
 * @tdp_mm:	 the memory and flush callbacks @tdp uses (mmu.c).
 * @tlb_gen:	 bumped whenever a mapping is removed or narrowed; a vCPU
 *		 flushes its TLB before entry when its own generation lags.
 * @vcpus:	 the vCPUs, @nr_vcpus of them; entries never change once
 *		 published (smp_store_release on @nr_vcpus).
 * @tss_addr:	 KVM_SET_TSS_ADDR (accepted for ABI compatibility).
 * @identity_map_addr: KVM_SET_IDENTITY_MAP_ADDR (likewise).
 * @pinned_pages: pages currently pinned for the TDP tables.
 * @stat:	 counters for HVX_GET_VM_STATS; the mapping ones under
 *		 @mmu_lock, the exit ones summed from the vCPUs.
 * @priv:	 the backend's per-VM state.
 */
struct hvx_vm {
	refcount_t users;
	struct mm_struct *mm;
	u64 id;
	struct pid *pid;
	struct list_head node;
	struct mutex lock;
	struct mutex mmu_lock;
	struct xarray write_tracked;
	struct hvx_memslot slots[HVX_MAX_MEMSLOTS];
	struct hvx_tdp tdp;
	atomic64_t tlb_gen;
	struct hvx_vcpu *vcpus[HVX_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct hvx_tdp_mm tdp_mm;
	u64 tss_addr;
	u64 identity_map_addr;
	unsigned long pinned_pages;
	struct {
		u64 tdp_faults, mapped_4k, mapped_2m, tlb_flushes;
	} stat;
	void *priv;
};

/* vCPU requests, handled before each entry (bits of hvx_vcpu.requests). */
enum hvx_request {
	HVX_REQ_TLB_FLUSH,
};

/* hvx_vcpu.mode: whether the vCPU is between entry and exit. */
enum hvx_vcpu_mode {
	HVX_OUTSIDE_GUEST,
	HVX_IN_GUEST,
};

/*
 * An event to deliver through the IDT on the next entry: an interrupt, an
 * NMI or an exception (types as struct kvm_vcpu_events sees them).
 */
enum hvx_event_type {
	HVX_EVENT_NONE,
	HVX_EVENT_EXTINT,	/* external interrupt */
	HVX_EVENT_NMI,
	HVX_EVENT_EXCEPTION,	/* hardware exception */
	HVX_EVENT_SOFT_INT,	/* INTn */
	HVX_EVENT_SOFT_EXC,	/* INT3, INTO */
	HVX_EVENT_PRIV_SOFT_EXC, /* INT1 (ICEBP) */
};

struct hvx_event {
	enum hvx_event_type type;
	u8 vector;
	bool has_error;
	u32 error_code;
	u8 insn_len;		/* for the software types */
};

/*
 * A userspace I/O exit that needs finishing on the next KVM_RUN: the value
 * of an IN or MMIO load goes into a register, and RIP moves past the
 * instruction.
 */
enum hvx_pending_io {
	HVX_IO_NONE,
	HVX_IO_PIO_IN,		/* IN or INS: data in the PIO page */
	HVX_IO_PIO_OUT,		/* OUT: RIP moves on when it completes */
	HVX_IO_MMIO_READ,	/* an MMIO load: data in run->mmio.data */
};

/**
 * struct hvx_vcpu - one virtual CPU (one vCPU fd)
 * @vm:		  its VM (holds a reference).
 * @id:		  KVM_CREATE_VCPU's argument.
 * @mutex:	  held by every vCPU ioctl: one at a time per vCPU.
 * @run:	  the kvm_run page, mapped by userspace.
 * @pio_data:	  the page after it, where string and REP port I/O data lives.
 * @cpu:	  the CPU whose hardware holds this vCPU's state, or -1.
 *		  Changed only by the backend's load/put with preemption off.
 * @preempt_notifier: reloads the vCPU when its thread migrates.
 * @regs:	  the guest's GPRs while outside the guest (RSP lives in the
 *		  VMCS/VMCB and is copied in and out by the backend).
 * @requests:	  HVX_REQ_* bits, set by anyone, cleared by the vCPU.
 * @mode:	  HVX_IN_GUEST between the last request check and the exit.
 * @tlb_gen:	  the VM's tlb_gen as of this vCPU's last flush.
 * @fpu:	  the guest's FPU/XSAVE state.
 * @cpuid:	  KVM_SET_CPUID2's table, @cpuid_nent entries.
 * @irq:	  the interrupt KVM_INTERRUPT queued, or HVX_EVENT_NONE.
 * @nmi_pending:  KVM_NMI calls not yet delivered (at most 2, as KVM).
 * @exception:	  an exception hvx must deliver (emulation result).
 * @reinject:	  an event whose delivery a VM exit interrupted.
 * @triple_fault: a third exception arrived while delivering a #DF.
 * @pending_io:	  an I/O exit to complete on the next KVM_RUN; the io_* and
 *		  mmio_* fields describe it.
 * @io_size:	  port I/O element size.
 * @io_insn_len:  length of the IN/INS/OUTS instruction.
 * @io_string:	  INS rather than IN.
 * @io_rep:	  REP prefix.
 * @io_addrsize:  address size of a string instruction.
 * @io_count:	  elements in this exit.
 * @io_lin:	  guest-linear address of the first element.
 * @mmio_insn:	  the decoded MMIO instruction.
 * @mmio_gpa:	  its guest-physical address.
 * @mmio_size:	  its access size.
 * @mp_state:	  KVM_MP_STATE_RUNNABLE or _HALTED.
 * @sigset:	  KVM_SET_SIGNAL_MASK's mask, if @sigset_active.
 * @dr:		  DR0-3, DR6 (DR7 is the backend's).
 * @cr2:	  the guest's CR2 (neither VMX nor SVM switches it).
 * @xcr0:	  guest XCR0.
 * @apic_base:	  IA32_APIC_BASE as the guest sees it.
 * @misc_enable:  IA32_MISC_ENABLE as the guest sees it.
 * @mtrr_var:	  the variable-range MTRRs (base/mask pairs), as written.
 * @mtrr_fixed:	  the fixed-range MTRRs, as written.
 * @mtrr_deftype: IA32_MTRR_DEF_TYPE as the guest wrote it.
 * @tsc_offset:	  guest TSC minus host TSC.
 * @exits:	  VM exits taken.
 * @exits_to_user: of those, returns to userspace.
 * @mmio_exits:	  MMIO accesses emulated for userspace.
 * @nested_l2_exits: exits while a nested guest (L2) ran.
 * @nested_l1_exits: exits while the guest ran as a hypervisor (in VMX
 *		  operation) between L2 runs.
 * @nested_reflected: L2 exits given to the guest hypervisor.
 * @exit_reasons: exits by reason slot (uapi/linux/hvx.h), in the set of
 *		  what ran; hvx_count_exit() counts them.
 *
 * The counters from @exits on are written by the vCPU's own thread alone,
 * without atomics, and read by others with READ_ONCE (vm.c sums them).
 */
struct hvx_vcpu {
	struct hvx_vm *vm;
	u32 id;
	struct mutex mutex;
	struct kvm_run *run;
	void *pio_data;
	int cpu;
	struct preempt_notifier preempt_notifier;
	u64 regs[HVX_NR_GPRS];
	unsigned long requests;
	int mode;
	u64 tlb_gen;
	struct fpu_guest fpu;
	struct kvm_cpuid_entry2 *cpuid;
	unsigned int cpuid_nent;
	struct hvx_event irq;
	unsigned int nmi_pending;
	struct hvx_event exception;
	struct hvx_event reinject;
	bool triple_fault;
	enum hvx_pending_io pending_io;
	u8 io_size;
	u8 io_insn_len;
	bool io_string;
	bool io_rep;
	u8 io_addrsize;
	u32 io_count;
	u64 io_lin;
	struct hvx_insn mmio_insn;
	u64 mmio_gpa;
	u8 mmio_size;
	u32 mp_state;
	bool sigset_active;
	sigset_t sigset;
	u64 dr[5];
	u64 cr2;
	u64 xcr0;
	u64 apic_base;
	u64 misc_enable;
	u64 mtrr_var[16];
	u64 mtrr_fixed[11];
	u64 mtrr_deftype;
	s64 tsc_offset;
	u64 exits;
	u64 exits_to_user;
	u64 mmio_exits;
	u64 nested_l2_exits;
	u64 nested_l1_exits;
	u64 nested_reflected;
	u64 exit_reasons[HVX_NR_EXIT_SETS][HVX_NR_EXIT_REASONS];
};

/**
 * hvx_count_exit() - count one VM exit by its reason
 * @vcpu: the vCPU that exited, from its own thread
 * @set:  what ran when it exited
 * @slot: the reason's slot (uapi/linux/hvx.h); one past the last is
 *	  counted in no slot
 */
static inline void hvx_count_exit(struct hvx_vcpu *vcpu,
				  enum hvx_exit_set set, unsigned int slot)
{
	u64 *c;

	if (slot >= HVX_NR_EXIT_REASONS)
		return;
	c = &vcpu->exit_reasons[set][slot];
	/* One writer: a plain add, stored whole for the READ_ONCE readers. */
	WRITE_ONCE(*c, *c + 1);
}

/**
 * struct hvx_backend_ops - what the core needs from a virtualisation backend
 *
 * Hardware: @hardware_setup once at load (may sleep), @hardware_enable and
 * @hardware_disable on one CPU each with preemption disabled; disable must
 * be safe on a CPU that is not enabled.  @describe names the features in use.
 *
 * VMs and vCPUs: @vm_init/@vm_destroy set up and tear down the backend's
 * per-VM state; @vcpu_size is the size of the backend's vCPU object, which
 * embeds struct hvx_vcpu at offset 0; @vcpu_init/@vcpu_free set it up.
 * @vcpu_load makes @cpu hold the vCPU's state (preemption disabled);
 * @vcpu_put lets it go.
 *
 * @run enters the guest once and handles the exit.  Called with the vCPU
 * loaded and preemption enabled.  Returns 1 to go round again, 0 when
 * vcpu->run describes an exit for userspace, or -errno.
 *
 * Registers: @get_regs/@set_regs move RIP and RFLAGS between the hardware
 * and struct kvm_regs; @get_sregs/@set_sregs the segment, control and
 * descriptor-table state (set_sregs validates and returns -EINVAL); @get_cr
 * one control register as the guest sees it; @skip_insn moves RIP past an
 * instruction and ends its interrupt shadow; @get_msr/@set_msr the MSRs
 * that live in the VMCS/VMCB (-ENOENT for others); @get_dr7/@set_dr7.
 *
 * Events: @interrupt_allowed and @nmi_allowed say whether the guest can
 * take one now; @inject delivers one on the next entry; @request_window
 * asks for an exit as soon as an interrupt (or NMI) can be delivered;
 * @get_interrupt_shadow/@set_interrupt_shadow and @get_nmi_mask/
 * @set_nmi_mask for KVM_GET/SET_VCPU_EVENTS.
 *
 * @tdp_format: the EPT or NPT PTE format for tdp.c.
 * @tdp_2m: the CPU walks 2 MiB leaves in @tdp_format's tables.
 * @vcpu_pages: pages a vCPU of this backend allocates beside its object.
 * @offers_vmx: guests may have VMX (nested VMX); NULL or false: never.
 * @nested_events: NULL, or called first by hvx_inject_events(): while a
 * nested guest runs, an interrupt or NMI its hypervisor intercepts becomes
 * an emulated VM exit to that hypervisor.  Returns 1 to go on (injecting
 * into whichever guest now runs), 0 for userspace, or -errno.
 * @nested_gpa: NULL, or translate a guest-physical address of the running
 * (nested) guest to one of the VM's memslot space for hvx's own accesses:
 * 0 with @out set, -EIO when the guest's hypervisor maps nothing there.
 */
struct hvx_backend_ops {
	const char *name;
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	void (*describe)(char *buf, size_t len);

	int (*vm_init)(struct hvx_vm *vm);
	void (*vm_destroy)(struct hvx_vm *vm);
	size_t vcpu_size;
	int (*vcpu_init)(struct hvx_vcpu *vcpu);
	void (*vcpu_free)(struct hvx_vcpu *vcpu);
	void (*vcpu_load)(struct hvx_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct hvx_vcpu *vcpu);
	int (*run)(struct hvx_vcpu *vcpu);
	int (*nested_gpa)(struct hvx_vcpu *vcpu, u64 gpa, unsigned int access,
			  u64 *out);
	int (*nested_events)(struct hvx_vcpu *vcpu);

	void (*get_regs)(struct hvx_vcpu *vcpu, struct kvm_regs *regs);
	void (*set_regs)(struct hvx_vcpu *vcpu, const struct kvm_regs *regs);
	void (*get_sregs)(struct hvx_vcpu *vcpu, struct kvm_sregs *sregs);
	int (*set_sregs)(struct hvx_vcpu *vcpu, const struct kvm_sregs *sregs);
	u64 (*get_cr)(struct hvx_vcpu *vcpu, int cr);
	u64 (*get_rflags)(struct hvx_vcpu *vcpu);
	void (*set_rflags)(struct hvx_vcpu *vcpu, u64 rflags);
	void (*skip_insn)(struct hvx_vcpu *vcpu, unsigned int len);
	int (*get_msr)(struct hvx_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct hvx_vcpu *vcpu, u32 index, u64 data, bool host);
	void (*set_dr7)(struct hvx_vcpu *vcpu, u64 dr7);
	u64 (*get_dr7)(struct hvx_vcpu *vcpu);

	bool (*interrupt_allowed)(struct hvx_vcpu *vcpu);
	bool (*nmi_allowed)(struct hvx_vcpu *vcpu);
	void (*inject)(struct hvx_vcpu *vcpu, const struct hvx_event *ev);
	void (*request_window)(struct hvx_vcpu *vcpu, bool irq, bool nmi);
	u32 (*get_interrupt_shadow)(struct hvx_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct hvx_vcpu *vcpu, u32 shadow);
	bool (*get_nmi_mask)(struct hvx_vcpu *vcpu);
	void (*set_nmi_mask)(struct hvx_vcpu *vcpu, bool masked);

	const struct hvx_tdp_format *tdp_format;
	bool (*tdp_2m)(void);
	unsigned int vcpu_pages;
	bool (*offers_vmx)(void);
};

/*
 * Each backend offers one probe.  It returns its ops when the CPU has the
 * extension and firmware left it usable, or an ERR_PTR: -ENODEV when the
 * extension is absent or locked off, -EBUSY when another hypervisor already
 * owns it on the probing CPU.  A probe prints no message for "absent"; for
 * every other refusal it prints exactly one line saying why.
 */
const struct hvx_backend_ops *hvx_vmx_probe(void);
const struct hvx_backend_ops *hvx_svm_probe(void);

/* The backend chosen at load; constant between module init and exit. */
extern const struct hvx_backend_ops *hvx_ops;

/* vm.c */
int hvx_vm_create(unsigned long type);
void hvx_vm_get(struct hvx_vm *vm);
void hvx_vm_put(struct hvx_vm *vm);
long hvx_vm_check_extension(long cap);
void hvx_vm_read_stats(struct hvx_vm *vm, struct hvx_vm_stats *st);
u64 hvx_vm_exit_count(struct hvx_vm *vm, enum hvx_exit_set set,
		      unsigned int slot);
int hvx_vm_for_each(u64 after, int (*fn)(struct hvx_vm *vm, void *arg),
		    void *arg);
int hvx_vm_with_id(u64 id, int (*fn)(struct hvx_vm *vm, void *arg),
		   void *arg);

/* netlink.c */
int hvx_netlink_init(void);
void hvx_netlink_exit(void);

/* vcpu.c */
/* Page offset of the PIO data page in the vCPU mapping, as KVM's. */
#define HVX_PIO_PAGE_OFFSET	1
#define HVX_VCPU_MMAP_PAGES	2
int hvx_vcpu_create(struct hvx_vm *vm, u32 id);
void hvx_vcpu_destroy(struct hvx_vcpu *vcpu);
void hvx_vcpu_load(struct hvx_vcpu *vcpu);
void hvx_vcpu_put(struct hvx_vcpu *vcpu);
void hvx_vcpu_kick(struct hvx_vcpu *vcpu);
void hvx_vcpu_request(struct hvx_vcpu *vcpu, enum hvx_request req);

/* mmu.c */
int hvx_mmu_init(struct hvx_vm *vm);
int hvx_mmu_track_write(struct hvx_vm *vm, u64 gfn);
void hvx_mmu_table_pages(struct hvx_tdp_mm *mm);
void hvx_mmu_destroy(struct hvx_vm *vm);
int hvx_set_memory_region(struct hvx_vm *vm,
			  const struct kvm_userspace_memory_region *mr);
int hvx_get_dirty_log(struct hvx_vm *vm, struct kvm_dirty_log *log);
int hvx_tdp_fault(struct hvx_vcpu *vcpu, u64 gpa, unsigned int access);
int hvx_read_guest(struct hvx_vm *vm, u64 gpa, void *buf, unsigned int len);
int hvx_write_guest(struct hvx_vm *vm, u64 gpa, const void *buf,
		    unsigned int len);
void hvx_vcpu_flush_if_stale(struct hvx_vcpu *vcpu,
			     void (*flush)(struct hvx_vcpu *vcpu));

/* hvx_tdp_fault() results beside -errno */
#define HVX_FAULT_FIXED	1	/* mapped: re-enter the guest */
#define HVX_FAULT_MMIO	0	/* no memslot, or a write to a read-only one */

#endif /* HVX_H */
