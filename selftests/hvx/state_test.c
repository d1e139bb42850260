// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU state ioctls: round trips of every GET/SET pair, their bad input
 * (errno as Debian's KVM 6.1 answers, state left as it was), the system
 * fd's CPUID and MSR lists, KVM_TRANSLATE, and state set from userspace
 * being what the guest then sees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

static struct vm vm;
static struct vcpu vcpu;
static bool have_vm, have_vcpu;

static void teardown(void)
{
	if (have_vcpu)
		vcpu_destroy(&vcpu);
	if (have_vm)
		vm_destroy(&vm);
	have_vm = have_vcpu = false;
}

/* A VM with vCPU 0; first frees what a failed case left behind. */
static int setup(void)
{
	int r;

	teardown();
	r = vm_create(&vm);
	if (r)
		return r;
	have_vm = true;
	r = vcpu_add(&vm, &vcpu, 0);
	have_vcpu = !r;
	return r;
}

#define SETUP()	CHECK_VM_SETUP(setup())

/* Run to the next ucall, which must be @cmd. */
#define RUN_UCALL(uc, cmd)						\
	do {								\
		int _r = vcpu_run_ucall(&vcpu, (uc));			\
		CHECK(_r == (cmd), "ucall %d, expected %d (exception "	\
		      "vector %lu)", _r, (cmd), (long)(uc)->args[0]);	\
	} while (0)

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC			0x10
#define MSR_UNKNOWN		0x12345678

struct msr_buf {
	struct kvm_msrs h;
	struct kvm_msr_entry e[300];
};

struct cpuid_buf {
	struct kvm_cpuid2 h;
	struct kvm_cpuid_entry2 e[300];
};

/* KVM_SET_MSRS or KVM_GET_MSRS of @n entries; the ioctl's result. */
static int msr_io(unsigned long req, struct msr_buf *b, unsigned int n)
{
	b->h.nmsrs = n;
	return ioctl(vcpu.fd, req, b);
}

static void guest_done(uint64_t arg)
{
	GUEST_DONE();
}

/* The guest reports (a, b, c): entry points below pass it registers. */
void guest_report(uint64_t a, uint64_t b, uint64_t c)
{
	guest_ucall(UCALL_SYNC, a, b, c);
	GUEST_DONE();
}

/* The ucall guest_xmm_touch makes without C code (which may use XMM). */
const struct ucall xmm_touched = { .cmd = UCALL_SYNC, .args = { 9 } };

#define STR(x)	#x
#define XSTR(x)	STR(x)

void guest_regs_entry(uint64_t arg);
void guest_xmm_entry(uint64_t arg);
void guest_xmm_touch(uint64_t arg);
__asm__(".pushsection .text\n"
	"guest_regs_entry:\n"		/* report RAX, RBX, R15 */
	"  mov %rax, %rdi\n"
	"  mov %rbx, %rsi\n"
	"  mov %r15, %rdx\n"
	"  and $-16, %rsp\n"
	"  call guest_report\n"
	"guest_xmm_touch:\n"		/* SSE state in use, SYNC(9) */
	"  pcmpeqd %xmm0, %xmm0\n"
	"  lea xmm_touched(%rip), %rdi\n"
	"  mov $" XSTR(UCALL_PORT) ", %edx\n"
	"  out %al, %dx\n"
	"guest_xmm_entry:\n"		/* report XMM0 lo, hi, XMM7 lo */
	"  movq %xmm0, %rdi\n"
	"  pshufd $0xee, %xmm0, %xmm0\n"
	"  movq %xmm0, %rsi\n"
	"  movq %xmm7, %rdx\n"
	"  and $-16, %rsp\n"
	"  call guest_report\n"
	".popsection\n");

/* XMM0's pattern, and the rounds of FPU_ROUND_EXITS in-kernel exits. */
#define FPU_PATTERN		0x0123456789abcdefULL
#define FPU_ROUND_EXITS		1000
const struct ucall fpu_round = { .cmd = UCALL_SYNC, .args = { 10 } };

void guest_fpu_loop(uint64_t pattern);
__asm__(".pushsection .text\n"
	"guest_fpu_loop:\n"		/* XMM0 = pattern:pattern, for ever */
	"  movq %rdi, %xmm0\n"
	"  pshufd $0x44, %xmm0, %xmm0\n"
	"  mov %rdi, %r12\n"
	"1:\n"
	"  mov $" XSTR(FPU_ROUND_EXITS) ", %r13d\n"
	"2:\n"				/* exits hvx handles in the kernel */
	"  xor %eax, %eax\n"
	"  cpuid\n"
	"  dec %r13d\n"
	"  jnz 2b\n"
	"  movq %xmm0, %rsi\n"
	"  pshufd $0xee, %xmm0, %xmm1\n"
	"  movq %xmm1, %rdx\n"
	"  cmp %r12, %rsi\n"
	"  jne 3f\n"
	"  cmp %r12, %rdx\n"
	"  jne 3f\n"
	"  lea fpu_round(%rip), %rdi\n"
	"  mov $" XSTR(UCALL_PORT) ", %edx\n"
	"  out %al, %dx\n"
	"  jmp 1b\n"
	"3:\n"				/* report (0xbad, lo, hi) */
	"  mov $0xbad, %edi\n"
	"  and $-16, %rsp\n"
	"  call guest_report\n"
	".popsection\n");

static volatile bool rival_stop;

/* Keeps other values in the XMM registers of the CPU it shares. */
static void *fpu_rival(void *arg)
{
	cpu_set_t *cpu = arg;

	sched_setaffinity(0, sizeof(*cpu), cpu);
	while (!rival_stop)
		__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
				 "pcmpeqd %%xmm1, %%xmm1" ::: "xmm0", "xmm1");
	return NULL;
}

/* This thread's involuntary context switches so far. */
static long nonvoluntary_switches(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/thread-self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * The guest's XMM registers survive the host scheduling another task,
 * which uses its own XMM values, between exits handled in the kernel.
 * The vCPU thread shares one CPU with that rival, so the scheduler
 * preempts it inside KVM_RUN; hvx must reload the guest's FPU state
 * before the next entry (TIF_NEED_FPU_LOAD), not run the guest on the
 * rival's registers.
 */
static enum ktap_result fpu_kept_across_preemption(void)
{
	long before, switches = 0;
	unsigned int rounds = 0;
	struct timespec t0, t;
	cpu_set_t cpu, old;
	pthread_t rival;
	struct ucall uc;
	int r;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_fpu_loop, FPU_PATTERN),
	      "vCPU setup");
	CHECK(!sched_getaffinity(0, sizeof(old), &old), "getaffinity");
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	CHECK(!sched_setaffinity(0, sizeof(cpu), &cpu), "setaffinity");
	rival_stop = false;
	if (pthread_create(&rival, NULL, fpu_rival, &cpu)) {
		sched_setaffinity(0, sizeof(old), &old);
		CHECK(0, "pthread_create");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	before = nonvoluntary_switches();
	/* Until the scheduler has preempted this thread often enough. */
	do {
		r = vcpu_run_ucall(&vcpu, &uc);
		if (r != UCALL_SYNC || uc.args[0] != 10)
			break;
		rounds++;
		switches = nonvoluntary_switches() - before;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (switches < 20 && t.tv_sec - t0.tv_sec < 60);
	rival_stop = true;
	pthread_join(rival, NULL);
	sched_setaffinity(0, sizeof(old), &old);

	CHECK(r == UCALL_SYNC, "ucall %d after %u rounds", r, rounds);
	CHECK(uc.args[0] != 0xbad, "after %u rounds and %ld preemptions, "
	      "guest XMM0 is %#lx:%#lx, not %#llx:%#llx", rounds, switches,
	      (long)uc.args[2], (long)uc.args[1], FPU_PATTERN, FPU_PATTERN);
	if (switches < 20)
		SKIP("only %ld preemptions in %u rounds", switches, rounds);
	ktap_diag("%u rounds of %d exits, %ld preemptions", rounds,
		   FPU_ROUND_EXITS, switches);
	teardown();
	return KTAP_PASS;
}

/* SET_REGS then GET_REGS gives back every register; the guest sees them. */
static enum ktap_result regs_roundtrip(void)
{
	struct kvm_regs set, got;
	uint64_t *p = (uint64_t *)&set;
	struct ucall uc;
	unsigned int i;

	SETUP();
	for (i = 0; i < 16; i++)
		p[i] = (uint64_t)(i + 1) << 40 | 0xbeef00 | i;
	set.rip = 0x12345678;
	set.rflags = 0x283;		/* CF SF IF, and the fixed bit 1 */
	CHECK_ERRNO("SET_REGS", ioctl(vcpu.fd, KVM_SET_REGS, &set), 0);
	CHECK_ERRNO("GET_REGS", ioctl(vcpu.fd, KVM_GET_REGS, &got), 0);
	for (i = 0; i < sizeof(set) / 8; i++)
		CHECK(p[i] == ((uint64_t *)&got)[i], "register %u: set %#lx, "
		      "got %#lx", i, (long)p[i], (long)((uint64_t *)&got)[i]);

	CHECK(!vcpu_setup_long(&vcpu, guest_regs_entry, 0), "vCPU setup");
	CHECK_ERRNO("GET_REGS", ioctl(vcpu.fd, KVM_GET_REGS, &set), 0);
	set.rax = 0x1122334455667788ull;
	set.rbx = 0x99aabbccddeeff00ull;
	set.r15 = 0x0123456789abcdefull;
	CHECK_ERRNO("SET_REGS", ioctl(vcpu.fd, KVM_SET_REGS, &set), 0);
	RUN_UCALL(&uc, UCALL_SYNC);
	CHECK(uc.args[0] == set.rax && uc.args[1] == set.rbx &&
	      uc.args[2] == set.r15, "guest saw RAX %#lx RBX %#lx R15 %#lx",
	      (long)uc.args[0], (long)uc.args[1], (long)uc.args[2]);
	teardown();
	return KTAP_PASS;
}

static bool seg_equal(const struct kvm_segment *a, const struct kvm_segment *b)
{
	if (!a->present && !b->present)
		return true;	/* unusable: no attributes kept */
	return a->base == b->base && a->limit == b->limit &&
	       a->selector == b->selector && a->type == b->type &&
	       a->present == b->present && a->dpl == b->dpl &&
	       a->db == b->db && a->s == b->s && a->l == b->l &&
	       a->g == b->g && a->avl == b->avl;
}

/* SET_SREGS then GET_SREGS gives back segments, tables and CRs. */
static enum ktap_result sregs_roundtrip(void)
{
	struct kvm_sregs s, g;
	struct kvm_segment *ss = &s.cs, *gs = &g.cs;
	unsigned int i;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_done, 0), "vCPU setup");
	CHECK_ERRNO("GET_SREGS", ioctl(vcpu.fd, KVM_GET_SREGS, &s), 0);
	s.cr2 = 0xdead000;
	s.cr8 = 5;
	s.fs.base = 0x123000;
	s.gs.base = 0xffff888000001000ull;
	s.gdt.limit = 0x7f;
	CHECK_ERRNO("SET_SREGS", ioctl(vcpu.fd, KVM_SET_SREGS, &s), 0);
	CHECK_ERRNO("GET_SREGS", ioctl(vcpu.fd, KVM_GET_SREGS, &g), 0);
	for (i = 0; i < 8; i++)		/* cs ds es fs gs ss tr ldt */
		CHECK(seg_equal(&ss[i], &gs[i]), "segment %u: base %#llx "
		      "sel %#x type %u present %u differ", i,
		      (unsigned long long)gs[i].base, gs[i].selector,
		      gs[i].type, gs[i].present);
	CHECK(s.gdt.base == g.gdt.base && s.gdt.limit == g.gdt.limit &&
	      s.idt.base == g.idt.base && s.idt.limit == g.idt.limit,
	      "descriptor tables differ");
	CHECK(s.cr0 == g.cr0 && s.cr2 == g.cr2 && s.cr3 == g.cr3 &&
	      s.cr4 == g.cr4 && s.cr8 == g.cr8 && s.efer == g.efer &&
	      s.apic_base == g.apic_base, "cr0 %#llx cr2 %#llx cr3 %#llx "
	      "cr4 %#llx cr8 %#llx efer %#llx apic_base %#llx",
	      g.cr0, g.cr2, g.cr3, g.cr4, g.cr8, g.efer, g.apic_base);
	teardown();
	return KTAP_PASS;
}

/* Impossible SREGS combinations are EINVAL and change nothing. */
static enum ktap_result sregs_invalid(void)
{
	struct kvm_sregs before, s, after;
	static const char *const what[] = {
		"EFER.LMA without CR0.PG", "CR0.PG without CR0.PE",
		"long mode without CR4.PAE", "EFER.LME and PG without LMA",
		"CS.L outside long mode", "CR4 reserved bit 40",
	};
	unsigned int i;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_done, 0), "vCPU setup");
	CHECK_ERRNO("GET_SREGS", ioctl(vcpu.fd, KVM_GET_SREGS, &before), 0);
	for (i = 0; i < 6; i++) {
		s = before;
		switch (i) {
		case 0: s.cr0 &= ~0x80000000ull; s.cs.l = 0; break;
		case 1: s.cr0 &= ~1ull; break;
		case 2: s.cr4 &= ~0x20ull; break;
		case 3: s.efer &= ~0x400ull; break;
		case 4: s.cr0 = 0x11; s.efer = 0; break;
		case 5: s.cr4 |= 1ull << 40; break;
		}
		CHECK_ERRNO(what[i], ioctl(vcpu.fd, KVM_SET_SREGS, &s), EINVAL);
		CHECK_ERRNO("GET_SREGS",
			    ioctl(vcpu.fd, KVM_GET_SREGS, &after), 0);
		CHECK(!memcmp(&before, &after, sizeof(after)),
		      "%s changed the state (cr0 %#llx efer %#llx)", what[i],
		      after.cr0, after.efer);
	}
	teardown();
	return KTAP_PASS;
}

/* SET_FPU then GET_FPU gives back x87 and SSE state (not MXCSR). */
static enum ktap_result fpu_roundtrip(void)
{
	struct kvm_fpu f, g;
	uint64_t st0_mant;
	uint16_t st0_exp;
	unsigned int i, j, bad;

	SETUP();
	CHECK_ERRNO("GET_FPU", ioctl(vcpu.fd, KVM_GET_FPU, &f), 0);
	for (i = 0; i < 8; i++)
		for (j = 0; j < 10; j++)
			f.fpr[i][j] = 0x10 * i + j;
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			f.xmm[i][j] = 16 * i + j + 1;
	f.fcw = 0x27f;
	f.fsw = 0x3800;
	f.ftwx = 0x80;
	f.last_opcode = 0x1d9;
	f.last_ip = 0x401000;
	f.last_dp = 0x402000;
	CHECK_ERRNO("SET_FPU", ioctl(vcpu.fd, KVM_SET_FPU, &f), 0);
	CHECK_ERRNO("GET_FPU", ioctl(vcpu.fd, KVM_GET_FPU, &g), 0);
	for (i = 0, bad = 0; i < 8; i++)
		bad |= !!memcmp(f.fpr[i], g.fpr[i], 10) << i;
	for (i = 0; i < 16; i++)
		bad |= !!memcmp(f.xmm[i], g.xmm[i], 16) << (8 + i);
	memcpy(&st0_mant, g.fpr[0], 8);
	memcpy(&st0_exp, g.fpr[0] + 8, 2);
	CHECK(!bad && f.fcw == g.fcw && f.fsw == g.fsw && f.ftwx == g.ftwx &&
	      f.last_opcode == g.last_opcode && f.last_ip == g.last_ip &&
	      f.last_dp == g.last_dp, "differ: ST/XMM mask %#x (ST0 %04x:%016lx"
	      "), fcw %#x fsw %#x ftwx %#x fop %#x ip %#llx dp %#llx", bad,
	      st0_exp, (long)st0_mant, g.fcw, g.fsw, g.ftwx,
	      g.last_opcode, g.last_ip, g.last_dp);
	/* MXCSR is not compared: KVM's SET_FPU ignores it. */
	teardown();
	return KTAP_PASS;
}

/*
 * XMM registers set by SET_FPU are what the guest reads.  The guest first
 * uses XMM0: KVM 6.1 drops what SET_FPU gives a vCPU whose SSE state is
 * still in its init state (XSTATE_BV bit 1 clear): a fresh vCPU sees 0.
 */
static enum ktap_result fpu_seen_by_guest(void)
{
	uint64_t x0[2], x7[2];
	struct kvm_fpu f;
	struct ucall uc;
	unsigned int i;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_xmm_touch, 0), "vCPU setup");
	RUN_UCALL(&uc, UCALL_SYNC);
	CHECK_ERRNO("GET_FPU", ioctl(vcpu.fd, KVM_GET_FPU, &f), 0);
	for (i = 0; i < sizeof(f.xmm); i++)
		f.xmm[i / 16][i % 16] = 0x80 + i;
	CHECK_ERRNO("SET_FPU", ioctl(vcpu.fd, KVM_SET_FPU, &f), 0);
	RUN_UCALL(&uc, UCALL_SYNC);
	memcpy(x0, f.xmm[0], 16);
	memcpy(x7, f.xmm[7], 16);
	CHECK(uc.args[0] == x0[0] && uc.args[1] == x0[1] &&
	      uc.args[2] == x7[0], "guest XMM0 %#lx:%#lx XMM7 %#lx",
	      (long)uc.args[1], (long)uc.args[0], (long)uc.args[2]);
	teardown();
	return KTAP_PASS;
}

/*
 * KVM_SET_XSAVE of the uncompacted image takes XMM0 (GET_XSAVE, GET_FPU
 * and the guest then see it); unknown features or MXCSR bits are EINVAL.
 */
static enum ktap_result xsave_roundtrip(void)
{
	struct kvm_xsave x, y;
	uint8_t *r = (uint8_t *)x.region, want[16];
	uint64_t *xstate_bv = (uint64_t *)(r + 512);
	uint32_t *mxcsr = (uint32_t *)(r + 24);
	struct kvm_fpu f;
	struct ucall uc;
	unsigned int i;

	SETUP();
	CHECK_ERRNO("GET_XSAVE", ioctl(vcpu.fd, KVM_GET_XSAVE, &x), 0);
	for (i = 0; i < 16; i++)
		want[i] = 0xc0 + i;
	memcpy(r + 160, want, 16);	/* XMM0 in the legacy area */
	*(uint16_t *)r = 0x37f;		/* FCW, MXCSR: their defaults */
	*mxcsr = 0x1f80;
	*xstate_bv |= 3;		/* x87, SSE */
	CHECK_ERRNO("SET_XSAVE", ioctl(vcpu.fd, KVM_SET_XSAVE, &x), 0);
	CHECK_ERRNO("GET_XSAVE", ioctl(vcpu.fd, KVM_GET_XSAVE, &y), 0);
	CHECK(!memcmp((uint8_t *)y.region + 160, want, 16),
	      "XMM0 lost in GET_XSAVE");
	CHECK_ERRNO("GET_FPU", ioctl(vcpu.fd, KVM_GET_FPU, &f), 0);
	CHECK(!memcmp(f.xmm[0], want, 16), "XMM0 lost in GET_FPU");

	y = x;
	((uint64_t *)((uint8_t *)y.region + 512))[0] |= 1ull << 63;
	CHECK_ERRNO("XSTATE_BV bit 63", ioctl(vcpu.fd, KVM_SET_XSAVE, &y),
		    EINVAL);
	y = x;
	*(uint32_t *)((uint8_t *)y.region + 24) = *mxcsr | 1u << 31;
	CHECK_ERRNO("MXCSR bit 31", ioctl(vcpu.fd, KVM_SET_XSAVE, &y), EINVAL);
	CHECK_ERRNO("GET_FPU", ioctl(vcpu.fd, KVM_GET_FPU, &f), 0);
	CHECK(!memcmp(f.xmm[0], want, 16), "a refused SET_XSAVE changed XMM0");
	CHECK(!vcpu_setup_long(&vcpu, guest_xmm_entry, 0), "vCPU setup");
	RUN_UCALL(&uc, UCALL_SYNC);
	CHECK(!memcmp(uc.args, want, 16), "guest XMM0 %#lx:%#lx",
	      (long)uc.args[1], (long)uc.args[0]);
	teardown();
	return KTAP_PASS;
}

static void guest_xgetbv(uint64_t arg)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	GUEST_SYNC(0, lo | (uint64_t)hi << 32);
	GUEST_DONE();
}

/*
 * XCR0 starts as x87 only; SET_XCRS takes x87|SSE (the guest's XGETBV
 * sees it) and refuses XCR0 without x87, flags, or more than 16 XCRs.
 */
static enum ktap_result xcrs_roundtrip(void)
{
	struct kvm_xcrs x = { 0 }, g;
	struct kvm_sregs s;
	struct ucall uc;

	SETUP();
	CHECK(!vcpu_set_supported_cpuid(&vcpu), "SET_CPUID2");
	CHECK_ERRNO("GET_XCRS", ioctl(vcpu.fd, KVM_GET_XCRS, &g), 0);
	CHECK(g.nr_xcrs == 1 && g.xcrs[0].xcr == 0 && g.xcrs[0].value == 1,
	      "initial: %u XCRs, XCR%u = %#llx", g.nr_xcrs, g.xcrs[0].xcr,
	      g.xcrs[0].value);
	x.nr_xcrs = 1;
	x.xcrs[0].value = 3;
	CHECK_ERRNO("XCR0 = 3", ioctl(vcpu.fd, KVM_SET_XCRS, &x), 0);
	CHECK_ERRNO("GET_XCRS", ioctl(vcpu.fd, KVM_GET_XCRS, &g), 0);
	CHECK(g.xcrs[0].value == 3, "XCR0 %#llx", g.xcrs[0].value);
	x.xcrs[0].value = 2;
	CHECK_ERRNO("XCR0 = 2", ioctl(vcpu.fd, KVM_SET_XCRS, &x), EINVAL);
	x.xcrs[0].value = 3;
	x.flags = 1;
	CHECK_ERRNO("flags 1", ioctl(vcpu.fd, KVM_SET_XCRS, &x), EINVAL);
	x.flags = 0;
	x.nr_xcrs = 17;
	CHECK_ERRNO("17 XCRs", ioctl(vcpu.fd, KVM_SET_XCRS, &x), EINVAL);

	CHECK(!vcpu_setup_long(&vcpu, guest_xgetbv, 0), "vCPU setup");
	CHECK_ERRNO("GET_SREGS", ioctl(vcpu.fd, KVM_GET_SREGS, &s), 0);
	s.cr4 |= 1u << 18;		/* OSXSAVE */
	CHECK_ERRNO("SET_SREGS", ioctl(vcpu.fd, KVM_SET_SREGS, &s), 0);
	RUN_UCALL(&uc, UCALL_SYNC);
	CHECK(uc.args[1] == 3, "guest XGETBV %#lx", (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

static void guest_read_dr(uint64_t arg)
{
	uint64_t dr0, dr7;

	__asm__ volatile("mov %%dr0, %0; mov %%dr7, %1" : "=r"(dr0), "=r"(dr7));
	GUEST_SYNC(dr0, dr7);
	GUEST_DONE();
}

/* DR0-3, DR6, DR7 round trip; flags or upper DR6/DR7 bits are EINVAL. */
static enum ktap_result debugregs_roundtrip(void)
{
	struct kvm_debugregs d = { 0 }, g;
	struct ucall uc;
	unsigned int i;

	SETUP();
	for (i = 0; i < 4; i++)
		d.db[i] = 0xdead0000 + 0x1000 * i;
	d.dr6 = 0xffff0ff1;
	d.dr7 = 0x401;			/* L0: execute at 0xdead0000 */
	CHECK_ERRNO("SET_DEBUGREGS", ioctl(vcpu.fd, KVM_SET_DEBUGREGS, &d), 0);
	CHECK_ERRNO("GET_DEBUGREGS", ioctl(vcpu.fd, KVM_GET_DEBUGREGS, &g), 0);
	CHECK(!memcmp(d.db, g.db, sizeof(d.db)) && g.dr6 == d.dr6 &&
	      g.dr7 == d.dr7, "DR0 %#llx DR3 %#llx DR6 %#llx DR7 %#llx",
	      g.db[0], g.db[3], g.dr6, g.dr7);
	g = d;
	g.flags = 1;
	CHECK_ERRNO("flags 1", ioctl(vcpu.fd, KVM_SET_DEBUGREGS, &g), EINVAL);
	g = d;
	g.dr6 |= 1ull << 32;
	CHECK_ERRNO("DR6 bit 32", ioctl(vcpu.fd, KVM_SET_DEBUGREGS, &g),
		    EINVAL);
	g = d;
	g.dr7 |= 1ull << 32;
	CHECK_ERRNO("DR7 bit 32", ioctl(vcpu.fd, KVM_SET_DEBUGREGS, &g),
		    EINVAL);

	CHECK(!vcpu_setup_long(&vcpu, guest_read_dr, 0), "vCPU setup");
	RUN_UCALL(&uc, UCALL_SYNC);
	CHECK(uc.args[0] == d.db[0] && uc.args[1] == d.dr7,
	      "guest DR0 %#lx DR7 %#lx", (long)uc.args[0], (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

static const struct kvm_msr_entry msr_vals[] = {
	{ .index = 0x277, .data = 0x0007040600070406ull },	/* PAT */
	{ .index = MSR_STAR, .data = 0x0023001000000000ull },
	{ .index = MSR_LSTAR, .data = 0xffffffff81a00000ull },
	{ .index = MSR_KERNEL_GS_BASE, .data = 0xffff888012345000ull },
	{ .index = 0x174, .data = 0x10 },		/* SYSENTER_CS */
	{ .index = 0x175, .data = 0xffffc90000004000ull },	/* _ESP */
	{ .index = 0x176, .data = 0xffffffff81c00000ull },	/* _EIP */
	{ .index = 0x2ff, .data = 0xc06 },	/* MTRRdefType: E FE WB */
	{ .index = MSR_EFER, .data = 0x1 },	/* SCE */
	{ .index = 0x1b, .data = 0xfee00800 },	/* APIC base, not BSP */
	{ .index = MSR_TSC, .data = 1ull << 40 },
};
#define NR_MSR_VALS	(sizeof(msr_vals) / sizeof(msr_vals[0]))
#define NR_GUEST_MSRS	8	/* the guest reads the first 8 */

/*
 * What reads back: with an AMD guest CPUID (the supported one on an SVM
 * host) KVM keeps only the low half of SYSENTER_ESP/EIP, as AMD CPUs do.
 */
static uint64_t msr_expect(const struct kvm_msr_entry *e)
{
	if ((e->index == 0x175 || e->index == 0x176) &&
	    !strcmp(hvx_host_kind(), "svm"))
		return (uint32_t)e->data;
	return e->data;
}

static void guest_rdmsrs(uint64_t arg)
{
	unsigned int i;

	for (i = 0; i < NR_GUEST_MSRS; i++)
		GUEST_SYNC(i, guest_rdmsr(msr_vals[i].index));
	GUEST_DONE();
}

/*
 * SET_MSRS/GET_MSRS round trip (TSC counts on from the value set); both
 * stop at the first MSR they cannot do and return the count done;
 * 256 entries or more is E2BIG.  The guest RDMSRs the values set.
 */
static enum ktap_result msrs_roundtrip(void)
{
	struct msr_buf b;
	struct ucall uc;
	unsigned int i;
	int r;

	SETUP();
	CHECK(!vcpu_set_supported_cpuid(&vcpu), "SET_CPUID2");
	memcpy(b.e, msr_vals, sizeof(msr_vals));
	r = msr_io(KVM_SET_MSRS, &b, NR_MSR_VALS);
	CHECK(r == NR_MSR_VALS, "SET_MSRS did %d of %zu (stopped at %#x)",
	      r, NR_MSR_VALS, r >= 0 ? b.e[r].index : 0);
	memset(b.e, 0, sizeof(b.e));
	for (i = 0; i < NR_MSR_VALS; i++)
		b.e[i].index = msr_vals[i].index;
	r = msr_io(KVM_GET_MSRS, &b, NR_MSR_VALS);
	CHECK(r == NR_MSR_VALS, "GET_MSRS did %d", r);
	for (i = 0; i < NR_MSR_VALS - 1; i++)
		CHECK(b.e[i].data == msr_expect(&msr_vals[i]), "MSR %#x: %#llx"
		      ", set %#llx", b.e[i].index, b.e[i].data,
		      msr_vals[i].data);
	CHECK(b.e[i].data >= 1ull << 40 && b.e[i].data < (1ull << 40) +
	      (1ull << 38), "TSC %#llx, set 1 << 40", b.e[i].data);

	b.e[0] = (struct kvm_msr_entry){ .index = MSR_STAR, .data = 1 };
	b.e[1] = (struct kvm_msr_entry){ .index = MSR_UNKNOWN };
	b.e[2] = (struct kvm_msr_entry){ .index = MSR_LSTAR, .data = 0 };
	CHECK((r = msr_io(KVM_SET_MSRS, &b, 3)) == 1,
	      "SET_MSRS over an unknown MSR did %d, expected 1", r);
	CHECK((r = msr_io(KVM_GET_MSRS, &b, 3)) == 1,
	      "GET_MSRS over an unknown MSR did %d, expected 1", r);
	CHECK(b.e[0].data == 1, "STAR %#llx", b.e[0].data);
	b.e[0] = (struct kvm_msr_entry){ .index = MSR_LSTAR,
					 .data = 0x8000000000000000ull };
	CHECK((r = msr_io(KVM_SET_MSRS, &b, 1)) == 0,
	      "non-canonical LSTAR: did %d, expected 0", r);
	b.e[0].index = MSR_LSTAR;
	CHECK(msr_io(KVM_GET_MSRS, &b, 1) == 1 &&
	      b.e[0].data == msr_vals[2].data, "LSTAR changed to %#llx "
	      "by refused writes", b.e[0].data);

	memcpy(b.e, msr_vals, sizeof(msr_vals));
	b.e[1].data = 0x0033002000000000ull;	/* STAR: a fresh value */
	CHECK(!vcpu_setup_long(&vcpu, guest_rdmsrs, 0), "vCPU setup");
	CHECK(msr_io(KVM_SET_MSRS, &b, NR_GUEST_MSRS) == NR_GUEST_MSRS,
	      "SET_MSRS");
	for (i = 0; i < NR_GUEST_MSRS; i++) {
		RUN_UCALL(&uc, UCALL_SYNC);
		CHECK(uc.args[0] == i && uc.args[1] == msr_expect(&b.e[i]),
		      "guest RDMSR %#x: %#lx, set %#llx", b.e[i].index,
		      (long)uc.args[1], b.e[i].data);
	}
	CHECK_ERRNO("256 MSRs", msr_io(KVM_GET_MSRS, &b, 256), E2BIG);
	teardown();
	return KTAP_PASS;
}

/*
 * KVM_GET_MSR_INDEX_LIST: too small is E2BIG with nmsrs set to the size
 * needed; the list has the syscall MSRs and TSC, and a vCPU (with the
 * supported CPUID) reads every MSR in it.
 */
static enum ktap_result msr_index_list(void)
{
	static const uint32_t must[] = { MSR_STAR, MSR_LSTAR,
		MSR_KERNEL_GS_BASE, 0x174, 0x175, 0x176, MSR_TSC };
	struct { struct kvm_msr_list h; uint32_t idx[1024]; } l;
	struct msr_buf b;
	unsigned int i, j, n;
	int r;

	SETUP();
	l.h.nmsrs = 0;
	CHECK_ERRNO("nmsrs 0", ioctl(vm.sys_fd, KVM_GET_MSR_INDEX_LIST, &l),
		    E2BIG);
	n = l.h.nmsrs;
	CHECK(n > 0 && n <= 1024, "nmsrs set to %u", n);
	l.h.nmsrs = n - 1;
	CHECK_ERRNO("one short", ioctl(vm.sys_fd, KVM_GET_MSR_INDEX_LIST, &l),
		    E2BIG);
	CHECK(l.h.nmsrs == n, "nmsrs %u, then %u", n, l.h.nmsrs);
	l.h.nmsrs = 1024;
	CHECK_ERRNO("full", ioctl(vm.sys_fd, KVM_GET_MSR_INDEX_LIST, &l), 0);
	CHECK(l.h.nmsrs == n, "nmsrs %u, then %u", n, l.h.nmsrs);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		for (j = 0; j < n && l.idx[j] != must[i]; j++)
			;
		CHECK(j < n, "MSR %#x not in the list", must[i]);
	}
	CHECK(n < 256, "%u MSRs: too many for one GET_MSRS", n);
	CHECK(!vcpu_set_supported_cpuid(&vcpu), "SET_CPUID2");
	for (i = 0; i < n; i++)
		b.e[i].index = l.idx[i];
	r = msr_io(KVM_GET_MSRS, &b, n);
	CHECK(r == (int)n, "GET_MSRS of the list stopped at %d: MSR %#x", r,
	      r >= 0 && r < (int)n ? l.idx[r] : 0);
	teardown();
	return KTAP_PASS;
}

/* Without an in-kernel irqchip only RUNNABLE exists: others are EINVAL. */
static enum ktap_result mp_state(void)
{
	struct kvm_mp_state mp = { 99 };

	SETUP();
	CHECK_ERRNO("GET_MP_STATE", ioctl(vcpu.fd, KVM_GET_MP_STATE, &mp), 0);
	CHECK(mp.mp_state == KVM_MP_STATE_RUNNABLE, "state %u", mp.mp_state);
	CHECK_ERRNO("RUNNABLE", ioctl(vcpu.fd, KVM_SET_MP_STATE, &mp), 0);
	mp.mp_state = KVM_MP_STATE_HALTED;
	CHECK_ERRNO("HALTED", ioctl(vcpu.fd, KVM_SET_MP_STATE, &mp), EINVAL);
	mp.mp_state = 99;
	CHECK_ERRNO("state 99", ioctl(vcpu.fd, KVM_SET_MP_STATE, &mp), EINVAL);
	CHECK_ERRNO("GET_MP_STATE", ioctl(vcpu.fd, KVM_GET_MP_STATE, &mp), 0);
	CHECK(mp.mp_state == KVM_MP_STATE_RUNNABLE, "state %u", mp.mp_state);
	teardown();
	return KTAP_PASS;
}

/*
 * VCPU_EVENTS: an injected #GP with error code and NMI masking round trip;
 * an NMI or vector 32 as exception, or unknown flags, are EINVAL and
 * change nothing; on KVM_RUN the guest takes the #GP.
 */
static enum ktap_result vcpu_events_roundtrip(void)
{
	struct kvm_vcpu_events e, g;
	struct ucall uc;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_done, 0), "vCPU setup");
	CHECK_ERRNO("GET", ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &e), 0);
	CHECK(!e.exception.injected && !e.interrupt.injected &&
	      !e.nmi.injected && !e.nmi.pending && !e.nmi.masked,
	      "fresh vCPU has events");
	e.flags = 0;
	e.exception.injected = 1;
	e.exception.nr = 13;
	e.exception.has_error_code = 1;
	e.exception.error_code = 0x18;
	e.nmi.masked = 1;
	CHECK_ERRNO("SET", ioctl(vcpu.fd, KVM_SET_VCPU_EVENTS, &e), 0);
	CHECK_ERRNO("GET", ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &g), 0);
	CHECK(g.exception.injected && g.exception.nr == 13 &&
	      g.exception.has_error_code && g.exception.error_code == 0x18 &&
	      g.nmi.masked, "exception %u/%u err %u/%#x, NMI masked %u",
	      g.exception.injected, g.exception.nr,
	      g.exception.has_error_code, g.exception.error_code,
	      g.nmi.masked);
	g = e;
	g.exception.nr = 2;
	CHECK_ERRNO("exception 2", ioctl(vcpu.fd, KVM_SET_VCPU_EVENTS, &g),
		    EINVAL);
	g.exception.nr = 32;
	CHECK_ERRNO("exception 32", ioctl(vcpu.fd, KVM_SET_VCPU_EVENTS, &g),
		    EINVAL);
	g = e;
	g.flags = 1u << 31;
	CHECK_ERRNO("flag bit 31", ioctl(vcpu.fd, KVM_SET_VCPU_EVENTS, &g),
		    EINVAL);
	RUN_UCALL(&uc, UCALL_EXCEPTION);
	CHECK(uc.args[0] == 13 && uc.args[1] == 0x18, "guest took vector %lu "
	      "error %#lx", (long)uc.args[0], (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

/*
 * CPUID2: a fresh vCPU has no entries (nent 0 is enough); after
 * SET_CPUID2, GET_CPUID2 with room for one less is E2BIG, with room gives
 * the table back; SET_CPUID2 of more than 256 entries is E2BIG.  (KVM
 * leaves nent as passed in when GET_CPUID2 succeeds: not checked.)
 */
static enum ktap_result cpuid2_roundtrip(void)
{
	struct cpuid_buf s = { .h.nent = 256 }, g = { .h.nent = 0 };
	unsigned int i, n;

	SETUP();
	CHECK_ERRNO("GET_CPUID2, fresh, nent 0",
		    ioctl(vcpu.fd, KVM_GET_CPUID2, &g), 0);
	CHECK_ERRNO("GET_SUPPORTED_CPUID",
		    ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &s), 0);
	n = s.h.nent;
	CHECK_ERRNO("SET_CPUID2", ioctl(vcpu.fd, KVM_SET_CPUID2, &s), 0);
	g.h.nent = n - 1;
	CHECK_ERRNO("GET_CPUID2, one short",
		    ioctl(vcpu.fd, KVM_GET_CPUID2, &g), E2BIG);
	g.h.nent = n;
	CHECK_ERRNO("GET_CPUID2", ioctl(vcpu.fd, KVM_GET_CPUID2, &g), 0);
	/* EBX/ECX/EDX of some leaves follow CR4 and XCR0: compare EAX. */
	for (i = 0; i < n; i++)
		CHECK(g.e[i].function == s.e[i].function &&
		      g.e[i].index == s.e[i].index && g.e[i].eax == s.e[i].eax,
		      "entry %u: leaf %#x.%u eax %#x, set %#x.%u eax %#x", i,
		      g.e[i].function, g.e[i].index, g.e[i].eax,
		      s.e[i].function, s.e[i].index, s.e[i].eax);
	s.h.nent = 257;
	CHECK_ERRNO("SET_CPUID2 of 257", ioctl(vcpu.fd, KVM_SET_CPUID2, &s),
		    E2BIG);
	teardown();
	return KTAP_PASS;
}

/*
 * KVM_GET_SUPPORTED_CPUID: nent 0 or too small is E2BIG; a buffer of more
 * than 256 entries is fine; leaves 0, 1 and 0x80000000 are there.
 */
static enum ktap_result supported_cpuid(void)
{
	struct cpuid_buf c;
	unsigned int i, found = 0;
	int sys = hvx_open_dev();

	CHECK(sys >= 0, "open: %s", strerror(-sys));
	c.h.nent = 0;
	CHECK_ERRNO("nent 0", ioctl(sys, KVM_GET_SUPPORTED_CPUID, &c), E2BIG);
	c.h.nent = 2;
	CHECK_ERRNO("nent 2", ioctl(sys, KVM_GET_SUPPORTED_CPUID, &c), E2BIG);
	c.h.nent = 300;
	CHECK_ERRNO("nent 300", ioctl(sys, KVM_GET_SUPPORTED_CPUID, &c), 0);
	close(sys);
	CHECK(c.h.nent > 2 && c.h.nent <= 256, "nent %u", c.h.nent);
	for (i = 0; i < c.h.nent; i++) {
		if (c.e[i].function == 0 && c.e[i].eax >= 1)
			found |= 1;
		if (c.e[i].function == 1)
			found |= 2;
		if (c.e[i].function == 0x80000000 &&
		    c.e[i].eax >= 0x80000001)
			found |= 4;
	}
	CHECK(found == 7, "leaves found: mask %#x of 7", found);
	return KTAP_PASS;
}

/*
 * KVM_TRANSLATE: through the identity map of a long-mode vCPU gva == gpa,
 * valid (KVM reports writeable 1, usermode 0); past the map, invalid; a
 * real-mode vCPU translates 1:1.
 */
static enum ktap_result translate(void)
{
	struct kvm_translation t = { .linear_address = 0x123456 };
	struct vcpu real;
	int r;

	SETUP();
	CHECK(!vcpu_setup_long(&vcpu, guest_done, 0), "vCPU setup");
	CHECK_ERRNO("TRANSLATE", ioctl(vcpu.fd, KVM_TRANSLATE, &t), 0);
	CHECK(t.physical_address == 0x123456 && t.valid && t.writeable &&
	      !t.usermode, "gpa %#llx valid %u writeable %u usermode %u",
	      t.physical_address, t.valid, t.writeable, t.usermode);
	memset(&t, 0, sizeof(t));
	t.linear_address = 0x200000000ull;	/* 8 GiB: not mapped */
	CHECK_ERRNO("TRANSLATE", ioctl(vcpu.fd, KVM_TRANSLATE, &t), 0);
	CHECK(!t.valid, "unmapped gva valid, gpa %#llx", t.physical_address);

	r = vcpu_add(&vm, &real, 1);
	CHECK(!r, "vCPU 1: %s", strerror(-r));
	memset(&t, 0, sizeof(t));
	t.linear_address = 0x1234;
	r = ioctl(real.fd, KVM_TRANSLATE, &t);
	vcpu_destroy(&real);
	CHECK(!r && t.valid && t.physical_address == 0x1234,
	      "real mode: r=%d valid %u gpa %#llx", r, t.valid,
	      t.physical_address);
	teardown();
	return KTAP_PASS;
}

KTAP_CASES(
	{ "regs_roundtrip", regs_roundtrip },
	{ "sregs_roundtrip", sregs_roundtrip },
	{ "sregs_invalid", sregs_invalid },
	{ "fpu_roundtrip", fpu_roundtrip },
	{ "fpu_seen_by_guest", fpu_seen_by_guest },
	{ "fpu_kept_across_preemption", fpu_kept_across_preemption },
	{ "xsave_roundtrip", xsave_roundtrip },
	{ "xcrs_roundtrip", xcrs_roundtrip },
	{ "debugregs_roundtrip", debugregs_roundtrip },
	{ "msrs_roundtrip", msrs_roundtrip },
	{ "msr_index_list", msr_index_list },
	{ "mp_state", mp_state },
	{ "vcpu_events_roundtrip", vcpu_events_roundtrip },
	{ "cpuid2_roundtrip", cpuid2_roundtrip },
	{ "supported_cpuid", supported_cpuid },
	{ "translate", translate },
);
KTAP_MAIN()
