/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An L1 mini-hypervisor for the nested VMX selftests.
 *
 * Guest code (L1, running in the 64-bit test VM of vm.h) uses these helpers
 * to enter VMX operation, build a VMCS for an L2 guest that shares L1's page
 * tables, GDT and IDT, and run L2 functions of the test binary.  Everything
 * here runs in the guest: no libc, talk to the host with ucalls.
 *
 * SDM references are to the Intel SDM Vol. 3C chapter numbering used by
 * kernel/vmx/vmcs.h: 24 VMX operation, 25 VMCS, 27 VM entries, 28 VM exits,
 * 29 EPT, 31 VMX instruction reference (older editions number each one
 * lower), appendix A capability MSRs, appendix C exit reasons.
 *
 * Guest-physical memory reserved for L1 (identity-mapped like the rest of
 * the 16 MiB test VM; the test binary must end below L1_MEM_BASE, which
 * nested_test checks):
 *   0x800000  VMXON region
 *   0x801000  VMCS regions, L1_VMCS_GPA(0..6)
 *   0x808000  I/O bitmap A     0x809000  I/O bitmap B
 *   0x810000  EPT12 tables: PML4, PDPT, PD, 8 page tables (to 0x81afff)
 *   0x830000  scratch pages for tests (to 0x8bffff)
 *   0x8c0000  L2 stack (to L2_STACK_TOP = 0x900000, growing down)
 *   0x900000  test data pages (to 0x9fffff)
 */
#ifndef HVX_VMX_L1_H
#define HVX_VMX_L1_H

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

#define L1_MEM_BASE		0x800000ull
#define L1_MEM_END		0xa00000ull
#define L1_VMXON_GPA		0x800000ull
#define L1_VMCS_GPA(i)		(0x801000ull + 0x1000ull * (i))
#define L1_IO_BITMAP_A_GPA	0x808000ull
#define L1_IO_BITMAP_B_GPA	0x809000ull
#define L1_EPT_GPA		0x810000ull
#define L1_SCRATCH_GPA		0x830000ull
#define L2_STACK_TOP		0x900000ull
#define L1_DATA_GPA		0x900000ull

/* MSRs (SDM Vol. 4; VMX capability MSRs: SDM appendix A) */
#define MSR_IA32_FEATURE_CONTROL	0x3a
#define  FEATURE_CONTROL_LOCKED		(1ull << 0)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_IA32_SYSENTER_CS		0x174
#define MSR_IA32_SYSENTER_ESP		0x175
#define MSR_IA32_SYSENTER_EIP		0x176
#define MSR_IA32_VMX_BASIC		0x480
#define  VMX_BASIC_TRUE_CTLS		(1ull << 55)
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define  VMX_MISC_VMWRITE_ANY_FIELD	(1ull << 29)
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define  EPT_CAP_WALK4			(1ull << 6)
#define  EPT_CAP_WB			(1ull << 14)
#define  EPT_CAP_2M			(1ull << 16)
#define  EPT_CAP_INVEPT			(1ull << 20)
#define  EPT_CAP_INVEPT_SINGLE		(1ull << 25)
#define  EPT_CAP_INVEPT_ALL		(1ull << 26)
#define  VPID_CAP_INVVPID		(1ull << 32)
#define  VPID_CAP_INVVPID_SINGLE	(1ull << 41)
#define  VPID_CAP_INVVPID_ALL		(1ull << 42)
#define  VPID_CAP_INVVPID_ADDR		(1ull << 40)
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_EFER			0xc0000080

#define X86_CR4_VMXE			(1ull << 13)
#define X86_RFLAGS_CF			(1ull << 0)
#define X86_RFLAGS_ZF			(1ull << 6)
#define X86_RFLAGS_IF			(1ull << 9)

/* VMCS field encodings (SDM appendix B), as in kernel/vmx/vmcs.h */
#define VIRTUAL_PROCESSOR_ID		0x0000
#define GUEST_ES_SELECTOR		0x0800
#define HOST_ES_SELECTOR		0x0c00
#define HOST_CS_SELECTOR		0x0c02
#define HOST_SS_SELECTOR		0x0c04
#define HOST_DS_SELECTOR		0x0c06
#define HOST_FS_SELECTOR		0x0c08
#define HOST_GS_SELECTOR		0x0c0a
#define HOST_TR_SELECTOR		0x0c0c
#define IO_BITMAP_A			0x2000
#define IO_BITMAP_B			0x2002
#define TSC_OFFSET			0x2010
#define EPT_POINTER			0x201a
#define GUEST_PHYSICAL_ADDRESS		0x2400
#define VMCS_LINK_POINTER		0x2800
#define GUEST_IA32_DEBUGCTL		0x2802
#define GUEST_IA32_EFER			0x2806
#define HOST_IA32_EFER			0x2c02
#define PIN_BASED_VM_EXEC_CONTROL	0x4000
#define PIN_EXT_INTR_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)
#define CPU_BASED_VM_EXEC_CONTROL	0x4002
#define EXCEPTION_BITMAP		0x4004
#define PAGE_FAULT_ERROR_CODE_MASK	0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH	0x4008
#define CR3_TARGET_COUNT		0x400a
#define VM_EXIT_CONTROLS		0x400c
#define VM_EXIT_MSR_STORE_ADDR		0x2006
#define VM_EXIT_MSR_LOAD_ADDR		0x2008
#define VM_ENTRY_MSR_LOAD_ADDR		0x200a
#define VM_EXIT_MSR_STORE_COUNT		0x400e
#define VM_EXIT_MSR_LOAD_COUNT		0x4010
#define VM_ENTRY_CONTROLS		0x4012
#define VM_ENTRY_MSR_LOAD_COUNT		0x4014
#define VM_ENTRY_INTR_INFO_FIELD	0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE	0x4018
#define VM_ENTRY_INSTRUCTION_LEN	0x401a
#define SECONDARY_VM_EXEC_CONTROL	0x401e
#define VM_INSTRUCTION_ERROR		0x4400
#define VM_EXIT_REASON			0x4402
#define VM_EXIT_INTR_INFO		0x4404
#define VM_EXIT_INTR_ERROR_CODE		0x4406
#define IDT_VECTORING_INFO_FIELD	0x4408
#define VM_EXIT_INSTRUCTION_LEN		0x440c
#define GUEST_ES_LIMIT			0x4800
#define GUEST_GDTR_LIMIT		0x4810
#define GUEST_IDTR_LIMIT		0x4812
#define GUEST_ES_AR_BYTES		0x4814
#define GUEST_INTERRUPTIBILITY_INFO	0x4824
#define GUEST_ACTIVITY_STATE		0x4826
#define GUEST_SYSENTER_CS		0x482a
#define HOST_IA32_SYSENTER_CS		0x4c00
#define CR0_GUEST_HOST_MASK		0x6000
#define CR4_GUEST_HOST_MASK		0x6002
#define CR0_READ_SHADOW			0x6004
#define CR4_READ_SHADOW			0x6006
#define EXIT_QUALIFICATION		0x6400
#define GUEST_LINEAR_ADDRESS		0x640a
#define GUEST_CR0			0x6800
#define GUEST_CR3			0x6802
#define GUEST_CR4			0x6804
#define GUEST_ES_BASE			0x6806
#define GUEST_GS_BASE			0x6810
#define GUEST_GDTR_BASE			0x6816
#define GUEST_IDTR_BASE			0x6818
#define GUEST_DR7			0x681a
#define GUEST_RSP			0x681c
#define GUEST_RIP			0x681e
#define GUEST_RFLAGS			0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS	0x6822
#define GUEST_SYSENTER_ESP		0x6824
#define GUEST_SYSENTER_EIP		0x6826
#define HOST_CR0			0x6c00
#define HOST_CR3			0x6c02
#define HOST_CR4			0x6c04
#define HOST_FS_BASE			0x6c06
#define HOST_GS_BASE			0x6c08
#define HOST_TR_BASE			0x6c0a
#define HOST_GDTR_BASE			0x6c0c
#define HOST_IDTR_BASE			0x6c0e
#define HOST_IA32_SYSENTER_ESP		0x6c10
#define HOST_IA32_SYSENTER_EIP		0x6c12
#define HOST_RSP			0x6c14
#define HOST_RIP			0x6c16
/* The eight guest segments are laid out every 2 encodings, ES first. */
#define VMCS_SEG(field, i)		((field) + 2 * (i))

/* VM-execution, exit and entry control bits (SDM 25.6-25.8) */
#define CPU_HLT_EXITING			(1u << 7)
#define CPU_UNCOND_IO_EXITING		(1u << 24)
#define CPU_USE_IO_BITMAPS		(1u << 25)
#define CPU_ACTIVATE_SECONDARY		(1u << 31)
#define SEC_ENABLE_EPT			(1u << 1)
#define SEC_ENABLE_VPID			(1u << 5)
#define SEC_SHADOW_VMCS			(1u << 14)
#define EXIT_HOST_ADDR_SPACE_SIZE	(1u << 9)
#define EXIT_SAVE_IA32_EFER		(1u << 20)
#define EXIT_LOAD_IA32_EFER		(1u << 21)
#define ENTRY_IA32E_MODE		(1u << 9)
#define ENTRY_LOAD_IA32_EFER		(1u << 15)

/* Exit reasons (SDM appendix C) */
#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_INVALID_STATE	33
#define EXIT_REASON_MSR_LOAD_FAIL	34
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_FAILED_ENTRY	(1u << 31)

/* Interruption information (SDM 25.8.3, 28.2.2) */
#define INTR_INFO_VALID			(1u << 31)
#define INTR_INFO_DELIVER_CODE		(1u << 11)
#define INTR_TYPE_EXT_INTR		(0u << 8)
#define INTR_TYPE_NMI			(2u << 8)
#define INTR_TYPE_HARD_EXCEPTION	(3u << 8)
#define INTR_TYPE_SOFT_EXCEPTION	(6u << 8)

/* Segment access rights: "unusable" (SDM 25.4.1) */
#define VMX_AR_UNUSABLE			(1u << 16)

/* EPT entries (SDM 29.3.2) and EPTP (SDM 25.6.11) */
#define EPT_R				(1ull << 0)
#define EPT_W				(1ull << 1)
#define EPT_X				(1ull << 2)
#define EPT_RWX				(EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB			(6ull << 3)
#define EPT_LARGE			(1ull << 7)
#define EPTP_WB_WALK4			(6ull | 3ull << 3)

/* INVEPT / INVVPID types (SDM 31.3) */
#define INVEPT_SINGLE			1
#define INVEPT_ALL			2
#define INVVPID_SINGLE			1
#define INVVPID_ALL			2

/* RAX of the VMCALL an L2 function makes when it returns ("L2DONE"). */
#define L2_DONE_MAGIC			0x4c32444f4e45ull

/* Outcome of a VMX instruction (SDM 31.2): VMsucceed, VMfailInvalid, VMfailValid */
enum vmx_result { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

/* What L1 learnt from CPUID and the capability MSRs (vmx_l1_read_caps). */
struct vmx_caps {
	uint64_t basic, misc, proc2, ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t revision;
	/* The control MSRs to obey: the TRUE_ ones when BASIC bit 55 is 1 */
	uint32_t pin_msr, proc_msr, exit_msr, entry_msr;
};
extern struct vmx_caps vmx_caps;

/* L2's GPRs while L1 runs (RSP lives in the VMCS); offsets used by asm. */
struct vmx_l2_regs {
	uint64_t rax, rcx, rdx, rbx, rsp_unused, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t host_rsp;	/* last HOST_RSP written; 0 forces a write */
};

struct vmx_l2 {
	struct vmx_l2_regs regs;
	uint64_t vmcs_gpa;
	uint64_t eptp;		/* 0 without EPT */
	uint16_t vpid;		/* 0 without VPID */
	bool launched;
	uint32_t exit_reason;	/* from the last vmx_l2_run() */
};

/* vmx_l2_setup() options */
#define L2_EPT		(1u << 0)
#define L2_VPID		(1u << 1)

/* ---- VMX instructions: each returns an enum vmx_result ---- */
static inline int vmx_outcome(bool cf, bool zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

static inline int vmxon(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmxon %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa) : "memory");
	return vmx_outcome(cf, zf);
}

static inline int vmxoff(void)
{
	bool cf, zf;

	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return vmx_outcome(cf, zf);
}

static inline int vmclear(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmclear %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa) : "memory");
	return vmx_outcome(cf, zf);
}

static inline int vmptrld(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa) : "memory");
	return vmx_outcome(cf, zf);
}

static inline uint64_t vmptrst(void)
{
	uint64_t pa;

	__asm__ volatile("vmptrst %[pa]" : [pa] "=m"(pa) : : "memory");
	return pa;
}

static inline int vmread(uint64_t field, uint64_t *val)
{
	uint64_t v = 0;
	bool cf, zf;

	__asm__ volatile("vmread %[f], %[v]"
			 : [v] "+r"(v), "=@ccc"(cf), "=@ccz"(zf)
			 : [f] "r"(field) : "memory");
	*val = v;
	return vmx_outcome(cf, zf);
}

static inline int vmwrite(uint64_t field, uint64_t val)
{
	bool cf, zf;

	__asm__ volatile("vmwrite %[v], %[f]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [v] "r"(val), [f] "r"(field) : "memory");
	return vmx_outcome(cf, zf);
}

/* VMREAD that returns the value (0 when the read fails). */
static inline uint64_t vmreadz(uint64_t field)
{
	uint64_t v;

	return vmread(field, &v) == VMX_OK ? v : 0;
}

/* The VM-instruction error field after a VMfailValid (SDM 31.4). */
static inline uint64_t vmx_insn_error(void)
{
	return vmreadz(VM_INSTRUCTION_ERROR);
}

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	bool cf, zf;

	__asm__ volatile("invept %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [d] "m"(desc), [t] "r"(type) : "memory");
	return vmx_outcome(cf, zf);
}

/* INVVPID with the descriptor's first quadword as given: VPID, reserved */
static inline int invvpid_desc(uint64_t type, uint64_t lo, uint64_t gla)
{
	struct { uint64_t lo, gla; } desc = { lo, gla };
	bool cf, zf;

	__asm__ volatile("invvpid %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [d] "m"(desc), [t] "r"(type) : "memory");
	return vmx_outcome(cf, zf);
}

static inline int invvpid(uint64_t type, uint16_t vpid, uint64_t gla)
{
	return invvpid_desc(type, vpid, gla);
}

static inline uint64_t l1_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

uint64_t l1_read_cr0(void);
uint64_t l1_read_cr4(void);
void l1_write_cr4(uint64_t v);

/* ---- Enabling VMX (SDM 24.7, 24.8) ---- */
/* CPUID and the capability MSRs into vmx_caps; false without VMX. */
bool vmx_l1_read_caps(void);
/* Allowed-0/allowed-1 adjustment of @want against control MSR @msr. */
uint32_t vmx_ctl(uint32_t msr, uint32_t want);
/* True when every bit of @bits may be 1 in control MSR @msr. */
bool vmx_ctl_allows(uint32_t msr, uint32_t bits);
/* Zero the 4 KiB region at @gpa and write @revision at its start. */
void vmx_region_init(uint64_t gpa, uint32_t revision);
/*
 * Lock IA32_FEATURE_CONTROL if it is not, apply the CR0/CR4 fixed bits,
 * set CR4.VMXE and VMXON on L1_VMXON_GPA.  Returns an enum vmx_result,
 * or -1 when VMX is not offered / not enabled by IA32_FEATURE_CONTROL.
 */
int vmx_l1_enable(void);
/* VMXOFF, then clear CR4.VMXE. */
int vmx_l1_disable(void);

/* ---- An L2 guest ---- */
/*
 * Initialise the VMCS at @vmcs_gpa (revision, VMCLEAR, VMPTRLD) and fill it
 * for an L2 in 64-bit mode with L1's CR0/CR3/CR4, GDT, IDT and segments,
 * RFLAGS.IF=1, HLT and I/O-bitmap exiting (no port set), host state = L1's
 * current state with the exit trampoline, plus EPT (identity EPT12 from
 * ept12_build()) and/or VPID 1 as @flags ask.  L2 starts in @fn(@arg) on
 * L2_STACK_TOP; when @fn returns, L2 makes a VMCALL with RAX=L2_DONE_MAGIC.
 * Returns 0, an enum vmx_result of VMCLEAR/VMPTRLD, or -1 when a control
 * is not offered / a VMWRITE failed (field in vmx_setup_bad_field).
 */
int vmx_l2_setup(struct vmx_l2 *l2, uint64_t vmcs_gpa,
		 void (*fn)(uint64_t), uint64_t arg, unsigned int flags);
extern uint64_t vmx_setup_bad_field;
/* Point L2 at @fn(@arg) with a fresh stack (GUEST_RIP/RSP, RDI). */
int vmx_l2_set_entry(struct vmx_l2 *l2, void (*fn)(uint64_t), uint64_t arg);
/* Set the I/O-bitmap bit of @port: L2's accesses to it exit to L1. */
void vmx_io_intercept(uint16_t port, bool on);

/*
 * Enter L2 with VMLAUNCH (@launch) or VMRESUME; returns VMX_OK after a VM
 * exit (including a VM-entry failure exit, reason bit 31) with L2's GPRs in
 * l2->regs, or the VMfail outcome.  HOST_RSP is written here when it changed.
 */
int vmx_enter(struct vmx_l2 *l2, bool launch);
/* VMLAUNCH or VMRESUME as l2->launched says; reads l2->exit_reason. */
int vmx_l2_run(struct vmx_l2 *l2);
/* GUEST_RIP += VM-exit instruction length. */
void vmx_l2_skip_insn(struct vmx_l2 *l2);
/* The last exit was the VMCALL of a returning L2 function. */
bool vmx_l2_done(struct vmx_l2 *l2);
/*
 * Run L2 until its function returns (0), @handler returns false (1) or an
 * entry fails (-enum vmx_result).  Exits other than L2's ucalls (port
 * UCALL_PORT, forwarded to the host when the I/O bitmap is not used) go to
 * @handler, which is expected to advance RIP itself.
 */
int vmx_l2_loop(struct vmx_l2 *l2,
		bool (*handler)(struct vmx_l2 *l2, void *ctx), void *ctx);

/* ---- EPT12 for L2 (SDM 29.3) ---- */
/*
 * Identity EPT12 for the first VM_MEM_SIZE bytes at L1_EPT_GPA: 4 KiB pages
 * in the 2 MiB regions of L1_MEM_BASE..L1_MEM_END, 2 MiB pages elsewhere
 * when offered.  Returns the EPTP (WB, 4-level walk).
 */
uint64_t ept12_build(void);
/* Map L2-physical page @gpa to @pa with @prot (EPT_R/W/X; 0 unmaps). */
int ept12_map(uint64_t gpa, uint64_t pa, uint64_t prot);

/* ---- Reporting to the host ---- */
void l1_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3);
/* Set before an UCALL_ASSERT from L1_ASSERT_EQ: the expected value. */
extern volatile uint64_t l1_assert_want;
/*
 * UCALL_ASSERT with args file, line, expression text and the value seen;
 * the expected one in l1_assert_want.  Execution continues: the host ends
 * the case at the first assertion.
 */
#define L1_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);	\
		if (_a != _b) {						\
			l1_assert_want = _b;				\
			l1_ucall(UCALL_ASSERT,				\
				 (uint64_t)(uintptr_t)__FILE__,		\
				 __LINE__,				\
				 (uint64_t)(uintptr_t)(#a " == " #b),	\
				 _a);					\
		}							\
	} while (0)

/* Host side: does the device (fd of /dev/hvx or /dev/kvm) offer VMX? */
bool vmx_l1_offered(int fd);

int vmx_l1_vm_create(struct vm *vm, struct vcpu *vcpu,
		     void (*l1)(uint64_t), uint64_t arg);

#endif /* HVX_VMX_L1_H */
