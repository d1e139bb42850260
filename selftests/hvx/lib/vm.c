// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-running helpers for the hvx selftests; see include/vm.h for the
 * memory layout and the rules guest code follows.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/hvx.h>
#include <unistd.h>

#include "hvx_test.h"
#include "vm.h"

#define GDT_GPA		0x500
#define PML4_GPA	0x1000
#define PDPT_GPA	0x2000
#define PD_GPA		0x3000
#define IDT_GPA		0x7000
#define TSS_GPA		0x8000

/* Guest-side interrupt entry: the stubs and their common tail. */
void guest_isr(uint64_t vector, uint64_t error, uint64_t rip);
extern const char guest_isr_stubs[];

/*
 * 256 stubs of 16 bytes: vectors that push no error code push 0, so the
 * common tail sees vector, error code, RIP, CS, RFLAGS... on the stack.
 */
__asm__(
	".pushsection .text\n"
	".globl guest_isr_stubs\n"
	".p2align 4\n"
	"guest_isr_stubs:\n"
	"vec = 0\n"
	".rept 256\n"
	"  .p2align 4\n"
	"  .if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21\n"
	"    .byte 0x90, 0x90\n"		/* the CPU pushed an error code */
	"  .else\n"
	"    pushq $0\n"
	"  .endif\n"
	"  pushq $vec\n"
	"  jmp guest_isr_common\n"
	"  vec = vec + 1\n"
	".endr\n"
	"guest_isr_common:\n"
	"  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"  push %r8; push %r9; push %r10; push %r11\n"
	"  mov 72(%rsp), %rdi\n"
	"  mov 80(%rsp), %rsi\n"
	"  mov 88(%rsp), %rdx\n"
	"  push %rbp\n"
	"  mov %rsp, %rbp\n"
	"  and $-16, %rsp\n"
	"  call guest_isr\n"
	"  mov %rbp, %rsp\n"
	"  pop %rbp\n"
	"  pop %r11; pop %r10; pop %r9; pop %r8\n"
	"  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"  add $16, %rsp\n"
	"  iretq\n"
	".popsection\n");

/* Per-vector guest handlers; the guest's copy is set with vm_set_isr(). */
void (*guest_handlers[256])(uint64_t vector, uint64_t error, uint64_t rip);

void guest_isr(uint64_t vector, uint64_t error, uint64_t rip)
{
	if (guest_handlers[vector]) {
		guest_handlers[vector](vector, error, rip);
		return;
	}
	guest_ucall(UCALL_EXCEPTION, vector, error, rip);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct ucall uc = { .cmd = cmd, .args = { a0, a1, a2 } };

	__asm__ volatile("outb %%al, %%dx"
			 : : "a"(0), "d"(UCALL_PORT), "D"(&uc) : "memory");
}

void *vm_gpa(struct vm *vm, uint64_t gpa)
{
	return gpa < VM_MEM_SIZE ? vm->mem + gpa : NULL;
}

void vm_set_isr(struct vm *vm, int vector,
		void (*fn)(uint64_t, uint64_t, uint64_t))
{
	void (**slot)(uint64_t, uint64_t, uint64_t) =
		vm_gpa(vm, (uintptr_t)&guest_handlers[vector]);

	*slot = fn;
}

/* Copy this binary's PT_LOAD segments to the same guest addresses. */
static int load_self(struct vm *vm)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, r = -ENOEXEC;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_type != ET_EXEC)
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph))
			goto out;
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr + ph.p_memsz > VM_STACK_TOP - 0x100000)
			goto out;
		memset(vm->mem + ph.p_vaddr, 0, ph.p_memsz);
		if (pread(fd, vm->mem + ph.p_vaddr, ph.p_filesz, ph.p_offset) !=
		    (ssize_t)ph.p_filesz)
			goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

static void build_tables(struct vm *vm)
{
	uint64_t *gdt = vm_gpa(vm, GDT_GPA), *pml4 = vm_gpa(vm, PML4_GPA);
	uint64_t *pdpt = vm_gpa(vm, PDPT_GPA), *pd = vm_gpa(vm, PD_GPA);
	uint64_t *idt = vm_gpa(vm, IDT_GPA);
	uint64_t tss = TSS_GPA, stubs = (uintptr_t)guest_isr_stubs;
	int i;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;		/* 64-bit code */
	gdt[2] = 0x00cf93000000ffffull;		/* flat data */
	/* 64-bit TSS, available (type 9), base TSS_GPA, limit 0x67 */
	gdt[3] = 0x67 | (tss & 0xffffff) << 16 | 0x89ull << 40 |
		 ((tss >> 24) & 0xff) << 56;
	gdt[4] = tss >> 32;
	gdt[5] = 0x00cf9b000000ffffull;		/* 32-bit code */

	pml4[0] = PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB, RW, present */

	/* 64-bit interrupt gates to the stubs, DPL 0, IST 0 */
	for (i = 0; i < 256; i++) {
		uint64_t h = stubs + 16 * i;

		idt[2 * i] = (h & 0xffff) | (uint64_t)VM_SEL_CODE64 << 16 |
			     0x8eull << 40 | ((h >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = h >> 32;
	}
}

/*
 * Anonymous memory aligned to 2 MiB, so that guest-physical and host
 * addresses agree modulo 2 MiB and transparent huge pages can back the
 * guest with 2 MiB mappings.
 */
static uint8_t *map_aligned(size_t size)
{
	size_t align = 2u << 20;
	uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start;

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((uint8_t *)start + size, (uintptr_t)p + align - start);
	return (uint8_t *)start;
}

int vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region slot = { 0 };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->sys_fd = hvx_open_dev();
	if (vm->sys_fd < 0)
		return vm->sys_fd;
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0 || vm->run_size <= 0)
		goto fail;
	vm->mem = map_aligned(VM_MEM_SIZE);
	if (!vm->mem)
		goto fail;
	r = load_self(vm);
	if (r) {
		errno = -r;
		goto fail;
	}
	build_tables(vm);
	slot.memory_size = VM_MEM_SIZE;
	slot.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &slot))
		goto fail;
	return 0;
fail:
	r = -errno;
	vm_destroy(vm);
	return r;
}

void vm_destroy(struct vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, VM_MEM_SIZE);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->mem = NULL;
	vm->fd = vm->sys_fd = -1;
}

int vcpu_add(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		int r = -errno;

		close(vcpu->fd);
		return r;
	}
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->run_size);
	close(vcpu->fd);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool l,
		bool db)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = l;
	s->db = db;
	s->g = 1;
}

int vcpu_setup_long(struct vcpu *vcpu, void (*entry)(uint64_t), uint64_t arg)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	uint64_t stack = VM_STACK_TOP - 0x8000 * vcpu->id;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return -errno;
	seg(&sregs.cs, VM_SEL_CODE64, 11, true, false);
	seg(&sregs.ds, VM_SEL_DATA, 3, false, true);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = VM_SEL_TSS;
	sregs.tr.base = TSS_GPA;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 11;
	sregs.tr.present = 1;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	sregs.cr0 = 0x80050033;		/* PG WP NE ET MP PE */
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = 0x620;		/* OSXMMEXCPT OSFXSR PAE */
	sregs.efer = 0x500;		/* LMA LME */
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return -errno;
	/* The entry point is "called": keep the ABI's stack alignment. */
	regs.rsp = stack - 8;
	regs.rip = (uintptr_t)entry;
	regs.rdi = arg;
	regs.rflags = 2;
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? -errno : 0;
}

int vcpu_setup_real(struct vcpu *vcpu, uint16_t ip, const void *code,
		    unsigned int len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };

	memcpy(vcpu->vm->mem + ip, code, len);
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return -errno;
	regs.rip = ip;
	regs.rsp = 0x7000;
	regs.rflags = 2;
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? -errno : 0;
}

int vcpu_setup_prot32(struct vcpu *vcpu, uint32_t eip, const void *code,
		      unsigned int len)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };

	memcpy(vcpu->vm->mem + eip, code, len);
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return -errno;
	seg(&sregs.cs, VM_SEL_CODE32, 11, false, true);
	seg(&sregs.ds, VM_SEL_DATA, 3, false, true);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.cr0 = 0x11;		/* ET PE */
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return -errno;
	regs.rip = eip;
	regs.rsp = 0x7000;
	regs.rflags = 2;
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? -errno : 0;
}

int vcpu_run(struct vcpu *vcpu)
{
	if (ioctl(vcpu->fd, KVM_RUN, 0))
		return -errno;
	return vcpu->run->exit_reason;
}

enum ucall_cmd vcpu_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	struct ucall *g;

	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT)
		return UCALL_NONE;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return UCALL_NONE;
	g = vm_gpa(vcpu->vm, regs.rdi);
	if (!g)
		return UCALL_NONE;
	*uc = *g;
	return uc->cmd;
}

int vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	int r = vcpu_run(vcpu);

	if (r < 0)
		return r;
	if (vcpu_ucall(vcpu, uc) == UCALL_NONE)
		return -1000 - r;
	return uc->cmd;
}

int vcpu_set_supported_cpuid(struct vcpu *vcpu)
{
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} c = { .h.nent = 256 };

	if (ioctl(vcpu->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, &c))
		return -errno;
	return ioctl(vcpu->fd, KVM_SET_CPUID2, &c) ? -errno : 0;
}

int vm_get_stats(struct vm *vm, struct hvx_vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(vm->fd, HVX_GET_VM_STATS, st) ? -errno : 0;
}

const char *exit_reason_name(int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason >= 0 && reason < (int)(sizeof(names) / sizeof(names[0])) &&
	    names[reason])
		return names[reason];
	return "?";
}
