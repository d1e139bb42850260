/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stand-in for the kernel's <linux/errno.h>. */
#ifndef HVX_UNIT_SHIM_ERRNO_H
#define HVX_UNIT_SHIM_ERRNO_H
#include_next <linux/errno.h>
#endif
