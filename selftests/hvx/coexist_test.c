// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx and Debian's kvm in one boot: only one hypervisor can own VMX/SVM.
 * While hvx is loaded, kvm fails cleanly (its VM creation returns EBUSY);
 * while kvm has a VM, hvx refuses to load with EBUSY; after hvx is
 * unloaded, kvm loads and runs a guest, so hvx left every CPU as it found
 * it.  Ends with hvx loaded again, as the run started.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"

/* Real mode: mov al, 0x42; out 0x10, al; hlt */
static const unsigned char guest_code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static enum ktap_result kvm_fails_while_hvx_loaded(void)
{
	int r, fd, vm;

	if (hvx_is_reference())
		SKIP("needs hvx.ko: not run on the reference");
	r = hvx_ref_load();
	if (r) {
		/* A kvm that refuses to load at all has failed cleanly too. */
		CHECK(r == -EBUSY || r == -EIO, "kvm load gave %d", r);
		return KTAP_PASS;
	}
	fd = open_kvm();
	CHECK(fd >= 0, "open /dev/kvm: %s", strerror(-fd));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	r = vm < 0 ? -errno : 0;
	if (vm >= 0)
		close(vm);
	close(fd);
	CHECK(r == -EBUSY, "KVM_CREATE_VM under hvx gave %d, expected -EBUSY",
	      r);
	r = hvx_ref_unload();
	CHECK(!r, "kvm unload: %s", strerror(-r));
	return KTAP_PASS;
}

static enum ktap_result hvx_refuses_while_kvm_owns(void)
{
	int r, fd, vm;

	if (hvx_is_reference())
		SKIP("needs hvx.ko: not run on the reference");
	r = hvx_unload();
	CHECK(!r, "hvx unload: %s", strerror(-r));
	r = hvx_ref_load();
	CHECK(!r, "kvm load after hvx unload: %s", strerror(-r));
	fd = open_kvm();
	CHECK(fd >= 0, "open /dev/kvm: %s", strerror(-fd));
	/* KVM enables VMX/SVM on every CPU while any VM exists. */
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	CHECK(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	r = hvx_load();
	close(vm);
	close(fd);
	if (!r)
		hvx_unload();
	CHECK(r == -EBUSY, "hvx load while kvm owns VMX/SVM gave %d", r);
	return KTAP_PASS;
}

static enum ktap_result kvm_runs_guest_after_hvx(void)
{
	struct tiny_vm vm;
	int fd, r;

	if (hvx_is_reference())
		SKIP("needs hvx.ko: not run on the reference");
	fd = open_kvm();
	CHECK(fd >= 0, "open /dev/kvm: %s", strerror(-fd));
	r = tiny_vm_create_real(&vm, fd, 0x10000, guest_code,
				sizeof(guest_code));
	CHECK(!r, "VM setup on kvm: %s", strerror(-r));
	r = ioctl(vm.vcpu_fd, KVM_RUN, 0);
	CHECK(!r && vm.run->exit_reason == KVM_EXIT_IO &&
	      vm.run->io.port == 0x10 &&
	      ((uint8_t *)vm.run)[vm.run->io.data_offset] == 0x42,
	      "first exit: r=%d reason=%u", r, vm.run->exit_reason);
	r = ioctl(vm.vcpu_fd, KVM_RUN, 0);
	CHECK(!r && vm.run->exit_reason == KVM_EXIT_HLT,
	      "second exit: r=%d reason=%u", r, vm.run->exit_reason);
	tiny_vm_destroy(&vm);
	close(fd);
	return KTAP_PASS;
}

static enum ktap_result hvx_reloads_after_kvm(void)
{
	int r, fd;

	if (hvx_is_reference())
		SKIP("needs hvx.ko: not run on the reference");
	r = hvx_ref_unload();
	CHECK(!r, "kvm unload: %s", strerror(-r));
	r = hvx_load();
	CHECK(!r, "hvx load after kvm: %s", strerror(-r));
	fd = hvx_open_dev();
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	r = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	CHECK(r == KVM_API_VERSION, "API version %d", r);
	return KTAP_PASS;
}

KTAP_CASES(
	{ "kvm_fails_while_hvx_loaded", kvm_fails_while_hvx_loaded },
	{ "hvx_refuses_while_kvm_owns", hvx_refuses_while_kvm_owns },
	{ "kvm_runs_guest_after_hvx", kvm_runs_guest_after_hvx },
	{ "hvx_reloads_after_kvm", hvx_reloads_after_kvm },
);
KTAP_MAIN()
