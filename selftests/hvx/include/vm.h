/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small library for running guest code from a selftest through the KVM
 * ioctl ABI (/dev/hvx, or /dev/kvm as the reference).
 *
 * Memory: one memslot at guest-physical 0 (VM_MEM_SIZE bytes).  The test
 * binary is static and not position-independent, so its loaded segments
 * are copied into guest memory at the very addresses they have in the host
 * process, and the guest's page tables map virtual = physical: a guest
 * function is called through the same pointer the host uses, and the
 * guest's copy of the data and strings sits where the host's does.  Guest
 * code must not call libc; it talks to the host with ucalls.
 *
 * Layout (guest-physical = guest-virtual):
 *   0x00500  GDT            0x01000  PML4 (long mode)
 *   0x02000  PDPT           0x03000  4 PDs: 4 GiB in 2 MiB pages
 *   0x07000  IDT            0x08000  TSS
 *   0x09000  exception stubs
 *   0x10000  scratch for 16/32-bit code and data
 *   ELF segments of this binary (0x400000 on, below 0x800000)
 *   0x800000-0x9fffff  reserved for L1 hypervisor tests (include/vmx_l1.h)
 *   VM_STACK_TOP  the guest stack, growing down
 * Guest-physical addresses at VM_MEM_SIZE and above are MMIO.
 */
#ifndef HVX_VM_H
#define HVX_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#define VM_MEM_SIZE		(16u << 20)
#define VM_STACK_TOP		(VM_MEM_SIZE - 0x1000)
#define VM_SCRATCH		0x10000
#define VM_MMIO_BASE		0xc0000000u

/* Selectors of the GDT the library builds */
#define VM_SEL_CODE64		0x08
#define VM_SEL_DATA		0x10
#define VM_SEL_TSS		0x18
#define VM_SEL_CODE32		0x28

/* The port guest code writes to reach the host (struct ucall at RDI). */
#define UCALL_PORT		0xe0

enum ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC,		/* args[0] = stage, args[1] = value */
	UCALL_DONE,
	UCALL_ASSERT,		/* args[0] = file, args[1] = line, args[2] = expr */
	UCALL_EXCEPTION,	/* args[0] = vector, args[1] = error code, args[2] = RIP */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[4];
};

struct vm {
	int sys_fd, fd;
	uint8_t *mem;
	int run_size;
};

struct vcpu {
	struct vm *vm;
	int fd;
	unsigned int id;
	struct kvm_run *run;
};

/* Host side.  Each returns 0 or -errno; failures leave nothing behind. */
int vm_create(struct vm *vm);
void vm_destroy(struct vm *vm);
int vcpu_add(struct vm *vm, struct vcpu *vcpu, unsigned int id);
void vcpu_destroy(struct vcpu *vcpu);
/* Put the vCPU in 64-bit mode at @entry, with RDI = @arg. */
int vcpu_setup_long(struct vcpu *vcpu, void (*entry)(uint64_t), uint64_t arg);
/* Real mode at 0:@ip with @code copied to guest-physical @ip. */
int vcpu_setup_real(struct vcpu *vcpu, uint16_t ip, const void *code,
		    unsigned int len);
/* 32-bit protected mode, flat segments, paging off, at @eip. */
int vcpu_setup_prot32(struct vcpu *vcpu, uint32_t eip, const void *code,
		      unsigned int len);
/* KVM_RUN; returns the exit reason, or -errno from the ioctl. */
int vcpu_run(struct vcpu *vcpu);
/* The ucall behind the last exit, or UCALL_NONE when it was not one. */
enum ucall_cmd vcpu_ucall(struct vcpu *vcpu, struct ucall *uc);
/* Run until a ucall; any other exit is returned as -1000 - reason. */
int vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc);
/* Give the vCPU the supported CPUID table. */
int vcpu_set_supported_cpuid(struct vcpu *vcpu);
/* Make the guest's handler for @vector @fn (NULL: report UCALL_EXCEPTION). */
void vm_set_isr(struct vm *vm, int vector,
		void (*fn)(uint64_t vector, uint64_t error, uint64_t rip));
/* hvx only: HVX_GET_VM_STATS (ENOTTY on KVM). */
struct hvx_vm_stats;
int vm_get_stats(struct vm *vm, struct hvx_vm_stats *st);
/* Host pointer to guest-physical @gpa. */
void *vm_gpa(struct vm *vm, uint64_t gpa);
const char *exit_reason_name(int reason);

/* Guest side. */
void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2);
#define GUEST_SYNC(stage, val)	guest_ucall(UCALL_SYNC, (stage), (val), 0)
#define GUEST_DONE()		guest_ucall(UCALL_DONE, 0, 0, 0)
#define GUEST_ASSERT(e)							\
	do {								\
		if (!(e))						\
			guest_ucall(UCALL_ASSERT,			\
				    (uint64_t)(uintptr_t)__FILE__,	\
				    __LINE__,				\
				    (uint64_t)(uintptr_t)#e);		\
	} while (0)

static inline void guest_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t guest_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t guest_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void guest_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

/*
 * CHECK_VM_SETUP(r): end a case whose VM setup returned -errno @r: a skip
 * when the device runs no guests on this host (-EOPNOTSUPP, -ENOENT), a
 * failure for any other error.  Needs ktap.h.
 */
#define CHECK_VM_SETUP(r)						\
	do {								\
		int _r = (r);						\
		if (_r == -EOPNOTSUPP || _r == -ENOENT)			\
			SKIP("no guests on %s: %s", hvx_dev_path(),	\
			     strerror(-_r));				\
		CHECK(!_r, "setup: %s", strerror(-_r));			\
	} while (0)

#endif /* HVX_VM_H */
