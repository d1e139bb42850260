/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for xchg() and cmpxchg() from the kernel's
 * <linux/atomic.h>: fully ordered, returning the old value.
 */
#ifndef HVX_UNIT_SHIM_ATOMIC_H
#define HVX_UNIT_SHIM_ATOMIC_H

#define xchg(ptr, val)							\
	__atomic_exchange_n((ptr), (val), __ATOMIC_SEQ_CST)

#define cmpxchg(ptr, old, new)						\
	({								\
		__typeof__(*(ptr)) __old = (old);			\
		__atomic_compare_exchange_n((ptr), &__old, (new), 0,	\
					    __ATOMIC_SEQ_CST,		\
					    __ATOMIC_SEQ_CST);		\
		__old;							\
	})

#endif
