// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM-fd and vCPU-fd ABI: KVM_CREATE_VM, memslots and their bad input, vCPU
 * creation and mapping, the owner-process rule, unknown ioctls, the dirty
 * log, and the TSS and identity-map addresses.  Every errno asserted is
 * the one Debian's KVM (6.1) returns for the same call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"

#define PG		4096ull
/* Extra memslots go here, apart from the main one at 0 (VM_MEM_SIZE). */
#define SLOT_GPA	0x4000000ull
#define MOVED_GPA	0x5000000ull
#define BACKING_PAGES	64

static struct vm vm;
static struct vcpu vcpu;
static bool have_vm, have_vcpu;
static uint8_t *backing;

/* Also frees what a case that failed half-way left behind. */
static void teardown(void)
{
	if (have_vcpu)
		vcpu_destroy(&vcpu);
	if (have_vm)
		vm_destroy(&vm);
	if (backing)
		munmap(backing, BACKING_PAGES * PG);
	have_vm = have_vcpu = false;
	backing = NULL;
}

/* A VM from lib/vm.c, vCPU 0 if asked, and BACKING_PAGES spare pages. */
static int setup(bool with_vcpu)
{
	int r;

	teardown();
	r = vm_create(&vm);
	if (r)
		return r;
	have_vm = true;
	backing = mmap(NULL, BACKING_PAGES * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (backing == MAP_FAILED) {
		backing = NULL;
		return -ENOMEM;
	}
	if (!with_vcpu)
		return 0;
	r = vcpu_add(&vm, &vcpu, 0);
	have_vcpu = !r;
	return r;
}

#define SETUP(with_vcpu)	CHECK_VM_SETUP(setup(with_vcpu))

static int set_slot(uint32_t slot, uint32_t flags, uint64_t gpa,
		    uint64_t size, const void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static int get_dirty_log(uint32_t slot, void *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return ioctl(vm.fd, KVM_GET_DIRTY_LOG, &log);
}

/* KVM_CREATE_VM knows only machine type 0: others are EINVAL. */
static enum ktap_result create_vm_type(void)
{
	int sys = hvx_open_dev(), fd;

	CHECK(sys >= 0, "open %s: %s", hvx_dev_path(), strerror(-sys));
	CHECK_ERRNO("type 1", ioctl(sys, KVM_CREATE_VM, 1), EINVAL);
	CHECK_ERRNO("type 0x100", ioctl(sys, KVM_CREATE_VM, 0x100), EINVAL);
	fd = ioctl(sys, KVM_CREATE_VM, 0);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == ENOENT)) {
		close(sys);
		SKIP("no guests on %s: %s", hvx_dev_path(), strerror(errno));
	}
	CHECK(fd >= 0, "type 0: %s", strerror(errno));
	close(fd);
	close(sys);
	return KTAP_PASS;
}

/* 32 VMs live at once in one process, each running its own guest. */
static enum ktap_result many_vms(void)
{
	/* mov al, N; out 0x10, al; hlt */
	uint8_t code[] = { 0xb0, 0, 0xe6, 0x10, 0xf4 };
	struct tiny_vm t[32];
	int sys = hvx_open_dev(), i, n, r = 0;
	enum ktap_result res = KTAP_FAIL;

	CHECK(sys >= 0, "open: %s", strerror(-sys));
	for (n = 0; n < 32; n++) {
		code[1] = 0x40 + n;
		r = tiny_vm_create_real(&t[n], sys, 0x10000, code,
					sizeof(code));
		if (r)
			break;
	}
	if (n == 0 && (r == -EOPNOTSUPP || r == -ENOENT)) {
		close(sys);
		SKIP("no guests on %s: %s", hvx_dev_path(), strerror(-r));
	}
	if (n < 32) {
		ktap_diag("VM %d: %s", n, strerror(-r));
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct kvm_run *run = t[i].run;

		if (ioctl(t[i].vcpu_fd, KVM_RUN, 0) ||
		    run->exit_reason != KVM_EXIT_IO ||
		    ((uint8_t *)run)[run->io.data_offset] != 0x40 + i ||
		    ioctl(t[i].vcpu_fd, KVM_RUN, 0) ||
		    run->exit_reason != KVM_EXIT_HLT) {
			ktap_diag("VM %d: exit %u", i, run->exit_reason);
			goto out;
		}
	}
	res = KTAP_PASS;
out:
	while (n--)
		tiny_vm_destroy(&t[n]);
	close(sys);
	return res;
}

static void guest_done(uint64_t arg)
{
	GUEST_DONE();
}

/* The VM fd keeps working after the /dev fd it came from is closed. */
static enum ktap_result vm_outlives_sys_fd(void)
{
	struct ucall uc;
	int r;

	SETUP(false);
	close(vm.sys_fd);
	vm.sys_fd = -1;
	r = vcpu_add(&vm, &vcpu, 0);
	CHECK(!r, "KVM_CREATE_VCPU: %s", strerror(-r));
	have_vcpu = true;
	CHECK(!vcpu_setup_long(&vcpu, guest_done, 0), "vCPU setup");
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_DONE, "guest: %d", r);
	teardown();
	return KTAP_PASS;
}

/* Bad memslot arguments: each is EINVAL and changes nothing. */
static enum ktap_result memslot_bad_input(void)
{
	int nr;

	SETUP(false);
	nr = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	CHECK(nr > 1, "KVM_CAP_NR_MEMSLOTS is %d", nr);
	CHECK_ERRNO("gpa not page aligned",
		    set_slot(1, 0, SLOT_GPA + 0x800, PG, backing), EINVAL);
	CHECK_ERRNO("size not page aligned",
		    set_slot(1, 0, SLOT_GPA, PG + 0x800, backing), EINVAL);
	CHECK_ERRNO("userspace_addr not page aligned",
		    set_slot(1, 0, SLOT_GPA, PG, backing + 0x10), EINVAL);
	CHECK_ERRNO("kernel userspace_addr", set_slot(1, 0, SLOT_GPA, PG,
		    (void *)0xffff888000000000ull), EINVAL);
	CHECK_ERRNO("unknown flag 0x80",
		    set_slot(1, 0x80, SLOT_GPA, PG, backing), EINVAL);
	CHECK_ERRNO("slot id NR_MEMSLOTS",
		    set_slot(nr, 0, SLOT_GPA, PG, backing), EINVAL);
	CHECK_ERRNO("gpa + size wraps",
		    set_slot(1, 0, -PG, 2 * PG, backing), EINVAL);
	/* The highest slot id works, and nothing above made a slot. */
	CHECK_ERRNO("slot id NR_MEMSLOTS - 1",
		    set_slot(nr - 1, 0, SLOT_GPA, PG, backing), 0);
	CHECK_ERRNO("slot 1 where nothing else is",
		    set_slot(1, 0, SLOT_GPA + PG, PG, backing), 0);
	CHECK_ERRNO("delete of an empty slot",
		    set_slot(2, 0, SLOT_GPA + 2 * PG, 0, backing), EINVAL);
	teardown();
	return KTAP_PASS;
}

/* A slot that would overlap another is EEXIST; adjacent slots are fine. */
static enum ktap_result memslot_overlap(void)
{
	SETUP(false);
	CHECK_ERRNO("slot 1", set_slot(1, 0, SLOT_GPA, 4 * PG, backing), 0);
	CHECK_ERRNO("overlapping the end", set_slot(2, 0, SLOT_GPA + 2 * PG,
		    4 * PG, backing + 8 * PG), EEXIST);
	CHECK_ERRNO("overlapping the start", set_slot(2, 0, SLOT_GPA - PG,
		    2 * PG, backing + 8 * PG), EEXIST);
	CHECK_ERRNO("inside", set_slot(2, 0, SLOT_GPA + PG, PG,
		    backing + 8 * PG), EEXIST);
	CHECK_ERRNO("over the main slot", set_slot(2, 0, 0x100000, PG,
		    backing + 8 * PG), EEXIST);
	CHECK_ERRNO("adjacent", set_slot(2, 0, SLOT_GPA + 4 * PG, PG,
		    backing + 8 * PG), 0);
	CHECK_ERRNO("move onto slot 1", set_slot(2, 0, SLOT_GPA + 3 * PG, PG,
		    backing + 8 * PG), EEXIST);
	teardown();
	return KTAP_PASS;
}

/*
 * An existing slot may move or change its flags (not READONLY), but not
 * its size or backing; deleted (size 0), it can be created anew.
 */
static enum ktap_result memslot_modify(void)
{
	SETUP(false);
	CHECK_ERRNO("create", set_slot(1, 0, SLOT_GPA, 4 * PG, backing), 0);
	CHECK_ERRNO("new size", set_slot(1, 0, SLOT_GPA, 8 * PG, backing),
		    EINVAL);
	CHECK_ERRNO("new userspace_addr", set_slot(1, 0, SLOT_GPA, 4 * PG,
		    backing + 4 * PG), EINVAL);
	CHECK_ERRNO("READONLY toggled", set_slot(1, KVM_MEM_READONLY,
		    SLOT_GPA, 4 * PG, backing), EINVAL);
	CHECK_ERRNO("unchanged", set_slot(1, 0, SLOT_GPA, 4 * PG, backing), 0);
	CHECK_ERRNO("dirty logging on", set_slot(1, KVM_MEM_LOG_DIRTY_PAGES,
		    SLOT_GPA, 4 * PG, backing), 0);
	CHECK_ERRNO("delete", set_slot(1, 0, SLOT_GPA, 0, backing), 0);
	CHECK_ERRNO("re-create, other size and backing", set_slot(1, 0,
		    SLOT_GPA + 16 * PG, 8 * PG, backing + 4 * PG), 0);
	CHECK_ERRNO("delete", set_slot(1, 0, SLOT_GPA + 16 * PG, 0, backing),
		    0);
	CHECK_ERRNO("delete again", set_slot(1, 0, SLOT_GPA + 16 * PG, 0,
		    backing), EINVAL);
	teardown();
	return KTAP_PASS;
}

static void guest_move(uint64_t arg)
{
	volatile uint64_t *old = (void *)SLOT_GPA, *moved = (void *)MOVED_GPA;

	GUEST_SYNC(1, old[1]);
	GUEST_SYNC(2, moved[1]);	/* the host moved the slot */
	moved[2] = 0xfeedf00d;
	GUEST_SYNC(3, old[1]);		/* MMIO now */
	GUEST_DONE();
}

/*
 * A slot moved to another GPA shows the guest the same memory there, and
 * its old GPA becomes MMIO.
 */
static enum ktap_result memslot_move(void)
{
	uint64_t *b, v = 0x3333;
	struct ucall uc;
	int r;

	SETUP(true);
	b = (uint64_t *)backing;
	b[1] = 0x1111;
	CHECK_ERRNO("create", set_slot(1, 0, SLOT_GPA, 4 * PG, backing), 0);
	CHECK(!vcpu_setup_long(&vcpu, guest_move, 0), "vCPU setup");
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[1] == 0x1111,
	      "before the move: r=%d value %#lx", r, (long)uc.args[1]);
	CHECK_ERRNO("move", set_slot(1, 0, MOVED_GPA, 4 * PG, backing), 0);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[0] == 2 && uc.args[1] == 0x1111,
	      "at the new GPA: r=%d stage %lu value %#lx", r,
	      (long)uc.args[0], (long)uc.args[1]);
	r = vcpu_run(&vcpu);
	CHECK(r == KVM_EXIT_MMIO && !vcpu.run->mmio.is_write &&
	      vcpu.run->mmio.phys_addr == SLOT_GPA + 8,
	      "old GPA: exit %s addr %#llx", exit_reason_name(r),
	      (unsigned long long)vcpu.run->mmio.phys_addr);
	CHECK(b[2] == 0xfeedf00d, "the write at the new GPA is not in the "
	      "backing: %#lx", (long)b[2]);
	memcpy(vcpu.run->mmio.data, &v, 8);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[1] == 0x3333,
	      "MMIO read: r=%d value %#lx", r, (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

static void guest_reread(uint64_t arg)
{
	volatile uint64_t *p = (void *)SLOT_GPA;

	GUEST_SYNC(1, *p);
	GUEST_SYNC(2, *p);
	GUEST_SYNC(3, *p);
	GUEST_DONE();
}

/*
 * Deleting a slot a guest has used makes its next access an MMIO exit;
 * re-created, it is memory again.
 */
static enum ktap_result memslot_delete_used(void)
{
	uint64_t *b, v = 0x2222;
	struct ucall uc;
	int r;

	SETUP(true);
	b = (uint64_t *)backing;
	b[0] = 0x1111;
	CHECK_ERRNO("create", set_slot(1, 0, SLOT_GPA, PG, backing), 0);
	CHECK(!vcpu_setup_long(&vcpu, guest_reread, 0), "vCPU setup");
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[1] == 0x1111, "first read: r=%d "
	      "value %#lx", r, (long)uc.args[1]);
	CHECK_ERRNO("delete", set_slot(1, 0, SLOT_GPA, 0, backing), 0);
	r = vcpu_run(&vcpu);
	CHECK(r == KVM_EXIT_MMIO && !vcpu.run->mmio.is_write &&
	      vcpu.run->mmio.phys_addr == SLOT_GPA && vcpu.run->mmio.len == 8,
	      "after delete: exit %s addr %#llx len %u", exit_reason_name(r),
	      (unsigned long long)vcpu.run->mmio.phys_addr,
	      vcpu.run->mmio.len);
	memcpy(vcpu.run->mmio.data, &v, 8);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[1] == 0x2222, "MMIO value: r=%d "
	      "value %#lx", r, (long)uc.args[1]);
	b[0] = 0x3333;
	CHECK_ERRNO("re-create", set_slot(1, 0, SLOT_GPA, PG, backing), 0);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[1] == 0x3333, "re-created: r=%d "
	      "value %#lx", r, (long)uc.args[1]);
	teardown();
	return KTAP_PASS;
}

/* vCPU ids: in use is EEXIST, MAX_VCPU_ID and above EINVAL. */
static enum ktap_result create_vcpu_ids(void)
{
	int max_id, fd;

	SETUP(true);
	max_id = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	CHECK(max_id > 1, "KVM_CAP_MAX_VCPU_ID is %d", max_id);
	CHECK_ERRNO("id 0 again", ioctl(vm.fd, KVM_CREATE_VCPU, 0), EEXIST);
	CHECK_ERRNO("id MAX_VCPU_ID", ioctl(vm.fd, KVM_CREATE_VCPU, max_id),
		    EINVAL);
	CHECK_ERRNO("id 0xffffffff",
		    ioctl(vm.fd, KVM_CREATE_VCPU, 0xffffffffu), EINVAL);
	fd = ioctl(vm.fd, KVM_CREATE_VCPU, max_id - 1);
	CHECK(fd >= 0, "id MAX_VCPU_ID - 1: %s", strerror(errno));
	close(fd);
	teardown();
	return KTAP_PASS;
}

/*
 * A VM takes KVM_CAP_MAX_VCPUS vCPUs (their fds closed: the VM keeps them)
 * and no more: the next is EINVAL whatever its id.
 */
static enum ktap_result create_vcpu_max(void)
{
	int max, max_id, i, fd;

	SETUP(false);
	max = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	max_id = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	CHECK(max > 0 && max <= max_id, "MAX_VCPUS %d MAX_VCPU_ID %d", max,
	      max_id);
	for (i = 0; i < max; i++) {
		fd = ioctl(vm.fd, KVM_CREATE_VCPU, i);
		CHECK(fd >= 0, "vCPU %d of %d: %s", i, max, strerror(errno));
		close(fd);
	}
	/* Full comes before in use: id 0 is EINVAL too, not EEXIST. */
	CHECK_ERRNO("one vCPU too many", ioctl(vm.fd, KVM_CREATE_VCPU,
		    max < max_id ? max : 0), EINVAL);
	teardown();
	return KTAP_PASS;
}

/* The vCPU fd maps the kvm_run page at page 0 and PIO data at page 1. */
static enum ktap_result vcpu_mmap_pages(void)
{
	/* mov al, 0x5a; out 0x10, al */
	static const uint8_t code[] = { 0xb0, 0x5a, 0xe6, 0x10 };
	struct kvm_run *run0;
	uint8_t *pio;

	SETUP(true);
	run0 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.fd, 0);
	CHECK(run0 != MAP_FAILED, "mmap page 0: %s", strerror(errno));
	pio = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.fd,
		   KVM_PIO_PAGE_OFFSET * PG);
	CHECK(pio != MAP_FAILED, "mmap page 1: %s", strerror(errno));
	CHECK(!vcpu_setup_real(&vcpu, 0x1000, code, sizeof(code)), "setup");
	CHECK(vcpu_run(&vcpu) == KVM_EXIT_IO, "no I/O exit");
	CHECK(run0->exit_reason == KVM_EXIT_IO && run0->io.port == 0x10,
	      "page 0 is not the kvm_run page");
	CHECK(run0->io.data_offset == KVM_PIO_PAGE_OFFSET * PG &&
	      pio[0] == 0x5a, "data_offset %#llx, page 1 holds %#x",
	      (unsigned long long)run0->io.data_offset, pio[0]);
	munmap(run0, PG);
	munmap(pio, PG);
	teardown();
	return KTAP_PASS;
}

/* A forked child may not use its parent's VM and vCPU: EIO. */
static enum ktap_result fork_child_eio(void)
{
	int errs[4] = { 0 }, p[2], status;
	struct kvm_regs regs;
	pid_t pid;

	SETUP(true);
	CHECK(!pipe(p), "pipe");
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		errs[0] = ioctl(vm.fd, KVM_CREATE_VCPU, 1) < 0 ? errno : 0;
		errs[1] = ioctl(vm.fd, KVM_CHECK_EXTENSION,
				KVM_CAP_USER_MEMORY) < 0 ? errno : 0;
		errs[2] = ioctl(vcpu.fd, KVM_GET_REGS, &regs) < 0 ? errno : 0;
		errs[3] = ioctl(vcpu.fd, KVM_RUN, 0) < 0 ? errno : 0;
		_exit(write(p[1], errs, sizeof(errs)) == sizeof(errs) ? 0 : 1);
	}
	close(p[1]);
	CHECK(read(p[0], errs, sizeof(errs)) == sizeof(errs), "child died");
	close(p[0]);
	waitpid(pid, &status, 0);
	CHECK(errs[0] == EIO, "child KVM_CREATE_VCPU: %s",
	      ktap_errno_name(errs[0]));
	CHECK(errs[1] == EIO, "child KVM_CHECK_EXTENSION on the VM: %s",
	      ktap_errno_name(errs[1]));
	CHECK(errs[2] == EIO, "child KVM_GET_REGS: %s",
	      ktap_errno_name(errs[2]));
	CHECK(errs[3] == EIO, "child KVM_RUN: %s", ktap_errno_name(errs[3]));
	CHECK_ERRNO("parent KVM_GET_REGS", ioctl(vcpu.fd, KVM_GET_REGS, &regs),
		    0);
	teardown();
	return KTAP_PASS;
}

/* Unknown VM ioctls are ENOTTY, unknown vCPU ioctls EINVAL, as in KVM. */
static enum ktap_result unknown_ioctls(void)
{
	SETUP(true);
	CHECK_ERRNO("VM: KVMIO 0xfe", ioctl(vm.fd, _IO(KVMIO, 0xfe), 0),
		    ENOTTY);
	CHECK_ERRNO("VM: foreign type", ioctl(vm.fd, _IO('Z', 1), 0), ENOTTY);
	CHECK_ERRNO("VM: KVM_RUN", ioctl(vm.fd, KVM_RUN, 0), ENOTTY);
	CHECK_ERRNO("VM: KVM_GET_API_VERSION",
		    ioctl(vm.fd, KVM_GET_API_VERSION, 0), ENOTTY);
	CHECK_ERRNO("vCPU: KVMIO 0xfe", ioctl(vcpu.fd, _IO(KVMIO, 0xfe), 0),
		    EINVAL);
	CHECK_ERRNO("vCPU: foreign type", ioctl(vcpu.fd, _IO('Z', 1), 0),
		    EINVAL);
	CHECK_ERRNO("vCPU: KVM_CREATE_VCPU", ioctl(vcpu.fd, KVM_CREATE_VCPU, 1),
		    EINVAL);
	teardown();
	return KTAP_PASS;
}

/*
 * KVM_GET_DIRTY_LOG: ENOENT for a slot without dirty logging or no slot,
 * EINVAL for an id at or above NR_MEMSLOTS.
 */
static enum ktap_result dirty_log_errors(void)
{
	uint64_t bitmap[4];
	int nr;

	SETUP(false);
	nr = ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	CHECK_ERRNO("slot 0, not logged", get_dirty_log(0, bitmap), ENOENT);
	CHECK_ERRNO("slot 5, empty", get_dirty_log(5, bitmap), ENOENT);
	CHECK_ERRNO("slot NR_MEMSLOTS", get_dirty_log(nr, bitmap), EINVAL);
	CHECK_ERRNO("logged slot", set_slot(1, KVM_MEM_LOG_DIRTY_PAGES,
		    SLOT_GPA, PG, backing), 0);
	CHECK_ERRNO("slot 1, logged", get_dirty_log(1, bitmap), 0);
	CHECK_ERRNO("logging off", set_slot(1, 0, SLOT_GPA, PG, backing), 0);
	CHECK_ERRNO("slot 1, no longer logged", get_dirty_log(1, bitmap),
		    ENOENT);
	teardown();
	return KTAP_PASS;
}

static void guest_dirty(uint64_t arg)
{
	volatile uint64_t *p = (void *)SLOT_GPA;
	uint64_t sum;

	p[1 * 512] = 1;
	p[3 * 512] = 3;
	p[5 * 512] = 5;
	sum = p[7 * 512] + p[9 * 512];	/* reads dirty nothing */
	GUEST_SYNC(1, sum);
	GUEST_SYNC(2, 0);		/* nothing written since stage 1 */
	p[3 * 512] = 33;
	GUEST_SYNC(3, 0);
	GUEST_DONE();
}

/*
 * The dirty log of a 16-page slot apart from the guest's code and stack:
 * exactly the pages written since the last KVM_GET_DIRTY_LOG, and the call
 * writes no more of the bitmap than the slot's pages, rounded up to 64.
 */
static enum ktap_result dirty_log_pages(void)
{
	uint64_t bitmap[2];
	struct ucall uc;
	int r;

	SETUP(true);
	CHECK_ERRNO("logged slot", set_slot(1, KVM_MEM_LOG_DIRTY_PAGES,
		    SLOT_GPA, 16 * PG, backing), 0);
	CHECK(!vcpu_setup_long(&vcpu, guest_dirty, 0), "vCPU setup");
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[0] == 1, "stage 1: r=%d", r);
	bitmap[0] = 0;
	bitmap[1] = 0x5a5a5a5a5a5a5a5aull;
	CHECK_ERRNO("first GET_DIRTY_LOG", get_dirty_log(1, bitmap), 0);
	CHECK(bitmap[0] == 0x2a, "dirty %#lx, expected pages 1 3 5 (0x2a)",
	      (long)bitmap[0]);
	CHECK(bitmap[1] == 0x5a5a5a5a5a5a5a5aull,
	      "GET_DIRTY_LOG wrote past 64 bits: %#lx", (long)bitmap[1]);
	CHECK_ERRNO("second GET_DIRTY_LOG", get_dirty_log(1, bitmap), 0);
	CHECK(bitmap[0] == 0, "second log %#lx, expected 0", (long)bitmap[0]);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[0] == 2, "stage 2: r=%d", r);
	CHECK_ERRNO("third GET_DIRTY_LOG", get_dirty_log(1, bitmap), 0);
	CHECK(bitmap[0] == 0, "nothing written, log %#lx", (long)bitmap[0]);
	r = vcpu_run_ucall(&vcpu, &uc);
	CHECK(r == UCALL_SYNC && uc.args[0] == 3, "stage 3: r=%d", r);
	CHECK_ERRNO("fourth GET_DIRTY_LOG", get_dirty_log(1, bitmap), 0);
	CHECK(bitmap[0] == 0x8, "page 3 rewritten, log %#lx", (long)bitmap[0]);
	CHECK(((uint64_t *)backing)[3 * 512] == 33, "write lost");
	teardown();
	return KTAP_PASS;
}

/*
 * KVM_SET_TSS_ADDR takes an address up to 4 GiB - 3 pages (EINVAL above);
 * KVM_SET_IDENTITY_MAP_ADDR works until the first vCPU, then is EINVAL.
 */
static enum ktap_result tss_and_identity_map(void)
{
	uint64_t ident = 0xfffbc000;
	int r;

	SETUP(false);
	CHECK_ERRNO("TSS 0xfffbd000", ioctl(vm.fd, KVM_SET_TSS_ADDR,
		    0xfffbd000ul), 0);
	CHECK_ERRNO("identity map before vCPUs",
		    ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &ident), 0);
	r = vcpu_add(&vm, &vcpu, 0);
	CHECK(!r, "vCPU: %s", strerror(-r));
	have_vcpu = true;
	CHECK_ERRNO("identity map after a vCPU",
		    ioctl(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &ident), EINVAL);
	CHECK_ERRNO("TSS after a vCPU", ioctl(vm.fd, KVM_SET_TSS_ADDR,
		    0xfffbd000ul), 0);
	CHECK_ERRNO("TSS 0xffffe000", ioctl(vm.fd, KVM_SET_TSS_ADDR,
		    0xffffe000ul), EINVAL);
	teardown();
	return KTAP_PASS;
}

KTAP_CASES(
	{ "create_vm_type", create_vm_type },
	{ "many_vms", many_vms },
	{ "vm_outlives_sys_fd", vm_outlives_sys_fd },
	{ "memslot_bad_input", memslot_bad_input },
	{ "memslot_overlap", memslot_overlap },
	{ "memslot_modify", memslot_modify },
	{ "memslot_move", memslot_move },
	{ "memslot_delete_used", memslot_delete_used },
	{ "create_vcpu_ids", create_vcpu_ids },
	{ "create_vcpu_max", create_vcpu_max },
	{ "vcpu_mmap_pages", vcpu_mmap_pages },
	{ "fork_child_eio", fork_child_eio },
	{ "unknown_ioctls", unknown_ioctls },
	{ "dirty_log_errors", dirty_log_errors },
	{ "dirty_log_pages", dirty_log_pages },
	{ "tss_and_identity_map", tss_and_identity_map },
);
KTAP_MAIN()
