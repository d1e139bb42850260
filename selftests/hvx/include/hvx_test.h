/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the hvx selftests: which device and which hypervisor
 * the run targets, kernel module loading, and a minimal VM.
 *
 * The same binaries run against hvx (HVX_MODE=hvx, HVX_DEV=/dev/hvx) and
 * against Debian's kvm modules as the reference (HVX_MODE=ref,
 * HVX_DEV=/dev/kvm); the harness in tools/testing sets the environment.
 */
#ifndef HVX_TEST_H
#define HVX_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/* $HVX_DEV, or /dev/hvx. */
const char *hvx_dev_path(void);
/* True when the run targets Debian's kvm modules rather than hvx. */
bool hvx_is_reference(void);
/* "vmx" or "svm", from $HVX_HOST or the CPU vendor. */
const char *hvx_host_kind(void);
/* open() the device; -errno on failure. */
int hvx_open_dev(void);

/* finit_module()/delete_module() wrappers: 0 or -errno. */
int hvx_module_load(const char *path, const char *params);
int hvx_module_unload(const char *name);
/* Load and unload hvx.ko ($HVX_KO). */
int hvx_load(void);
int hvx_unload(void);
/* Load/unload Debian's kvm modules for this host ($HVX_REF_DIR). */
int hvx_ref_load(void);
int hvx_ref_unload(void);

/**
 * struct tiny_vm - one VM, one vCPU, one memslot at guest-physical 0
 * @sys_fd:  the device
 * @vm_fd:   the VM
 * @vcpu_fd: vCPU 0
 * @run:     vCPU 0's kvm_run page
 * @mem:     the memslot's backing, @mem_size bytes
 */
struct tiny_vm {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
};

/*
 * Create a VM with @mem_size bytes at GPA 0 holding @code at GPA 0x1000,
 * and one vCPU in real mode at CS:IP 0:0x1000.  Returns 0 or -errno.
 */
int tiny_vm_create_real(struct tiny_vm *vm, int sys_fd, size_t mem_size,
			const void *code, size_t code_len);
void tiny_vm_destroy(struct tiny_vm *vm);

#endif /* HVX_TEST_H */
