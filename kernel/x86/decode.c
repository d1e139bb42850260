// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 instruction decoder and MMIO operand emulation; see decode.h.
 *
 * Instruction format: SDM Vol. 2A chapter 2 (prefixes, REX, ModRM, SIB,
 * displacement, immediate; VEX in 2.3, EVEX in 2.7), the opcode maps of
 * SDM Vol. 2D appendix A, and AMD APM Vol. 3 chapter 1 and appendix A for
 * XOP and the AMD-only opcodes.  Pure logic, also built and unit-tested in
 * userspace (selftests/unit).
 */
#include <linux/errno.h>
#include <linux/types.h>

#include "decode.h"

/*
 * Per-opcode attributes.  The immediate kind is a small number; the rest
 * are flags.  Opcode letters follow the SDM's operand codes: Ib, Iw, Iz
 * (16 or 32 bits), Iv (16, 32 or 64 bits), Ap (far pointer), O (moffs).
 */
#define A_M		0x0001	/* ModRM (SIB, disp) follows */
#define A_IMM_SHIFT	1
#define A_IMM_MASK	(0xf << A_IMM_SHIFT)
#define A_IB		(1 << A_IMM_SHIFT)
#define A_IW		(2 << A_IMM_SHIFT)
#define A_IZ		(3 << A_IMM_SHIFT)
#define A_IV		(4 << A_IMM_SHIFT)
#define A_MOFFS		(5 << A_IMM_SHIFT)
#define A_FAR		(6 << A_IMM_SHIFT)	/* offset, selector */
#define A_ENTER		(7 << A_IMM_SHIFT)	/* Iw, Ib */
#define A_IBIB		(8 << A_IMM_SHIFT)	/* Ib, Ib: SSE4a */
#define A_ID		(9 << A_IMM_SHIFT)	/* Id: XOP map 10 */
#define A_INV64		0x0020	/* #UD in 64-bit mode */
#define A_D64		0x0040	/* 64-bit operands by default */
#define A_F64		0x0080	/* 64-bit operands, 66 ignored */
#define A_UD		0x0100	/* undefined opcode */
#define A_MODREG	0x0200	/* ModRM.mod ignored: a register */

#define ALU_ROW(x)							\
	[(x) + 0 ... (x) + 3] = A_M, [(x) + 4] = A_IB, [(x) + 5] = A_IZ

/*
 * One-byte opcode map (SDM Vol. 2D Table A-2).  The prefix bytes and the
 * 0F escape never index this table; VEX/EVEX/XOP (C4, C5, 62, 8F) are
 * told apart from LES, LDS, BOUND and POP before it is consulted.
 */
static const u16 op_1b[256] = {
	ALU_ROW(0x00), [0x06 ... 0x07] = A_INV64,
	ALU_ROW(0x08), [0x0e] = A_INV64,
	ALU_ROW(0x10), [0x16 ... 0x17] = A_INV64,
	ALU_ROW(0x18), [0x1e ... 0x1f] = A_INV64,
	ALU_ROW(0x20), [0x27] = A_INV64,
	ALU_ROW(0x28), [0x2f] = A_INV64,
	ALU_ROW(0x30), [0x37] = A_INV64,
	ALU_ROW(0x38), [0x3f] = A_INV64,
	/* 40-4F: INC/DEC outside 64-bit mode (REX inside): no attributes */
	[0x50 ... 0x5f] = A_D64,
	[0x60 ... 0x61] = A_INV64,
	[0x62] = A_M | A_INV64,			/* BOUND */
	[0x63] = A_M,				/* ARPL, or MOVSXD */
	[0x68] = A_IZ | A_D64, [0x69] = A_M | A_IZ,
	[0x6a] = A_IB | A_D64, [0x6b] = A_M | A_IB,
	[0x70 ... 0x7f] = A_IB | A_F64,		/* Jcc rel8 */
	[0x80] = A_M | A_IB, [0x81] = A_M | A_IZ,
	[0x82] = A_M | A_IB | A_INV64, [0x83] = A_M | A_IB,
	[0x84 ... 0x8e] = A_M,
	[0x8f] = A_M | A_D64,			/* POP Ev */
	[0x9a] = A_FAR | A_INV64,		/* CALLF Ap */
	[0x9c ... 0x9d] = A_D64,		/* PUSHF, POPF */
	[0xa0 ... 0xa3] = A_MOFFS,
	[0xa8] = A_IB, [0xa9] = A_IZ,
	[0xb0 ... 0xb7] = A_IB,
	[0xb8 ... 0xbf] = A_IV,
	[0xc0 ... 0xc1] = A_M | A_IB,
	[0xc2] = A_IW | A_F64, [0xc3] = A_F64,
	[0xc4 ... 0xc5] = A_M | A_INV64,	/* LES, LDS */
	[0xc6] = A_M | A_IB, [0xc7] = A_M | A_IZ,
	[0xc8] = A_ENTER | A_D64, [0xc9] = A_D64,
	[0xca] = A_IW, [0xcd] = A_IB, [0xce] = A_INV64,
	[0xd0 ... 0xd3] = A_M,
	[0xd4 ... 0xd5] = A_IB | A_INV64,	/* AAM, AAD */
	[0xd6] = A_UD,				/* SALC: reserved */
	[0xd8 ... 0xdf] = A_M,			/* x87 */
	[0xe0 ... 0xe3] = A_IB | A_F64,		/* LOOPcc, JrCXZ */
	[0xe4 ... 0xe7] = A_IB,			/* IN/OUT imm8 */
	[0xe8 ... 0xe9] = A_IZ | A_F64,		/* CALL/JMP rel */
	[0xea] = A_FAR | A_INV64, [0xeb] = A_IB | A_F64,
	[0xf6 ... 0xf7] = A_M,			/* group 3 */
	[0xfe ... 0xff] = A_M,
};

/* Two-byte opcode map, 0F xx (SDM Vol. 2D Table A-3). */
static const u16 op_0f[256] = {
	[0x00 ... 0x03] = A_M,
	[0x04] = A_UD, [0x0a] = A_UD, [0x0c] = A_UD,
	[0x0d] = A_M,				/* PREFETCH group / NOP */
	[0x0f] = A_M | A_IB,			/* 3DNow!: opcode in imm8 */
	[0x10 ... 0x1f] = A_M,
	[0x20 ... 0x23] = A_M | A_MODREG,	/* MOV CR/DR */
	[0x24 ... 0x27] = A_UD,			/* MOV TR: gone in P6 */
	[0x28 ... 0x2f] = A_M,
	[0x36] = A_UD, [0x39] = A_UD, [0x3b ... 0x3f] = A_UD,
	[0x40 ... 0x6f] = A_M,
	[0x70 ... 0x73] = A_M | A_IB,
	[0x74 ... 0x76] = A_M,
	[0x78 ... 0x79] = A_M,			/* VMREAD/WRITE, SSE4a */
	[0x7a ... 0x7b] = A_UD,
	[0x7c ... 0x7f] = A_M,
	[0x80 ... 0x8f] = A_IZ | A_F64,		/* Jcc rel16/32 */
	[0x90 ... 0x9f] = A_M,			/* SETcc */
	[0xa0 ... 0xa1] = A_D64, [0xa3] = A_M,
	[0xa4] = A_M | A_IB, [0xa5] = A_M,
	[0xa6 ... 0xa7] = A_M,			/* VIA PadLock (mod=3) */
	[0xa8 ... 0xa9] = A_D64,
	[0xab] = A_M, [0xac] = A_M | A_IB, [0xad ... 0xaf] = A_M,
	[0xb0 ... 0xb9] = A_M,
	[0xba] = A_M | A_IB,
	[0xbb ... 0xc1] = A_M,
	[0xc2] = A_M | A_IB, [0xc3] = A_M,
	[0xc4 ... 0xc6] = A_M | A_IB, [0xc7] = A_M,
	/* C8-CF: BSWAP */
	[0xd0 ... 0xff] = A_M,
};

/* Cursor over the bytes fetched at the guest's RIP. */
struct dcur {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
};

/*
 * The 15-byte limit is checked before availability, so that a run of
 * prefixes is reported as -EINVAL as soon as it is too long, and a caller
 * that fetched fewer bytes is asked for more only while the instruction
 * can still be legal.
 */
static int peek(const struct dcur *c, unsigned int ahead, u8 *b)
{
	unsigned int pos = c->pos + ahead;

	if (pos >= HVX_INSN_MAX_LEN)
		return -EINVAL;
	if (pos >= c->avail)
		return -EAGAIN;
	*b = c->bytes[pos];
	return 0;
}

static int fetch(struct dcur *c, u8 *b)
{
	int ret = peek(c, 0, b);

	if (!ret)
		c->pos++;
	return ret;
}

/* Immediates and displacements are little-endian. */
static int fetch_le(struct dcur *c, unsigned int size, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	u8 b;
	int ret;

	for (i = 0; i < size; i++) {
		ret = fetch(c, &b);
		if (ret)
			return ret;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return 0;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 sign_extend(u64 v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (u64)((s64)(v << shift) >> shift);
}

/*
 * Legacy prefixes and REX (SDM Vol. 2A 2.1.1, 2.2.1).  Prefixes may repeat
 * and come in any order; the last one of a group wins.  A REX prefix only
 * counts when it immediately precedes the opcode: one followed by a legacy
 * prefix is ignored (2.2.1, "REX prefixes ... are ignored if not
 * immediately preceding the opcode").  Returns the first opcode byte.
 */
static int decode_prefixes(struct dcur *c, struct hvx_insn *insn, u8 *op)
{
	bool long64 = insn->mode == HVX_MODE_LONG64;
	u8 b;
	int ret;

	for (;;) {
		ret = fetch(c, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2:
			insn->repne = true;
			insn->rep = false;
			break;
		case 0xf3:
			insn->rep = true;
			insn->repne = false;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* no effect in 64-bit mode (SDM Vol. 1 3.7.4.1) */
			if (!long64)
				insn->seg_override = (b >> 3) & 3;
			break;
		case 0x64:
			insn->seg_override = HVX_SEG_FS;
			break;
		case 0x65:
			insn->seg_override = HVX_SEG_GS;
			break;
		case 0x66:
			insn->opsize_prefix = true;
			break;
		case 0x67:
			insn->addrsize_prefix = true;
			break;
		default:
			if (long64 && (b & 0xf0) == 0x40) {
				insn->rex = b;
				continue;
			}
			*op = b;
			return 0;
		}
		insn->rex = 0;
	}
}

/*
 * Operand and address size before the opcode is known (SDM Vol. 1 3.6,
 * Vol. 2A 2.2.1): the mode's default, 66/67 toggle it, REX.W forces 64
 * bits and wins over 66.  In 64-bit mode 67 selects 32-bit addresses.
 */
static void set_sizes(struct hvx_insn *insn)
{
	switch (insn->mode) {
	case HVX_MODE_REAL:
	case HVX_MODE_PROT16:
		insn->opsize = 2;
		insn->addrsize = 2;
		break;
	case HVX_MODE_PROT32:
		insn->opsize = 4;
		insn->addrsize = 4;
		break;
	default:
		insn->opsize = 4;
		insn->addrsize = 8;
		break;
	}
	if (insn->opsize_prefix)
		insn->opsize ^= 2 ^ 4;
	if (insn->addrsize_prefix)
		insn->addrsize = insn->addrsize == 4 ? 2 : 4;
	if (insn->rex & HVX_REX_W)
		insn->opsize = 8;
}

/* 16-bit addressing forms, indexed by ModRM.rm (SDM Vol. 2A Table 2-1). */
static const u8 ea16_base[8] = {
	HVX_REG_RBX, HVX_REG_RBX, HVX_REG_RBP, HVX_REG_RBP,
	HVX_REG_RSI, HVX_REG_RDI, HVX_REG_RBP, HVX_REG_RBX,
};

static const u8 ea16_index[8] = {
	HVX_REG_RSI, HVX_REG_RDI, HVX_REG_RSI, HVX_REG_RDI,
	HVX_REG_NONE, HVX_REG_NONE, HVX_REG_NONE, HVX_REG_NONE,
};

/*
 * ModRM, SIB and displacement (SDM Vol. 2A 2.1.5, Tables 2-1 to 2-3 and
 * 2.2.1.3-2.2.1.6 for REX and RIP-relative addressing).  The special
 * cases look at the unextended fields: rm=100 means "SIB" and mod=00 rm=101
 * "disp32" (RIP-relative in 64-bit mode) whatever REX.B says, and a SIB
 * base of 101 with mod=00 means "no base, disp32".
 */
static int decode_modrm(struct dcur *c, struct hvx_insn *insn, bool force_reg)
{
	u8 rex = insn->rex;
	u8 m, sib, rm3;
	u64 disp;
	int ret;

	ret = fetch(c, &m);
	if (ret)
		return ret;
	insn->has_modrm = true;
	insn->modrm = m;
	insn->mod = force_reg ? 3 : m >> 6;
	insn->reg = ((m >> 3) & 7) | (rex & HVX_REX_R ? 8 : 0);
	insn->rm = (m & 7) | (rex & HVX_REX_B ? 8 : 0);
	if (insn->mod == 3)
		return 0;

	rm3 = m & 7;
	if (insn->addrsize == 2) {
		if (insn->mod == 0 && rm3 == 6) {
			insn->dispsize = 2;
		} else {
			insn->base = ea16_base[rm3];
			insn->index = ea16_index[rm3];
		}
		if (insn->mod == 1)
			insn->dispsize = 1;
		else if (insn->mod == 2)
			insn->dispsize = 2;
	} else {
		if (rm3 == 4) {
			ret = fetch(c, &sib);
			if (ret)
				return ret;
			insn->has_sib = true;
			insn->scale = sib >> 6;
			insn->index = ((sib >> 3) & 7) |
				      (rex & HVX_REX_X ? 8 : 0);
			/* index 100 without REX.X: no index */
			if (insn->index == 4)
				insn->index = HVX_REG_NONE;
			if ((sib & 7) == 5 && insn->mod == 0)
				insn->dispsize = 4;
			else
				insn->base = (sib & 7) |
					     (rex & HVX_REX_B ? 8 : 0);
		} else if (rm3 == 5 && insn->mod == 0) {
			insn->dispsize = 4;
			insn->rip_relative = insn->mode == HVX_MODE_LONG64;
		} else {
			insn->base = insn->rm;
		}
		if (insn->mod == 1)
			insn->dispsize = 1;
		else if (insn->mod == 2)
			insn->dispsize = 4;
	}

	if (insn->dispsize) {
		ret = fetch_le(c, insn->dispsize, &disp);
		if (ret)
			return ret;
		insn->disp = (s64)sign_extend(disp, insn->dispsize);
	}
	return 0;
}

/*
 * Group opcodes whose attributes depend on ModRM.reg (SDM Vol. 2D Table
 * A-6), and forms that are #UD by ModRM.  Returns the updated attributes.
 */
static u16 group_attr(const struct hvx_insn *insn, u16 attr)
{
	u8 reg3 = (insn->modrm >> 3) & 7;
	bool mem = insn->mod != 3;

	switch (insn->opcode) {
	case HVX_OPC_1B(0xf6):		/* TEST Eb, Ib (/1 is an alias) */
		return reg3 < 2 ? attr | A_IB : attr;
	case HVX_OPC_1B(0xf7):		/* TEST Ev, Iz */
		return reg3 < 2 ? attr | A_IZ : attr;
	case HVX_OPC_1B(0xfe):		/* only INC/DEC Eb */
		return reg3 < 2 ? attr : A_UD;
	case HVX_OPC_1B(0xff):
		if (reg3 == 7 || ((reg3 == 3 || reg3 == 5) && !mem))
			return A_UD;
		if (reg3 == 2 || reg3 == 4)	/* near CALL/JMP */
			return attr | A_F64;
		if (reg3 == 6)			/* PUSH */
			return attr | A_D64;
		return attr;
	case HVX_OPC_1B(0xc6):		/* MOV /0, or XABORT (C6 F8) */
	case HVX_OPC_1B(0xc7):		/* MOV /0, or XBEGIN (C7 F8) */
		return reg3 == 0 || insn->modrm == 0xf8 ? attr : A_UD;
	case HVX_OPC_1B(0x8f):		/* POP Ev; /1-/7 are XOP */
		return reg3 == 0 ? attr : A_UD;
	case HVX_OPC_1B(0x8d):		/* LEA */
	case HVX_OPC_1B(0x62):		/* BOUND */
	case HVX_OPC_1B(0xc4):		/* LES */
	case HVX_OPC_1B(0xc5):		/* LDS */
	case HVX_OPC_0F(0xb2):		/* LSS */
	case HVX_OPC_0F(0xb4):		/* LFS */
	case HVX_OPC_0F(0xb5):		/* LGS */
		return mem ? attr : A_UD;
	case HVX_OPC_0F(0xa6):		/* VIA PadLock: MONTMUL, XSHA */
	case HVX_OPC_0F(0xa7):		/* VIA PadLock: XSTORE, XCRYPT */
		return mem ? A_UD : attr;
	case HVX_OPC_0F(0xba):		/* BT/BTS/BTR/BTC Ev, Ib */
		return reg3 >= 4 ? attr : A_UD;
	case HVX_OPC_0F(0x78):
		/*
		 * AMD SSE4a (APM Vol. 4): 66 0F 78 /0 ib ib is EXTRQ and
		 * F2 0F 78 /r ib ib is INSERTQ; without them it is VMREAD.
		 */
		if ((insn->opsize_prefix || insn->repne) && !insn->rep)
			return (attr & ~A_IMM_MASK) | A_IBIB;
		return attr;
	}
	return attr;
}

/*
 * LOCK is #UD except on the memory forms of the read-modify-write
 * instructions listed with the prefix in SDM Vol. 2A (LOCK), and on
 * MOV CR, where AMD defines LOCK MOV CR0 as MOV CR8 (APM Vol. 3).
 */
static bool lock_allowed(const struct hvx_insn *insn)
{
	u8 reg3 = (insn->modrm >> 3) & 7;

	if (insn->opcode == HVX_OPC_0F(0x20) ||
	    insn->opcode == HVX_OPC_0F(0x22))
		return true;
	if (!insn->has_modrm || insn->mod == 3)
		return false;
	switch (insn->opcode) {
	case 0x00: case 0x01: case 0x08: case 0x09:	/* ADD, OR */
	case 0x10: case 0x11: case 0x18: case 0x19:	/* ADC, SBB */
	case 0x20: case 0x21: case 0x28: case 0x29:	/* AND, SUB */
	case 0x30: case 0x31:				/* XOR */
	case 0x86: case 0x87:				/* XCHG */
	case HVX_OPC_0F(0xab):				/* BTS */
	case HVX_OPC_0F(0xb3):				/* BTR */
	case HVX_OPC_0F(0xbb):				/* BTC */
	case HVX_OPC_0F(0xb0): case HVX_OPC_0F(0xb1):	/* CMPXCHG */
	case HVX_OPC_0F(0xc0): case HVX_OPC_0F(0xc1):	/* XADD */
		return true;
	case 0x80: case 0x81: case 0x82: case 0x83:	/* not CMP */
		return reg3 != 7;
	case 0xf6: case 0xf7:				/* NOT, NEG */
		return reg3 == 2 || reg3 == 3;
	case 0xfe: case 0xff:				/* INC, DEC */
		return reg3 < 2;
	case HVX_OPC_0F(0xba):				/* BTS/BTR/BTC */
		return reg3 >= 5;
	case HVX_OPC_0F(0xc7):				/* CMPXCHG8/16B */
		return reg3 == 1;
	}
	return false;
}

static int decode_imm(struct dcur *c, struct hvx_insn *insn, u16 attr)
{
	u64 imm2;
	int ret;

	switch (attr & A_IMM_MASK) {
	case 0:
		return 0;
	case A_IB:
	case A_IBIB:
		insn->immsize = 1;
		break;
	case A_IW:
	case A_ENTER:
		insn->immsize = 2;
		break;
	case A_IZ:
		insn->immsize = insn->opsize == 2 ? 2 : 4;
		break;
	case A_IV:
		insn->immsize = insn->opsize;
		break;
	case A_MOFFS:
		/* the offset is as wide as an address (SDM "MOV", moffs) */
		insn->immsize = insn->addrsize;
		break;
	case A_FAR:
		insn->immsize = insn->opsize == 2 ? 2 : 4;
		break;
	case A_ID:
		insn->immsize = 4;
		break;
	}
	ret = fetch_le(c, insn->immsize, &insn->imm);
	if (ret)
		return ret;

	switch (attr & A_IMM_MASK) {
	case A_FAR:
		insn->imm2size = 2;
		break;
	case A_ENTER:
	case A_IBIB:
		insn->imm2size = 1;
		break;
	default:
		return 0;
	}
	ret = fetch_le(c, insn->imm2size, &imm2);
	insn->imm2 = (u16)imm2;
	return ret;
}

static u16 map_opcode(u8 map, u8 op)
{
	switch (map) {
	case HVX_MAP_1BYTE:
		return HVX_OPC_1B(op);
	case HVX_MAP_0F:
		return HVX_OPC_0F(op);
	case HVX_MAP_0F38:
		return HVX_OPC_0F38(op);
	case HVX_MAP_0F3A:
		return HVX_OPC_0F3A(op);
	}
	return (u16)(map << 8 | op);
}

/* Map 1 opcodes with an imm8 in the VEX and EVEX encodings. */
static bool vex_map1_has_ib(u8 op)
{
	return (op >= 0x70 && op <= 0x73) || op == 0xc2 ||
	       (op >= 0xc4 && op <= 0xc6);
}

/*
 * VEX (SDM Vol. 2A 2.3.5), EVEX (2.7.1) and XOP (APM Vol. 3 1.9).  Their
 * payload bytes carry R, X, B, W inverted or not, vvvv inverted, L and pp
 * (the implied 66/F3/F2), and the opcode map.  A 66, F2, F3, LOCK or REX
 * prefix in front of them is #UD.  Every opcode has a ModRM byte except
 * VZEROUPPER/VZEROALL (VEX 0F 77); map 3 and XOP map 8 have an imm8, XOP
 * map 10 an imm32.
 */
static int decode_vex(struct dcur *c, struct hvx_insn *insn, u8 esc)
{
	bool long64 = insn->mode == HVX_MODE_LONG64;
	u8 p0, p1 = 0, p2 = 0, op, w = 0;
	u16 attr = A_M;
	int ret;

	if (insn->opsize_prefix || insn->rep || insn->repne || insn->lock ||
	    insn->rex)
		return -EINVAL;

	ret = fetch(c, &p0);
	if (!ret && esc != 0xc5)
		ret = fetch(c, &p1);
	if (!ret && esc == 0x62)
		ret = fetch(c, &p2);
	if (ret)
		return ret;

	if (esc == 0xc5) {
		insn->enc = HVX_ENC_VEX;
		insn->map = HVX_MAP_0F;
		insn->rex = p0 & 0x80 ? 0 : HVX_REX_R;
		insn->vex_vvvv = (~p0 >> 3) & 0xf;
		insn->vex_l = (p0 >> 2) & 1;
		insn->vex_pp = p0 & 3;
	} else {
		insn->enc = esc == 0x62 ? HVX_ENC_EVEX :
			    esc == 0xc4 ? HVX_ENC_VEX : HVX_ENC_XOP;
		insn->map = esc == 0x62 ? p0 & 7 : p0 & 0x1f;
		insn->rex = (p0 & 0x80 ? 0 : HVX_REX_R) |
			    (p0 & 0x40 ? 0 : HVX_REX_X) |
			    (p0 & 0x20 ? 0 : HVX_REX_B);
		w = p1 >> 7;
		insn->vex_vvvv = (~p1 >> 3) & 0xf;
		insn->vex_l = (p1 >> 2) & 1;
		insn->vex_pp = p1 & 3;
	}
	if (esc == 0x62) {
		/* P0 bit 3 must be 0 and P1 bit 2 must be 1 (2.7.1). */
		if ((p0 & 0x08) || !(p1 & 0x04))
			return -EINVAL;
		insn->vex_l = (p2 >> 5) & 3;
	}

	/* R/X/B/W only extend registers in 64-bit mode. */
	if (long64) {
		insn->rex |= 0x40 | (w ? HVX_REX_W : 0);
		if (w)
			insn->opsize = 8;
	} else {
		insn->rex = 0;
	}

	ret = fetch(c, &op);
	if (ret)
		return ret;

	switch (insn->enc) {
	case HVX_ENC_VEX:
	case HVX_ENC_EVEX:
		if (insn->map == HVX_MAP_0F) {
			if (insn->enc == HVX_ENC_VEX && op == 0x77)
				attr = 0;
			else if (vex_map1_has_ib(op))
				attr |= A_IB;
		} else if (insn->map == HVX_MAP_0F3A) {
			attr |= A_IB;
		} else if (insn->map != HVX_MAP_0F38 &&
			   (insn->enc == HVX_ENC_VEX ||
			    (insn->map != 5 && insn->map != 6))) {
			/* EVEX maps 5 and 6 (AVX512-FP16) have no imm */
			return -EINVAL;
		}
		break;
	default:
		if (insn->map == 8)
			attr |= A_IB;
		else if (insn->map == 10)
			attr |= A_ID;
		else if (insn->map != 9)
			return -EINVAL;
		break;
	}
	insn->opcode = map_opcode(insn->map, op);

	if (attr & A_M) {
		ret = decode_modrm(c, insn, false);
		if (ret)
			return ret;
	}
	ret = decode_imm(c, insn, attr);
	if (ret)
		return ret;
	insn->len = c->pos;
	return 0;
}

/*
 * C4/C5 (LES/LDS), 62 (BOUND) and 8F (POP Ev) are also the escapes of VEX,
 * EVEX and XOP.  In 64-bit mode the first three are always escapes.
 * Elsewhere (but never in real or virtual-8086 mode) they are escapes when
 * the next byte, read as a ModRM, has mod=11b, which the register-only
 * LES/LDS/BOUND forms cannot use (SDM Vol. 2A 2.3.5, 2.7.1).  8F is XOP
 * when the next byte's ModRM.reg is not 0, which POP does not use.
 */
static int is_vex_escape(const struct dcur *c, const struct hvx_insn *insn,
			 u8 op)
{
	u8 next;
	int ret;

	if (op != 0xc4 && op != 0xc5 && op != 0x62 && op != 0x8f)
		return 0;
	if (op != 0x8f && insn->mode == HVX_MODE_LONG64)
		return 1;
	if (insn->mode == HVX_MODE_REAL)
		return 0;
	ret = peek(c, 0, &next);
	if (ret)
		return ret;
	if (op == 0x8f)
		return (next & 0x38) != 0;
	return (next & 0xc0) == 0xc0;
}

/**
 * hvx_decode() - decode one x86 instruction
 * @bytes: the instruction bytes fetched at the guest's RIP
 * @avail: how many bytes @bytes holds (15 are always enough)
 * @mode:  the execution mode, from CR0.PE, RFLAGS.VM, EFER.LMA, CS.L, CS.D
 * @insn:  filled in; on error its contents are unspecified
 *
 * Decodes prefixes, opcode, ModRM, SIB, displacement and immediates of any
 * instruction of the one-byte, 0F, 0F 38 and 0F 3A maps, and of VEX
 * (maps 1-3), EVEX (maps 1-3, 5, 6) and XOP (maps 8-10) instructions, and
 * computes its length.  It rejects opcodes that are #UD in @mode, #UD
 * uses of LOCK, VEX/EVEX after 66/F2/F3/LOCK/REX, and the #UD ModRM forms
 * of the general-purpose groups; it does not check that the CPU model
 * implements an opcode, nor the mandatory-prefix and register-only rules
 * of SSE/AVX opcodes: an unassigned 0F 38 or 0F 3A opcode is decoded with
 * the shape every opcode of those maps has.  In 64-bit mode near branches
 * with a 66 prefix are decoded the Intel way (rel32, 66 ignored); AMD CPUs
 * use rel16 there.  MOV to/from TR (0F 24, 0F 26) is #UD since the P6.
 *
 * Return: 0; -EAGAIN when @avail ends before the instruction does (fetch
 * more bytes and call again); -EINVAL for an undefined encoding or one
 * longer than 15 bytes.
 */
int hvx_decode(const u8 *bytes, unsigned int avail, enum hvx_cpu_mode mode,
	       struct hvx_insn *insn)
{
	struct dcur c = { .bytes = bytes, .avail = avail };
	bool long64 = mode == HVX_MODE_LONG64;
	u16 attr;
	u8 op;
	int ret;

	*insn = (struct hvx_insn){
		.mode = mode,
		.seg_override = -1,
		.index = HVX_REG_NONE,
		.base = HVX_REG_NONE,
	};
	if (mode > HVX_MODE_LONG64)
		return -EINVAL;

	ret = decode_prefixes(&c, insn, &op);
	if (ret)
		return ret;
	set_sizes(insn);

	if (op == 0x0f) {
		ret = fetch(&c, &op);
		if (ret)
			return ret;
		if (op == 0x38 || op == 0x3a) {
			/* every 0F 38 opcode has ModRM, every 0F 3A also Ib */
			insn->map = op == 0x38 ? HVX_MAP_0F38 : HVX_MAP_0F3A;
			attr = op == 0x38 ? A_M : A_M | A_IB;
			ret = fetch(&c, &op);
			if (ret)
				return ret;
		} else {
			insn->map = HVX_MAP_0F;
			attr = op_0f[op];
		}
	} else {
		ret = is_vex_escape(&c, insn, op);
		if (ret < 0)
			return ret;
		if (ret)
			return decode_vex(&c, insn, op);
		insn->map = HVX_MAP_1BYTE;
		attr = op_1b[op];
	}
	insn->opcode = map_opcode(insn->map, op);

	if ((attr & A_UD) || (long64 && (attr & A_INV64)))
		return -EINVAL;
	if (attr & A_M) {
		ret = decode_modrm(&c, insn, attr & A_MODREG);
		if (ret)
			return ret;
		attr = group_attr(insn, attr);
		if (attr & A_UD)
			return -EINVAL;
	}
	if (insn->lock) {
		if (!lock_allowed(insn))
			return -EINVAL;
		if (insn->opcode == HVX_OPC_0F(0x20) ||
		    insn->opcode == HVX_OPC_0F(0x22))
			insn->reg |= 8;
	}

	/*
	 * SDM Vol. 2A 2.2.1.7 and the d64/f64 marks of the opcode maps:
	 * in 64-bit mode stack operations default to 64-bit operands (66
	 * still selects 16 bits) and near branches always use 64 bits.
	 */
	if (long64) {
		if (attr & A_F64)
			insn->opsize = 8;
		else if ((attr & A_D64) && insn->opsize == 4)
			insn->opsize = 8;
	}

	ret = decode_imm(&c, insn, attr);
	if (ret)
		return ret;
	insn->len = c.pos;
	return 0;
}

static bool is_string_rdi(const struct hvx_insn *insn)
{
	switch (insn->opcode) {
	case 0x6c: case 0x6d:		/* INS */
	case 0xaa: case 0xab:		/* STOS */
	case 0xae: case 0xaf:		/* SCAS */
		return insn->enc == HVX_ENC_LEGACY;
	}
	return false;
}

static bool is_string_rsi(const struct hvx_insn *insn)
{
	switch (insn->opcode) {
	case 0x6e: case 0x6f:		/* OUTS */
	case 0xa4: case 0xa5:		/* MOVS */
	case 0xa6: case 0xa7:		/* CMPS */
	case 0xac: case 0xad:		/* LODS */
		return insn->enc == HVX_ENC_LEGACY;
	}
	return false;
}

static bool is_moffs(const struct hvx_insn *insn)
{
	return insn->enc == HVX_ENC_LEGACY && insn->opcode >= 0xa0 &&
	       insn->opcode <= 0xa3;
}

/**
 * hvx_insn_has_mem() - does the instruction name a memory operand?
 * @insn: a decoded instruction
 *
 * Return: true for a ModRM memory form (mod != 3; LEA and the hint NOPs
 * included although they do not access it), the moffs forms of MOV
 * (A0-A3) and the string instructions.
 */
bool hvx_insn_has_mem(const struct hvx_insn *insn)
{
	if (insn->has_modrm)
		return insn->mod != 3;
	return is_moffs(insn) || is_string_rdi(insn) || is_string_rsi(insn);
}

/**
 * hvx_insn_seg() - the segment of the memory operand
 * @insn: a decoded instruction with a memory operand
 *
 * The operand at ES:rDI of STOS/SCAS/INS cannot be overridden; otherwise
 * the last segment prefix wins, and without one a base of rSP or rBP
 * selects SS and anything else DS (SDM Vol. 1 3.7.4).  In 64-bit mode only
 * an FS or GS base matters, and that is what a prefix leaves here.
 *
 * Return: HVX_SEG_*.
 */
int hvx_insn_seg(const struct hvx_insn *insn)
{
	if (is_string_rdi(insn))
		return HVX_SEG_ES;
	if (insn->seg_override >= 0)
		return insn->seg_override;
	if (insn->has_modrm && insn->mod != 3 &&
	    (insn->base == HVX_REG_RSP || insn->base == HVX_REG_RBP))
		return HVX_SEG_SS;
	return HVX_SEG_DS;
}

/**
 * hvx_insn_ea() - effective address of the memory operand
 * @insn:     a decoded instruction with a memory operand
 * @regs:     the guest's general-purpose registers, hardware order
 * @next_rip: the address of the next instruction (RIP + @insn->len)
 *
 * base + index * scale + displacement, or RIP-relative from @next_rip, or
 * the moffs of A0-A3, or rDI (STOS, SCAS, INS) / rSI (LODS, MOVS, CMPS,
 * OUTS) for the string instructions; wrapped to the address size as the
 * CPU does (SDM Vol. 1 3.7.5).  The segment base is not added: see
 * hvx_insn_seg().
 *
 * Return: the offset, or 0 when the instruction has no memory operand.
 */
u64 hvx_insn_ea(const struct hvx_insn *insn, const u64 regs[16],
		u64 next_rip)
{
	u64 mask = size_mask(insn->addrsize);
	u64 ea;

	if (is_moffs(insn))
		return insn->imm & mask;
	if (is_string_rdi(insn))
		return regs[HVX_REG_RDI] & mask;
	if (is_string_rsi(insn))
		return regs[HVX_REG_RSI] & mask;
	if (!insn->has_modrm || insn->mod == 3)
		return 0;

	if (insn->rip_relative)
		return (next_rip + insn->disp) & mask;
	ea = insn->disp;
	if (insn->base != HVX_REG_NONE)
		ea += regs[insn->base];
	if (insn->index != HVX_REG_NONE)
		ea += regs[insn->index] << insn->scale;
	return ea & mask;
}

/* ---------------------------------------------------------------------
 * MMIO emulation
 */

/* RFLAGS bits (SDM Vol. 1 3.4.3) */
#define FL_CF		0x0001
#define FL_PF		0x0004
#define FL_AF		0x0010
#define FL_ZF		0x0040
#define FL_SF		0x0080
#define FL_DF		0x0400
#define FL_OF		0x0800
#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* ALU operations; 0-7 are ModRM.reg of group 1 (80-83). */
enum {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
	ALU_TEST, ALU_INC, ALU_DEC, ALU_NOT, ALU_NEG,
};

enum mmio_kind {
	MK_LOAD,	/* register <- memory, maybe extended */
	MK_STORE,	/* memory <- register or immediate */
	MK_ALU_MEM,	/* memory <- memory op source, flags */
	MK_ALU_REG,	/* register <- register op memory, flags */
	MK_XCHG,	/* register <-> memory */
	MK_STOS,	/* ES:[rDI] <- rAX, rDI +/- size */
	MK_LODS,	/* rAX <- [rSI], rSI +/- size */
};

/**
 * struct mmio_form - what an emulated instruction does with its operands
 * @kind:  &enum mmio_kind.
 * @size:  bytes accessed in memory.
 * @dsize: bytes of the destination register (MK_LOAD; differs from @size
 *	   for MOVZX/MOVSX/MOVSXD).
 * @sext:  MK_LOAD sign-extends from @size to @dsize.
 * @reg:   the register operand, or HVX_REG_NONE.
 * @alu:   the ALU_* operation of MK_ALU_*.
 * @src:   the immediate, or the register operand's value, of @size bytes.
 */
struct mmio_form {
	u8 kind;
	u8 size;
	u8 dsize;
	bool sext;
	u8 reg;
	u8 alu;
	u64 src;
};

/*
 * A byte register number names AH/CH/DH/BH for 4-7 unless a REX prefix is
 * present, in which case it names SPL/BPL/SIL/DIL (SDM Vol. 1 3.4.1.1).
 */
static bool is_high_byte(const struct hvx_insn *insn, unsigned int reg,
			 unsigned int size)
{
	return size == 1 && !insn->rex && reg >= 4 && reg < 8;
}

static u64 gpr_read(const struct hvx_insn *insn, const u64 regs[16],
		    unsigned int reg, unsigned int size)
{
	if (is_high_byte(insn, reg, size))
		return (regs[reg - 4] >> 8) & 0xff;
	return regs[reg] & size_mask(size);
}

/*
 * Writing 8 or 16 bits keeps the rest of the register; writing 32 bits in
 * 64-bit mode zero-extends to 64 (SDM Vol. 1 3.4.1.1).  Outside 64-bit mode
 * the upper half is undefined after a mode switch; hvx keeps it.
 */
static void gpr_write(const struct hvx_insn *insn, u64 regs[16],
		      unsigned int reg, unsigned int size, u64 val)
{
	u64 *r = &regs[reg];

	if (is_high_byte(insn, reg, size)) {
		r = &regs[reg - 4];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	if (size == 4 && insn->mode == HVX_MODE_LONG64) {
		*r = (u32)val;
		return;
	}
	*r = (*r & ~size_mask(size)) | (val & size_mask(size));
}

/*
 * The string instructions step rSI/rDI by the operand size, down when
 * RFLAGS.DF is set; the register is as wide as the address size (SDM
 * "STOS", "LODS").
 */
static void string_step(const struct hvx_insn *insn, u64 regs[16],
			unsigned int reg, unsigned int size, u64 rflags)
{
	u64 v = regs[reg];

	v = rflags & FL_DF ? v - size : v + size;
	gpr_write(insn, regs, reg, insn->addrsize, v);
}

static bool parity_even(u64 v)
{
	u8 b = v & 0xff;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/*
 * The ALU operations on @size-byte operands and the status flags they set
 * (SDM Vol. 1 Appendix A and each instruction's page).  AF is undefined
 * after AND/OR/XOR/TEST: hvx clears it.  INC/DEC leave CF, NOT leaves every
 * flag.
 */
static u64 alu_exec(unsigned int op, unsigned int size, u64 dst, u64 src,
		    u64 *rflags)
{
	u64 mask = size_mask(size);
	u64 sign = 1ULL << (8 * size - 1);
	u64 cin = *rflags & FL_CF ? 1 : 0;
	u64 affected = FL_ARITH;
	bool add = false, sub = false;
	u64 res, fl = 0;

	dst &= mask;
	src &= mask;
	switch (op) {
	case ALU_ADC:
		add = true;
		break;
	case ALU_SBB:
		sub = true;
		break;
	case ALU_ADD:
		add = true;
		cin = 0;
		break;
	case ALU_SUB:
	case ALU_CMP:
		sub = true;
		cin = 0;
		break;
	case ALU_INC:
	case ALU_DEC:
		add = op == ALU_INC;
		sub = !add;
		src = 1;
		cin = 0;
		affected &= ~FL_CF;
		break;
	case ALU_NEG:			/* 0 - dst */
		sub = true;
		src = dst;
		dst = 0;
		cin = 0;
		break;
	case ALU_NOT:
		return ~dst & mask;
	}

	if (add) {
		res = (dst + src + cin) & mask;
		if (res < dst || (cin && res == dst))
			fl |= FL_CF;
		if ((dst ^ res) & (src ^ res) & sign)
			fl |= FL_OF;
		fl |= (dst ^ src ^ res) & FL_AF;
	} else if (sub) {
		res = (dst - src - cin) & mask;
		if (dst < src || (cin && dst == src))
			fl |= FL_CF;
		if ((dst ^ src) & (dst ^ res) & sign)
			fl |= FL_OF;
		fl |= (dst ^ src ^ res) & FL_AF;
	} else if (op == ALU_OR) {
		res = dst | src;
	} else if (op == ALU_XOR) {
		res = dst ^ src;
	} else {			/* AND, TEST */
		res = dst & src;
	}
	if (!res)
		fl |= FL_ZF;
	if (res & sign)
		fl |= FL_SF;
	if (parity_even(res))
		fl |= FL_PF;
	*rflags = (*rflags & ~affected) | (fl & affected);
	return res;
}

static bool alu_writes(unsigned int op)
{
	return op != ALU_CMP && op != ALU_TEST;
}

/*
 * Work out which emulated form @insn is.  Only memory forms qualify: the
 * caller got here because the operand's address is MMIO.
 */
static int mmio_classify(const struct hvx_insn *insn, const u64 regs[16],
			 struct mmio_form *f)
{
	u16 opc = insn->opcode;
	u8 reg3 = (insn->modrm >> 3) & 7;
	bool byte = !(opc & 1);

	if (insn->enc != HVX_ENC_LEGACY)
		return -EOPNOTSUPP;

	*f = (struct mmio_form){ .reg = HVX_REG_NONE };
	f->size = byte ? 1 : insn->opsize;

	/* implicit memory operands first: moffs and string forms */
	switch (opc) {
	case 0xa0: case 0xa1:		/* MOV AL/rAX, moffs */
		f->kind = MK_LOAD;
		f->reg = HVX_REG_RAX;
		f->dsize = f->size;
		return 0;
	case 0xa2: case 0xa3:		/* MOV moffs, AL/rAX */
		f->kind = MK_STORE;
		f->src = gpr_read(insn, regs, HVX_REG_RAX, f->size);
		return 0;
	case 0xaa: case 0xab:		/* STOS, one iteration only */
		if (insn->rep || insn->repne)
			return -EOPNOTSUPP;
		f->kind = MK_STOS;
		f->src = gpr_read(insn, regs, HVX_REG_RAX, f->size);
		return 0;
	case 0xac: case 0xad:		/* LODS */
		if (insn->rep || insn->repne)
			return -EOPNOTSUPP;
		f->kind = MK_LODS;
		f->reg = HVX_REG_RAX;
		f->dsize = f->size;
		return 0;
	}

	if (!insn->has_modrm || insn->mod == 3)
		return -EOPNOTSUPP;

	/* ADD OR ADC SBB AND SUB XOR CMP: 00-03, 08-0B, ... 38-3B */
	if (insn->map == HVX_MAP_1BYTE && opc < 0x40 && (opc & 7) < 4) {
		f->alu = opc >> 3;
		f->reg = insn->reg;
		f->kind = opc & 2 ? MK_ALU_REG : MK_ALU_MEM;
		f->src = gpr_read(insn, regs, insn->reg, f->size);
		return 0;
	}

	switch (opc) {
	case 0x80: case 0x81: case 0x82: case 0x83:	/* group 1 */
		f->kind = MK_ALU_MEM;
		f->alu = reg3;
		/* Iz and the Ib of 83 are sign-extended to the operand */
		f->src = opc == 0x80 || opc == 0x82 ? insn->imm :
			 sign_extend(insn->imm, insn->immsize);
		return 0;
	case 0x84: case 0x85:				/* TEST E, G */
		f->kind = MK_ALU_MEM;
		f->alu = ALU_TEST;
		f->src = gpr_read(insn, regs, insn->reg, f->size);
		return 0;
	case 0xf6: case 0xf7:				/* group 3 */
		f->kind = MK_ALU_MEM;
		if (reg3 < 2) {
			f->alu = ALU_TEST;
			f->src = sign_extend(insn->imm, insn->immsize);
		} else if (reg3 == 2) {
			f->alu = ALU_NOT;
		} else if (reg3 == 3) {
			f->alu = ALU_NEG;
		} else {
			return -EOPNOTSUPP;	/* MUL, IMUL, DIV, IDIV */
		}
		return 0;
	case 0xfe: case 0xff:				/* INC, DEC */
		if (reg3 > 1)
			return -EOPNOTSUPP;
		f->kind = MK_ALU_MEM;
		f->alu = reg3 ? ALU_DEC : ALU_INC;
		return 0;
	case 0x86: case 0x87:				/* XCHG */
		f->kind = MK_XCHG;
		f->reg = insn->reg;
		f->src = gpr_read(insn, regs, insn->reg, f->size);
		return 0;
	case 0x88: case 0x89:				/* MOV E, G */
	case HVX_OPC_0F(0xc3):				/* MOVNTI */
		if (opc == HVX_OPC_0F(0xc3))
			f->size = insn->opsize;
		f->kind = MK_STORE;
		f->src = gpr_read(insn, regs, insn->reg, f->size);
		return 0;
	case 0x8a: case 0x8b:				/* MOV G, E */
		f->kind = MK_LOAD;
		f->reg = insn->reg;
		f->dsize = f->size;
		return 0;
	case 0xc6: case 0xc7:				/* MOV E, Ib/Iz */
		if (reg3)
			return -EOPNOTSUPP;
		f->kind = MK_STORE;
		f->src = sign_extend(insn->imm, insn->immsize);
		return 0;
	case 0x63:					/* MOVSXD */
		if (insn->mode != HVX_MODE_LONG64)
			return -EOPNOTSUPP;		/* ARPL */
		f->kind = MK_LOAD;
		f->reg = insn->reg;
		f->dsize = insn->opsize;
		f->size = insn->opsize > 4 ? 4 : insn->opsize;
		f->sext = true;
		return 0;
	case HVX_OPC_0F(0xb6): case HVX_OPC_0F(0xb7):	/* MOVZX */
	case HVX_OPC_0F(0xbe): case HVX_OPC_0F(0xbf):	/* MOVSX */
		f->kind = MK_LOAD;
		f->reg = insn->reg;
		f->dsize = insn->opsize;
		f->size = opc & 1 ? 2 : 1;
		f->sext = opc >= HVX_OPC_0F(0xbe);
		return 0;
	}
	return -EOPNOTSUPP;
}

/**
 * hvx_mmio_plan() - the memory access an instruction makes
 * @insn: a decoded instruction whose memory operand is MMIO
 * @regs: the guest's general-purpose registers, hardware order
 * @op:   filled in
 *
 * Supported: MOV 88/89/8A/8B, C6/C7 /0, A0-A3; MOVZX, MOVSX, MOVSXD (64-bit
 * mode); MOVNTI; XCHG 86/87; single STOS and LODS (no REP); and the ALU
 * forms with a memory operand: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP 00-3B and
 * 80-83, TEST 84/85 and F6/F7 /0, NOT, NEG, INC, DEC.  A LOCK prefix is
 * accepted, but userspace performs the read and the write separately, so
 * the access is not atomic.
 *
 * After the access: when @op says read and write, the value to write comes
 * from hvx_mmio_rmw(); in every case, call hvx_mmio_finish() once.
 *
 * Return: 0, or -EOPNOTSUPP for any other instruction or a register-only
 * form.
 */
int hvx_mmio_plan(const struct hvx_insn *insn, const u64 regs[16],
		  struct hvx_mmio_op *op)
{
	struct mmio_form f;
	int ret;

	ret = mmio_classify(insn, regs, &f);
	if (ret)
		return ret;

	*op = (struct hvx_mmio_op){ .size = f.size };
	switch (f.kind) {
	case MK_LOAD:
	case MK_LODS:
	case MK_ALU_REG:
		op->read = true;
		break;
	case MK_STORE:
	case MK_STOS:
		op->write = true;
		op->write_value = f.src & size_mask(f.size);
		break;
	case MK_XCHG:
		op->read = true;
		op->write = true;
		op->write_value = f.src & size_mask(f.size);
		break;
	case MK_ALU_MEM:
		op->read = true;
		op->write = alu_writes(f.alu);
		break;
	}
	return 0;
}

/**
 * hvx_mmio_rmw() - the value a read-modify-write instruction writes back
 * @insn:	 a decoded instruction for which hvx_mmio_plan() said read
 *		 and write
 * @regs:	 the guest's general-purpose registers, hardware order
 * @rflags:	 the guest's RFLAGS (ADC and SBB consume CF)
 * @read_value:	 the value read from the operand
 * @write_value: the value to write, zero-extended from the access size
 *
 * Changes no guest state: the flags are set by hvx_mmio_finish().
 *
 * Return: 0, or -EOPNOTSUPP when @insn does not read and write memory.
 */
int hvx_mmio_rmw(const struct hvx_insn *insn, const u64 regs[16],
		 u64 rflags, u64 read_value, u64 *write_value)
{
	struct mmio_form f;
	int ret;

	ret = mmio_classify(insn, regs, &f);
	if (ret)
		return ret;
	if (f.kind == MK_XCHG) {
		*write_value = f.src & size_mask(f.size);
		return 0;
	}
	if (f.kind != MK_ALU_MEM || !alu_writes(f.alu))
		return -EOPNOTSUPP;
	*write_value = alu_exec(f.alu, f.size, read_value, f.src, &rflags);
	return 0;
}

/**
 * hvx_mmio_finish() - apply a completed MMIO access to the guest registers
 * @insn:	a decoded instruction accepted by hvx_mmio_plan()
 * @regs:	the guest's general-purpose registers, updated
 * @rflags:	the guest's RFLAGS, updated (arithmetic flags)
 * @read_value:	the value read, when the plan had a read; else ignored
 *
 * Writes the destination register of a load with x86's partial-register
 * rules (AH/CH/DH/BH without REX, 8/16-bit writes merge, 32-bit writes
 * zero-extend in 64-bit mode) after the zero/sign extension of MOVZX,
 * MOVSX and MOVSXD; sets the arithmetic flags of the ALU forms and writes
 * the register result of their register-destination forms; steps rDI/rSI
 * of STOS/LODS by the operand size as RFLAGS.DF says.  Does not advance
 * RIP.
 *
 * Return: 0, or -EOPNOTSUPP if hvx_mmio_plan() would have refused @insn.
 */
int hvx_mmio_finish(const struct hvx_insn *insn, u64 regs[16], u64 *rflags,
		    u64 read_value)
{
	struct mmio_form f;
	u64 v;
	int ret;

	ret = mmio_classify(insn, regs, &f);
	if (ret)
		return ret;
	read_value &= size_mask(f.size);

	switch (f.kind) {
	case MK_LOAD:
		v = f.sext ? sign_extend(read_value, f.size) : read_value;
		gpr_write(insn, regs, f.reg, f.dsize, v);
		break;
	case MK_STORE:
		break;
	case MK_STOS:
		string_step(insn, regs, HVX_REG_RDI, f.size, *rflags);
		break;
	case MK_LODS:
		gpr_write(insn, regs, HVX_REG_RAX, f.size, read_value);
		string_step(insn, regs, HVX_REG_RSI, f.size, *rflags);
		break;
	case MK_XCHG:
		gpr_write(insn, regs, f.reg, f.size, read_value);
		break;
	case MK_ALU_MEM:
		alu_exec(f.alu, f.size, read_value, f.src, rflags);
		break;
	case MK_ALU_REG:
		/* register op memory: the register is the destination */
		v = alu_exec(f.alu, f.size, f.src, read_value, rflags);
		if (alu_writes(f.alu))
			gpr_write(insn, regs, f.reg, f.size, v);
		break;
	}
	return 0;
}
