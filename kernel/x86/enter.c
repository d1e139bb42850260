// SPDX-License-Identifier: GPL-2.0-only
/*
 * The steps around a world switch that both backends take alike: the
 * last look at requests and signals with interrupts off, and the host
 * state neither VMX nor SVM switches (XCR0, IA32_DEBUGCTL, DR7, CR2).
 */
#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>

#include "x86.h"

/**
 * hvx_enter_begin() - disable interrupts and commit to entering the guest
 * @vcpu: the vCPU (loaded)
 *
 * Publishes vcpu->mode = HVX_IN_GUEST before looking at requests, signals
 * and need_resched (pairs with hvx_vcpu_kick()), so a kick either is seen
 * here or interrupts the guest.
 *
 * The guest's FPU state must be in the registers when the guest runs.
 * KVM_RUN swapped it in, but anything since that scheduled (cond_resched(),
 * a page fault on guest memory) or borrowed the FPU in a softirq saved it
 * and left TIF_NEED_FPU_LOAD set, with another task's registers loaded.
 * With interrupts off, nothing can take the FPU again before the entry.
 *
 * Return: true with interrupts disabled, ready to enter; false with
 * interrupts enabled when the run loop must look again first.
 */
bool hvx_enter_begin(struct hvx_vcpu *vcpu)
{
	local_irq_disable();
	WRITE_ONCE(vcpu->mode, HVX_IN_GUEST);
	smp_mb();
	if (READ_ONCE(vcpu->requests) || signal_pending(current) ||
	    need_resched()) {
		WRITE_ONCE(vcpu->mode, HVX_OUTSIDE_GUEST);
		local_irq_enable();
		return false;
	}
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	return true;
}

/**
 * hvx_switch_to_guest() - load the guest's XCR0, remember the host's debug
 * state; interrupts off, just before the world switch
 * @vcpu: the vCPU
 * @h:	  filled in for hvx_switch_to_host()
 */
void hvx_switch_to_guest(struct hvx_vcpu *vcpu, struct hvx_host_state *h)
{
	h->xcr0_switched = false;
	if (vcpu->xcr0 && boot_cpu_has(X86_FEATURE_XSAVE)) {
		h->xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (h->xcr0 != vcpu->xcr0) {
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
			h->xcr0_switched = true;
		}
	}
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	get_debugreg(h->dr7, 7);
}

/**
 * hvx_switch_to_host() - undo hvx_switch_to_guest() after the exit
 * @h: what hvx_switch_to_guest() saved
 *
 * A VM exit leaves DR7 at 0x400 and clears IA32_DEBUGCTL (SDM 28.5.1);
 * put back host breakpoints and branch tracing if the host had them.
 */
void hvx_switch_to_host(const struct hvx_host_state *h)
{
	if (h->dr7 != HVX_DR7_FIXED)
		set_debugreg(h->dr7, 7);
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
	if (h->xcr0_switched)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, h->xcr0);
}
