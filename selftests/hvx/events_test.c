// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event injection with the interrupt controller in userspace (no in-kernel
 * irqchip): KVM_INTERRUPT, the interrupt window, kvm_run's if_flag and
 * ready_for_interrupt_injection, KVM_NMI, and how queued events show in
 * KVM_GET_VCPU_EVENTS and KVM_GET_SREGS.  As Debian's KVM 6.1 does.
 *
 * Guests never spin with RFLAGS.IF=0 for long: Bochs then starves the
 * host CPU (tools/testing/README.md); every wait in a guest is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

#define IRQ_VECTOR	0x30
#define SPIN_LIMIT	10000000ul

static struct vm vm;
static struct vcpu vcpu;
static bool have_vm, have_vcpu;

/* The guest's copies of these count what its handlers saw. */
static volatile uint64_t irq_count, irq_vector, nmi_count;

static void guest_irq_handler(uint64_t vector, uint64_t error, uint64_t rip)
{
	irq_vector = vector;
	irq_count++;
}

static void guest_nmi_handler(uint64_t vector, uint64_t error, uint64_t rip)
{
	nmi_count++;
}

/* Wait until *@p reaches @n; false if it does not within SPIN_LIMIT. */
static bool guest_wait(volatile uint64_t *p, uint64_t n)
{
	unsigned long i;

	for (i = 0; i < SPIN_LIMIT && *p < n; i++)
		__asm__ volatile("pause");
	return *p >= n;
}

static void teardown(void)
{
	if (have_vcpu)
		vcpu_destroy(&vcpu);
	if (have_vm)
		vm_destroy(&vm);
	have_vm = have_vcpu = false;
}

/* A VM, vCPU 0 in long mode at @entry, the handlers for 0x30 and NMI. */
static int setup(void (*entry)(uint64_t))
{
	int r;

	teardown();
	r = vm_create(&vm);
	if (r)
		return r;
	have_vm = true;
	r = vcpu_add(&vm, &vcpu, 0);
	if (r)
		return r;
	have_vcpu = true;
	vm_set_isr(&vm, IRQ_VECTOR, guest_irq_handler);
	vm_set_isr(&vm, 2, guest_nmi_handler);
	return vcpu_setup_long(&vcpu, entry, 0);
}

#define SETUP(entry)	CHECK_VM_SETUP(setup(entry))

/* Run to the guest's GUEST_SYNC(@stage, ...). */
#define RUN_SYNC(uc, stage)						\
	do {								\
		int _r = vcpu_run_ucall(&vcpu, (uc));			\
		CHECK(_r == UCALL_SYNC &&				\
		      (uc)->args[0] == (uint64_t)(stage),		\
		      "expected stage %d: ucall %d (exit %s), args %#lx "\
		      "%#lx", (stage), _r,				\
		      _r <= -1000 ? exit_reason_name(-1000 - _r) : "-",	\
		      (long)(uc)->args[0], (long)(uc)->args[1]);	\
	} while (0)

static int inject(uint32_t irq)
{
	struct kvm_interrupt i = { .irq = irq };

	return ioctl(vcpu.fd, KVM_INTERRUPT, &i) < 0 ? errno : 0;
}

static uint64_t guest_val(volatile uint64_t *p)
{
	return *(volatile uint64_t *)vm_gpa(&vm, (uintptr_t)p);
}

static void guest_wait_irq(uint64_t arg)
{
	__asm__ volatile("sti");
	GUEST_SYNC(1, 0);
	GUEST_ASSERT(guest_wait(&irq_count, 1));
	GUEST_SYNC(2, irq_vector);
	GUEST_DONE();
}

/*
 * With the guest at IF=1, ready_for_interrupt_injection is 1 and
 * KVM_INTERRUPT 0x30 runs the guest's vector 0x30 handler once.
 */
static enum ktap_result interrupt_delivered(void)
{
	struct ucall uc;

	SETUP(guest_wait_irq);
	RUN_SYNC(&uc, 1);
	CHECK(vcpu.run->if_flag == 1 &&
	      vcpu.run->ready_for_interrupt_injection == 1,
	      "IF=1 guest: if_flag %u ready %u", vcpu.run->if_flag,
	      vcpu.run->ready_for_interrupt_injection);
	CHECK(inject(IRQ_VECTOR) == 0, "KVM_INTERRUPT: %s",
	      strerror(errno));
	RUN_SYNC(&uc, 2);
	CHECK(uc.args[1] == IRQ_VECTOR && guest_val(&irq_count) == 1,
	      "handler saw vector %#lx, %lu times", (long)uc.args[1],
	      (long)guest_val(&irq_count));
	teardown();
	return KTAP_PASS;
}

static void guest_irq_window(uint64_t arg)
{
	__asm__ volatile("cli");
	GUEST_SYNC(1, 0);
	__asm__ volatile("sti; nop");
	GUEST_ASSERT(guest_wait(&irq_count, 1));
	GUEST_SYNC(2, irq_vector);
	GUEST_DONE();
}

/*
 * request_interrupt_window with the guest at IF=0: its STI ends KVM_RUN
 * with KVM_EXIT_IRQ_WINDOW_OPEN, ready_for_interrupt_injection=1 and
 * if_flag=1; the interrupt injected then is delivered.
 */
static enum ktap_result interrupt_window(void)
{
	struct kvm_run *run;
	struct ucall uc;
	int r;

	SETUP(guest_irq_window);
	run = vcpu.run;
	RUN_SYNC(&uc, 1);
	CHECK(run->if_flag == 0 && run->ready_for_interrupt_injection == 0,
	      "IF=0 guest: if_flag %u ready %u", run->if_flag,
	      run->ready_for_interrupt_injection);
	run->request_interrupt_window = 1;
	r = vcpu_run(&vcpu);
	run->request_interrupt_window = 0;
	CHECK(r == KVM_EXIT_IRQ_WINDOW_OPEN, "exit %s (%d), expected "
	      "IRQ_WINDOW_OPEN", exit_reason_name(r), r);
	CHECK(run->ready_for_interrupt_injection == 1 && run->if_flag == 1,
	      "window open: ready %u if_flag %u",
	      run->ready_for_interrupt_injection, run->if_flag);
	CHECK(inject(IRQ_VECTOR) == 0, "KVM_INTERRUPT: %s", strerror(errno));
	RUN_SYNC(&uc, 2);
	CHECK(uc.args[1] == IRQ_VECTOR, "vector %#lx", (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

static void guest_toggle_if(uint64_t arg)
{
	__asm__ volatile("cli");
	GUEST_SYNC(1, 0);
	__asm__ volatile("sti");
	GUEST_SYNC(2, 0);
	__asm__ volatile("cli");
	GUEST_SYNC(3, 0);
	__asm__ volatile("sti");
	GUEST_DONE();
}

/*
 * At each exit if_flag is the guest's RFLAGS.IF, and (nothing queued)
 * ready_for_interrupt_injection follows it.
 */
static enum ktap_result if_flag_tracks_rflags(void)
{
	static const int want[] = { 0, 0, 1, 0 };
	struct kvm_regs regs;
	struct ucall uc;
	int stage;

	SETUP(guest_toggle_if);
	for (stage = 1; stage <= 3; stage++) {
		RUN_SYNC(&uc, stage);
		CHECK(ioctl(vcpu.fd, KVM_GET_REGS, &regs) == 0, "GET_REGS");
		CHECK(vcpu.run->if_flag == want[stage] &&
		      !!(regs.rflags & 0x200) == want[stage] &&
		      vcpu.run->ready_for_interrupt_injection == want[stage],
		      "stage %d: if_flag %u, RFLAGS %#llx, ready %u", stage,
		      vcpu.run->if_flag, regs.rflags,
		      vcpu.run->ready_for_interrupt_injection);
	}
	teardown();
	return KTAP_PASS;
}

static void guest_wait_nmi(uint64_t arg)
{
	__asm__ volatile("sti");
	GUEST_SYNC(1, 0);
	GUEST_ASSERT(guest_wait(&nmi_count, 1));
	__asm__ volatile("cli");
	GUEST_SYNC(2, nmi_count);
	GUEST_ASSERT(guest_wait(&nmi_count, 2));	/* IF=0: still taken */
	__asm__ volatile("sti");
	GUEST_SYNC(3, nmi_count);
	GUEST_DONE();
}

/* KVM_NMI runs the guest's vector 2 handler, at IF=1 and at IF=0. */
static enum ktap_result nmi_delivered(void)
{
	struct ucall uc;

	SETUP(guest_wait_nmi);
	RUN_SYNC(&uc, 1);
	CHECK(ioctl(vcpu.fd, KVM_NMI) == 0, "KVM_NMI: %s", strerror(errno));
	RUN_SYNC(&uc, 2);
	CHECK(uc.args[1] == 1, "NMI count %lu", (long)uc.args[1]);
	CHECK(ioctl(vcpu.fd, KVM_NMI) == 0, "KVM_NMI: %s", strerror(errno));
	RUN_SYNC(&uc, 3);
	CHECK(uc.args[1] == 2 && guest_val(&irq_count) == 0,
	      "NMI count %lu, interrupts %lu", (long)uc.args[1],
	      (long)guest_val(&irq_count));
	teardown();
	return KTAP_PASS;
}

/* KVM_INTERRUPT of a vector >= 256 is EINVAL and queues nothing. */
static enum ktap_result interrupt_bad_vector(void)
{
	struct kvm_vcpu_events e;
	int err;

	SETUP(guest_wait_irq);
	err = inject(256);
	CHECK(err == EINVAL, "irq 256: %s", ktap_errno_name(err));
	err = inject(0xffffffff);
	CHECK(err == EINVAL, "irq 0xffffffff: %s", ktap_errno_name(err));
	CHECK(ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &e) == 0, "GET_VCPU_EVENTS");
	CHECK(!e.interrupt.injected, "interrupt %u queued", e.interrupt.nr);
	teardown();
	return KTAP_PASS;
}

static void guest_wait_both(uint64_t arg)
{
	__asm__ volatile("sti");
	GUEST_ASSERT(guest_wait(&irq_count, 1));
	GUEST_ASSERT(guest_wait(&nmi_count, 1));
	GUEST_SYNC(1, irq_vector);
	GUEST_DONE();
}

/*
 * A queued interrupt shows in GET_VCPU_EVENTS (injected, not soft) and in
 * GET_SREGS' interrupt_bitmap; a queued NMI as nmi.pending; once the guest
 * has taken both, neither shows.
 */
static enum ktap_result events_show_queued(void)
{
	struct kvm_vcpu_events e;
	struct kvm_sregs s;
	struct kvm_regs regs;
	struct ucall uc;

	SETUP(guest_wait_both);
	CHECK(inject(IRQ_VECTOR) == 0, "KVM_INTERRUPT: %s", strerror(errno));
	CHECK(ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &e) == 0, "GET_VCPU_EVENTS");
	CHECK(e.interrupt.injected == 1 && e.interrupt.nr == IRQ_VECTOR &&
	      !e.interrupt.soft, "interrupt injected %u nr %#x soft %u",
	      e.interrupt.injected, e.interrupt.nr, e.interrupt.soft);
	CHECK(ioctl(vcpu.fd, KVM_GET_SREGS, &s) == 0, "GET_SREGS");
	CHECK(s.interrupt_bitmap[IRQ_VECTOR / 64] == 1ull << IRQ_VECTOR % 64 &&
	      !s.interrupt_bitmap[1] && !s.interrupt_bitmap[2] &&
	      !s.interrupt_bitmap[3], "interrupt_bitmap[0] %#llx",
	      s.interrupt_bitmap[0]);
	CHECK(ioctl(vcpu.fd, KVM_NMI) == 0, "KVM_NMI: %s", strerror(errno));
	CHECK(ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &e) == 0, "GET_VCPU_EVENTS");
	CHECK(e.nmi.pending == 1 && (e.flags & KVM_VCPUEVENT_VALID_NMI_PENDING),
	      "nmi.pending %u flags %#x", e.nmi.pending, e.flags);

	/* KVM_INTERRUPT promised the guest could take it: IF=1. */
	CHECK(ioctl(vcpu.fd, KVM_GET_REGS, &regs) == 0, "GET_REGS");
	regs.rflags |= 0x200;
	CHECK(ioctl(vcpu.fd, KVM_SET_REGS, &regs) == 0, "SET_REGS");
	RUN_SYNC(&uc, 1);
	CHECK(uc.args[1] == IRQ_VECTOR, "vector %#lx", (long)uc.args[1]);
	CHECK(ioctl(vcpu.fd, KVM_GET_VCPU_EVENTS, &e) == 0, "GET_VCPU_EVENTS");
	CHECK(!e.interrupt.injected && !e.nmi.pending && !e.nmi.injected,
	      "after delivery: interrupt %u nmi pending %u injected %u",
	      e.interrupt.injected, e.nmi.pending, e.nmi.injected);
	teardown();
	return KTAP_PASS;
}

KTAP_CASES(
	{ "interrupt_delivered", interrupt_delivered },
	{ "interrupt_window", interrupt_window },
	{ "if_flag_tracks_rflags", if_flag_tracks_rflags },
	{ "nmi_delivered", nmi_delivered },
	{ "interrupt_bad_vector", interrupt_bad_vector },
	{ "events_show_queued", events_show_queued },
);
KTAP_MAIN()
