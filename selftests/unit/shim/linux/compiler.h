/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the parts of the kernel's <linux/compiler.h> that
 * the pure-logic files use.  READ_ONCE/WRITE_ONCE are single volatile
 * accesses, as in the kernel for 64-bit scalars on x86-64.
 */
#ifndef HVX_UNIT_SHIM_COMPILER_H
#define HVX_UNIT_SHIM_COMPILER_H

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)						\
	do {								\
		*(volatile __typeof__(x) *)&(x) = (val);		\
	} while (0)

#define __always_unused	__attribute__((__unused__))
#define __maybe_unused	__attribute__((__unused__))

#endif
