// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the hvx selftests; see include/hvx_test.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvx_test.h"

const char *hvx_dev_path(void)
{
	const char *p = getenv("HVX_DEV");

	return p && *p ? p : "/dev/hvx";
}

bool hvx_is_reference(void)
{
	const char *m = getenv("HVX_MODE");

	return m && !strcmp(m, "ref");
}

const char *hvx_host_kind(void)
{
	const char *h = getenv("HVX_HOST");
	unsigned int regs[4];

	if (h && *h)
		return h;
	/* CPUID leaf 0 vendor: "AuthenticAMD" has EBX = "Auth". */
	__asm__("cpuid" : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]),
		"=d"(regs[3]) : "a"(0), "c"(0));
	return regs[1] == 0x68747541 ? "svm" : "vmx";
}

int hvx_open_dev(void)
{
	int fd = open(hvx_dev_path(), O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int hvx_module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params ? params : "", 0);
	r = r ? -errno : 0;
	close(fd);
	return r;
}

int hvx_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

int hvx_load(void)
{
	const char *ko = getenv("HVX_KO");

	return hvx_module_load(ko && *ko ? ko : "/lib/hvx/hvx.ko", NULL);
}

int hvx_unload(void)
{
	return hvx_module_unload("hvx");
}

static const char *ref_dir(void)
{
	const char *d = getenv("HVX_REF_DIR");

	return d && *d ? d : "/lib/ref";
}

static int ref_load_one(const char *file, const char *params)
{
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/%s", ref_dir(), file);
	r = hvx_module_load(path, params);
	/* A helper module loaded by an earlier test may stay loaded. */
	return r == -EEXIST ? 0 : r;
}

int hvx_ref_load(void)
{
	bool svm = !strcmp(hvx_host_kind(), "svm");
	int r;

	if (svm && (r = ref_load_one("ccp.ko", NULL)))
		return r;
	r = ref_load_one("irqbypass.ko", NULL);
	if (!r)
		r = ref_load_one("kvm.ko", NULL);
	if (!r)
		r = svm ? ref_load_one("kvm-amd.ko", "nested=1") :
			  ref_load_one("kvm-intel.ko", "nested=1");
	return r;
}

int hvx_ref_unload(void)
{
	int r = hvx_module_unload(strcmp(hvx_host_kind(), "svm") ?
				  "kvm_intel" : "kvm_amd");

	if (!r || r == -ENOENT)
		r = hvx_module_unload("kvm");
	return r == -ENOENT ? 0 : r;
}

int tiny_vm_create_real(struct tiny_vm *vm, int sys_fd, size_t mem_size,
			const void *code, size_t code_len)
{
	struct kvm_userspace_memory_region slot = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = sys_fd;
	vm->vm_fd = vm->vcpu_fd = -1;
	vm->mem = MAP_FAILED;
	vm->run = MAP_FAILED;

	vm->vm_fd = ioctl(sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		goto fail;
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		goto fail;
	memcpy(vm->mem + 0x1000, code, code_len);
	slot.memory_size = mem_size;
	slot.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot))
		goto fail;
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		goto fail;
	r = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0)
		goto fail;
	vm->run_size = r;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		goto fail;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs))
		goto fail;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs))
		goto fail;
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs))
		goto fail;
	return 0;
fail:
	r = -errno;
	tiny_vm_destroy(vm);
	return r;
}

void tiny_vm_destroy(struct tiny_vm *vm)
{
	if (vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->mem_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->run = MAP_FAILED;
	vm->mem = MAP_FAILED;
	vm->vcpu_fd = vm->vm_fd = -1;
}
