/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM world switch: the only assembly in the AMD backend.
 *
 * int hvx_svm_enter(u64 *regs, u64 vmcb_pa, u64 host_save_pa)
 *
 *   regs:         the guest's general-purpose registers in hardware order;
 *                 all but RAX and RSP, which live in the VMCB, are loaded
 *                 before VMRUN and stored after #VMEXIT.
 *   vmcb_pa:      the guest's VMCB.
 *   host_save_pa: a page for VMSAVE/VMLOAD of the host's state that VMRUN
 *                 does not switch (FS, GS, TR, LDTR with their hidden
 *                 parts, KernelGSBase, the SYSCALL and SYSENTER MSRs: APM
 *                 Vol. 2 15.5.2).
 *
 * Called with GIF clear (CLGI) and RFLAGS.IF set, so that a physical
 * interrupt or NMI while the guest runs is a #VMEXIT and is taken by the
 * host only after STGI.  Returns 0 after a #VMEXIT (VMEXIT_INVALID too:
 * the caller reads the exit code), 1 when VMRUN, VMLOAD or VMSAVE faulted.
 * Registers the host does not restore are zeroed before returning.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define R_RCX	1*8
#define R_RDX	2*8
#define R_RBX	3*8
#define R_RBP	5*8
#define R_RSI	6*8
#define R_RDI	7*8
#define R_R8	8*8
#define R_R9	9*8
#define R_R10	10*8
#define R_R11	11*8
#define R_R12	12*8
#define R_R13	13*8
#define R_R14	14*8
#define R_R15	15*8

/* Stack after the pushes: 0 vmcb_pa, 8 host_save_pa, 16 regs */
#define S_VMCB	0
#define S_HOST	8
#define S_REGS	16

.text

SYM_FUNC_START(hvx_svm_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdi
	push %rdx
	push %rsi

	mov  %rdx, %rax
1:	vmsave %rax			/* the host's hidden state */
	mov  S_VMCB(%rsp), %rax
2:	vmload %rax			/* the guest's */

	mov  S_REGS(%rsp), %rax
	mov  R_RCX(%rax), %rcx
	mov  R_RDX(%rax), %rdx
	mov  R_RBX(%rax), %rbx
	mov  R_RBP(%rax), %rbp
	mov  R_RSI(%rax), %rsi
	mov  R_RDI(%rax), %rdi
	mov  R_R8(%rax),  %r8
	mov  R_R9(%rax),  %r9
	mov  R_R10(%rax), %r10
	mov  R_R11(%rax), %r11
	mov  R_R12(%rax), %r12
	mov  R_R13(%rax), %r13
	mov  R_R14(%rax), %r14
	mov  R_R15(%rax), %r15
	mov  S_VMCB(%rsp), %rax

3:	vmrun %rax
	/* #VMEXIT: RAX and RSP are the host's again (APM 15.6). */
4:	vmsave %rax			/* the guest's hidden state */

	mov  S_REGS(%rsp), %rax
	mov  %rcx, R_RCX(%rax)
	mov  %rdx, R_RDX(%rax)
	mov  %rbx, R_RBX(%rax)
	mov  %rbp, R_RBP(%rax)
	mov  %rsi, R_RSI(%rax)
	mov  %rdi, R_RDI(%rax)
	mov  %r8,  R_R8(%rax)
	mov  %r9,  R_R9(%rax)
	mov  %r10, R_R10(%rax)
	mov  %r11, R_R11(%rax)
	mov  %r12, R_R12(%rax)
	mov  %r13, R_R13(%rax)
	mov  %r14, R_R14(%rax)
	mov  %r15, R_R15(%rax)

	mov  S_HOST(%rsp), %rax
5:	vmload %rax

	/* The guest may have filled the RSB: refill it before any RET. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor  %eax, %eax
	jmp  .Lclear

.Lfault:
	/* Never return with the guest's FS/GS/TR loaded. */
	mov  S_HOST(%rsp), %rax
6:	vmload %rax
7:	mov  $1, %eax

.Lclear:
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d

	add  $24, %rsp
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

	_ASM_EXTABLE(1b, .Lfault)
	_ASM_EXTABLE(2b, .Lfault)
	_ASM_EXTABLE(3b, .Lfault)
	_ASM_EXTABLE(4b, .Lfault)
	_ASM_EXTABLE(5b, .Lfault)
	_ASM_EXTABLE(6b, 7b)
SYM_FUNC_END(hvx_svm_enter)
