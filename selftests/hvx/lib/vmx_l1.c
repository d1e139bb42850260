// SPDX-License-Identifier: GPL-2.0-only
/*
 * The L1 mini-hypervisor of the nested VMX selftests; see include/vmx_l1.h.
 *
 * All of this runs as guest code (L1).  The test binary's pages are copied
 * into the guest unrelocated, so nothing here may call libc: GCC turns
 * zeroing loops into memset() calls at -O2, hence l1_zero() in assembly.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "vm.h"
#include "vmx_l1.h"

struct vmx_caps vmx_caps;
uint64_t vmx_setup_bad_field;
volatile uint64_t l1_assert_want;
static bool vmx_setup_failed;

/* Entry/exit trampoline and the L2 return stub, below. */
uint64_t vmx_l1_enter(struct vmx_l2_regs *regs, int launch);
extern const char vmx_l1_exit[], vmx_l2_done_stub[];

_Static_assert(offsetof(struct vmx_l2_regs, rax) == 0, "asm offsets");
_Static_assert(offsetof(struct vmx_l2_regs, rdi) == 56, "asm offsets");
_Static_assert(offsetof(struct vmx_l2_regs, r15) == 120, "asm offsets");
_Static_assert(offsetof(struct vmx_l2_regs, host_rsp) == 128, "asm offsets");

/*
 * uint64_t vmx_l1_enter(struct vmx_l2_regs *regs, int launch)
 *
 * Saves L1's callee-saved registers and @regs on the stack, makes HOST_RSP
 * point there (one VMWRITE, skipped when regs->host_rsp says it is already
 * so), loads L2's GPRs and executes VMLAUNCH (@launch != 0) or VMRESUME.
 * MOVs leave RFLAGS alone, so the TEST of @launch survives the loads.
 *
 * VMfail: the instruction falls through; return its RFLAGS (never 0: bit 1
 * is always set) after restoring L1's registers.
 *
 * VM exit: the CPU loads HOST_RIP = vmx_l1_exit, HOST_RSP = the stack
 * above, RFLAGS = 2 (SDM 28.5.3).  Store L2's GPRs into @regs, found at
 * (%rsp), and return 0 into the caller of vmx_l1_enter.
 */
__asm__(
	".pushsection .text\n"
	".globl vmx_l1_enter\n"
	".type vmx_l1_enter, @function\n"
	"vmx_l1_enter:\n"
	"	push %rbp\n"
	"	push %rbx\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rdi\n"
	"	cmp %rsp, 128(%rdi)\n"
	"	je 1f\n"
	"	mov $0x6c14, %eax\n"		/* HOST_RSP */
	"	vmwrite %rsp, %rax\n"
	"	jbe 1f\n"			/* CF or ZF: not written */
	"	mov %rsp, 128(%rdi)\n"
	"1:	test %esi, %esi\n"
	"	mov 0(%rdi), %rax\n"
	"	mov 8(%rdi), %rcx\n"
	"	mov 16(%rdi), %rdx\n"
	"	mov 24(%rdi), %rbx\n"
	"	mov 40(%rdi), %rbp\n"
	"	mov 48(%rdi), %rsi\n"
	"	mov 64(%rdi), %r8\n"
	"	mov 72(%rdi), %r9\n"
	"	mov 80(%rdi), %r10\n"
	"	mov 88(%rdi), %r11\n"
	"	mov 96(%rdi), %r12\n"
	"	mov 104(%rdi), %r13\n"
	"	mov 112(%rdi), %r14\n"
	"	mov 120(%rdi), %r15\n"
	"	mov 56(%rdi), %rdi\n"
	"	jz 2f\n"
	"	vmlaunch\n"
	"	jmp 3f\n"
	"2:	vmresume\n"
	"3:	pushfq\n"
	"	pop %rax\n"
	"	add $8, %rsp\n"
	"	jmp 4f\n"
	".globl vmx_l1_exit\n"
	"vmx_l1_exit:\n"
	"	push %rdi\n"
	"	mov 8(%rsp), %rdi\n"
	"	mov %rax, 0(%rdi)\n"
	"	mov %rcx, 8(%rdi)\n"
	"	mov %rdx, 16(%rdi)\n"
	"	mov %rbx, 24(%rdi)\n"
	"	mov %rbp, 40(%rdi)\n"
	"	mov %rsi, 48(%rdi)\n"
	"	mov %r8, 64(%rdi)\n"
	"	mov %r9, 72(%rdi)\n"
	"	mov %r10, 80(%rdi)\n"
	"	mov %r11, 88(%rdi)\n"
	"	mov %r12, 96(%rdi)\n"
	"	mov %r13, 104(%rdi)\n"
	"	mov %r14, 112(%rdi)\n"
	"	mov %r15, 120(%rdi)\n"
	"	pop %rax\n"
	"	mov %rax, 56(%rdi)\n"
	"	add $8, %rsp\n"
	"	xor %eax, %eax\n"
	"4:	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbx\n"
	"	pop %rbp\n"
	"	ret\n"
	".size vmx_l1_enter, . - vmx_l1_enter\n"
	/* An L2 function returns here (its stack was seeded with this). */
	".globl vmx_l2_done_stub\n"
	"vmx_l2_done_stub:\n"
	"	movabs $0x4c32444f4e45, %rax\n"	/* L2_DONE_MAGIC */
	"	vmcall\n"
	"	ud2\n"
	".popsection\n");

static void l1_zero(void *p, uint64_t bytes)
{
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(bytes) : "a"(0) : "memory");
}

void l1_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3)
{
	struct ucall uc = { .cmd = cmd, .args = { a0, a1, a2, a3 } };

	__asm__ volatile("outb %%al, %%dx"
			 : : "a"(0), "d"(UCALL_PORT), "D"(&uc) : "memory");
}

uint64_t l1_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t l1_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

uint64_t l1_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void l1_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

void l1_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* ES CS SS DS FS GS LDTR TR: the order of the VMCS guest-segment fields */
static uint16_t read_sel(int i)
{
	uint16_t s = 0;

	switch (i) {
	case 0: __asm__ volatile("mov %%es, %0" : "=r"(s)); break;
	case 1: __asm__ volatile("mov %%cs, %0" : "=r"(s)); break;
	case 2: __asm__ volatile("mov %%ss, %0" : "=r"(s)); break;
	case 3: __asm__ volatile("mov %%ds, %0" : "=r"(s)); break;
	case 4: __asm__ volatile("mov %%fs, %0" : "=r"(s)); break;
	case 5: __asm__ volatile("mov %%gs, %0" : "=r"(s)); break;
	case 6: __asm__ volatile("sldt %0" : "=r"(s)); break;
	case 7: __asm__ volatile("str %0" : "=r"(s)); break;
	}
	return s;
}

/* Access rights in the VMCS format from LAR (SDM 25.4.1), or unusable. */
static uint32_t seg_ar(uint16_t sel)
{
	uint32_t ar = 0;
	bool ok;

	if (!(sel & ~3u))
		return VMX_AR_UNUSABLE;
	__asm__("lar %[s], %[ar]" : [ar] "+r"(ar), "=@ccz"(ok)
		: [s] "r"((uint32_t)sel));
	return ok ? (ar >> 8) & 0xf0ff : VMX_AR_UNUSABLE;
}

static uint32_t seg_limit(uint16_t sel)
{
	uint32_t lim = 0;

	if (!(sel & ~3u))
		return 0;
	__asm__("lsl %[s], %[l]" : [l] "+r"(lim) : [s] "r"((uint32_t)sel));
	return lim;
}

/* Base of the GDT descriptor for @sel; system descriptors are 16 bytes. */
static uint64_t desc_base(uint64_t gdt, uint16_t sel, bool system)
{
	const volatile uint32_t *d = (void *)(uintptr_t)(gdt + (sel & ~7u));
	uint64_t base = d[0] >> 16 | (d[1] & 0xff) << 16 | (d[1] & 0xff000000u);

	if (system)
		base |= (uint64_t)d[2] << 32;
	return base;
}

bool vmx_l1_read_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	bool true_ctls;
	uint32_t r[4];

	guest_cpuid(1, 0, r);
	if (!(r[2] & (1u << 5)))
		return false;
	c->basic = guest_rdmsr(MSR_IA32_VMX_BASIC);
	c->revision = c->basic & 0x7fffffff;
	true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin_msr = true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				 MSR_IA32_VMX_PINBASED_CTLS;
	c->proc_msr = true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				  MSR_IA32_VMX_PROCBASED_CTLS;
	c->exit_msr = true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				  MSR_IA32_VMX_EXIT_CTLS;
	c->entry_msr = true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				   MSR_IA32_VMX_ENTRY_CTLS;
	c->misc = guest_rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = guest_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = guest_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = guest_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = guest_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* These two exist only when the controls that need them do (A.3.3, A.10) */
	c->proc2 = 0;
	c->ept_vpid = 0;
	if (vmx_ctl_allows(MSR_IA32_VMX_PROCBASED_CTLS, CPU_ACTIVATE_SECONDARY))
		c->proc2 = guest_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if ((c->proc2 >> 32) & (SEC_ENABLE_EPT | SEC_ENABLE_VPID))
		c->ept_vpid = guest_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	return true;
}

/* Allowed 0-settings in bits 31:0, allowed 1-settings in 63:32 (SDM A.3) */
uint32_t vmx_ctl(uint32_t msr, uint32_t want)
{
	uint64_t v = guest_rdmsr(msr);

	return (want | (uint32_t)v) & (uint32_t)(v >> 32);
}

bool vmx_ctl_allows(uint32_t msr, uint32_t bits)
{
	return ((guest_rdmsr(msr) >> 32) & bits) == bits;
}

void vmx_region_init(uint64_t gpa, uint32_t revision)
{
	volatile uint32_t *p = (void *)(uintptr_t)gpa;

	l1_zero((void *)(uintptr_t)gpa, 4096);
	p[0] = revision;
}

int vmx_l1_enable(void)
{
	uint64_t fc, cr0, cr4;

	if (!vmx_l1_read_caps())
		return -1;
	/* VMXON #GPs unless the MSR is locked with VMX outside SMX (24.7) */
	fc = guest_rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		guest_wrmsr(MSR_IA32_FEATURE_CONTROL, fc |
			    FEATURE_CONTROL_LOCKED |
			    FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		fc = guest_rdmsr(MSR_IA32_FEATURE_CONTROL);
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return -1;
	/* CR0 and CR4 in VMX operation obey the FIXED0/FIXED1 MSRs (24.8) */
	cr0 = l1_read_cr0();
	if (((cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1) != cr0)
		l1_write_cr0((cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	cr4 = l1_read_cr4() | X86_CR4_VMXE | vmx_caps.cr4_fixed0;
	l1_write_cr4(cr4 & vmx_caps.cr4_fixed1);
	vmx_region_init(L1_VMXON_GPA, vmx_caps.revision);
	return vmxon(L1_VMXON_GPA);
}

int vmx_l1_disable(void)
{
	int r = vmxoff();

	if (r == VMX_OK)
		l1_write_cr4(l1_read_cr4() & ~X86_CR4_VMXE);
	return r;
}

static void vmw(uint64_t field, uint64_t val)
{
	if (vmwrite(field, val) != VMX_OK && !vmx_setup_failed) {
		vmx_setup_failed = true;
		vmx_setup_bad_field = field;
	}
}

void vmx_io_intercept(uint16_t port, bool on)
{
	volatile uint8_t *bm = (void *)(uintptr_t)(port < 0x8000 ?
				L1_IO_BITMAP_A_GPA : L1_IO_BITMAP_B_GPA);
	unsigned int bit = port & 0x7fff;

	if (on)
		bm[bit / 8] |= 1u << (bit % 8);
	else
		bm[bit / 8] &= ~(1u << (bit % 8));
}

/* Host state = L1 as it runs now; L2 comes back to vmx_l1_exit (27.2.2) */
static void write_host_state(bool efer)
{
	static const uint32_t sel_field[] = {
		HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR,
		HOST_DS_SELECTOR, HOST_FS_SELECTOR, HOST_GS_SELECTOR,
	};
	struct dtr gdt, idt;
	int i;

	__asm__ volatile("sgdt %0" : "=m"(gdt));
	__asm__ volatile("sidt %0" : "=m"(idt));
	vmw(HOST_CR0, l1_read_cr0());
	vmw(HOST_CR3, l1_read_cr3());
	vmw(HOST_CR4, l1_read_cr4());
	for (i = 0; i < 6; i++)
		vmw(sel_field[i], read_sel(i) & 0xfff8);
	vmw(HOST_TR_SELECTOR, read_sel(7) & 0xfff8);
	vmw(HOST_TR_BASE, desc_base(gdt.base, read_sel(7), true));
	vmw(HOST_FS_BASE, guest_rdmsr(MSR_FS_BASE));
	vmw(HOST_GS_BASE, guest_rdmsr(MSR_GS_BASE));
	vmw(HOST_GDTR_BASE, gdt.base);
	vmw(HOST_IDTR_BASE, idt.base);
	vmw(HOST_IA32_SYSENTER_CS, guest_rdmsr(MSR_IA32_SYSENTER_CS));
	vmw(HOST_IA32_SYSENTER_ESP, guest_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmw(HOST_IA32_SYSENTER_EIP, guest_rdmsr(MSR_IA32_SYSENTER_EIP));
	if (efer)
		vmw(HOST_IA32_EFER, guest_rdmsr(MSR_EFER));
	vmw(HOST_RIP, (uintptr_t)vmx_l1_exit);
	vmw(HOST_RSP, 0);	/* vmx_l1_enter writes the real one */
}

/* Guest state = a copy of L1's, for an L2 in 64-bit mode (27.3.1) */
static void write_guest_state(bool efer)
{
	struct dtr gdt, idt;
	uint64_t base;
	uint32_t ar;
	uint16_t sel;
	int i;

	__asm__ volatile("sgdt %0" : "=m"(gdt));
	__asm__ volatile("sidt %0" : "=m"(idt));
	vmw(GUEST_CR0, l1_read_cr0());
	vmw(GUEST_CR3, l1_read_cr3());
	vmw(GUEST_CR4, l1_read_cr4());
	vmw(CR0_READ_SHADOW, l1_read_cr0());
	vmw(CR4_READ_SHADOW, l1_read_cr4());
	for (i = 0; i < 8; i++) {
		sel = read_sel(i);
		ar = seg_ar(sel);
		base = 0;
		if (i == 4)
			base = guest_rdmsr(MSR_FS_BASE);
		else if (i == 5)
			base = guest_rdmsr(MSR_GS_BASE);
		else if (i >= 6 && !(ar & VMX_AR_UNUSABLE))
			base = desc_base(gdt.base, sel, true);
		if (i == 7)
			ar |= 2;	/* TR must be a busy TSS (27.3.1.2) */
		vmw(VMCS_SEG(GUEST_ES_SELECTOR, i), sel);
		vmw(VMCS_SEG(GUEST_ES_BASE, i), base);
		vmw(VMCS_SEG(GUEST_ES_LIMIT, i), seg_limit(sel));
		vmw(VMCS_SEG(GUEST_ES_AR_BYTES, i), ar);
	}
	vmw(GUEST_GDTR_BASE, gdt.base);
	vmw(GUEST_GDTR_LIMIT, gdt.limit);
	vmw(GUEST_IDTR_BASE, idt.base);
	vmw(GUEST_IDTR_LIMIT, idt.limit);
	vmw(GUEST_DR7, 0x400);
	vmw(GUEST_IA32_DEBUGCTL, 0);
	if (efer)
		vmw(GUEST_IA32_EFER, guest_rdmsr(MSR_EFER));
	vmw(GUEST_SYSENTER_CS, guest_rdmsr(MSR_IA32_SYSENTER_CS));
	vmw(GUEST_SYSENTER_ESP, guest_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmw(GUEST_SYSENTER_EIP, guest_rdmsr(MSR_IA32_SYSENTER_EIP));
	/* IF=1: Bochs preempts a spinning L2 only then (emulated-hosts.md) */
	vmw(GUEST_RFLAGS, 0x2 | X86_RFLAGS_IF);
	vmw(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmw(GUEST_ACTIVITY_STATE, 0);
	vmw(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmw(VMCS_LINK_POINTER, ~0ull);
}

int vmx_l2_set_entry(struct vmx_l2 *l2, void (*fn)(uint64_t), uint64_t arg)
{
	volatile uint64_t *sp = (void *)(uintptr_t)(L2_STACK_TOP - 8);
	int r;

	/* As if called: the return address is the VMCALL stub (16-aligned + 8) */
	*sp = (uintptr_t)vmx_l2_done_stub;
	l2->regs.rdi = arg;
	r = vmwrite(GUEST_RSP, (uintptr_t)sp);
	return r ? r : vmwrite(GUEST_RIP, (uintptr_t)fn);
}

int vmx_l2_setup(struct vmx_l2 *l2, uint64_t vmcs_gpa,
		 void (*fn)(uint64_t), uint64_t arg, unsigned int flags)
{
	bool io_bitmaps = vmx_ctl_allows(vmx_caps.proc_msr, CPU_USE_IO_BITMAPS);
	bool efer = vmx_ctl_allows(vmx_caps.exit_msr, EXIT_LOAD_IA32_EFER |
				   EXIT_SAVE_IA32_EFER) &&
		    vmx_ctl_allows(vmx_caps.entry_msr, ENTRY_LOAD_IA32_EFER);
	uint32_t proc, proc2 = 0, exit, entry;
	int r;

	l1_zero(l2, sizeof(*l2));
	vmx_setup_failed = false;
	vmx_setup_bad_field = 0;
	/* An active VMCS's region must not be written: flush it first (25.11) */
	r = vmclear(vmcs_gpa);
	if (r)
		return r;
	vmx_region_init(vmcs_gpa, vmx_caps.revision);
	r = vmclear(vmcs_gpa);
	if (!r)
		r = vmptrld(vmcs_gpa);
	if (r)
		return r;
	l2->vmcs_gpa = vmcs_gpa;

	/* Controls (SDM 25.6-25.8), checked against the capability MSRs */
	proc = CPU_HLT_EXITING |
	       (io_bitmaps ? CPU_USE_IO_BITMAPS : CPU_UNCOND_IO_EXITING);
	if (flags & L2_EPT)
		proc2 |= SEC_ENABLE_EPT;
	if (flags & L2_VPID)
		proc2 |= SEC_ENABLE_VPID;
	if (proc2)
		proc |= CPU_ACTIVATE_SECONDARY;
	if (!vmx_ctl_allows(vmx_caps.proc_msr, proc) ||
	    (proc2 & ~(uint32_t)(vmx_caps.proc2 >> 32))) {
		vmx_setup_bad_field = CPU_BASED_VM_EXEC_CONTROL;
		return -1;
	}
	exit = EXIT_HOST_ADDR_SPACE_SIZE |
	       (efer ? EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_EFER : 0);
	entry = ENTRY_IA32E_MODE | (efer ? ENTRY_LOAD_IA32_EFER : 0);
	vmw(PIN_BASED_VM_EXEC_CONTROL, vmx_ctl(vmx_caps.pin_msr, 0));
	vmw(CPU_BASED_VM_EXEC_CONTROL, vmx_ctl(vmx_caps.proc_msr, proc));
	if (vmx_caps.proc2)
		vmw(SECONDARY_VM_EXEC_CONTROL,
		    vmx_ctl(MSR_IA32_VMX_PROCBASED_CTLS2, proc2));
	vmw(VM_EXIT_CONTROLS, vmx_ctl(vmx_caps.exit_msr, exit));
	vmw(VM_ENTRY_CONTROLS, vmx_ctl(vmx_caps.entry_msr, entry));
	vmw(EXCEPTION_BITMAP, 0);
	vmw(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmw(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmw(CR3_TARGET_COUNT, 0);
	vmw(CR0_GUEST_HOST_MASK, 0);
	vmw(CR4_GUEST_HOST_MASK, 0);
	vmw(VM_EXIT_MSR_STORE_COUNT, 0);
	vmw(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmw(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmw(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmw(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	vmw(VM_ENTRY_INSTRUCTION_LEN, 0);
	vmw(TSC_OFFSET, 0);
	if (io_bitmaps) {
		l1_zero((void *)(uintptr_t)L1_IO_BITMAP_A_GPA, 4096);
		l1_zero((void *)(uintptr_t)L1_IO_BITMAP_B_GPA, 4096);
		vmw(IO_BITMAP_A, L1_IO_BITMAP_A_GPA);
		vmw(IO_BITMAP_B, L1_IO_BITMAP_B_GPA);
	}
	if (flags & L2_EPT) {
		if ((vmx_caps.ept_vpid & (EPT_CAP_WALK4 | EPT_CAP_WB)) !=
		    (EPT_CAP_WALK4 | EPT_CAP_WB)) {
			vmx_setup_bad_field = EPT_POINTER;
			return -1;
		}
		l2->eptp = ept12_build();
		vmw(EPT_POINTER, l2->eptp);
	}
	if (flags & L2_VPID) {
		l2->vpid = 1;
		vmw(VIRTUAL_PROCESSOR_ID, l2->vpid);
	}
	write_host_state(efer);
	write_guest_state(efer);
	if (vmx_l2_set_entry(l2, fn, arg))
		vmx_setup_failed = true;
	return vmx_setup_failed ? -1 : 0;
}

int vmx_enter(struct vmx_l2 *l2, bool launch)
{
	uint64_t fl = vmx_l1_enter(&l2->regs, launch);

	if (!fl)
		return VMX_OK;
	/* A VMX instruction that fell through set CF or ZF (SDM 31.2) */
	return fl & X86_RFLAGS_CF ? VMX_FAIL_INVALID : VMX_FAIL_VALID;
}

int vmx_l2_run(struct vmx_l2 *l2)
{
	int r = vmx_enter(l2, !l2->launched);

	if (r)
		return r;
	l2->exit_reason = vmreadz(VM_EXIT_REASON);
	/* A VM-entry failure exit leaves the VMCS clear (SDM 27.8) */
	if (!(l2->exit_reason & EXIT_REASON_FAILED_ENTRY))
		l2->launched = true;
	return VMX_OK;
}

void vmx_l2_skip_insn(struct vmx_l2 *l2)
{
	vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) +
		vmreadz(VM_EXIT_INSTRUCTION_LEN));
}

bool vmx_l2_done(struct vmx_l2 *l2)
{
	return l2->exit_reason == EXIT_REASON_VMCALL &&
	       l2->regs.rax == L2_DONE_MAGIC;
}

/* Without I/O bitmaps L2's ucalls exit to L1: pass them on to the host. */
static bool forward_ucall(struct vmx_l2 *l2)
{
	uint64_t q;

	if (l2->exit_reason != EXIT_REASON_IO_INSTRUCTION)
		return false;
	q = vmreadz(EXIT_QUALIFICATION);
	if ((q >> 16) != UCALL_PORT || (q & 0x18))	/* IN, string */
		return false;
	__asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"(UCALL_PORT),
			 "D"(l2->regs.rdi) : "memory");
	vmx_l2_skip_insn(l2);
	return true;
}

int vmx_l2_loop(struct vmx_l2 *l2,
		bool (*handler)(struct vmx_l2 *l2, void *ctx), void *ctx)
{
	int r;

	for (;;) {
		r = vmx_l2_run(l2);
		if (r)
			return -r;
		if (vmx_l2_done(l2))
			return 0;
		if (forward_ucall(l2))
			continue;
		if (!handler || !handler(l2, ctx))
			return 1;
	}
}

#define EPT_PML4	(L1_EPT_GPA)
#define EPT_PDPT	(L1_EPT_GPA + 0x1000)
#define EPT_PD		(L1_EPT_GPA + 0x2000)
#define EPT_PT(i)	(L1_EPT_GPA + 0x3000 + 0x1000ull * (i))

uint64_t ept12_build(void)
{
	volatile uint64_t *pml4 = (void *)(uintptr_t)EPT_PML4;
	volatile uint64_t *pdpt = (void *)(uintptr_t)EPT_PDPT;
	volatile uint64_t *pd = (void *)(uintptr_t)EPT_PD;
	bool large = vmx_caps.ept_vpid & EPT_CAP_2M;
	unsigned int i, j;

	l1_zero((void *)(uintptr_t)L1_EPT_GPA, 0x3000);
	pml4[0] = EPT_PDPT | EPT_RWX;
	pdpt[0] = EPT_PD | EPT_RWX;
	for (i = 0; i < VM_MEM_SIZE >> 21; i++) {
		uint64_t base = (uint64_t)i << 21;
		volatile uint64_t *pt = (void *)(uintptr_t)EPT_PT(i);

		if (large && (base + (2u << 20) <= L1_MEM_BASE ||
			      base >= L1_MEM_END)) {
			pd[i] = base | EPT_LARGE | EPT_MT_WB | EPT_RWX;
			continue;
		}
		for (j = 0; j < 512; j++)
			pt[j] = (base + 4096ull * j) | EPT_MT_WB | EPT_RWX;
		pd[i] = EPT_PT(i) | EPT_RWX;
	}
	return EPT_PML4 | EPTP_WB_WALK4;
}

int ept12_map(uint64_t gpa, uint64_t pa, uint64_t prot)
{
	volatile uint64_t *pd = (void *)(uintptr_t)EPT_PD;
	volatile uint64_t *pt;
	unsigned int i = gpa >> 21;

	if (gpa >= VM_MEM_SIZE || (pd[i] & EPT_LARGE) || !(pd[i] & EPT_RWX))
		return -1;
	pt = (void *)(uintptr_t)(pd[i] & ~0xfffull);
	pt[(gpa >> 12) & 511] = prot ? (pa & ~0xfffull) | EPT_MT_WB | prot : 0;
	return 0;
}

/* Host side: does the device offer VMX to guests (CPUID.1:ECX.VMX)? */
bool vmx_l1_offered(int fd)
{
	static struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} c;
	unsigned int i;

	c.h.nent = 256;
	if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, &c))
		return false;
	for (i = 0; i < c.h.nent; i++)
		if (c.e[i].function == 1 && c.e[i].index == 0)
			return c.e[i].ecx & (1u << 5);
	return false;
}

/*
 * Host side: a VM with one vCPU in long mode at @l1(@arg), with the
 * device's supported CPUID (VMX included).  Returns 0 or -errno, and on
 * failure leaves nothing behind.
 */
int vmx_l1_vm_create(struct vm *vm, struct vcpu *vcpu,
		     void (*l1)(uint64_t), uint64_t arg)
{
	int r = vm_create(vm);

	if (r)
		return r;
	r = vcpu_add(vm, vcpu, 0);
	if (r) {
		vm_destroy(vm);
		return r;
	}
	r = vcpu_set_supported_cpuid(vcpu);
	if (!r)
		r = vcpu_setup_long(vcpu, l1, arg);
	if (r) {
		vcpu_destroy(vcpu);
		vm_destroy(vm);
	}
	return r;
}
