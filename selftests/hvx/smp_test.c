// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two vCPUs of one VM running at once, each in its own thread: their exits
 * stay apart (each sees only its own ucalls, in order), and guest memory
 * is shared and coherent between them (atomic counters, a ping-pong where
 * each reads what the other wrote).  Meaningful with two host CPUs
 * (run-host.sh --smp 2); must pass with one too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

#define NR_UCALLS	2000
#define NR_INCS		20000
#define NR_TURNS	200		/* per vCPU */
/* Bounded guest waits: a lost peer fails the case instead of hanging it. */
#define SPIN_LIMIT	(1ul << 27)

static struct vm vm;
static struct vcpu vcpus[2];
static bool have_vm;
static int nr_vcpus;

/* The guest's copies are the shared state; the host reads them after. */
static volatile uint64_t per_vcpu[2];
static uint64_t counter, turn, mailbox;

struct worker {
	struct vcpu *vcpu;
	uint64_t ucalls;		/* SYNCs seen, in the expected order */
	bool done;			/* ended with UCALL_DONE */
	char why[200];			/* what went wrong, if anything */
	pthread_t thread;
};

static void teardown(void)
{
	while (nr_vcpus)
		vcpu_destroy(&vcpus[--nr_vcpus]);
	if (have_vm)
		vm_destroy(&vm);
	have_vm = false;
}

/* A VM with two vCPUs in long mode at @entry, RDI = vCPU id. */
static int setup(void (*entry)(uint64_t))
{
	int r, i;

	teardown();
	r = vm_create(&vm);
	if (r)
		return r;
	have_vm = true;
	for (i = 0; i < 2; i++) {
		r = vcpu_add(&vm, &vcpus[i], i);
		if (r)
			return r;
		nr_vcpus++;
		r = vcpu_setup_long(&vcpus[i], entry, i);
		if (r)
			return r;
	}
	return 0;
}

#define SETUP(entry)	CHECK_VM_SETUP(setup(entry))

static uint64_t guest_val(void *p)
{
	return *(volatile uint64_t *)vm_gpa(&vm, (uintptr_t)p);
}

static const char *ucall_what(int r)
{
	if (r == UCALL_ASSERT)
		return "guest assert";
	return r <= -1000 ? exit_reason_name(-1000 - r) : "-";
}

/*
 * Each worker runs its vCPU to UCALL_DONE.  SYNC n must be (id, n) with
 * the guest's own count n + 1; anything else ends the worker.
 */
static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int id = w->vcpu->id;
	struct kvm_regs regs = { 0 };
	struct ucall uc;
	int r;

	for (;;) {
		r = vcpu_run_ucall(w->vcpu, &uc);
		if (r == UCALL_DONE) {
			w->done = true;
			return NULL;
		}
		if (r != UCALL_SYNC || uc.args[0] != id ||
		    uc.args[1] != w->ucalls + 1) {
			ioctl(w->vcpu->fd, KVM_GET_REGS, &regs);
			snprintf(w->why, sizeof(w->why), "vCPU %u after %lu "
				 "ucalls: r=%d (%s) args %#lx %#lx, RIP %#llx "
				 "RSP %#llx", id, (long)w->ucalls, r,
				 ucall_what(r), (long)uc.args[0],
				 (long)uc.args[1], regs.rip, regs.rsp);
			return NULL;
		}
		w->ucalls++;
	}
}

/* Run both vCPUs in two threads to the end; check how each ended. */
static enum ktap_result run_both(uint64_t want_ucalls)
{
	struct worker w[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].vcpu = &vcpus[i];
		CHECK(!pthread_create(&w[i].thread, NULL, worker_fn, &w[i]),
		      "pthread_create");
	}
	for (i = 0; i < 2; i++)
		pthread_join(w[i].thread, NULL);
	for (i = 0; i < 2; i++) {
		CHECK(!w[i].why[0], "%s", w[i].why);
		CHECK(w[i].done && w[i].ucalls == want_ucalls,
		      "vCPU %d: %lu ucalls, expected %lu", i,
		      (long)w[i].ucalls, (long)want_ucalls);
	}
	return KTAP_PASS;
}

static void guest_count(uint64_t id)
{
	unsigned int i;

	__asm__ volatile("sti");
	for (i = 0; i < NR_UCALLS; i++) {
		per_vcpu[id]++;
		GUEST_SYNC(id, per_vcpu[id]);
	}
	GUEST_DONE();
}

/*
 * Both vCPUs make NR_UCALLS ucalls at once: each thread sees exactly its
 * own vCPU's, numbered in order, and each guest counter ends at NR_UCALLS.
 */
static enum ktap_result concurrent_ucalls(void)
{
	enum ktap_result r;

	SETUP(guest_count);
	r = run_both(NR_UCALLS);
	if (r != KTAP_PASS)
		return r;
	CHECK(guest_val((void *)&per_vcpu[0]) == NR_UCALLS &&
	      guest_val((void *)&per_vcpu[1]) == NR_UCALLS,
	      "guest counters %lu %lu", (long)guest_val((void *)&per_vcpu[0]),
	      (long)guest_val((void *)&per_vcpu[1]));
	teardown();
	return KTAP_PASS;
}

static bool guest_wait_turn(uint64_t t)
{
	unsigned long i;

	for (i = 0; i < SPIN_LIMIT; i++) {
		if (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) == t)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static void guest_share(uint64_t id)
{
	uint64_t t, i;

	/* IF=1: a waiting vCPU can be preempted when the host has one CPU. */
	__asm__ volatile("sti");
	for (i = 0; i < NR_INCS; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	/*
	 * Turns alternate, vCPU 0 taking the even ones: in turn t a vCPU
	 * checks the mailbox holds what the other wrote in turn t - 1, then
	 * writes its own value and passes the turn on.
	 */
	for (t = id; t < 2 * NR_TURNS; t += 2) {
		GUEST_ASSERT(guest_wait_turn(t));
		GUEST_ASSERT(t == 0 || mailbox == 3 * (t - 1) + 1);
		mailbox = 3 * t + 1;
		__atomic_store_n(&turn, t + 1, __ATOMIC_RELEASE);
	}
	/* Both vCPUs did all their increments before the last turns. */
	GUEST_SYNC(id, __atomic_load_n(&counter, __ATOMIC_SEQ_CST) ==
		   2 * NR_INCS ? 1 : 0);
	GUEST_DONE();
}

/*
 * Locked increments from both vCPUs add up; a value one vCPU writes is
 * what the other reads after the release/acquire handoff.
 */
static enum ktap_result shared_memory(void)
{
	enum ktap_result r;

	SETUP(guest_share);
	r = run_both(1);
	if (r != KTAP_PASS)
		return r;
	CHECK(guest_val(&counter) == 2 * NR_INCS, "counter %lu, expected %u",
	      (long)guest_val(&counter), 2 * NR_INCS);
	CHECK(guest_val(&turn) == 2 * NR_TURNS &&
	      guest_val(&mailbox) == 3 * (2 * NR_TURNS - 1) + 1,
	      "turn %lu mailbox %lu", (long)guest_val(&turn),
	      (long)guest_val(&mailbox));
	teardown();
	return KTAP_PASS;
}

KTAP_CASES(
	{ "concurrent_ucalls", concurrent_ucalls },
	{ "shared_memory", shared_memory },
);
KTAP_MAIN()
