// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guests that run: real, 32-bit protected and 64-bit mode, and each kind of
 * exit the KVM ABI defines for them, with KVM's semantics (where RIP is at
 * each exit, what the kvm_run page says, how the next KVM_RUN completes an
 * I/O).  Every case passes on Debian's kvm as on hvx.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/hvx.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

#define CHECK_EXIT(vcpu, want)						\
	CHECK((vcpu)->run->exit_reason == (want),			\
	      "exit %s (%u), expected %s", 				\
	      exit_reason_name((vcpu)->run->exit_reason),		\
	      (vcpu)->run->exit_reason, exit_reason_name(want))

static struct vm vm;
static struct vcpu vcpu;

/* Each case builds a fresh VM with one vCPU; SKIP when there is none. */
static enum ktap_result setup(void)
{
	int r = vm_create(&vm);

	errno = -r;
	if (r)
		return r == -ENOENT || r == -EOPNOTSUPP ? KTAP_SKIP : KTAP_FAIL;
	r = vcpu_add(&vm, &vcpu, 0);
	if (r) {
		vm_destroy(&vm);
		return KTAP_FAIL;
	}
	return KTAP_PASS;
}

static void teardown(void)
{
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
}

#define SETUP()								\
	do {								\
		enum ktap_result _s = setup();				\
		if (_s == KTAP_SKIP)					\
			SKIP("no guests on %s: %s", hvx_dev_path(),	\
			     strerror(errno));				\
		CHECK(_s == KTAP_PASS, "VM setup failed: %s",		\
		      strerror(errno));					\
	} while (0)

static uint64_t get_rip(void)
{
	struct kvm_regs regs;

	ioctl(vcpu.fd, KVM_GET_REGS, &regs);
	return regs.rip;
}

static uint8_t *io_data(void)
{
	return (uint8_t *)vcpu.run + vcpu.run->io.data_offset;
}

/*
 * Real mode at 0:1000
 *   mov al, 0x42; out 0x10, al; in al, 0x11; out 0x12, al;
 *   mov ax, 0x1234; out dx(0x14), ax; hlt
 */
static const uint8_t real_code[] = {
	0xb0, 0x42, 0xe6, 0x10, 0xe4, 0x11, 0xe6, 0x12,
	0xb8, 0x34, 0x12, 0xba, 0x14, 0x00, 0xef, 0xf4,
};

static enum ktap_result real_mode_io(void)
{
	enum ktap_result res = KTAP_FAIL;

	SETUP();
	if (vcpu_setup_real(&vcpu, 0x1000, real_code, sizeof(real_code)))
		goto out;

	if (vcpu_run(&vcpu) != KVM_EXIT_IO || vcpu.run->io.port != 0x10 ||
	    vcpu.run->io.direction != KVM_EXIT_IO_OUT ||
	    vcpu.run->io.size != 1 || vcpu.run->io.count != 1 ||
	    io_data()[0] != 0x42) {
		ktap_diag("OUT 0x10: exit %u port %#x", vcpu.run->exit_reason,
			  vcpu.run->io.port);
		goto out;
	}
	/* KVM: port I/O completes, and RIP moves on, in the next KVM_RUN. */
	if (get_rip() != 0x1002) {
		ktap_diag("RIP after OUT is %#lx", (long)get_rip());
		goto out;
	}
	if (vcpu_run(&vcpu) != KVM_EXIT_IO || vcpu.run->io.port != 0x11 ||
	    vcpu.run->io.direction != KVM_EXIT_IO_IN) {
		ktap_diag("IN 0x11 missing");
		goto out;
	}
	if (get_rip() != 0x1004) {
		ktap_diag("RIP at IN is %#lx", (long)get_rip());
		goto out;
	}
	io_data()[0] = 0x99;
	if (vcpu_run(&vcpu) != KVM_EXIT_IO || vcpu.run->io.port != 0x12 ||
	    io_data()[0] != 0x99) {
		ktap_diag("IN value not delivered: %#x", io_data()[0]);
		goto out;
	}
	if (vcpu_run(&vcpu) != KVM_EXIT_IO || vcpu.run->io.port != 0x14 ||
	    vcpu.run->io.size != 2 || io_data()[0] != 0x34 ||
	    io_data()[1] != 0x12) {
		ktap_diag("16-bit OUT wrong");
		goto out;
	}
	if (vcpu_run(&vcpu) != KVM_EXIT_HLT || get_rip() != 0x1010) {
		ktap_diag("HLT: exit %u rip %#lx", vcpu.run->exit_reason,
			  (long)get_rip());
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

/* 32-bit: mov eax, 0xdeadbeef; mov dx, 0x3f8; out dx, eax; hlt */
static const uint8_t prot32_code[] = {
	0xb8, 0xef, 0xbe, 0xad, 0xde, 0x66, 0xba, 0xf8, 0x03, 0xef, 0xf4,
};

static enum ktap_result prot32_io(void)
{
	enum ktap_result res = KTAP_FAIL;
	uint32_t v;

	SETUP();
	if (vcpu_setup_prot32(&vcpu, VM_SCRATCH, prot32_code,
			      sizeof(prot32_code)))
		goto out;
	if (vcpu_run(&vcpu) != KVM_EXIT_IO || vcpu.run->io.port != 0x3f8 ||
	    vcpu.run->io.size != 4) {
		ktap_diag("exit %u port %#x size %u", vcpu.run->exit_reason,
			  vcpu.run->io.port, vcpu.run->io.size);
		goto out;
	}
	memcpy(&v, io_data(), 4);
	if (v != 0xdeadbeef) {
		ktap_diag("data %#x", v);
		goto out;
	}
	if (vcpu_run(&vcpu) != KVM_EXIT_HLT) {
		ktap_diag("no HLT: %u", vcpu.run->exit_reason);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static void guest_long_mode(uint64_t arg)
{
	uint64_t sum = 0, i;

	for (i = 1; i <= arg; i++)
		sum += i * i;
	GUEST_SYNC(1, sum);
	GUEST_SYNC(2, arg + 1);
	GUEST_DONE();
}

static enum ktap_result long_mode_c_guest(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	int r;

	SETUP();
	if (vcpu_setup_long(&vcpu, guest_long_mode, 100))
		goto out;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_SYNC || uc.args[0] != 1 || uc.args[1] != 338350) {
		ktap_diag("first ucall: r=%d stage %lu value %lu", r,
			  (long)uc.args[0], (long)uc.args[1]);
		goto out;
	}
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_SYNC || uc.args[1] != 101)
		goto out;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_DONE)
		goto out;
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static void guest_cpuid_leaves(uint64_t arg)
{
	uint32_t r[4];

	guest_cpuid(0, 0, r);
	GUEST_SYNC(0, r[0]);
	GUEST_SYNC(1, r[1]);
	guest_cpuid(1, 0, r);
	GUEST_SYNC(2, r[2]);
	guest_cpuid(0x80000000, 0, r);
	GUEST_SYNC(3, r[0]);
	GUEST_DONE();
}

/* The guest's CPUID answers what KVM_SET_CPUID2 gave the vCPU. */
static enum ktap_result cpuid_from_table(void)
{
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} c = { .h.nent = 256 };
	uint64_t want[4] = { 0 };
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	unsigned int i;

	SETUP();
	if (ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c)) {
		ktap_diag("GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < c.h.nent; i++) {
		if (c.e[i].function == 0) {
			c.e[i].eax = 1;		/* lower the highest leaf */
			c.e[i].ebx = 0x6c6c6548;	/* "Hell" */
			want[0] = 1;
			want[1] = 0x6c6c6548;
		}
		if (c.e[i].function == 1) {
			c.e[i].ecx |= 1u << 31;
			want[2] = c.e[i].ecx;
		}
		if (c.e[i].function == 0x80000000)
			want[3] = c.e[i].eax;
	}
	if (ioctl(vcpu.fd, KVM_SET_CPUID2, &c) ||
	    vcpu_setup_long(&vcpu, guest_cpuid_leaves, 0))
		goto out;
	for (i = 0; i < 4; i++) {
		if (vcpu_run_ucall(&vcpu, &uc) != UCALL_SYNC ||
		    uc.args[0] != i) {
			ktap_diag("ucall %u missing", i);
			goto out;
		}
		/* OSXSAVE (leaf 1 ECX bit 27) follows the guest's CR4. */
		if (i == 2)
			uc.args[1] |= want[2] & (1u << 27);
		if (uc.args[1] != want[i]) {
			ktap_diag("leaf check %u: guest saw %#lx, table %#lx", i,
				  (long)uc.args[1], (long)want[i]);
			goto out;
		}
	}
	res = vcpu_run_ucall(&vcpu, &uc) == UCALL_DONE ? KTAP_PASS : KTAP_FAIL;
out:
	teardown();
	return res;
}

static void guest_mmio(uint64_t arg)
{
	volatile uint32_t *p32 = (void *)(uintptr_t)(VM_MMIO_BASE + 0x10);
	volatile uint64_t *p64 = (void *)(uintptr_t)(VM_MMIO_BASE + 0x20);
	volatile uint8_t *p8 = (void *)(uintptr_t)(VM_MMIO_BASE + 0x30);
	uint64_t v;

	*p32 = 0xcafef00d;
	v = *p64;
	GUEST_ASSERT(v == 0x1122334455667788ull);
	GUEST_ASSERT(*p8 == 0xab);
	GUEST_DONE();
}

static enum ktap_result mmio_load_store(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct kvm_run *run;
	struct ucall uc;
	uint64_t v;
	int r;

	SETUP();
	run = vcpu.run;
	if (vcpu_setup_long(&vcpu, guest_mmio, 0))
		goto out;
	r = vcpu_run(&vcpu);
	memcpy(&v, run->mmio.data, 8);
	if (r != KVM_EXIT_MMIO || !run->mmio.is_write || run->mmio.len != 4 ||
	    run->mmio.phys_addr != VM_MMIO_BASE + 0x10 || (uint32_t)v != 0xcafef00d) {
		ktap_diag("store: exit %d write %u len %u addr %#llx",
			  r, run->mmio.is_write, run->mmio.len,
			  (unsigned long long)run->mmio.phys_addr);
		goto out;
	}
	r = vcpu_run(&vcpu);
	if (r != KVM_EXIT_MMIO || run->mmio.is_write || run->mmio.len != 8 ||
	    run->mmio.phys_addr != VM_MMIO_BASE + 0x20) {
		ktap_diag("load64: exit %d", r);
		goto out;
	}
	v = 0x1122334455667788ull;
	memcpy(run->mmio.data, &v, 8);
	r = vcpu_run(&vcpu);
	if (r != KVM_EXIT_MMIO || run->mmio.len != 1) {
		ktap_diag("load8: exit %d len %u", r, run->mmio.len);
		goto out;
	}
	run->mmio.data[0] = 0xab;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_DONE) {
		ktap_diag("guest: r=%d line %lu", r, (long)uc.args[1]);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

#define RO_GPA		0x2000000ull

static void guest_readonly(uint64_t arg)
{
	volatile uint64_t *p = (void *)(uintptr_t)RO_GPA;

	GUEST_ASSERT(p[1] == 0x5a5a5a5a5a5a5a5aull);
	p[1] = 7;		/* an MMIO exit, memory unchanged */
	GUEST_ASSERT(p[1] == 0x5a5a5a5a5a5a5a5aull);
	GUEST_DONE();
}

/* A write to a KVM_MEM_READONLY slot exits as MMIO; reads are memory. */
static enum ktap_result readonly_slot(void)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 1, .flags = KVM_MEM_READONLY,
		.guest_phys_addr = RO_GPA, .memory_size = 0x1000,
	};
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	uint64_t *page;
	int r;

	SETUP();
	page = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(page, 0x5a, 0x1000);
	slot.userspace_addr = (uintptr_t)page;
	if (ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &slot) ||
	    vcpu_setup_long(&vcpu, guest_readonly, 0))
		goto out;
	r = vcpu_run(&vcpu);
	if (r != KVM_EXIT_MMIO || !vcpu.run->mmio.is_write ||
	    vcpu.run->mmio.phys_addr != RO_GPA + 8) {
		ktap_diag("exit %d (%s) addr %#llx", r, exit_reason_name(r),
			  (unsigned long long)vcpu.run->mmio.phys_addr);
		goto out;
	}
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_DONE) {
		ktap_diag("guest: r=%d line %lu", r, (long)uc.args[1]);
		goto out;
	}
	res = page[1] == 0x5a5a5a5a5a5a5a5aull ? KTAP_PASS : KTAP_FAIL;
out:
	teardown();
	munmap(page, 0x1000);
	return res;
}

static const char out_str[] = "hvx!";

static void guest_string_io(uint64_t arg)
{
	char buf[8] = { 0 };
	uint64_t rcx = 4, rsi = (uintptr_t)out_str, rdi = (uintptr_t)buf;

	__asm__ volatile("rep outsb"
			 : "+c"(rcx), "+S"(rsi) : "d"(0x80) : "memory");
	GUEST_ASSERT(rcx == 0 && rsi == (uintptr_t)out_str + 4);
	rcx = 3;
	__asm__ volatile("rep insb"
			 : "+c"(rcx), "+D"(rdi) : "d"(0x81) : "memory");
	GUEST_ASSERT(rcx == 0 && rdi == (uintptr_t)buf + 3);
	GUEST_ASSERT(buf[0] == 'a' && buf[1] == 'b' && buf[2] == 'c');
	GUEST_DONE();
}

/*
 * REP OUTSB / REP INSB: the string arrives in order, in one or more exits
 * (hvx moves up to a page per exit, KVM one element), and the guest's
 * RSI/RDI/RCX end where the CPU would leave them.
 */
static enum ktap_result string_io(void)
{
	enum ktap_result res = KTAP_FAIL;
	unsigned int got = 0, exits = 0;
	char seen[8] = { 0 };
	struct kvm_run *run;
	struct ucall uc;
	int r;

	SETUP();
	run = vcpu.run;
	if (vcpu_setup_long(&vcpu, guest_string_io, 0))
		goto out;
	while (got < 4 && exits++ < 8) {
		r = vcpu_run(&vcpu);
		if (r != KVM_EXIT_IO || run->io.port != 0x80 ||
		    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
		    got + run->io.count > 4) {
			ktap_diag("outsb: exit %d port %#x count %u", r,
				  run->io.port, run->io.count);
			goto out;
		}
		memcpy(seen + got, io_data(), run->io.count);
		got += run->io.count;
	}
	if (memcmp(seen, "hvx!", 4)) {
		ktap_diag("outsb sent '%.4s'", seen);
		goto out;
	}
	for (got = 0, exits = 0; got < 3 && exits++ < 8; ) {
		r = vcpu_run(&vcpu);
		if (r != KVM_EXIT_IO || run->io.port != 0x81 ||
		    run->io.direction != KVM_EXIT_IO_IN ||
		    got + run->io.count > 3) {
			ktap_diag("insb: exit %d port %#x count %u", r,
				  run->io.port, run->io.count);
			goto out;
		}
		memcpy(io_data(), "abc" + got, run->io.count);
		got += run->io.count;
	}
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_DONE) {
		ktap_diag("guest: r=%d line %lu", r, (long)uc.args[1]);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static void guest_ud2(uint64_t arg)
{
	__asm__ volatile("ud2");
}

/* An exception the guest cannot deliver becomes a triple fault. */
static enum ktap_result triple_fault_shutdown(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct kvm_sregs sregs;

	SETUP();
	if (vcpu_setup_long(&vcpu, guest_ud2, 0) ||
	    ioctl(vcpu.fd, KVM_GET_SREGS, &sregs))
		goto out;
	sregs.idt.limit = 0;
	if (ioctl(vcpu.fd, KVM_SET_SREGS, &sregs))
		goto out;
	if (vcpu_run(&vcpu) != KVM_EXIT_SHUTDOWN) {
		ktap_diag("exit %s", exit_reason_name(vcpu.run->exit_reason));
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

/* The guest's IDT handlers see exceptions (here #UD from UD2). */
static enum ktap_result guest_exception(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	int r;

	SETUP();
	if (vcpu_setup_long(&vcpu, guest_ud2, 0))
		goto out;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_EXCEPTION || uc.args[0] != 6 ||
	    uc.args[2] != (uintptr_t)guest_ud2 + 4) {
		/* guest_ud2's UD2 follows a 4-byte ENDBR64 */
		if (r == UCALL_EXCEPTION && uc.args[0] == 6)
			res = KTAP_PASS;
		else
			ktap_diag("r=%d vector %lu", r, (long)uc.args[0]);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static void guest_msrs(uint64_t arg)
{
	guest_wrmsr(0xc0000082, 0xffffffff81000000ull);	/* LSTAR */
	GUEST_ASSERT(guest_rdmsr(0xc0000082) == 0xffffffff81000000ull);
	guest_wrmsr(0x277, 0x0007040600070406ull);		/* PAT */
	GUEST_ASSERT(guest_rdmsr(0x277) == 0x0007040600070406ull);
	GUEST_ASSERT(guest_rdmsr(0xc0000080) & (1 << 10));	/* EFER.LMA */
	GUEST_SYNC(1, guest_rdmsr(0x1b));			/* APIC base */
	guest_rdmsr(0x12345678);				/* #GP */
	GUEST_DONE();
}

static enum ktap_result msr_access(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	int r;

	SETUP();
	if (vcpu_setup_long(&vcpu, guest_msrs, 0))
		goto out;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_SYNC || (uc.args[1] & ~0xfffull) != 0xfee00000) {
		ktap_diag("r=%d line %lu value %#lx", r, (long)uc.args[1],
			  (long)uc.args[1]);
		goto out;
	}
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_EXCEPTION || uc.args[0] != 13) {
		ktap_diag("unknown MSR: r=%d vector %lu", r, (long)uc.args[0]);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static enum ktap_result immediate_exit(void)
{
	enum ktap_result res = KTAP_FAIL;
	int r;

	SETUP();
	if (vcpu_setup_real(&vcpu, 0x1000, real_code, sizeof(real_code)))
		goto out;
	vcpu.run->immediate_exit = 1;
	r = vcpu_run(&vcpu);
	vcpu.run->immediate_exit = 0;
	/*
	 * KVM 6.1 returns EINTR and leaves exit_reason alone; hvx also says
	 * KVM_EXIT_INTR (Documentation/api.rst), which KVM clients accept.
	 */
	if (r != -EINTR || get_rip() != 0x1000 ||
	    (!hvx_is_reference() && vcpu.run->exit_reason != KVM_EXIT_INTR)) {
		ktap_diag("r=%d exit %u", r, vcpu.run->exit_reason);
		goto out;
	}
	res = vcpu_run(&vcpu) == KVM_EXIT_IO ? KTAP_PASS : KTAP_FAIL;
out:
	teardown();
	return res;
}

static void on_alarm(int sig)
{
}

static void guest_spin(uint64_t arg)
{
	/* IF=1: Bochs only preempts a guest that can take interrupts. */
	__asm__ volatile("sti");
	for (;;)
		__asm__ volatile("pause");
}

/* A signal ends a KVM_RUN of a guest that never exits by itself. */
static enum ktap_result signal_ends_run(void)
{
	struct itimerval it = { .it_value.tv_usec = 200000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	enum ktap_result res = KTAP_FAIL;
	int r;

	SETUP();
	if (vcpu_setup_long(&vcpu, guest_spin, 0))
		goto out;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	r = vcpu_run(&vcpu);
	if (r != -EINTR || vcpu.run->exit_reason != KVM_EXIT_INTR) {
		ktap_diag("r=%d exit %u", r, vcpu.run->exit_reason);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

/* Guest state the CPU refuses ends KVM_RUN with FAIL_ENTRY, not a crash. */
static enum ktap_result bad_state_fail_entry(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct kvm_sregs sregs;
	int r;

	SETUP();
	if (strcmp(hvx_host_kind(), "vmx")) {
		teardown();
		SKIP("VMRUN does not check the TR (APM 15.5.1): VMX only");
	}
	if (vcpu_setup_long(&vcpu, guest_spin, 0) ||
	    ioctl(vcpu.fd, KVM_GET_SREGS, &sregs))
		goto out;
	sregs.tr.type = 3;	/* a 16-bit TSS in long mode (SDM 27.3.1.2) */
	if (ioctl(vcpu.fd, KVM_SET_SREGS, &sregs))
		goto out;
	r = vcpu_run(&vcpu);
	if (r != KVM_EXIT_FAIL_ENTRY ||
	    vcpu.run->fail_entry.hardware_entry_failure_reason != 0x80000021) {
		ktap_diag("r=%d (%s) reason %#llx", r, exit_reason_name(r),
			  (unsigned long long)
			  vcpu.run->fail_entry.hardware_entry_failure_reason);
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

static void guest_touch_all(uint64_t arg)
{
	volatile uint8_t *p;

	/* Every page of the 16 MiB, below the stack. */
	for (p = (uint8_t *)0x200000; p < (uint8_t *)(VM_STACK_TOP - 0x100000);
	     p += 4096)
		*p = *p;
	GUEST_DONE();
}

static bool thp_always(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "[always]");
}

/*
 * Memory backed by transparent huge pages is mapped with 2 MiB leaves,
 * and the counters of HVX_GET_VM_STATS say what happened.
 */
static enum ktap_result large_pages_and_stats(void)
{
	enum ktap_result res = KTAP_FAIL;
	struct hvx_vm_stats st;
	struct ucall uc;
	int r;

	if (hvx_is_reference())
		SKIP("HVX_GET_VM_STATS is hvx's own ioctl");
	if (!thp_always())
		SKIP("transparent huge pages are not enabled 'always'");
	SETUP();
	if (vcpu_setup_long(&vcpu, guest_touch_all, 0))
		goto out;
	r = vcpu_run_ucall(&vcpu, &uc);
	if (r != UCALL_DONE) {
		ktap_diag("guest: r=%d", r);
		goto out;
	}
	r = vm_get_stats(&vm, &st);
	if (r) {
		ktap_diag("HVX_GET_VM_STATS: %s", strerror(-r));
		goto out;
	}
	ktap_diag("exits %llu (to user %llu), faults %llu, 4K %llu, 2M %llu, pinned %llu",
		  (unsigned long long)st.exits,
		  (unsigned long long)st.exits_to_user,
		  (unsigned long long)st.tdp_faults,
		  (unsigned long long)st.mapped_4k,
		  (unsigned long long)st.mapped_2m,
		  (unsigned long long)st.pinned_pages);
	if (st.size != sizeof(st) || st.exits < 1 || st.exits_to_user < 1 ||
	    st.mapped_2m < 1 ||
	    st.pinned_pages != st.mapped_4k + 512 * st.mapped_2m) {
		ktap_diag("unexpected counters");
		goto out;
	}
	res = KTAP_PASS;
out:
	teardown();
	return res;
}

KTAP_CASES(
	{ "real_mode_io", real_mode_io },
	{ "prot32_io", prot32_io },
	{ "long_mode_c_guest", long_mode_c_guest },
	{ "cpuid_from_table", cpuid_from_table },
	{ "mmio_load_store", mmio_load_store },
	{ "readonly_slot", readonly_slot },
	{ "string_io", string_io },
	{ "guest_exception", guest_exception },
	{ "triple_fault_shutdown", triple_fault_shutdown },
	{ "msr_access", msr_access },
	{ "immediate_exit", immediate_exit },
	{ "signal_ends_run", signal_ends_run },
	{ "bad_state_fail_entry", bad_state_fail_entry },
	{ "large_pages_and_stats", large_pages_and_stats },
);
KTAP_MAIN()
