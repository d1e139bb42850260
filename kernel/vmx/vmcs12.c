// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcs12 field access with the SDM's encoding and width rules (25.11.2);
 * see vmcs12.h.  Pure logic, also unit-tested in userspace.
 */
#include <linux/bits.h>
#include <linux/errno.h>

#include "vmcs12.h"

/* Encodings by slot: the one table the rest of nested VMX relies on. */
#define VMCS12_ENCODING(name) [V12_##name] = name,
static const u16 vmcs12_encoding[VMCS12_NR_FIELDS] = {
	VMCS12_FIELDS(VMCS12_ENCODING)
};
#undef VMCS12_ENCODING

/*
 * Encoding -> slot in O(1): VMREAD/VMWRITE emulation and the copies
 * between vmcs12 and vmcs02 look up a slot for every field, on every L2
 * round trip.  An encoding's width (bits 14:13), type (11:10) and index
 * (9:1) name a field (25.11.2); every supported field has an index below
 * 32, so width, type and index's low 5 bits make a 9-bit key.  The table
 * holds the slot plus one; 0 is "not supported".  Two fields with one key
 * would be a duplicate initializer, which W=1 reports.
 */
#define VMCS12_KEY(e)	((VMCS_ENC_WIDTH(e) << 7) | (VMCS_ENC_TYPE(e) << 5) | \
			 (((e) >> 1) & 0x1f))
#define VMCS12_INDEX_BITS	GENMASK(9, 1)
#define VMCS12_KEY_SLOT(name) [VMCS12_KEY(name)] = V12_##name + 1,
_Static_assert(VMCS12_NR_FIELDS < 255, "a slot plus one must fit a u8");
static const u8 vmcs12_slot_by_key[1 << 9] = {
	VMCS12_FIELDS(VMCS12_KEY_SLOT)
};
#undef VMCS12_KEY_SLOT

/**
 * vmcs12_slot() - the slot of a field encoding
 * @encoding: a VMCS field encoding; the "high" form of a 64-bit field
 *	      (bit 0 set) names the same slot
 *
 * Return: the slot, or -ENOENT for a field hvx does not support, which
 * VMREAD and VMWRITE fail with VMfailValid(12).
 */
int vmcs12_slot(unsigned long encoding)
{
	unsigned long full;
	int slot;

	if (encoding >> 15)
		return -ENOENT;
	/* Only 64-bit fields have a high form (SDM 25.11.2). */
	if ((encoding & VMCS_ENC_HIGH) &&
	    VMCS_ENC_WIDTH(encoding) != VMCS_WIDTH_64)
		return -ENOENT;
	full = encoding & ~(unsigned long)VMCS_ENC_HIGH;
	/* Bit 12 is reserved; indexes from 32 up name no supported field. */
	if ((full & BIT(12)) || ((full & VMCS12_INDEX_BITS) >> 1) >= 32)
		return -ENOENT;
	slot = vmcs12_slot_by_key[VMCS12_KEY(full)] - 1;
	if (slot < 0 || vmcs12_encoding[slot] != full)
		return -ENOENT;
	return slot;
}

/**
 * vmcs12_field_read_only() - is this one of the VM-exit information fields?
 * @encoding: a supported encoding
 *
 * hvx does not offer "VMWRITE to any field" (IA32_VMX_MISC bit 29), so
 * these fail VMWRITE with VMfailValid(13).
 */
bool vmcs12_field_read_only(unsigned long encoding)
{
	return VMCS_ENC_TYPE(encoding) == VMCS_TYPE_RO;
}

static u64 vmcs12_width_mask(unsigned long encoding)
{
	switch (VMCS_ENC_WIDTH(encoding)) {
	case VMCS_WIDTH_16:
		return 0xffff;
	case VMCS_WIDTH_32:
		return 0xffffffff;
	default:
		return ~0ULL;
	}
}

/**
 * vmcs12_read() - VMREAD semantics on a vmcs12
 * @v:	      the vmcs12
 * @encoding: the field
 * @value:    zero-extended from the field's width; the high form of a
 *	      64-bit field gives its upper 32 bits
 *
 * Return: 0, or -ENOENT for an unsupported field.
 */
int vmcs12_read(const struct vmcs12 *v, unsigned long encoding, u64 *value)
{
	int slot = vmcs12_slot(encoding);

	if (slot < 0)
		return slot;
	*value = v->field[slot];
	if (encoding & VMCS_ENC_HIGH)
		*value >>= 32;
	else
		*value &= vmcs12_width_mask(encoding);
	return 0;
}

/**
 * vmcs12_write() - VMWRITE semantics on a vmcs12
 * @v:	      the vmcs12
 * @encoding: the field
 * @value:    truncated to the field's width; the high form of a 64-bit
 *	      field replaces its upper 32 bits only
 *
 * Return: 0, -ENOENT for an unsupported field, -EPERM for a read-only one.
 */
int vmcs12_write(struct vmcs12 *v, unsigned long encoding, u64 value)
{
	int slot = vmcs12_slot(encoding);

	if (slot < 0)
		return slot;
	if (vmcs12_field_read_only(encoding))
		return -EPERM;
	if (encoding & VMCS_ENC_HIGH)
		v->field[slot] = (u32)v->field[slot] | (value << 32);
	else
		v->field[slot] = value & vmcs12_width_mask(encoding);
	return 0;
}
