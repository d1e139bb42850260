// SPDX-License-Identifier: GPL-2.0-only
/*
 * System-fd ABI of /dev/hvx: API version, vCPU mmap size, the exact set of
 * KVM_CHECK_EXTENSION answers, and the errno of bad ioctls and arguments.
 * Against the reference (Debian's kvm) it checks that KVM gives the same
 * answers, and that every capability hvx claims is one KVM has too.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"

/*
 * The capabilities hvx answers non-zero, and with what.  Everything else
 * must answer 0: KVM_CHECK_EXTENSION reports exactly what works.
 */
static const struct {
	long cap;
	long value;
} hvx_caps[] = {
	{ KVM_CAP_USER_MEMORY, 1 },
	{ KVM_CAP_SET_TSS_ADDR, 1 },
	{ KVM_CAP_EXT_CPUID, 1 },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, 1 },
	{ KVM_CAP_READONLY_MEM, 1 },
	{ KVM_CAP_IMMEDIATE_EXIT, 1 },
	{ KVM_CAP_NR_VCPUS, -1 },	/* min(online CPUs, 64): checked apart */
	{ KVM_CAP_MAX_VCPUS, 64 },
	{ KVM_CAP_MAX_VCPU_ID, 64 },
	{ KVM_CAP_NR_MEMSLOTS, 32 },
};


#define HIGHEST_CAP_PROBED 512

static int sys_fd = -1;

static enum ktap_result open_device(void)
{
	sys_fd = hvx_open_dev();
	CHECK(sys_fd >= 0, "open %s: %s", hvx_dev_path(), strerror(-sys_fd));
	return KTAP_PASS;
}

static enum ktap_result api_version(void)
{
	CHECK(sys_fd >= 0, "no device");
	CHECK(ioctl(sys_fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION,
	      "KVM_GET_API_VERSION is not %d", KVM_API_VERSION);
	CHECK(ioctl(sys_fd, KVM_GET_API_VERSION, 1) == -1 && errno == EINVAL,
	      "a non-zero argument must fail with EINVAL, got %s",
	      strerror(errno));
	return KTAP_PASS;
}

static enum ktap_result vcpu_mmap_size(void)
{
	int size = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	CHECK(size >= (int)sizeof(struct kvm_run) && size % 4096 == 0,
	      "KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	CHECK(ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 1) == -1 && errno == EINVAL,
	      "a non-zero argument must fail with EINVAL");
	return KTAP_PASS;
}

static long expected_cap(long cap)
{
	unsigned int i;

	for (i = 0; i < sizeof(hvx_caps) / sizeof(hvx_caps[0]); i++)
		if (hvx_caps[i].cap == cap)
			return hvx_caps[i].value;
	return 0;
}

static enum ktap_result check_extension_set(void)
{
	unsigned int i;
	long cap;

	if (hvx_is_reference()) {
		/* Every capability hvx claims must be one KVM claims. */
		for (i = 0; i < sizeof(hvx_caps) / sizeof(hvx_caps[0]); i++) {
			if (hvx_caps[i].cap < 0)
				continue;
			CHECK(ioctl(sys_fd, KVM_CHECK_EXTENSION,
				    hvx_caps[i].cap) > 0,
			      "KVM lacks capability %ld that hvx claims",
			      hvx_caps[i].cap);
		}
		return KTAP_PASS;
	}
	for (cap = 0; cap < HIGHEST_CAP_PROBED; cap++) {
		long got = ioctl(sys_fd, KVM_CHECK_EXTENSION, cap);

		if (expected_cap(cap) == -1) {
			CHECK(got >= 1 && got <= 64, "NR_VCPUS answers %ld",
			      got);
			continue;
		}
		CHECK(got == expected_cap(cap),
		      "capability %ld answers %ld, expected %ld", cap, got,
		      expected_cap(cap));
	}
	return KTAP_PASS;
}

static enum ktap_result check_extension_out_of_range(void)
{
	CHECK(ioctl(sys_fd, KVM_CHECK_EXTENSION, -1L) == 0,
	      "capability -1 must answer 0");
	CHECK(ioctl(sys_fd, KVM_CHECK_EXTENSION, 1L << 40) == 0,
	      "capability 2^40 must answer 0");
	return KTAP_PASS;
}

static enum ktap_result unknown_ioctls(void)
{
	/* KVM answers an unknown system ioctl with EINVAL. */
	CHECK(ioctl(sys_fd, _IO(KVMIO, 0xff), 0) == -1 && errno == EINVAL,
	      "unknown KVMIO ioctl: %s", strerror(errno));
	CHECK(ioctl(sys_fd, _IOW('Z', 1, int), 0) == -1 && errno == EINVAL,
	      "foreign ioctl: %s", strerror(errno));
	/* vCPU and VM ioctls mean nothing on the system fd. */
	CHECK(ioctl(sys_fd, KVM_RUN, 0) == -1 && errno == EINVAL,
	      "KVM_RUN on the system fd: %s", strerror(errno));
	CHECK(ioctl(sys_fd, KVM_CREATE_VCPU, 0) == -1 && errno == EINVAL,
	      "KVM_CREATE_VCPU on the system fd: %s", strerror(errno));
	return KTAP_PASS;
}

static enum ktap_result no_read_write_mmap(void)
{
	char c;
	void *p;

	CHECK(read(sys_fd, &c, 1) == -1 && errno == EINVAL,
	      "read: %s", strerror(errno));
	CHECK(write(sys_fd, &c, 1) == -1 && errno == EINVAL,
	      "write: %s", strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, sys_fd, 0);
	CHECK(p == MAP_FAILED && errno == ENODEV, "mmap: %s", strerror(errno));
	return KTAP_PASS;
}

static enum ktap_result many_opens(void)
{
	int fds[64];
	int i, n = 0;
	bool ok = true;

	for (i = 0; i < 64; i++) {
		fds[i] = hvx_open_dev();
		if (fds[i] < 0)
			break;
		n++;
		if (ioctl(fds[i], KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
			ok = false;
	}
	while (n)
		close(fds[--n]);
	CHECK(i == 64, "open number %d failed", i + 1);
	CHECK(ok, "an open fd gave the wrong API version");
	return KTAP_PASS;
}

KTAP_CASES(
	{ "open_device", open_device },
	{ "api_version", api_version },
	{ "vcpu_mmap_size", vcpu_mmap_size },
	{ "check_extension_set", check_extension_set },
	{ "check_extension_out_of_range", check_extension_out_of_range },
	{ "unknown_ioctls", unknown_ioctls },
	{ "no_read_write_mmap", no_read_write_mmap },
	{ "many_opens", many_opens },
);
KTAP_MAIN()
