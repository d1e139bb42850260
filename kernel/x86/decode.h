/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction decoder and MMIO operand emulation.
 *
 * hvx decodes guest instructions for three reasons: to emulate a load or
 * store that hit guest-physical memory outside every memslot (MMIO, done by
 * userspace), to learn an instruction's length on AMD CPUs without NRIP
 * save, and to find the operands of MOV CR and INVLPG without SVM decode
 * assists.  The decoder is complete for lengths (legacy, VEX, EVEX and XOP
 * encodings); the MMIO emulation covers the forms compilers and drivers use
 * on device memory.
 *
 * Pure logic: no hardware access, no kernel services.  This file and
 * decode.c also compile in userspace, where selftests/unit tests them.
 */
#ifndef HVX_X86_DECODE_H
#define HVX_X86_DECODE_H

#include <linux/types.h>

/* An instruction longer than 15 bytes raises #GP (SDM Vol. 2A 2.1). */
#define HVX_INSN_MAX_LEN	15

/**
 * enum hvx_cpu_mode - the execution mode an instruction is decoded in
 * @HVX_MODE_REAL:   real mode and virtual-8086 mode (CR0.PE=0, or
 *		     RFLAGS.VM=1): 16-bit operands and addresses, no VEX.
 * @HVX_MODE_PROT16: protected mode, or compatibility mode, with CS.D=0.
 * @HVX_MODE_PROT32: protected mode, or compatibility mode, with CS.D=1.
 * @HVX_MODE_LONG64: 64-bit mode (EFER.LMA=1 and CS.L=1).
 */
enum hvx_cpu_mode {
	HVX_MODE_REAL,
	HVX_MODE_PROT16,
	HVX_MODE_PROT32,
	HVX_MODE_LONG64,
};

/* struct hvx_insn.enc: how the opcode was encoded */
enum hvx_insn_enc {
	HVX_ENC_LEGACY,		/* optional 0F / 0F 38 / 0F 3A escape */
	HVX_ENC_VEX,		/* C4 or C5 */
	HVX_ENC_EVEX,		/* 62 in 64-bit mode, or before mod=3 */
	HVX_ENC_XOP,		/* AMD 8F with ModRM.reg != 0 */
};

/*
 * struct hvx_insn.map: the opcode map.  VEX and EVEX name maps 1-3 (and
 * EVEX 5-6) by the same numbers, XOP names its maps 8-10.
 */
#define HVX_MAP_1BYTE		0
#define HVX_MAP_0F		1
#define HVX_MAP_0F38		2
#define HVX_MAP_0F3A		3

/*
 * struct hvx_insn.opcode: the opcode byte tagged with its map, spelled as
 * the escape bytes read: 0x00xx one-byte map, 0x0Fxx for 0F xx, 0x38xx for
 * 0F 38 xx, 0x3Axx for 0F 3A xx.  VEX/EVEX/XOP opcodes use the same tags
 * for maps 1-3 and (map << 8) | byte for the others.
 */
#define HVX_OPC_1B(b)		((u16)(b))
#define HVX_OPC_0F(b)		((u16)(0x0f00 | (b)))
#define HVX_OPC_0F38(b)		((u16)(0x3800 | (b)))
#define HVX_OPC_0F3A(b)		((u16)(0x3a00 | (b)))

/* Segment register numbers, as in ModRM.reg of MOV Sreg and in the SDM. */
#define HVX_SEG_ES		0
#define HVX_SEG_CS		1
#define HVX_SEG_SS		2
#define HVX_SEG_DS		3
#define HVX_SEG_FS		4
#define HVX_SEG_GS		5

/* General-purpose register numbers: the hardware order, as in regs[]. */
#define HVX_REG_RAX		0
#define HVX_REG_RCX		1
#define HVX_REG_RDX		2
#define HVX_REG_RBX		3
#define HVX_REG_RSP		4
#define HVX_REG_RBP		5
#define HVX_REG_RSI		6
#define HVX_REG_RDI		7
#define HVX_REG_NONE		0xff	/* no base or index register */

/* REX bits (SDM Vol. 2A 2.2.1) */
#define HVX_REX_B		0x01
#define HVX_REX_X		0x02
#define HVX_REX_R		0x04
#define HVX_REX_W		0x08

/**
 * struct hvx_insn - one decoded instruction
 * @len:	    total length in bytes, prefixes included.
 * @mode:	    the &enum hvx_cpu_mode it was decoded in.
 * @opsize:	    operand-size attribute in bytes (2, 4 or 8), after 66,
 *		    REX.W/VEX.W and the 64-bit defaults of stack operations
 *		    and near branches.  Byte-sized opcodes keep the
 *		    attribute; their operand is still one byte.
 * @addrsize:	    address-size attribute in bytes (2, 4 or 8), after 67.
 * @opsize_prefix:  a 66 prefix was present.
 * @addrsize_prefix: a 67 prefix was present.
 * @rep:	    F3 was the last of the F2/F3 prefixes.
 * @repne:	    F2 was the last of the F2/F3 prefixes.
 * @lock:	    F0 was present (the decoder rejects it where it is #UD).
 * @seg_override:   HVX_SEG_* of the last segment prefix, or -1.  In 64-bit
 *		    mode the ES/CS/SS/DS prefixes are ignored (SDM Vol. 1
 *		    3.7.4.1).
 * @rex:	    the REX prefix in effect (0x40-0x4f), or 0.  A REX that
 *		    is followed by another prefix is ignored, as the CPU
 *		    does.  For VEX/EVEX/XOP in 64-bit mode, the REX that
 *		    their inverted R/X/B/W bits stand for.
 * @enc:	    &enum hvx_insn_enc.
 * @map:	    HVX_MAP_* or the VEX/EVEX/XOP map number.
 * @opcode:	    see HVX_OPC_*().
 * @vex_vvvv:	    VEX/EVEX/XOP: the extra register operand (un-inverted;
 *		    EVEX's fifth bit V' is not included).
 * @vex_l:	    VEX/XOP: L; EVEX: L'L.
 * @vex_pp:	    VEX/EVEX/XOP: the implied prefix (0 none, 1 66, 2 F3,
 *		    3 F2).
 * @has_modrm:	    a ModRM byte is present.
 * @modrm:	    the raw ModRM byte.
 * @mod:	    ModRM.mod.  MOV to/from CR/DR ignore the field and
 *		    always name a register (SDM "MOV—Move to/from Control
 *		    Registers"): @mod is 3 for them.
 * @reg:	    ModRM.reg extended by REX.R (0-15).  For MOV CR with the
 *		    LOCK prefix (AMD's alternative encoding of CR8 outside
 *		    64-bit mode, APM Vol. 3 "MOV CRn") this is 8 + reg.
 * @rm:		    ModRM.rm extended by REX.B (0-15): the register when
 *		    @mod is 3.
 * @has_sib:	    a SIB byte is present.
 * @scale:	    log2 of the index scale factor (0-3).
 * @index:	    index register of the effective address, or HVX_REG_NONE.
 * @base:	    base register of the effective address, or HVX_REG_NONE.
 *		    With 16-bit addressing @base/@index are the ModRM.rm
 *		    pair (BX+SI, BP+DI, ...) although there is no SIB byte.
 * @dispsize:	    bytes of displacement (0, 1, 2 or 4).
 * @disp:	    the displacement, sign-extended.  EVEX's compressed
 *		    disp8*N is given unscaled.
 * @rip_relative:   64-bit mode, mod=0 rm=5 without SIB: RIP + disp32.
 * @immsize:	    bytes of the first immediate (0, 1, 2, 4 or 8); for
 *		    A0-A3 the moffs address, for far pointers the offset.
 * @imm:	    the first immediate, zero-extended (sign-extend it where
 *		    the instruction does).
 * @imm2size:	    bytes of a second immediate: ENTER's nesting level,
 *		    a far pointer's selector, EXTRQ/INSERTQ's index.
 * @imm2:	    the second immediate, zero-extended.
 */
struct hvx_insn {
	u8 len;
	u8 mode;
	u8 opsize;
	u8 addrsize;
	bool opsize_prefix;
	bool addrsize_prefix;
	bool rep;
	bool repne;
	bool lock;
	s8 seg_override;
	u8 rex;
	u8 enc;
	u8 map;
	u16 opcode;
	u8 vex_vvvv;
	u8 vex_l;
	u8 vex_pp;
	bool has_modrm;
	u8 modrm;
	u8 mod;
	u8 reg;
	u8 rm;
	bool has_sib;
	u8 scale;
	u8 index;
	u8 base;
	u8 dispsize;
	s64 disp;
	bool rip_relative;
	u8 immsize;
	u64 imm;
	u8 imm2size;
	u16 imm2;
};

int hvx_decode(const u8 *bytes, unsigned int avail, enum hvx_cpu_mode mode,
	       struct hvx_insn *insn);

bool hvx_insn_has_mem(const struct hvx_insn *insn);
int hvx_insn_seg(const struct hvx_insn *insn);
u64 hvx_insn_ea(const struct hvx_insn *insn, const u64 regs[16],
		u64 next_rip);

/**
 * struct hvx_mmio_op - the memory access an instruction makes
 * @read:	 the operand is read (first, when @write is also set).
 * @write:	 the operand is written.
 * @size:	 access size in bytes (1, 2, 4 or 8).
 * @write_value: for a write whose value does not depend on the read (MOV,
 *		 STOS, XCHG), the value, zero-extended.  For arithmetic
 *		 read-modify-write, obtain it from hvx_mmio_rmw().
 */
struct hvx_mmio_op {
	bool read;
	bool write;
	u8 size;
	u64 write_value;
};

int hvx_mmio_plan(const struct hvx_insn *insn, const u64 regs[16],
		  struct hvx_mmio_op *op);
int hvx_mmio_rmw(const struct hvx_insn *insn, const u64 regs[16],
		 u64 rflags, u64 read_value, u64 *write_value);
int hvx_mmio_finish(const struct hvx_insn *insn, u64 regs[16], u64 *rflags,
		    u64 read_value);

#endif /* HVX_X86_DECODE_H */
