// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcs12 field access with the SDM's encoding and width rules (25.11.2);
 * see vmcs12.h.  Pure logic, also unit-tested in userspace.
 */
#include <linux/errno.h>

#include "vmcs12.h"

/* Encodings by slot: the one table the rest of nested VMX relies on. */
#define VMCS12_ENCODING(name) [V12_##name] = name,
static const u16 vmcs12_encoding[VMCS12_NR_FIELDS] = {
	VMCS12_FIELDS(VMCS12_ENCODING)
};
#undef VMCS12_ENCODING

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
	int i;

	if (encoding >> 15)
		return -ENOENT;
	/* Only 64-bit fields have a high form (SDM 25.11.2). */
	if ((encoding & VMCS_ENC_HIGH) &&
	    VMCS_ENC_WIDTH(encoding) != VMCS_WIDTH_64)
		return -ENOENT;
	full = encoding & ~(unsigned long)VMCS_ENC_HIGH;
	for (i = 0; i < VMCS12_NR_FIELDS; i++)
		if (vmcs12_encoding[i] == full)
			return i;
	return -ENOENT;
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
