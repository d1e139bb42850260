/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMCB: layout, intercept bits, exit codes and event encodings, from
 * the AMD APM Vol. 2, appendix B and chapter 15, in one place.  The layout
 * is frozen by the offset checks in svm.c.
 */
#ifndef HVX_SVM_VMCB_H
#define HVX_SVM_VMCB_H

#include <linux/types.h>

/* A segment in the state-save area (APM B.2) */
struct vmcb_seg {
	u16 selector;
	u16 attrib;		/* access byte 7:0, then AVL L DB G in 11:8 */
	u32 limit;
	u64 base;
} __packed;

/* Control area, 0x000-0x3ff (APM table B-1) */
struct vmcb_control {
	u32 intercept_cr;	/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;	/* 0x004: reads 15:0, writes 31:16 */
	u32 intercept_exceptions; /* 0x008 */
	u32 intercept_misc1;	/* 0x00c */
	u32 intercept_misc2;	/* 0x010 */
	u32 intercept_misc3;	/* 0x014 */
	u8 reserved_1[0x3c - 0x18];
	u16 pause_filter_thresh; /* 0x03c */
	u16 pause_filter_count;	/* 0x03e */
	u64 iopm_base_pa;	/* 0x040 */
	u64 msrpm_base_pa;	/* 0x048 */
	u64 tsc_offset;		/* 0x050 */
	u32 asid;		/* 0x058 */
	u8 tlb_control;		/* 0x05c */
	u8 reserved_2[3];
	u32 int_ctl;		/* 0x060 */
	u32 int_vector;		/* 0x064 */
	u32 int_state;		/* 0x068 */
	u8 reserved_3[4];
	u64 exit_code;		/* 0x070 */
	u64 exit_info_1;	/* 0x078 */
	u64 exit_info_2;	/* 0x080 */
	u32 exit_int_info;	/* 0x088 */
	u32 exit_int_info_err;	/* 0x08c */
	u64 nested_ctl;		/* 0x090 */
	u64 avic_apic_bar;	/* 0x098 */
	u64 ghcb_gpa;		/* 0x0a0 */
	u32 event_inj;		/* 0x0a8 */
	u32 event_inj_err;	/* 0x0ac */
	u64 nested_cr3;		/* 0x0b0 */
	u64 virt_ext;		/* 0x0b8 */
	u32 clean;		/* 0x0c0 */
	u32 reserved_4;
	u64 next_rip;		/* 0x0c8 */
	u8 insn_len;		/* 0x0d0 */
	u8 insn_bytes[15];
	u8 reserved_5[0x400 - 0xe0];
} __packed;

/* State-save area, from 0x400 (APM table B-2) */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	u8 reserved_1[0xcb - 0xa0];
	u8 cpl;			/* 0x4cb */
	u32 reserved_2;
	u64 efer;		/* 0x4d0 */
	u8 reserved_3[0x148 - 0xd8];
	u64 cr4;		/* 0x548 */
	u64 cr3;		/* 0x550 */
	u64 cr0;		/* 0x558 */
	u64 dr7;		/* 0x560 */
	u64 dr6;		/* 0x568 */
	u64 rflags;		/* 0x570 */
	u64 rip;		/* 0x578 */
	u8 reserved_4[0x1d8 - 0x180];
	u64 rsp;		/* 0x5d8 */
	u8 reserved_5[0x1f8 - 0x1e0];
	u64 rax;		/* 0x5f8 */
	u64 star;		/* 0x600 */
	u64 lstar;		/* 0x608 */
	u64 cstar;		/* 0x610 */
	u64 sfmask;		/* 0x618 */
	u64 kernel_gs_base;	/* 0x620 */
	u64 sysenter_cs;	/* 0x628 */
	u64 sysenter_esp;	/* 0x630 */
	u64 sysenter_eip;	/* 0x638 */
	u64 cr2;		/* 0x640 */
	u8 reserved_6[0x268 - 0x248];
	u64 g_pat;		/* 0x668 */
	u64 dbgctl;		/* 0x670 */
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

/* intercept_misc1 (APM B-1, offset 0x00c) */
#define SVM_INTERCEPT_INTR		BIT(0)
#define SVM_INTERCEPT_NMI		BIT(1)
#define SVM_INTERCEPT_SMI		BIT(2)
#define SVM_INTERCEPT_INIT		BIT(3)
#define SVM_INTERCEPT_VINTR		BIT(4)
#define SVM_INTERCEPT_RDPMC		BIT(15)
#define SVM_INTERCEPT_CPUID		BIT(18)
#define SVM_INTERCEPT_RSM		BIT(19)
#define SVM_INTERCEPT_IRET		BIT(20)
#define SVM_INTERCEPT_INVD		BIT(22)
#define SVM_INTERCEPT_HLT		BIT(24)
#define SVM_INTERCEPT_INVLPGA		BIT(26)
#define SVM_INTERCEPT_IOIO		BIT(27)
#define SVM_INTERCEPT_MSR		BIT(28)
#define SVM_INTERCEPT_TASK_SWITCH	BIT(29)
#define SVM_INTERCEPT_SHUTDOWN		BIT(31)

/* intercept_misc2 (offset 0x010) */
#define SVM_INTERCEPT_VMRUN		BIT(0)
#define SVM_INTERCEPT_VMMCALL		BIT(1)
#define SVM_INTERCEPT_VMLOAD		BIT(2)
#define SVM_INTERCEPT_VMSAVE		BIT(3)
#define SVM_INTERCEPT_STGI		BIT(4)
#define SVM_INTERCEPT_CLGI		BIT(5)
#define SVM_INTERCEPT_SKINIT		BIT(6)
#define SVM_INTERCEPT_RDTSCP		BIT(7)
#define SVM_INTERCEPT_WBINVD		BIT(9)
#define SVM_INTERCEPT_MONITOR		BIT(10)
#define SVM_INTERCEPT_MWAIT		BIT(11)
#define SVM_INTERCEPT_MWAIT_COND	BIT(12)
#define SVM_INTERCEPT_XSETBV		BIT(13)
#define SVM_INTERCEPT_RDPRU		BIT(14)

/* int_ctl (offset 0x060) */
#define SVM_V_TPR_MASK			0xff
#define SVM_V_IRQ			BIT(8)
#define SVM_V_INTR_PRIO_SHIFT		16
#define SVM_V_IGN_TPR			BIT(20)
#define SVM_V_INTR_MASKING		BIT(24)

/* int_state (offset 0x068) */
#define SVM_INTERRUPT_SHADOW		BIT(0)

/* nested_ctl (offset 0x090) */
#define SVM_NESTED_CTL_NP_ENABLE	BIT(0)

/* tlb_control (offset 0x05c, APM 15.16.1) */
#define SVM_TLB_CONTROL_NONE		0
#define SVM_TLB_CONTROL_FLUSH_ALL	1
#define SVM_TLB_CONTROL_FLUSH_ASID	3

/* EVENTINJ and EXITINTINFO (APM 15.20) */
#define SVM_EVT_VECTOR_MASK		0xff
#define SVM_EVT_TYPE_SHIFT		8
#define SVM_EVT_TYPE_MASK		(7u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_INTR		(0u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_NMI		(2u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_EXEPT		(3u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_SOFT		(4u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_VALID_ERR		BIT(11)
#define SVM_EVT_VALID			BIT(31)

/* Exit codes (APM appendix C) */
#define SVM_EXIT_READ_CR0		0x000
#define SVM_EXIT_WRITE_CR0		0x010
#define SVM_EXIT_READ_DR0		0x020
#define SVM_EXIT_WRITE_DR0		0x030
#define SVM_EXIT_EXCP_BASE		0x040
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_RSM			0x073
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_TASK_SWITCH		0x07d
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_WBINVD			0x089
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_RDPRU			0x08e
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_INVALID		((u64)-1)

/* IOIO exit information 1 (APM 15.10.2) */
#define SVM_IOIO_TYPE_IN		BIT(0)
#define SVM_IOIO_STR			BIT(2)
#define SVM_IOIO_REP			BIT(3)
#define SVM_IOIO_SIZE_SHIFT		4
#define SVM_IOIO_SIZE_MASK		(7u << SVM_IOIO_SIZE_SHIFT)
#define SVM_IOIO_PORT_SHIFT		16

/* Nested page fault exit information 1: the #PF error code bits */
#define SVM_NPF_WRITE			BIT(1)
#define SVM_NPF_FETCH			BIT(4)

/* IOPM and MSRPM sizes (APM 15.10.1, 15.11) */
#define SVM_IOPM_SIZE			(3 * 4096)
#define SVM_MSRPM_SIZE			(2 * 4096)

#endif /* HVX_SVM_VMCB_H */
