// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event delivery for the userspace interrupt-controller model, as KVM
 * without an in-kernel irqchip: KVM_INTERRUPT queues one interrupt vector,
 * KVM_NMI queues NMIs, emulation queues exceptions, and an event whose
 * delivery a VM exit interrupted (IDT-vectoring information, EXITINTINFO)
 * is delivered again first, so no event is ever lost.
 *
 * Order on each entry (SDM Vol. 3A 6.9, priorities): the interrupted event,
 * else a queued exception, else an NMI the guest can take, else the
 * interrupt if the guest can take it.  Whatever still waits asks the
 * backend for an interrupt or NMI window exit.
 */
#include "x86.h"

/**
 * hvx_queue_exception() - deliver an exception on the next entry
 * @vcpu:	the vCPU
 * @vector:	the exception vector
 * @has_error:	push @error_code
 * @error_code:	the error code
 *
 * A second exception before the first is delivered becomes #DF, and a
 * third a triple fault, which the next entry reports as a shutdown (SDM
 * Vol. 3A table 6-5, simplified: every pair counts as contributory).
 */
void hvx_queue_exception(struct hvx_vcpu *vcpu, u8 vector, bool has_error,
			 u32 error_code)
{
	struct hvx_event *ex = &vcpu->exception;

	if (ex->type != HVX_EVENT_NONE) {
		if (ex->vector == HVX_DF_VECTOR) {
			vcpu->triple_fault = true;
			return;
		}
		vector = HVX_DF_VECTOR;
		has_error = true;
		error_code = 0;
	}
	ex->type = HVX_EVENT_EXCEPTION;
	ex->vector = vector;
	ex->has_error = has_error;
	ex->error_code = error_code;
	ex->insn_len = 0;
}

/**
 * hvx_inject_events() - deliver what is due before an entry
 * @vcpu: the vCPU (loaded)
 *
 * Return: 1 to enter the guest, 0 with vcpu->run filled in when userspace
 * asked for an interrupt window that is already open (or the guest
 * triple-faulted).
 */
int hvx_inject_events(struct hvx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	bool irq_wanted;

	if (vcpu->triple_fault) {
		vcpu->triple_fault = false;
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	}
	if (hvx_ops->nested_events) {
		int r = hvx_ops->nested_events(vcpu);

		if (r <= 0)
			return r;
	}

	if (vcpu->reinject.type != HVX_EVENT_NONE) {
		hvx_ops->inject(vcpu, &vcpu->reinject);
		vcpu->reinject.type = HVX_EVENT_NONE;
	} else if (vcpu->exception.type != HVX_EVENT_NONE) {
		hvx_ops->inject(vcpu, &vcpu->exception);
		vcpu->exception.type = HVX_EVENT_NONE;
	} else if (vcpu->nmi_pending && hvx_ops->nmi_allowed(vcpu)) {
		struct hvx_event nmi = {
			.type = HVX_EVENT_NMI, .vector = HVX_NMI_VECTOR,
		};

		hvx_ops->inject(vcpu, &nmi);
		vcpu->nmi_pending--;
	} else if (vcpu->irq.type != HVX_EVENT_NONE &&
		   hvx_ops->interrupt_allowed(vcpu)) {
		hvx_ops->inject(vcpu, &vcpu->irq);
		vcpu->irq.type = HVX_EVENT_NONE;
	} else if (run->request_interrupt_window &&
		   vcpu->irq.type == HVX_EVENT_NONE &&
		   hvx_ops->interrupt_allowed(vcpu)) {
		/* KVM: nothing queued and the window is open: tell userspace. */
		run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}

	irq_wanted = vcpu->irq.type != HVX_EVENT_NONE ||
		     run->request_interrupt_window;
	hvx_ops->request_window(vcpu, irq_wanted, vcpu->nmi_pending > 0);
	return 1;
}
