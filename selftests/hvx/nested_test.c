// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested VMX: an L1 hypervisor written in C (lib/vmx_l1.c) runs in the
 * test VM and runs L2 functions of this binary.  L1 checks the SDM's
 * semantics of the VMX instructions and of L2's VM exits as the device
 * emulates them; its findings reach the host as ucalls.  L2's own ucalls
 * (port UCALL_PORT, not in L1's I/O bitmap) go straight to the host.
 *
 * Every case SKIPs when KVM_GET_SUPPORTED_CPUID of the device lacks
 * CPUID.1:ECX.VMX.  Error numbers: SDM Vol. 3C 31.4 (30.4 in older
 * editions); VMX instruction pseudo-code: 31.3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/hvx.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"
#include "vmx_l1.h"

extern char _end[];

enum stage {
	ST_UD = 1,		/* #UD taken at RIP (value) */
	ST_MISC,		/* IA32_VMX_MISC as L1 saw it */
	ST_L2_DIRECT,		/* a ucall made by L2 itself */
	ST_BASIC, ST_PROC, ST_PROC2, ST_EPT_VPID,
	ST_BENCH_START, ST_BENCH_END, ST_BENCH_L1, ST_TSC_HZ,
	ST_SKIP,		/* L1 lacks a feature the case needs */
	ST_IRQ,			/* the host queues interrupt (value) */
	ST_NMI,			/* the host queues an NMI */
	ST_MAX
};

static struct vm vm;
static struct vcpu vcpu;
static uint64_t sync_val[ST_MAX];
static double sync_ns[ST_MAX];
/* hvx's counters at each SYNC (zeroed, stats_ok false, on the reference) */
static struct hvx_vm_stats sync_stats[ST_MAX];
static bool stats_ok;
static bool sync_seen[ST_MAX];
static long tsc_khz;		/* KVM_GET_TSC_KHZ of the last run, or <= 0 */

/* ---------------------------------------------------------------- host */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void on_alarm(int sig)
{
}

/* Clear @bits of a VMX capability MSR from the host (KVM_SET_MSRS). */
static int vcpu_clear_msr_bits(uint32_t index, uint64_t bits)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = index };

	if (ioctl(vcpu.fd, KVM_GET_MSRS, &m) != 1)
		return -1;
	m.e.data &= ~bits;
	return ioctl(vcpu.fd, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

static void report_assert(const struct ucall *uc)
{
	uint64_t *want = vm_gpa(&vm, (uintptr_t)&l1_assert_want);
	uint64_t *field = vm_gpa(&vm, (uintptr_t)&vmx_setup_bad_field);

	ktap_diag("L1 assertion %s:%lu: %s: got %#lx, want %#lx",
		  (const char *)uc->args[0], (unsigned long)uc->args[1],
		  (const char *)uc->args[2], (unsigned long)uc->args[3],
		  (unsigned long)*want);
	if (*field)
		ktap_diag("vmx_l2_setup: VMCS field %#lx failed",
			  (unsigned long)*field);
}

/*
 * Run L1 function @l1(@arg) in a fresh VM with the supported CPUID (VMX
 * included) until it says DONE.  @prep runs before the first KVM_RUN.
 * SYNCs are recorded in sync_val/sync_ns.
 */
static enum ktap_result run_l1(void (*l1)(uint64_t), uint64_t arg,
			       bool (*prep)(void))
{
	struct itimerval it = { .it_value.tv_sec = 120 };
	struct sigaction sa = { .sa_handler = on_alarm };
	enum ktap_result res = KTAP_FAIL;
	struct ucall uc;
	int fd, r, n;

	fd = hvx_open_dev();
	if (fd < 0)
		SKIP("no %s: %s", hvx_dev_path(), strerror(-fd));
	r = vmx_l1_offered(fd);
	close(fd);
	if (!r)
		SKIP("no nested VMX on %s", hvx_dev_path());
	CHECK((uintptr_t)_end <= L1_MEM_BASE,
	      "the binary (to %p) overlaps L1's memory", _end);
	memset(sync_seen, 0, sizeof(sync_seen));
	r = vmx_l1_vm_create(&vm, &vcpu, l1, arg);
	CHECK(!r, "a VM for L1: %s", strerror(-r));
	if (prep && !prep())
		goto out;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (n = 0; n < 1000; n++) {
		r = vcpu_run_ucall(&vcpu, &uc);
		if (r == UCALL_SYNC && uc.args[0] < ST_MAX) {
			sync_val[uc.args[0]] = uc.args[1];
			sync_ns[uc.args[0]] = now_ns();
			sync_seen[uc.args[0]] = true;
			stats_ok = !hvx_is_reference() &&
				   !vm_get_stats(&vm, &sync_stats[uc.args[0]]);
			if (uc.args[0] == ST_IRQ) {
				struct kvm_interrupt irq = {
					.irq = uc.args[1],
				};

				if (ioctl(vcpu.fd, KVM_INTERRUPT, &irq))
					ktap_diag("KVM_INTERRUPT: %s",
						  strerror(errno));
			} else if (uc.args[0] == ST_NMI &&
				   ioctl(vcpu.fd, KVM_NMI, 0)) {
				ktap_diag("KVM_NMI: %s", strerror(errno));
			}
			continue;
		}
		if (r == UCALL_DONE)
			res = KTAP_PASS;
		else if (r == UCALL_ASSERT)
			report_assert(&uc);
		else if (r == UCALL_EXCEPTION)
			ktap_diag("guest exception %lu (error %#lx) at %#lx",
				  (unsigned long)uc.args[0],
				  (unsigned long)uc.args[1],
				  (unsigned long)uc.args[2]);
		else if (r == -EINTR)
			ktap_diag("L1 still running after %ld s",
				  (long)it.it_value.tv_sec);
		else if (r <= -1000)
			ktap_diag("exit %s (%d), hardware reason %#llx",
				  exit_reason_name(-1000 - r), -1000 - r,
				  (unsigned long long)vcpu.run->fail_entry
				  .hardware_entry_failure_reason);
		else
			ktap_diag("KVM_RUN: r=%d", r);
		break;
	}
	it.it_value.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	tsc_khz = ioctl(vcpu.fd, KVM_GET_TSC_KHZ, 0);
	if (res == KTAP_PASS && sync_seen[ST_SKIP]) {
		vcpu_destroy(&vcpu);
		vm_destroy(&vm);
		SKIP("L1 is not offered %s", (const char *)sync_val[ST_SKIP]);
	}
out:
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return res;
}

/* ---------------------------------------------------------- guest (L1) */

static struct vmx_l2 l2;
volatile uint64_t l2_out[8];

/* A case that only runs @l1 to its GUEST_DONE */
#define L1_CASE(name, l1, prep)						\
	static enum ktap_result name(void)				\
	{								\
		return run_l1(l1, 0, prep);				\
	}

#define L1_SKIP(why)							\
	do {								\
		GUEST_SYNC(ST_SKIP, (uint64_t)(uintptr_t)(why));	\
		GUEST_DONE();						\
		return;							\
	} while (0)

/* Enter VMX operation and prepare an L2 on VMCS 0. */
static void l1_start(void (*fn)(uint64_t), uint64_t arg, unsigned int flags)
{
	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	L1_ASSERT_EQ(vmx_l2_setup(&l2, L1_VMCS_GPA(0), fn, arg, flags), 0);
}

static void l1_finish(void)
{
	L1_ASSERT_EQ(vmx_l1_disable(), VMX_OK);
	GUEST_DONE();
}

/* An exit L1 expects: reason, RIP, instruction length, qualification. */
#define EXPECT_EXIT(reason, rip, len, qual)				\
	do {								\
		L1_ASSERT_EQ(l2.exit_reason, reason);			\
		L1_ASSERT_EQ(vmreadz(GUEST_RIP), (uintptr_t)(rip));	\
		L1_ASSERT_EQ(vmreadz(VM_EXIT_INSTRUCTION_LEN), len);	\
		L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION), qual);	\
		L1_ASSERT_EQ(vmreadz(IDT_VECTORING_INFO_FIELD) &	\
			     INTR_INFO_VALID, 0);			\
	} while (0)

#define RUN_L2()	L1_ASSERT_EQ(vmx_l2_run(&l2), VMX_OK)
#define RUN_L2_DONE()							\
	do {								\
		RUN_L2();						\
		L1_ASSERT_EQ(vmx_l2_done(&l2), true);			\
	} while (0)
#define EXPECT_FAIL_VALID(insn, err)					\
	do {								\
		L1_ASSERT_EQ(insn, VMX_FAIL_VALID);			\
		L1_ASSERT_EQ(vmx_insn_error(), err);			\
	} while (0)

static void l2_nop(uint64_t arg)
{
}

/*
 * vmxon_vmxoff: VMXON/VMXOFF succeed; VMXON in VMX root operation fails
 * with VMfailInvalid without a current VMCS and VMfailValid(15) with one
 * (31.2 VMfail, 31.3 VMXON); VMXON with a misaligned, too wide or
 * wrong-revision region is VMfailInvalid; VMXON resets the current-VMCS
 * pointer; and VMXON with CR4.VMXE=0 raises #UD (reported by the #UD
 * handler below, which ends the case).
 */
static void l1_ud_handler(uint64_t vector, uint64_t error, uint64_t rip)
{
	/* The host stops at DONE: returning would re-execute the VMXON */
	GUEST_SYNC(ST_UD, rip);
	GUEST_DONE();
}

static void l1_vmxon_vmxoff(uint64_t arg)
{
	uint64_t vmcs = L1_VMCS_GPA(0), bad = L1_SCRATCH_GPA;

	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	L1_ASSERT_EQ(l1_read_cr4() & X86_CR4_VMXE, X86_CR4_VMXE);
	L1_ASSERT_EQ(vmptrst(), ~0ull);
	L1_ASSERT_EQ(vmxon(L1_VMXON_GPA), VMX_FAIL_INVALID);
	vmx_region_init(vmcs, vmx_caps.revision);
	L1_ASSERT_EQ(vmclear(vmcs), VMX_OK);
	L1_ASSERT_EQ(vmptrld(vmcs), VMX_OK);
	EXPECT_FAIL_VALID(vmxon(L1_VMXON_GPA), 15);
	L1_ASSERT_EQ(vmxoff(), VMX_OK);

	/* Outside VMX operation, with CR4.VMXE still 1 */
	L1_ASSERT_EQ(vmxon(L1_VMXON_GPA + 0x80), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmxon(1ull << 52), VMX_FAIL_INVALID);
	vmx_region_init(bad, (vmx_caps.revision + 1) & 0x7fffffff);
	L1_ASSERT_EQ(vmxon(bad), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmxon(L1_VMXON_GPA), VMX_OK);
	L1_ASSERT_EQ(vmptrst(), ~0ull);
	L1_ASSERT_EQ(vmx_l1_disable(), VMX_OK);
	L1_ASSERT_EQ(l1_read_cr4() & X86_CR4_VMXE, 0);

	L1_ASSERT_EQ(vmxon(L1_VMXON_GPA), -1);	/* #UD: never returns */
}

static bool prep_ud(void)
{
	vm_set_isr(&vm, 6, l1_ud_handler);
	return true;
}

static enum ktap_result vmxon_vmxoff(void)
{
	enum ktap_result r = run_l1(l1_vmxon_vmxoff, 0, prep_ud);
	const uint8_t *insn;

	if (r != KTAP_PASS)
		return r;
	CHECK(sync_seen[ST_UD], "no #UD from VMXON with CR4.VMXE=0");
	/* The #UD's RIP is a VMXON: F3 0F C7 /6 (the guest's code = ours) */
	insn = (const uint8_t *)(uintptr_t)sync_val[ST_UD];
	CHECK(insn[0] == 0xf3 && insn[1] == 0x0f && insn[2] == 0xc7 &&
	      ((insn[3] >> 3) & 7) == 6, "#UD at %p is not a VMXON", insn);
	return KTAP_PASS;
}

/*
 * vmclear_vmptrld_errors: without a current VMCS, VMREAD/VMWRITE and the
 * failing VMCLEAR are VMfailInvalid and VMPTRST stores FFFFFFFF_FFFFFFFF;
 * with one: VMCLEAR of a misaligned / too wide address = 2, of the VMXON
 * region = 3; VMPTRLD likewise = 9 / 10, of a region with the wrong
 * revision = 11, each leaving the other fields alone; VMREAD/VMWRITE of
 * an unsupported field = 12; VMWRITE of the read-only VM_EXIT_REASON = 13
 * unless IA32_VMX_MISC bit 29 allows it (A.6); VMCLEAR of the current
 * VMCS invalidates the pointer and keeps the contents for the next VMPTRLD.
 */
static void l1_vmcs_errors(uint64_t arg)
{
	uint64_t vmcs = L1_VMCS_GPA(0), bad = L1_VMCS_GPA(1), v;

	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	GUEST_SYNC(ST_MISC, vmx_caps.misc);
	L1_ASSERT_EQ(vmptrst(), ~0ull);
	L1_ASSERT_EQ(vmread(GUEST_RIP, &v), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmwrite(GUEST_RIP, 0), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmclear(vmcs + 8), VMX_FAIL_INVALID);

	vmx_region_init(vmcs, vmx_caps.revision);
	L1_ASSERT_EQ(vmclear(vmcs), VMX_OK);
	L1_ASSERT_EQ(vmptrld(vmcs), VMX_OK);
	L1_ASSERT_EQ(vmptrst(), vmcs);
	L1_ASSERT_EQ(vmwrite(GUEST_RIP, 0x1234), VMX_OK);
	L1_ASSERT_EQ(vmread(GUEST_RIP, &v), VMX_OK);
	L1_ASSERT_EQ(v, 0x1234);

	EXPECT_FAIL_VALID(vmclear(vmcs + 8), 2);
	EXPECT_FAIL_VALID(vmclear(1ull << 52), 2);
	EXPECT_FAIL_VALID(vmclear(L1_VMXON_GPA), 3);
	EXPECT_FAIL_VALID(vmptrld(vmcs + 8), 9);
	EXPECT_FAIL_VALID(vmptrld(1ull << 52), 9);
	EXPECT_FAIL_VALID(vmptrld(L1_VMXON_GPA), 10);
	vmx_region_init(bad, (vmx_caps.revision + 1) & 0x7fffffff);
	EXPECT_FAIL_VALID(vmptrld(bad), 11);
	L1_ASSERT_EQ(vmptrst(), vmcs);
	/* VMfailValid writes the error field and nothing else (31.2) */
	L1_ASSERT_EQ(vmreadz(GUEST_RIP), 0x1234);

	/* 0x43fe: a 32-bit control field with index 511, which none has */
	EXPECT_FAIL_VALID(vmread(0x43fe, &v), 12);
	EXPECT_FAIL_VALID(vmwrite(0x43fe, 0), 12);
	if (vmx_caps.misc & VMX_MISC_VMWRITE_ANY_FIELD) {
		L1_ASSERT_EQ(vmwrite(VM_EXIT_REASON, 0x30), VMX_OK);
		L1_ASSERT_EQ(vmreadz(VM_EXIT_REASON), 0x30);
	} else {
		L1_ASSERT_EQ(vmwrite(VM_EXIT_REASON, 0x30), VMX_FAIL_VALID);
		L1_ASSERT_EQ(vmx_insn_error(), 13);
	}

	L1_ASSERT_EQ(vmclear(vmcs), VMX_OK);
	L1_ASSERT_EQ(vmptrst(), ~0ull);
	L1_ASSERT_EQ(vmread(GUEST_RIP, &v), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmptrld(vmcs), VMX_OK);
	L1_ASSERT_EQ(vmreadz(GUEST_RIP), 0x1234);
	l1_finish();
}

static bool prep_no_vmwrite_any(void)
{
	if (vcpu_clear_msr_bits(MSR_IA32_VMX_MISC, VMX_MISC_VMWRITE_ANY_FIELD)) {
		ktap_diag("KVM_SET_MSRS cannot clear IA32_VMX_MISC bit 29");
		return false;
	}
	return true;
}

static enum ktap_result vmclear_vmptrld_errors(void)
{
	enum ktap_result r = run_l1(l1_vmcs_errors, 0, NULL);
	bool any = sync_val[ST_MISC] & VMX_MISC_VMWRITE_ANY_FIELD;

	if (r != KTAP_PASS)
		return r;
	ktap_diag("IA32_VMX_MISC %#lx: VMWRITE to read-only fields %s",
		  (unsigned long)sync_val[ST_MISC], any ? "allowed" : "fails");
	if (!any)
		return KTAP_PASS;
	/* Again with bit 29 cleared by the host, to see error 13 */
	r = run_l1(l1_vmcs_errors, 0, prep_no_vmwrite_any);
	CHECK(r != KTAP_PASS || !(sync_val[ST_MISC] & VMX_MISC_VMWRITE_ANY_FIELD),
	      "L1 still sees IA32_VMX_MISC bit 29");
	if (r == KTAP_PASS)
		ktap_diag("and with bit 29 cleared by KVM_SET_MSRS: error 13");
	return r;
}

/*
 * vmlaunch_vmresume_errors: VMRESUME of a clear VMCS = 5; VMLAUNCH with a
 * bad control (CR3-target count 5 > 4, 27.2.1.1) = 7; with a bad host
 * field (CS selector 0, 27.2.3) = 8; bad guest state (CR4.VMXE clear,
 * 27.3.1.1; VMCS link pointer to a page without the revision, 27.3.1.5)
 * = VM exit 33 | bit 31 with qualification 0 / 4 (27.8), the VMCS still
 * clear; VMLAUNCH of a launched VMCS = 4; no current VMCS = VMfailInvalid;
 * VMCLEAR makes a launched VMCS launchable again.
 */
static void l1_launch_errors(uint64_t arg)
{
	uint64_t cr4, cs;

	l1_start(l2_nop, 0, 0);
	EXPECT_FAIL_VALID(vmx_enter(&l2, false), 5);

	L1_ASSERT_EQ(vmwrite(CR3_TARGET_COUNT, 5), VMX_OK);
	EXPECT_FAIL_VALID(vmx_enter(&l2, true), 7);
	L1_ASSERT_EQ(vmwrite(CR3_TARGET_COUNT, 0), VMX_OK);

	cs = vmreadz(HOST_CS_SELECTOR);
	L1_ASSERT_EQ(vmwrite(HOST_CS_SELECTOR, 0), VMX_OK);
	EXPECT_FAIL_VALID(vmx_enter(&l2, true), 8);
	L1_ASSERT_EQ(vmwrite(HOST_CS_SELECTOR, cs), VMX_OK);

	cr4 = vmreadz(GUEST_CR4);
	L1_ASSERT_EQ(vmwrite(GUEST_CR4, cr4 & ~X86_CR4_VMXE), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason,
		     EXIT_REASON_FAILED_ENTRY | EXIT_REASON_INVALID_STATE);
	L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION), 0);
	L1_ASSERT_EQ(vmwrite(GUEST_CR4, cr4), VMX_OK);

	vmx_region_init(L1_SCRATCH_GPA, 0);
	L1_ASSERT_EQ(vmwrite(VMCS_LINK_POINTER, L1_SCRATCH_GPA), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason,
		     EXIT_REASON_FAILED_ENTRY | EXIT_REASON_INVALID_STATE);
	L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION), 4);
	L1_ASSERT_EQ(vmwrite(VMCS_LINK_POINTER, ~0ull), VMX_OK);
	L1_ASSERT_EQ(l2.launched, false);

	RUN_L2_DONE();		/* a good VMLAUNCH */
	EXPECT_FAIL_VALID(vmx_enter(&l2, true), 4);
	L1_ASSERT_EQ(vmx_l2_set_entry(&l2, l2_nop, 0), VMX_OK);
	RUN_L2_DONE();		/* VMRESUME */

	L1_ASSERT_EQ(vmclear(l2.vmcs_gpa), VMX_OK);
	L1_ASSERT_EQ(vmx_enter(&l2, true), VMX_FAIL_INVALID);
	L1_ASSERT_EQ(vmptrld(l2.vmcs_gpa), VMX_OK);
	EXPECT_FAIL_VALID(vmx_enter(&l2, false), 5);
	l2.launched = false;
	L1_ASSERT_EQ(vmx_l2_set_entry(&l2, l2_nop, 0), VMX_OK);
	RUN_L2_DONE();
	l1_finish();
}

L1_CASE(vmlaunch_vmresume_errors, l1_launch_errors, NULL)

/*
 * L2 bodies in assembly, so that L1 knows each exiting instruction's RIP
 * and length.  Entered "called" on L2_STACK_TOP; RET goes to the VMCALL
 * stub of the library.
 */
void l2_cpuid_body(uint64_t), l2_io_body(uint64_t), l2_hlt_body(uint64_t);
void l2_vmcall_body(uint64_t), l2_exc_body(uint64_t);
extern const char l2_cpuid_at[], l2_io_out_at[], l2_io_in_at[];
extern const char l2_io_outw_at[], l2_io_outsb_at[], l2_io_str[];
extern const char l2_hlt_at[], l2_vmcall_at[], l2_ud_at[], l2_bp_at[];

__asm__(".pushsection .text\n"
	".globl l2_cpuid_body, l2_io_body, l2_hlt_body, l2_vmcall_body\n"
	".globl l2_exc_body, l2_cpuid_at, l2_io_out_at, l2_io_in_at\n"
	".globl l2_io_outw_at, l2_io_outsb_at, l2_io_str, l2_hlt_at\n"
	".globl l2_vmcall_at, l2_ud_at, l2_bp_at\n"
	"l2_cpuid_body: mov $0x4c320001, %eax; mov $7, %ecx\n"
	"l2_cpuid_at: cpuid\n"
	"	mov %rax, l2_out(%rip); mov %rbx, l2_out+8(%rip)\n"
	"	mov %rcx, l2_out+16(%rip); mov %rdx, l2_out+24(%rip); ret\n"
	/* First a ucall of L2's own: guest_ucall(UCALL_SYNC, ST_L2_DIRECT, 0x4c32, 0) */
	"l2_io_body: sub $8, %rsp; mov $1, %edi; mov $3, %esi\n"
	"	mov $0x4c32, %edx; xor %ecx, %ecx; call guest_ucall\n"
	"	add $8, %rsp; mov $0x5a, %al\n"
	"l2_io_out_at: outb %al, $0x80; mov $0x1234, %dx\n"
	"l2_io_in_at: inl %dx, %eax; mov %rax, l2_out(%rip); mov $0xbeef, %ax\n"
	"l2_io_outw_at: outw %ax, %dx\n"
	"	lea l2_io_str(%rip), %rsi; mov $3, %ecx; mov $0x80, %dx\n"
	"l2_io_outsb_at: rep outsb\n"
	"	mov %rsi, l2_out+8(%rip); mov %rcx, l2_out+16(%rip); ret\n"
	"l2_io_str: .ascii \"abc\"\n"
	"l2_hlt_body:\n"
	"l2_hlt_at: hlt; ret\n"
	"l2_vmcall_body: mov $0x1234, %eax; mov $0x5678, %ebx\n"
	"l2_vmcall_at: vmcall; mov %rax, l2_out(%rip); ret\n"
	"l2_exc_body:\n"
	"l2_ud_at: ud2\n"
	"l2_bp_at: int3; ret\n"
	".popsection\n");

_Static_assert(ST_L2_DIRECT == 3 && UCALL_SYNC == 1, "l2_io_body");

/* l2_cpuid: CPUID exits (10) with length 2; L1's answer reaches L2. */
static void l1_l2_cpuid(uint64_t arg)
{
	l1_start(l2_cpuid_body, 0, 0);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_CPUID, l2_cpuid_at, 2, 0);
	L1_ASSERT_EQ((uint32_t)l2.regs.rax, 0x4c320001);
	L1_ASSERT_EQ((uint32_t)l2.regs.rcx, 7);
	l2.regs.rax = 0x11111111;
	l2.regs.rbx = 0x22222222;
	l2.regs.rcx = 0x33333333;
	l2.regs.rdx = 0x44444444;
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	L1_ASSERT_EQ(l2_out[0], 0x11111111);
	L1_ASSERT_EQ(l2_out[1], 0x22222222);
	L1_ASSERT_EQ(l2_out[2], 0x33333333);
	L1_ASSERT_EQ(l2_out[3], 0x44444444);
	l1_finish();
}

/*
 * l2_io: I/O exits (30) for the ports in L1's bitmap with the
 * qualification of 28.2.1 (size-1, IN, string, REP, immediate, port),
 * the string's linear address; L2's ucall port, not in the bitmap, goes
 * to the host instead.
 */
static void l1_l2_io(uint64_t arg)
{
	l1_start(l2_io_body, 0, 0);
	vmx_io_intercept(0x80, true);
	vmx_io_intercept(0x1234, true);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_IO_INSTRUCTION, l2_io_out_at, 2,
		    0x80ull << 16 | 1 << 6);
	L1_ASSERT_EQ(l2.regs.rax & 0xff, 0x5a);
	vmx_l2_skip_insn(&l2);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_IO_INSTRUCTION, l2_io_in_at, 1,
		    0x1234ull << 16 | 1 << 3 | 3);
	l2.regs.rax = 0xc0ffee11;
	vmx_l2_skip_insn(&l2);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_IO_INSTRUCTION, l2_io_outw_at, 2,
		    0x1234ull << 16 | 1);
	L1_ASSERT_EQ(l2.regs.rax & 0xffff, 0xbeef);
	vmx_l2_skip_insn(&l2);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_IO_INSTRUCTION, l2_io_outsb_at, 2,
		    0x80ull << 16 | 1 << 5 | 1 << 4);
	L1_ASSERT_EQ(vmreadz(GUEST_LINEAR_ADDRESS), (uintptr_t)l2_io_str);
	L1_ASSERT_EQ(l2.regs.rcx, 3);
	l2.regs.rsi += l2.regs.rcx;	/* "emulate" the whole REP OUTSB */
	l2.regs.rcx = 0;
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	L1_ASSERT_EQ(l2_out[0], 0xc0ffee11);
	L1_ASSERT_EQ(l2_out[1], (uintptr_t)l2_io_str + 3);
	L1_ASSERT_EQ(l2_out[2], 0);
	l1_finish();
}

/*
 * l2_hlt: HLT exiting (12), length 1, L2 still active (not halted); run
 * with the library's loop helper.
 */
static bool l1_hlt_exit(struct vmx_l2 *vcpu2, void *ctx)
{
	EXPECT_EXIT(EXIT_REASON_HLT, l2_hlt_at, 1, 0);
	L1_ASSERT_EQ(vmreadz(GUEST_ACTIVITY_STATE), 0);
	vmx_l2_skip_insn(vcpu2);
	++*(int *)ctx;
	return true;
}

static void l1_l2_hlt(uint64_t arg)
{
	int hlts = 0;

	l1_start(l2_hlt_body, 0, 0);
	L1_ASSERT_EQ(vmx_l2_loop(&l2, l1_hlt_exit, &hlts), 0);
	L1_ASSERT_EQ(hlts, 1);
	l1_finish();
}

/* l2_vmcall: VMCALL exits (18), length 3, GPRs both ways. */
static void l1_l2_vmcall(uint64_t arg)
{
	l1_start(l2_vmcall_body, 0, 0);
	RUN_L2();
	EXPECT_EXIT(EXIT_REASON_VMCALL, l2_vmcall_at, 3, 0);
	L1_ASSERT_EQ(l2.regs.rax, 0x1234);
	L1_ASSERT_EQ(l2.regs.rbx, 0x5678);
	l2.regs.rax = 0x9abc;
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	L1_ASSERT_EQ(l2_out[0], 0x9abc);
	l1_finish();
}

L1_CASE(l2_cpuid, l1_l2_cpuid, NULL)

static enum ktap_result l2_io(void)
{
	enum ktap_result r = run_l1(l1_l2_io, 0, NULL);

	if (r == KTAP_PASS)
		CHECK(sync_seen[ST_L2_DIRECT] && sync_val[ST_L2_DIRECT] == 0x4c32,
		      "L2's own ucall did not reach the host");
	return r;
}

L1_CASE(l2_hlt, l1_l2_hlt, NULL)

L1_CASE(l2_vmcall, l1_l2_vmcall, NULL)

/*
 * l2_exception: with bits 6 and 3 in the exception bitmap, UD2 exits (0)
 * with interruption info "valid, hardware exception, vector 6" and INT3
 * with "valid, software exception, vector 3" and its length 1 (28.2.2).
 */
static void l1_l2_exception(uint64_t arg)
{
	l1_start(l2_exc_body, 0, 0);
	L1_ASSERT_EQ(vmwrite(EXCEPTION_BITMAP, 1u << 6 | 1u << 3), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EXCEPTION_NMI);
	L1_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO),
		     INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 6);
	L1_ASSERT_EQ(vmreadz(GUEST_RIP), (uintptr_t)l2_ud_at);
	L1_ASSERT_EQ(vmwrite(GUEST_RIP, (uintptr_t)l2_bp_at), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EXCEPTION_NMI);
	L1_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO),
		     INTR_INFO_VALID | INTR_TYPE_SOFT_EXCEPTION | 3);
	L1_ASSERT_EQ(vmreadz(GUEST_RIP), (uintptr_t)l2_bp_at);
	L1_ASSERT_EQ(vmreadz(VM_EXIT_INSTRUCTION_LEN), 1);
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	l1_finish();
}

L1_CASE(l2_exception, l1_l2_exception, NULL)

/*
 * l2_interrupt_injection: an external interrupt (vector 0x40, L2 has
 * IF=1) injected at VMLAUNCH runs L2's handler before its first
 * instruction; a #GP with error code injected at VMRESUME after a VMCALL
 * runs it with that code, returning after the VMCALL (27.6); every VM
 * exit clears the valid bit of the entry interruption info (25.8.3).
 */
static volatile uint64_t isr_vec[2], isr_err[2], isr_rip[2];
static volatile unsigned int isr_n;

static void l2_isr(uint64_t vector, uint64_t error, uint64_t rip)
{
	if (isr_n < 2) {
		isr_vec[isr_n] = vector;
		isr_err[isr_n] = error;
		isr_rip[isr_n] = rip;
	}
	isr_n++;
}

static void l2_inject_body(uint64_t arg)
{
	uint64_t rax = 1;

	l2_out[0] = isr_n;
	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
	l2_out[1] = isr_n;
}

static void l1_l2_inject(uint64_t arg)
{
	uint64_t resume_rip;

	l1_start(l2_inject_body, 0, 0);
	L1_ASSERT_EQ(vmwrite(VM_ENTRY_INTR_INFO_FIELD,
			     INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x40), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_VMCALL);
	L1_ASSERT_EQ(vmreadz(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID, 0);
	L1_ASSERT_EQ(isr_n, 1);
	L1_ASSERT_EQ(isr_vec[0], 0x40);
	L1_ASSERT_EQ(isr_rip[0], (uintptr_t)l2_inject_body);
	L1_ASSERT_EQ(l2_out[0], 1);
	vmx_l2_skip_insn(&l2);
	resume_rip = vmreadz(GUEST_RIP);
	L1_ASSERT_EQ(vmwrite(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID |
			     INTR_INFO_DELIVER_CODE | INTR_TYPE_HARD_EXCEPTION |
			     13), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x5a58), VMX_OK);
	RUN_L2_DONE();
	L1_ASSERT_EQ(isr_n, 2);
	L1_ASSERT_EQ(isr_vec[1], 13);
	L1_ASSERT_EQ(isr_err[1], 0x5a58);
	L1_ASSERT_EQ(isr_rip[1], resume_rip);
	L1_ASSERT_EQ(l2_out[1], 2);
	l1_finish();
}

static bool prep_inject(void)
{
	vm_set_isr(&vm, 0x40, l2_isr);
	vm_set_isr(&vm, 13, l2_isr);
	return true;
}

L1_CASE(l2_interrupt_injection, l1_l2_inject, prep_inject)

/*
 * l2_ept: L2 behind an identity EPT12 but for three pages (29.3):
 *   REMAP  mapped to another L1 page: L2 reads that page's pattern;
 *   HOLE   not present: EPT violation (48) with GPA and linear address
 *          of the read and qualification "read, not present, linear
 *          address valid, translated" (28.2.1 table 28-7), then mapped
 *          by L1 and retried after INVEPT single-context;
 *   RO     read-only: a write exits with "write, readable", then made
 *          writable, INVEPT all-context.
 * After REMAP is pointed back at itself and INVEPT, L2 reads the new
 * translation.  INVEPT type 0 = VMfailValid(28); with VPID, INVVPID
 * single/all succeed and single-context of VPID 0 fails with 28.
 */
#define EPT_RO		(L1_DATA_GPA + 0xfc000)
#define EPT_TARGET	(L1_DATA_GPA + 0xfd000)
#define EPT_REMAP	(L1_DATA_GPA + 0xfe000)
#define EPT_HOLE	(L1_DATA_GPA + 0xff000)
#define PATTERN_A	0x5041545445524e41ull
#define PATTERN_B	0x5041545445524e42ull
#define PATTERN_C	0x5041545445524e43ull
/* Bits 0-5, 7 and 8 of the qualification; others depend on features */
#define EPT_QUAL_MASK	0x1bfull

static void l2_ept_body(uint64_t arg)
{
	uint64_t rax = 2;

	l2_out[0] = *(volatile uint64_t *)EPT_REMAP;
	l2_out[1] = *(volatile uint64_t *)(EPT_HOLE + 8);
	*(volatile uint64_t *)EPT_RO = 0x77;
	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
	l2_out[2] = *(volatile uint64_t *)EPT_REMAP;
}

static void l1_l2_ept(uint64_t arg)
{
	uint64_t caps, single, all;
	bool vpid;

	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	caps = vmx_caps.ept_vpid;
	if (!((vmx_caps.proc2 >> 32) & SEC_ENABLE_EPT) ||
	    !(caps & EPT_CAP_INVEPT) ||
	    !(caps & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		L1_SKIP("EPT with INVEPT");
	/* Each INVEPT type where offered, else the other one (A.10) */
	single = caps & EPT_CAP_INVEPT_SINGLE ? INVEPT_SINGLE : INVEPT_ALL;
	all = caps & EPT_CAP_INVEPT_ALL ? INVEPT_ALL : INVEPT_SINGLE;
	vpid = ((vmx_caps.proc2 >> 32) & SEC_ENABLE_VPID) &&
	       (caps & VPID_CAP_INVVPID);
	L1_ASSERT_EQ(vmx_l2_setup(&l2, L1_VMCS_GPA(0), l2_ept_body, 0,
				  L2_EPT | (vpid ? L2_VPID : 0)), 0);
	*(volatile uint64_t *)EPT_TARGET = PATTERN_A;
	*(volatile uint64_t *)EPT_REMAP = PATTERN_C;
	*(volatile uint64_t *)(EPT_HOLE + 8) = PATTERN_B;
	*(volatile uint64_t *)EPT_RO = 0;
	L1_ASSERT_EQ(ept12_map(EPT_REMAP, EPT_TARGET, EPT_RWX), 0);
	L1_ASSERT_EQ(ept12_map(EPT_HOLE, 0, 0), 0);
	L1_ASSERT_EQ(ept12_map(EPT_RO, EPT_RO, EPT_R), 0);

	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EPT_VIOLATION);
	L1_ASSERT_EQ(vmreadz(GUEST_PHYSICAL_ADDRESS), EPT_HOLE + 8);
	L1_ASSERT_EQ(vmreadz(GUEST_LINEAR_ADDRESS), EPT_HOLE + 8);
	L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION) & EPT_QUAL_MASK, 0x181);
	L1_ASSERT_EQ(ept12_map(EPT_HOLE, EPT_HOLE, EPT_RWX), 0);
	L1_ASSERT_EQ(invept(single, l2.eptp), VMX_OK);

	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EPT_VIOLATION);
	L1_ASSERT_EQ(vmreadz(GUEST_PHYSICAL_ADDRESS), EPT_RO);
	L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION) & EPT_QUAL_MASK, 0x18a);
	L1_ASSERT_EQ(ept12_map(EPT_RO, EPT_RO, EPT_RWX), 0);
	L1_ASSERT_EQ(invept(all, l2.eptp), VMX_OK);

	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_VMCALL);
	L1_ASSERT_EQ(l2_out[0], PATTERN_A);
	L1_ASSERT_EQ(l2_out[1], PATTERN_B);
	L1_ASSERT_EQ(*(volatile uint64_t *)EPT_RO, 0x77);
	L1_ASSERT_EQ(ept12_map(EPT_REMAP, EPT_REMAP, EPT_RWX), 0);
	L1_ASSERT_EQ(invept(single, l2.eptp), VMX_OK);
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	L1_ASSERT_EQ(l2_out[2], PATTERN_C);

	EXPECT_FAIL_VALID(invept(0, l2.eptp), 28);
	if (vpid) {
		if (caps & VPID_CAP_INVVPID_SINGLE) {
			L1_ASSERT_EQ(invvpid(INVVPID_SINGLE, l2.vpid, 0), VMX_OK);
			EXPECT_FAIL_VALID(invvpid(INVVPID_SINGLE, 0, 0), 28);
		}
		if (caps & VPID_CAP_INVVPID_ALL)
			L1_ASSERT_EQ(invvpid(INVVPID_ALL, 0, 0), VMX_OK);
	}
	l1_finish();
}

L1_CASE(l2_ept, l1_l2_ept, NULL)

/*
 * l2_ept_remap: L1 points an EPT12 entry at another page while L2 is
 * stopped and resumes it without INVEPT.  The SDM lets a CPU keep the old
 * translation until INVEPT; hvx write-protects EPT12 and drops what it
 * derived on L1's write, so L2 reads the new page at once.  That is
 * hvx's own promise: Debian's kvm_intel nested=1 keeps the old page until
 * INVEPT (L2 read PATTERN_A), which the SDM allows, so the reference skips.
 */
static void l2_remap_body(uint64_t arg)
{
	uint64_t rax = 5;

	l2_out[0] = *(volatile uint64_t *)EPT_REMAP;
	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
	l2_out[1] = *(volatile uint64_t *)EPT_REMAP;
}

static void l1_l2_ept_remap(uint64_t arg)
{
	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	if (!((vmx_caps.proc2 >> 32) & SEC_ENABLE_EPT))
		L1_SKIP("EPT");
	L1_ASSERT_EQ(vmx_l2_setup(&l2, L1_VMCS_GPA(0), l2_remap_body, 0,
				  L2_EPT), 0);
	*(volatile uint64_t *)EPT_TARGET = PATTERN_A;
	*(volatile uint64_t *)EPT_REMAP = PATTERN_C;
	L1_ASSERT_EQ(ept12_map(EPT_REMAP, EPT_TARGET, EPT_RWX), 0);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_VMCALL);
	L1_ASSERT_EQ(l2_out[0], PATTERN_A);
	L1_ASSERT_EQ(ept12_map(EPT_REMAP, EPT_REMAP, EPT_RWX), 0);
	vmx_l2_skip_insn(&l2);
	RUN_L2_DONE();
	L1_ASSERT_EQ(l2_out[1], PATTERN_C);
	l1_finish();
}

static enum ktap_result l2_ept_remap(void)
{
	if (hvx_is_reference())
		SKIP("KVM keeps L2's old EPT translation until INVEPT, as the SDM allows");
	return run_l1(l1_l2_ept_remap, 0, NULL);
}

/*
 * invept_invvpid_errors: the operand checks of INVEPT and INVVPID (SDM
 * 31.3), each VMfailValid(28): a type not offered, a single-context EPTP
 * that is not valid (UC tables, not offered), an INVVPID type beyond 3,
 * VPID 0 for an individual address, reserved bits in the descriptor, a
 * non-canonical address; then the types that must succeed.
 */
static void l1_inv_errors(uint64_t arg)
{
	uint64_t caps, eptp;

	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	caps = vmx_caps.ept_vpid;
	if (!((vmx_caps.proc2 >> 32) & SEC_ENABLE_EPT) ||
	    !((vmx_caps.proc2 >> 32) & SEC_ENABLE_VPID) ||
	    (caps & (EPT_CAP_INVEPT_SINGLE | VPID_CAP_INVVPID_ADDR)) !=
	    (EPT_CAP_INVEPT_SINGLE | VPID_CAP_INVVPID_ADDR))
		L1_SKIP("EPT and VPID with single-context INVEPT and individual-address INVVPID");
	L1_ASSERT_EQ(vmx_l2_setup(&l2, L1_VMCS_GPA(0), l2_nop, 0, 0), 0);
	eptp = ept12_build();

	EXPECT_FAIL_VALID(invept(3, eptp), 28);
	EXPECT_FAIL_VALID(invept(INVEPT_SINGLE, eptp & ~7ull), 28);
	EXPECT_FAIL_VALID(invvpid(4, 1, 0), 28);
	EXPECT_FAIL_VALID(invvpid(0, 0, 0x1000), 28);
	EXPECT_FAIL_VALID(invvpid_desc(INVVPID_SINGLE, 1 | 1ull << 16, 0), 28);
	EXPECT_FAIL_VALID(invvpid(0, 1, 0x0000800000000000ull), 28);

	L1_ASSERT_EQ(invept(INVEPT_SINGLE, eptp), VMX_OK);
	L1_ASSERT_EQ(invvpid(0, 1, 0xffff800000001000ull), VMX_OK);
	L1_ASSERT_EQ(invvpid(INVVPID_SINGLE, 1, 0), VMX_OK);
	l1_finish();
}

L1_CASE(invept_invvpid_errors, l1_inv_errors, NULL)

/*
 * l2_msr_lists: vmcs12's MSR lists (SDM 26.4, 27.4, 27.6) around an L2
 * that runs SWAPGS.  An x2APIC MSR as the second entry-load entry fails
 * VMLAUNCH with exit 34 | bit 31, qualification 2, the VMCS still clear;
 * then the entry list loads IA32_KERNEL_GS_BASE for L2 (its SWAPGS makes
 * that its GS base), the exit-store list saves L2's value (its old GS
 * base), and the exit-load list gives L1 its own.
 */
#define MSR_LISTS_GPA		(L1_DATA_GPA + 0xe0000)
#define MSR_KERNEL_GS		0xc0000102u

struct msr_entry {
	uint32_t index, reserved;
	uint64_t value;
};

static void l2_swapgs_body(uint64_t arg)
{
	uint64_t rax = 4;

	__asm__ volatile("swapgs" : : : "memory");
	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
}

static void l1_l2_msr_lists(uint64_t arg)
{
	volatile struct msr_entry *in = (void *)(uintptr_t)MSR_LISTS_GPA;
	volatile struct msr_entry *store = in + 16, *out = in + 32;
	uint64_t gs2;

	l1_start(l2_swapgs_body, 0, 0);
	gs2 = vmreadz(GUEST_GS_BASE);
	in[0].index = MSR_KERNEL_GS;
	in[0].reserved = 0;
	in[0].value = 0x1111000;
	in[1].index = 0x808;		/* x2APIC TPR: never in a list */
	in[1].reserved = 0;
	in[1].value = 0;
	store[0].index = MSR_KERNEL_GS;
	store[0].reserved = 0;
	store[0].value = 0;
	out[0].index = MSR_KERNEL_GS;
	out[0].reserved = 0;
	out[0].value = 0x3333000;
	L1_ASSERT_EQ(vmwrite(VM_ENTRY_MSR_LOAD_ADDR, MSR_LISTS_GPA), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 2), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_EXIT_MSR_STORE_ADDR, (uintptr_t)store), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_EXIT_MSR_STORE_COUNT, 1), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_EXIT_MSR_LOAD_ADDR, (uintptr_t)out), VMX_OK);
	L1_ASSERT_EQ(vmwrite(VM_EXIT_MSR_LOAD_COUNT, 1), VMX_OK);

	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason,
		     EXIT_REASON_FAILED_ENTRY | EXIT_REASON_MSR_LOAD_FAIL);
	L1_ASSERT_EQ(vmreadz(EXIT_QUALIFICATION), 2);
	L1_ASSERT_EQ(l2.launched, false);

	L1_ASSERT_EQ(vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 1), VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_VMCALL);
	L1_ASSERT_EQ(vmreadz(GUEST_GS_BASE), 0x1111000);
	L1_ASSERT_EQ(store[0].value, gs2);
	L1_ASSERT_EQ(guest_rdmsr(MSR_KERNEL_GS), 0x3333000);
	l1_finish();
}

L1_CASE(l2_msr_lists, l1_l2_msr_lists, NULL)

/*
 * l1_interrupt_in_l2, l1_nmi_in_l2: an interrupt (vector 0x41) and an NMI
 * that userspace queues for the vCPU while L2 runs (L2 asks for them with
 * a ucall of its own, which L1 does not intercept).  L1 intercepts both
 * ("external-interrupt exiting", "NMI exiting"), so each ends L2 at once:
 * exit 1 with no interruption information (L1 has no "acknowledge
 * interrupt on exit"), after which L1's STI takes the interrupt through
 * L1's IDT; exit 0 with "valid, NMI, vector 2" (SDM 26.2, 28.2.2).  L2
 * never reaches its VMCALL.
 */
static volatile uint64_t l1_isr_n, l1_isr_vec;

static void l1_isr(uint64_t vector, uint64_t error, uint64_t rip)
{
	l1_isr_n++;
	l1_isr_vec = vector;
}

static void l2_event_body(uint64_t nmi)
{
	uint64_t i, rax = 3;

	if (nmi)
		GUEST_SYNC(ST_NMI, 0);
	else
		GUEST_SYNC(ST_IRQ, 0x41);
	for (i = 0; i < 1000000; i++)
		__asm__ volatile("pause");
	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
}

static void l1_event_in_l2(bool nmi)
{
	l1_start(l2_event_body, nmi, 0);
	L1_ASSERT_EQ(vmwrite(PIN_BASED_VM_EXEC_CONTROL,
			     vmreadz(PIN_BASED_VM_EXEC_CONTROL) |
			     (nmi ? PIN_NMI_EXITING : PIN_EXT_INTR_EXITING)),
		     VMX_OK);
	RUN_L2();
	L1_ASSERT_EQ(vmreadz(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID, 0);
	if (nmi) {
		L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EXCEPTION_NMI);
		L1_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO),
			     INTR_INFO_VALID | INTR_TYPE_NMI | 2);
	} else {
		L1_ASSERT_EQ(l2.exit_reason, EXIT_REASON_EXTERNAL_INTERRUPT);
		L1_ASSERT_EQ(vmreadz(VM_EXIT_INTR_INFO) & INTR_INFO_VALID, 0);
		L1_ASSERT_EQ(l1_isr_n, 0);
		__asm__ volatile("sti; nop; cli" : : : "memory");
		L1_ASSERT_EQ(l1_isr_n, 1);
		L1_ASSERT_EQ(l1_isr_vec, 0x41);
	}
	l1_finish();
}

static void l1_l2_irq(uint64_t arg)
{
	l1_event_in_l2(false);
}

static void l1_l2_nmi(uint64_t arg)
{
	l1_event_in_l2(true);
}

static bool prep_l1_isr(void)
{
	l1_isr_n = 0;
	vm_set_isr(&vm, 0x41, l1_isr);
	return true;
}

/*
 * KVM with a userspace interrupt controller (as here: no in-kernel APIC)
 * holds L1's interrupt until L2 exits for another reason, unlike the SDM's
 * VMX (seen on Debian's kvm_intel nested=1: L2 reached its VMCALL).
 */
static enum ktap_result l1_interrupt_in_l2(void)
{
	if (hvx_is_reference())
		SKIP("KVM without an in-kernel APIC keeps L1's interrupt pending until L2 exits");
	return run_l1(l1_l2_irq, 0, prep_l1_isr);
}
L1_CASE(l1_nmi_in_l2, l1_l2_nmi, NULL)

/* shadow_vmcs_ready: report what L1 is offered; VMCS shadowing is 14. */
static void l1_report_caps(uint64_t arg)
{
	L1_ASSERT_EQ(vmx_l1_read_caps(), true);
	GUEST_SYNC(ST_BASIC, vmx_caps.basic);
	GUEST_SYNC(ST_PROC, guest_rdmsr(vmx_caps.proc_msr));
	GUEST_SYNC(ST_PROC2, vmx_caps.proc2);
	GUEST_SYNC(ST_EPT_VPID, vmx_caps.ept_vpid);
	GUEST_SYNC(ST_MISC, vmx_caps.misc);
	GUEST_DONE();
}

static enum ktap_result shadow_vmcs_ready(void)
{
	enum ktap_result r = run_l1(l1_report_caps, 0, NULL);
	uint64_t proc2 = sync_val[ST_PROC2];

	if (r != KTAP_PASS)
		return r;
	ktap_diag("IA32_VMX_BASIC %#lx (revision %#lx, TRUE controls: %s)",
		  (unsigned long)sync_val[ST_BASIC],
		  (unsigned long)(sync_val[ST_BASIC] & 0x7fffffff),
		  sync_val[ST_BASIC] & VMX_BASIC_TRUE_CTLS ? "yes" : "no");
	ktap_diag("procbased %#lx, procbased2 %#lx, EPT/VPID %#lx, misc %#lx",
		  (unsigned long)sync_val[ST_PROC], (unsigned long)proc2,
		  (unsigned long)sync_val[ST_EPT_VPID],
		  (unsigned long)sync_val[ST_MISC]);
	ktap_diag("VMCS shadowing offered to L1: %s",
		  (proc2 >> 32) & SEC_SHADOW_VMCS ? "yes" : "no");
	return KTAP_PASS;
}

/*
 * bench_l2_cpuid: BENCH_N L2 CPUID exits handled by L1 (exit reason,
 * qualification, RIP, length read; RIP written), timed in L1 with RDTSC
 * and by the host clock; L1's own CPUID exit for comparison.
 */
#define BENCH_N		1000
#define BENCH_WARMUP	20

static volatile uint64_t bench_sink;

static void l2_bench_body(uint64_t n)
{
	uint32_t r[4];

	while (n--)
		guest_cpuid(0, 0, r);
}

static void l1_bench(uint64_t arg)
{
	uint64_t t0 = 0, t1 = 0, rip, len, hz = 0;
	uint32_t r[4];
	int i;

	l1_start(l2_bench_body, BENCH_N + BENCH_WARMUP, 0);
	for (i = 0; ; i++) {
		if (i == BENCH_WARMUP) {
			GUEST_SYNC(ST_BENCH_START, 0);
			t0 = l1_rdtsc();
		}
		if (i == BENCH_WARMUP + BENCH_N)
			t1 = l1_rdtsc();
		RUN_L2();
		if (l2.exit_reason != EXIT_REASON_CPUID)
			break;
		bench_sink = vmreadz(EXIT_QUALIFICATION);
		rip = vmreadz(GUEST_RIP);
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		l2.regs.rax = l2.regs.rbx = l2.regs.rcx = l2.regs.rdx = 0;
		vmwrite(GUEST_RIP, rip + len);
	}
	GUEST_SYNC(ST_BENCH_END, (t1 - t0) / BENCH_N);
	L1_ASSERT_EQ(vmx_l2_done(&l2), true);
	L1_ASSERT_EQ(i, BENCH_WARMUP + BENCH_N);

	t0 = l1_rdtsc();
	for (i = 0; i < BENCH_N; i++)
		guest_cpuid(0, 0, r);
	GUEST_SYNC(ST_BENCH_L1, (l1_rdtsc() - t0) / BENCH_N);

	/* TSC Hz: crystal * ratio (leaf 0x15), else base MHz (leaf 0x16) */
	guest_cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		guest_cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2])
			hz = (uint64_t)r[2] * r[1] / r[0];
	}
	guest_cpuid(0, 0, r);
	if (!hz && r[0] >= 0x16) {
		guest_cpuid(0x16, 0, r);
		hz = (uint64_t)(r[0] & 0xffff) * 1000000;
	}
	GUEST_SYNC(ST_TSC_HZ, hz);
	l1_finish();
}

static enum ktap_result bench_l2_cpuid(void)
{
	enum ktap_result r = run_l1(l1_bench, 0, NULL);
	double cyc2 = sync_val[ST_BENCH_END], cyc1 = sync_val[ST_BENCH_L1];
	double hz = sync_val[ST_TSC_HZ], host;
	const char *src = "CPUID 0x15/0x16";

	if (r != KTAP_PASS)
		return r;
	host = (sync_ns[ST_BENCH_END] - sync_ns[ST_BENCH_START]) / BENCH_N;
	if (!hz && tsc_khz > 0) {
		hz = tsc_khz * 1e3;
		src = "KVM_GET_TSC_KHZ";
	}
	if (hz)
		ktap_diag("L2 CPUID handled by L1: %.0f TSC cycles = %.0f ns per round trip (TSC %.0f MHz from %s)",
			  cyc2, cyc2 * 1e9 / hz, hz / 1e6, src);
	else
		ktap_diag("L2 CPUID handled by L1: %.0f TSC cycles per round trip (TSC frequency unknown)",
			  cyc2);
	ktap_diag("host clock: %.0f ns per L2 round trip; L1's own CPUID exit: %.0f TSC cycles (L2/L1 %.1fx)",
		  host, cyc1, cyc1 ? cyc2 / cyc1 : 0);
	if (stats_ok) {
		/* The timed loop alone: between the two SYNCs. */
		const struct hvx_vm_stats *a = &sync_stats[ST_BENCH_START];
		const struct hvx_vm_stats *b = &sync_stats[ST_BENCH_END];
		double l2 = b->nested_l2_exits - a->nested_l2_exits;
		double l1 = b->nested_l1_exits - a->nested_l1_exits;
		double refl = b->nested_reflected - a->nested_reflected;

		if (refl)
			ktap_diag("L0 exits per L2 exit handled by L1: %.2f (%.0f while L2 ran, %.0f while L1 ran, %.0f reflected)",
				  (l2 + l1) / refl, l2, l1, refl);
	}
	return KTAP_PASS;
}

KTAP_CASES(
	{ "vmxon_vmxoff", vmxon_vmxoff },
	{ "vmclear_vmptrld_errors", vmclear_vmptrld_errors },
	{ "vmlaunch_vmresume_errors", vmlaunch_vmresume_errors },
	{ "l2_cpuid", l2_cpuid },
	{ "l2_io", l2_io },
	{ "l2_hlt", l2_hlt },
	{ "l2_vmcall", l2_vmcall },
	{ "l2_exception", l2_exception },
	{ "l2_interrupt_injection", l2_interrupt_injection },
	{ "l2_ept", l2_ept },
	{ "l2_ept_remap", l2_ept_remap },
	{ "invept_invvpid_errors", invept_invvpid_errors },
	{ "l2_msr_lists", l2_msr_lists },
	{ "l1_interrupt_in_l2", l1_interrupt_in_l2 },
	{ "l1_nmi_in_l2", l1_nmi_in_l2 },
	{ "shadow_vmcs_ready", shadow_vmcs_ready },
	{ "bench_l2_cpuid", bench_l2_cpuid },
);
KTAP_MAIN()
