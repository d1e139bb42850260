// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two cascaded 8259A programmable interrupt controllers as a PC wires
 * them: the master at 0x20/0x21 with the slave's INT on its IR2, the slave
 * at 0xa0/0xa1, and the edge/level control registers (ELCR) at
 * 0x4d0/0x4d1.  The vCPU has no local APIC: the master's INT output is the
 * CPU's INTR pin, and pic_ack() is the INTA cycle whose vector hvx-run
 * hands to KVM_INTERRUPT.
 *
 * Modelled: ICW1-4 (vector base, single/cascade, auto-EOI), OCW1 (mask),
 * OCW2 (non-specific, specific and rotating EOI, set priority), OCW3 (read
 * IRR/ISR, poll, special mask), edge latching or level sensing per ELCR.
 * Not modelled: special fully nested mode, buffered mode, the 8080 mode.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hvx-run.h"

struct pic_chip {
	uint8_t irr;		/* requests latched (edge) or sensed (level) */
	uint8_t isr;		/* in service */
	uint8_t imr;		/* masked */
	uint8_t lines;		/* input levels, for edge detection */
	uint8_t elcr;		/* 1: level triggered */
	uint8_t elcr_mask;	/* ELCR bits that exist */
	uint8_t vector_base;	/* ICW2 & 0xf8 */
	uint8_t lowest;		/* IR with the lowest priority (rotation) */
	uint8_t init_step;	/* 0 ready, else the ICW expected next: 2, 3, 4 */
	bool need_icw4, single, auto_eoi, rotate_on_aeoi;
	bool read_isr, poll, special_mask;
};

struct pic {
	struct pic_chip chip[2];	/* master, slave */
};

#define CASCADE_IRQ	2

/* Priority rank of an IR: 0 is served first. */
static int rank(const struct pic_chip *c, int ir)
{
	return (ir - c->lowest - 1) & 7;
}

/* The IR in mask with the highest priority, or -1. */
static int highest(const struct pic_chip *c, uint8_t mask)
{
	int i;

	for (i = 0; i < 8; i++) {
		int ir = (c->lowest + 1 + i) & 7;

		if (mask & (1 << ir))
			return ir;
	}
	return -1;
}

/* The IR this chip would present on INT now, or -1. */
static int chip_output(const struct pic_chip *c)
{
	int req = highest(c, c->irr & ~c->imr);
	uint8_t isr = c->isr;
	int busy;

	if (req < 0)
		return -1;
	/* Special mask mode: a masked in-service IR no longer blocks. */
	if (c->special_mask)
		isr &= ~c->imr;
	busy = highest(c, isr);
	if (busy >= 0 && rank(c, busy) <= rank(c, req))
		return -1;
	return req;
}

static void chip_set_line(struct pic_chip *c, int ir, int level)
{
	uint8_t bit = 1 << ir;

	if (level) {
		if (!(c->lines & bit) || (c->elcr & bit))
			c->irr |= bit;
		c->lines |= bit;
	} else {
		c->lines &= ~bit;
		if (c->elcr & bit)
			c->irr &= ~bit;
	}
}

/* The slave's INT is the master's IR2, as a level. */
static void cascade(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0];
	uint8_t bit = 1 << CASCADE_IRQ;

	if (chip_output(&pic->chip[1]) >= 0) {
		m->irr |= bit;
		m->lines |= bit;
	} else {
		m->irr &= ~bit;
		m->lines &= ~bit;
	}
}

void pic_set_irq(struct pic *pic, int irq, int level)
{
	if (irq < 0 || irq > 15 || irq == CASCADE_IRQ)
		return;
	chip_set_line(&pic->chip[irq >> 3], irq & 7, level);
	cascade(pic);
}

bool pic_pending(struct pic *pic)
{
	return chip_output(&pic->chip[0]) >= 0;
}

void pic_describe(struct pic *pic, char *buf, size_t len)
{
	const struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];

	snprintf(buf, len, "irr %02x/%02x isr %02x/%02x imr %02x/%02x",
		 m->irr, s->irr, m->isr, s->isr, m->imr, s->imr);
}

/* The chip's half of INTA for ir. */
static void chip_ack(struct pic_chip *c, int ir)
{
	uint8_t bit = 1 << ir;

	if (!(c->elcr & bit))
		c->irr &= ~bit;
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->lowest = ir;
	} else {
		c->isr |= bit;
	}
}

int pic_ack(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int ir = chip_output(m), sir;
	int vector;

	if (ir < 0)			/* the request went away: IR7 */
		return m->vector_base + 7;
	chip_ack(m, ir);
	if (ir == CASCADE_IRQ && !m->single) {
		sir = chip_output(s);
		if (sir < 0) {
			vector = s->vector_base + 7;
		} else {
			chip_ack(s, sir);
			vector = s->vector_base + sir;
		}
	} else {
		vector = m->vector_base + ir;
	}
	cascade(pic);
	return vector;
}

/* OCW3's poll command: the next read is an INTA that returns the IR. */
static uint8_t chip_poll(struct pic *pic, int which)
{
	struct pic_chip *c = &pic->chip[which];
	int ir = chip_output(c);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, ir);
	cascade(pic);
	return 0x80 | ir;
}

static void eoi(struct pic_chip *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= ~(1 << ir);
	if (rotate)
		c->lowest = ir;
}

static void write_cmd(struct pic *pic, int which, uint8_t val)
{
	struct pic_chip *c = &pic->chip[which];

	if (val & 0x10) {			/* ICW1 */
		c->init_step = 2;
		c->need_icw4 = val & 0x01;
		c->single = val & 0x02;
		if (val & 0x08)
			vlog("pic: ICW1 level-triggered mode ignored (the ELCR decides)");
		c->imr = 0;
		c->isr = 0;
		c->irr = 0;
		c->lines = 0;
		c->lowest = 7;
		c->auto_eoi = false;
		c->rotate_on_aeoi = false;
		c->special_mask = false;
		c->read_isr = false;
		c->poll = false;
	} else if (val & 0x08) {		/* OCW3 */
		if (val & 0x02)
			c->read_isr = val & 0x01;
		c->poll = val & 0x04;
		if ((val & 0x60) == 0x60)
			c->special_mask = true;
		else if ((val & 0x60) == 0x40)
			c->special_mask = false;
	} else {				/* OCW2 */
		int level = val & 7;

		switch (val >> 5) {
		case 1:		/* non-specific EOI */
			eoi(c, highest(c, c->isr), false);
			break;
		case 3:		/* specific EOI */
			eoi(c, level, false);
			break;
		case 5:		/* rotate on non-specific EOI */
			eoi(c, highest(c, c->isr), true);
			break;
		case 7:		/* rotate on specific EOI */
			eoi(c, level, true);
			break;
		case 6:		/* set priority */
			c->lowest = level;
			break;
		case 4:
			c->rotate_on_aeoi = true;
			break;
		case 0:
			c->rotate_on_aeoi = false;
			break;
		default:	/* no operation */
			break;
		}
	}
}

static void write_data(struct pic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = val & 0xf8;
		c->init_step = c->single ? (c->need_icw4 ? 4 : 0) : 3;
		break;
	case 3:		/* cascade wiring: fixed on a PC */
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = val & 0x02;
		if (!(val & 0x01))
			vlog("pic: ICW4 asks for 8080 mode, ignored");
		c->init_step = 0;
		break;
	default:	/* OCW1 */
		c->imr = val;
		break;
	}
}

static uint8_t pic_read(struct pic *pic, int which, uint16_t off)
{
	struct pic_chip *c = &pic->chip[which];

	if (c->poll)
		return chip_poll(pic, which);
	if (off & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void pic_write(struct pic *pic, int which, uint16_t off, uint8_t val)
{
	if (off & 1)
		write_data(&pic->chip[which], val);
	else
		write_cmd(pic, which, val);
	cascade(pic);
}

static uint32_t master_in(void *opaque, uint16_t off, int size)
{
	(void)size;
	return pic_read(opaque, 0, off);
}

static void master_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	(void)size;
	pic_write(opaque, 0, off, val);
}

static uint32_t slave_in(void *opaque, uint16_t off, int size)
{
	(void)size;
	return pic_read(opaque, 1, off);
}

static void slave_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	(void)size;
	pic_write(opaque, 1, off, val);
}

static uint32_t elcr_in(void *opaque, uint16_t off, int size)
{
	struct pic *pic = opaque;

	(void)size;
	return pic->chip[off].elcr;
}

static void elcr_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	struct pic *pic = opaque;
	struct pic_chip *c = &pic->chip[off];

	(void)size;
	c->elcr = val & c->elcr_mask;
	/* a level input now reads its line, an edge input keeps its latch */
	c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
	cascade(pic);
}

struct pic *pic_create(void)
{
	struct pic *pic = calloc(1, sizeof(*pic));
	int i;

	if (!pic)
		return NULL;
	for (i = 0; i < 2; i++) {
		pic->chip[i].imr = 0xff;
		pic->chip[i].lowest = 7;
	}
	/* IRQ 0, 1, 2, 8 and 13 are edge triggered on every PC */
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;

	bus_register(&(struct pio_dev){ .name = "pic-master", .base = 0x20,
		.len = 2, .opaque = pic, .in = master_in, .out = master_out });
	bus_register(&(struct pio_dev){ .name = "pic-slave", .base = 0xa0,
		.len = 2, .opaque = pic, .in = slave_in, .out = slave_out });
	bus_register(&(struct pio_dev){ .name = "elcr", .base = 0x4d0,
		.len = 2, .opaque = pic, .in = elcr_in, .out = elcr_out });
	return pic;
}
