/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvx core: the objects every layer shares and the one table through which
 * the core reaches a hardware backend.
 *
 * The core (main.c, vm.c, vcpu.c, tdp.c, x86/) includes this header and never
 * a vmx/ or svm/ header; a backend includes this header and fills in one
 * const struct hvx_backend_ops.  Adding a backend touches no core file but
 * the probe list in main.c.
 */
#ifndef HVX_H
#define HVX_H

#include <linux/types.h>
#include <linux/printk.h>

#define HVX_NAME "hvx"

/**
 * struct hvx_backend_ops - what the core needs from a virtualisation backend
 * @name:		short name for messages ("vmx", "svm").
 * @hardware_setup:	global, once at module load, after a successful probe:
 *			read capabilities, allocate per-CPU regions for every
 *			possible CPU.  May sleep.
 * @hardware_unsetup:	undo @hardware_setup; every CPU is already disabled.
 * @hardware_enable:	enter VMX root operation / set EFER.SVME on the calling
 *			CPU.  Called with preemption disabled on the CPU being
 *			brought up.  Returns -EBUSY when another hypervisor owns
 *			the CPU's virtualisation extension.
 * @hardware_disable:	leave the calling CPU exactly as @hardware_enable found
 *			it.  Called with preemption disabled; must be safe to
 *			call on a CPU that is not enabled.
 * @describe:		one line naming the optional features in use, for the
 *			load message.
 */
struct hvx_backend_ops {
	const char *name;
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	void (*describe)(char *buf, size_t len);
};

/*
 * Each backend offers one probe.  It returns its ops when the CPU has the
 * extension and firmware left it usable, or an ERR_PTR: -ENODEV when the
 * extension is absent or locked off, -EBUSY when another hypervisor already
 * owns it on the probing CPU.  A probe prints no message for "absent"; for
 * every other refusal it prints exactly one line saying why.
 */
const struct hvx_backend_ops *hvx_vmx_probe(void);
const struct hvx_backend_ops *hvx_svm_probe(void);

/* The backend chosen at load; constant between module init and exit. */
extern const struct hvx_backend_ops *hvx_ops;

#endif /* HVX_H */
