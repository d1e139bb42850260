/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX world switch: the only assembly in the Intel backend.
 *
 * int hvx_vmx_enter(u64 *regs, bool launched, unsigned long *host_rsp)
 *
 *   regs:     the guest's general-purpose registers, HVX_NR_GPRS slots in
 *             hardware order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15).
 *             Loaded before entry and stored after exit, except the RSP
 *             slot: the guest's RSP lives in the VMCS.
 *   launched: VMRESUME if true, else VMLAUNCH (SDM Vol. 3C 26.1).
 *   host_rsp: the value last written to the VMCS HOST_RSP field; updated,
 *             with a VMWRITE, when this call's stack differs.
 *
 * Returns 0 after a VM exit (including a VM-entry failure reported as an
 * exit, exit reason bit 31), 1 when VMLAUNCH/VMRESUME failed without
 * entering (VMfailValid/VMfailInvalid) or faulted.  Called with interrupts
 * disabled and the vCPU's VMCS current; on return the callee-saved
 * registers are the host's and every other register is zero or a return
 * value, so no guest value reaches host code by a register.
 *
 * HOST_RIP points at hvx_vmx_exit below.  At that point RSP equals the
 * HOST_RSP this function wrote, with the regs pointer on top.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define HOST_RSP	0x6c14	/* VMCS field encoding, see vmcs.h */

#define R_RAX	0*8
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

.text

SYM_FUNC_START(hvx_vmx_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdi			/* regs, found again at exit */

	/* Keep HOST_RSP equal to this stack: the exit lands here. */
	cmp  (%rdx), %rsp
	je   1f
	mov  %rsp, (%rdx)
	mov  $HOST_RSP, %eax
	vmwrite %rsp, %rax
1:
	/* Flags from here select VMLAUNCH or VMRESUME; MOVs keep them. */
	test %sil, %sil

	mov  %rdi, %rax
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
	mov  R_RAX(%rax), %rax

	UNWIND_HINT_SAVE
	jnz  .Lresume
.Llaunch:
	vmlaunch
	jmp  .Lfailed
.Lresume:
	vmresume
	jmp  .Lfailed

	_ASM_EXTABLE(.Llaunch, .Lfailed)
	_ASM_EXTABLE(.Lresume, .Lfailed)

SYM_INNER_LABEL(hvx_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push %rax			/* guest RAX */
	mov  8(%rsp), %rax		/* regs */
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
	pop  R_RAX(%rax)

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the host's first RET.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor  %eax, %eax
	jmp  .Lclear

.Lfailed:
	mov  $1, %eax

.Lclear:
	/* Drop guest values from the registers the host does not restore. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d

	add  $8, %rsp			/* regs */
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET
SYM_FUNC_END(hvx_vmx_enter)
