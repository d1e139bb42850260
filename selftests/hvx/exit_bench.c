// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit round-trip benchmark: hvx against Debian's kvm in one boot of the
 * same emulated host.
 *
 * Three guest loops, each timed from the host around KVM_RUN:
 *   cpuid - CPUID, handled in the kernel (the in-kernel exit path)
 *   pio   - OUT to a port, each one a return to userspace
 *   mmio  - a store outside every memslot: decode, then userspace
 * and the kernel memory one VM and one vCPU cost (MemFree before and after
 * creating 64 of each, measured first, before guest runs have filled the
 * per-CPU free lists whose pages MemFree does not count).
 *
 * Run under hvx with HVX_BENCH_COMPARE=1 it measures hvx, unloads it, loads
 * kvm, measures again on /dev/kvm, restores hvx, and prints the table with
 * the ratio hvx/kvm.  Under Bochs with clock: sync=none, guest time counts
 * instructions, so the figures repeat.  QEMU TCG times are wall clock:
 * HVX_BENCH_REPEAT=N measures N times and reports the median with the
 * spread (min-max).  A benchmark, not a timed test: it fails only when a
 * measurement cannot be taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/hvx.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

#define CPUID_LOOPS	20000
#define PIO_LOOPS	4000
#define MMIO_LOOPS	4000
#define MEM_VMS		64

static void guest_cpuid_loop(uint64_t n)
{
	uint32_t r[4];

	while (n--)
		guest_cpuid(0, 0, r);
	GUEST_DONE();
}

static void guest_pio_loop(uint64_t n)
{
	while (n--)
		guest_outb(0x80, 0);
	GUEST_DONE();
}

static void guest_mmio_loop(uint64_t n)
{
	volatile uint32_t *p = (void *)(uintptr_t)VM_MMIO_BASE;

	while (n--)
		*p = 1;
	GUEST_DONE();
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per loop iteration, or a negative value when the guest misbehaved */
static double measure(void (*guest)(uint64_t), uint64_t n)
{
	struct vm vm;
	struct vcpu vcpu;
	struct ucall uc;
	double t0, t = -1;
	uint64_t exits = 0;
	int r;

	if (vm_create(&vm))
		return -1;
	if (vcpu_add(&vm, &vcpu, 0)) {
		vm_destroy(&vm);
		return -1;
	}
	if (vcpu_set_supported_cpuid(&vcpu) ||
	    vcpu_setup_long(&vcpu, guest, n))
		goto out;
	/* Warm up: fault in the guest's code, stack and tables. */
	t0 = now_ns();
	for (;;) {
		r = vcpu_run(&vcpu);
		if (r < 0)
			goto out;
		if (vcpu_ucall(&vcpu, &uc) == UCALL_DONE)
			break;
		if (vcpu_ucall(&vcpu, &uc) != UCALL_NONE)
			goto out;
		if (r != KVM_EXIT_IO && r != KVM_EXIT_MMIO)
			goto out;
		exits++;
	}
	t = (now_ns() - t0) / n;
out:
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return t;
}

static long mem_free_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Kernel memory for one VM with one vCPU, and for one more vCPU. */
static int measure_memory(long *vm_kib, long *vcpu_kib)
{
	int sys = hvx_open_dev(), vms[MEM_VMS], vcpus[MEM_VMS];
	long before, mid, after;
	int i, r = 0;

	if (sys < 0)
		return sys;
	for (i = 0; i < MEM_VMS; i++)
		vms[i] = vcpus[i] = -1;
	sync();
	before = mem_free_kib();
	for (i = 0; i < MEM_VMS && !r; i++) {
		vms[i] = ioctl(sys, KVM_CREATE_VM, 0);
		if (vms[i] < 0)
			r = -errno;
	}
	mid = mem_free_kib();
	for (i = 0; i < MEM_VMS && !r; i++) {
		vcpus[i] = ioctl(vms[i], KVM_CREATE_VCPU, 0);
		if (vcpus[i] < 0)
			r = -errno;
	}
	after = mem_free_kib();
	for (i = 0; i < MEM_VMS; i++) {
		if (vcpus[i] >= 0)
			close(vcpus[i]);
		if (vms[i] >= 0)
			close(vms[i]);
	}
	close(sys);
	if (r)
		ktap_diag("memory: creating %d VMs with a vCPU each: %s",
			  MEM_VMS, strerror(-r));
	*vm_kib = (before - mid) / MEM_VMS;
	*vcpu_kib = (mid - after) / MEM_VMS;
	return r;
}

#define MAX_REPEAT	15

/* One figure over the repeats: median and spread. */
struct figure {
	double med, min, max;
};

struct figures {
	struct figure cpuid, pio, mmio;
	long vm_kib, vcpu_kib;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int repeat_count(void)
{
	const char *e = getenv("HVX_BENCH_REPEAT");
	int n = e ? atoi(e) : 1;

	return n < 1 ? 1 : n > MAX_REPEAT ? MAX_REPEAT : n;
}

static int measure_figure(struct figure *f, void (*guest)(uint64_t),
			  uint64_t loops)
{
	double v[MAX_REPEAT];
	int i, n = repeat_count();

	for (i = 0; i < n; i++) {
		v[i] = measure(guest, loops);
		if (v[i] < 0)
			return -1;
	}
	qsort(v, n, sizeof(v[0]), cmp_double);
	f->med = v[n / 2];
	f->min = v[0];
	f->max = v[n - 1];
	return 0;
}

static int run_all(struct figures *f)
{
	int r = measure_memory(&f->vm_kib, &f->vcpu_kib);

	if (r)
		return r;
	if (measure_figure(&f->cpuid, guest_cpuid_loop, CPUID_LOOPS) ||
	    measure_figure(&f->pio, guest_pio_loop, PIO_LOOPS) ||
	    measure_figure(&f->mmio, guest_mmio_loop, MMIO_LOOPS))
		return -1;
	return 0;
}

static struct figures hvx_fig, kvm_fig;
static bool have_kvm;
static struct hvx_vm_stats hvx_own;	/* hvx's account of its memory */

static void hvx_own_memory(void)
{
	struct vm vm;
	struct vcpu vcpu;

	if (vm_create(&vm))
		return;
	if (!vcpu_add(&vm, &vcpu, 0)) {
		vm_get_stats(&vm, &hvx_own);
		vcpu_destroy(&vcpu);
	}
	vm_destroy(&vm);
}

static enum ktap_result bench_this(void)
{
	struct vm probe;
	int r = vm_create(&probe);

	if (!r)
		vm_destroy(&probe);
	if (r == -EOPNOTSUPP)
		SKIP("%s runs no guests on this backend yet", hvx_dev_path());
	CHECK(!run_all(&hvx_fig), "a measurement failed");
	if (!hvx_is_reference())
		hvx_own_memory();
	ktap_diag("%s: cpuid %.0f ns, pio %.0f ns, mmio %.0f ns, VM %ld KiB, vCPU %ld KiB",
		  hvx_is_reference() ? "kvm" : "hvx", hvx_fig.cpuid.med,
		  hvx_fig.pio.med, hvx_fig.mmio.med, hvx_fig.vm_kib,
		  hvx_fig.vcpu_kib);
	return KTAP_PASS;
}

static enum ktap_result bench_kvm_same_boot(void)
{
	const char *cmp = getenv("HVX_BENCH_COMPARE");
	int r;

	if (hvx_is_reference() || !cmp || strcmp(cmp, "1"))
		SKIP("set HVX_BENCH_COMPARE=1 under hvx to compare with kvm");
	CHECK(!hvx_unload(), "unload hvx");
	r = hvx_ref_load();
	CHECK(!r, "load kvm: %s", strerror(-r));
	setenv("HVX_DEV", "/dev/kvm", 1);
	r = run_all(&kvm_fig);
	setenv("HVX_DEV", "/dev/hvx", 1);
	hvx_ref_unload();
	CHECK(!hvx_load(), "reload hvx");
	CHECK(!r, "a kvm measurement failed");
	have_kvm = true;
	return KTAP_PASS;
}

static void report_line(const char *name, const struct figure *h,
			const struct figure *k)
{
	ktap_diag("%-26s %8.0f ns [%.0f-%.0f] %8.0f ns [%.0f-%.0f] %7.3f",
		  name, h->med, h->min, h->max, k->med, k->min, k->max,
		  h->med / k->med);
}

static enum ktap_result report(void)
{
	if (!have_kvm)
		SKIP("no kvm figures in this boot");
	ktap_diag("host %s, %d run(s) each: median [min-max]", hvx_host_kind(),
		  repeat_count());
	ktap_diag("%-26s %24s %24s %7s", "exit round trip", "hvx", "kvm",
		  "hvx/kvm");
	report_line("cpuid (in kernel)", &hvx_fig.cpuid, &kvm_fig.cpuid);
	report_line("pio (to userspace)", &hvx_fig.pio, &kvm_fig.pio);
	report_line("mmio (decode+userspace)", &hvx_fig.mmio, &kvm_fig.mmio);
	ktap_diag("%-26s %8ld KiB %8ld KiB  (MemFree delta, coarse)",
		  "kernel memory per VM", hvx_fig.vm_kib, kvm_fig.vm_kib);
	ktap_diag("%-26s %8ld KiB %8ld KiB  (MemFree delta, coarse)",
		  "kernel memory per vCPU", hvx_fig.vcpu_kib, kvm_fig.vcpu_kib);
	ktap_diag("hvx's own account: VM %.1f KiB (before its first fault), vCPU %.1f KiB",
		  hvx_own.vm_bytes / 1024.0, hvx_own.vcpu_bytes / 1024.0);
	return KTAP_PASS;
}

KTAP_CASES(
	{ "bench_this", bench_this },
	{ "bench_kvm_same_boot", bench_kvm_same_boot },
	{ "report", report },
);
KTAP_MAIN()
