/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * hvx's additions to the KVM ABI.
 *
 * /dev/hvx speaks the KVM API of <linux/kvm.h>: the same ioctl numbers,
 * structures, exit reasons and capability numbers, for the subset hvx
 * implements (KVM_CHECK_EXTENSION says which).  What hvx adds is defined
 * here and never reuses a KVM number for another meaning.
 */
#ifndef _UAPI_LINUX_HVX_H
#define _UAPI_LINUX_HVX_H

#include <linux/kvm.h>

/* The device node the module registers (a misc device). */
#define HVX_DEVICE_PATH		"/dev/hvx"

#endif /* _UAPI_LINUX_HVX_H */
