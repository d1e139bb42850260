// SPDX-License-Identifier: GPL-2.0-only
/*
 * 8254 programmable interval timer (ports 0x40-0x43) and the PC's port
 * 0x61, which gates channel 2 and reads its output back.
 *
 * The counters run from host time: a channel's count is computed from the
 * CLOCK_MONOTONIC nanoseconds since its count was loaded, at 1.193182 MHz,
 * so reading it costs no timer.  Channel 0 drives IRQ 0: the machine's
 * timer (main.c) calls pit_expire() at the deadline of its next rising
 * edge; edges missed while the VMM was busy are coalesced into one, as a
 * PIC latches only one request per line.
 *
 * Modelled: modes 0-5, LSB/MSB/both access, counter latch and read-back,
 * the gate of channel 2 (port 0x61 bit 0) and OUT2 (bit 5), the refresh
 * toggle (bit 4).  Simplified: modes 1 and 5 start when the count is
 * written with the gate high rather than on a gate edge; a count written
 * in modes 2 and 3 takes effect at once rather than at the end of the
 * period; BCD counting is treated as binary.
 */
#include <stdlib.h>

#include "hvx-run.h"

#define PIT_HZ		1193182ULL
#define NO_EDGE		UINT64_MAX

struct pit_chan {
	uint8_t mode;		/* 0..5 */
	uint8_t access;		/* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	uint32_t reload;	/* 1..65536 */
	bool loaded;		/* a count was written since the mode */
	bool stopped;		/* gate low: not counting */
	bool null_count;	/* mode written, count not yet */
	uint64_t start;		/* ns: counting (re)started */
	uint64_t base_ticks;	/* ticks counted before start */
	uint64_t next_edge;	/* tick of the next rising OUT edge (ch 0) */
	bool write_msb;		/* access 3: the next write is the MSB */
	uint8_t lsb;
	bool read_msb;		/* access 3: the next live read is the MSB */
	int latched;		/* latched count bytes left to read */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct pit {
	struct pit_chan ch[3];
	struct pic *pic;
	void (*arm)(uint64_t deadline_ns);
	uint8_t port61;		/* bits 0-3 as written */
};

static uint64_t ticks(const struct pit_chan *c, uint64_t now)
{
	if (!c->loaded)
		return 0;
	if (c->stopped || now < c->start)
		return c->base_ticks;
	return c->base_ticks +
	       (uint64_t)((unsigned __int128)(now - c->start) * PIT_HZ /
			  1000000000);
}

static uint16_t count(const struct pit_chan *c, uint64_t now)
{
	uint64_t k = ticks(c, now), n = c->reload, p, half;

	if (!c->loaded)
		return c->reload;
	switch (c->mode) {
	case 2:
		return n - k % n;
	case 3:
		p = k % n;
		half = (n + 1) / 2;
		return n - 2 * (p < half ? p : p - half);
	default:	/* 0, 1, 4, 5: count down through zero and wrap */
		return n - k;
	}
}

static int out(const struct pit_chan *c, uint64_t now)
{
	uint64_t k = ticks(c, now), n = c->reload;

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1:
		return k >= n;
	case 2:
		return c->stopped || k % n != n - 1;
	case 3:
		return c->stopped || k % n < (n + 1) / 2;
	default:	/* 4, 5: a one-tick low strobe at terminal count */
		return k != n;
	}
}

static bool periodic(const struct pit_chan *c)
{
	return c->mode == 2 || c->mode == 3;
}

/* The first rising edge of OUT after the count loads. */
static uint64_t first_edge(const struct pit_chan *c)
{
	return (c->mode == 4 || c->mode == 5) ? c->reload + 1 : c->reload;
}

static void rearm(struct pit *pit)
{
	struct pit_chan *c = &pit->ch[0];
	unsigned __int128 ns;

	if (!c->loaded || c->stopped || c->next_edge == NO_EDGE) {
		pit->arm(0);
		return;
	}
	/* round up: never wake before the edge */
	ns = ((unsigned __int128)(c->next_edge - c->base_ticks) * 1000000000 +
	      PIT_HZ - 1) / PIT_HZ;
	pit->arm(c->start + (uint64_t)ns);
}

void pit_expire(struct pit *pit, uint64_t now)
{
	struct pit_chan *c = &pit->ch[0];
	uint64_t k;

	if (!c->loaded || c->stopped || c->next_edge == NO_EDGE)
		return;
	k = ticks(c, now);
	if (k >= c->next_edge) {
		pic_set_irq(pit->pic, 0, 1);
		pic_set_irq(pit->pic, 0, 0);
		c->next_edge = periodic(c) ? (k / c->reload + 1) * c->reload
					   : NO_EDGE;
	}
	rearm(pit);
}

static void load(struct pit *pit, int i, uint32_t val)
{
	struct pit_chan *c = &pit->ch[i];

	if (c->bcd)
		vlog("pit: BCD count 0x%x on channel %d counted as binary",
		     val, i);
	c->reload = val ? val : 0x10000;
	if ((c->mode == 2 || c->mode == 3) && c->reload == 1)
		c->reload = 2;		/* 1 is illegal in modes 2 and 3 */
	c->loaded = true;
	c->null_count = false;
	c->stopped = !c->gate;
	c->start = now_ns();
	c->base_ticks = 0;
	c->next_edge = first_edge(c);
	if (i == 0)
		rearm(pit);
}

static void set_gate(struct pit *pit, int i, bool gate)
{
	struct pit_chan *c = &pit->ch[i];
	uint64_t now = now_ns();

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (!gate) {
		c->base_ticks = ticks(c, now);
		c->stopped = true;
	} else {
		/* modes 0 and 4 resume; the others restart on the rising edge */
		if (c->mode != 0 && c->mode != 4) {
			c->base_ticks = 0;
			c->next_edge = first_edge(c);
		}
		c->start = now;
		c->stopped = false;
	}
	if (i == 0)
		rearm(pit);
}

static uint8_t status(const struct pit_chan *c, uint64_t now)
{
	return out(c, now) << 7 | c->null_count << 6 | c->access << 4 |
	       c->mode << 1 | c->bcd;
}

static void latch(struct pit_chan *c, uint64_t now)
{
	if (c->latched)
		return;			/* a second latch is ignored */
	c->latch = count(c, now);
	c->latched = c->access == 3 ? 2 : 1;
}

static void control(struct pit *pit, uint8_t val)
{
	uint64_t now = now_ns();
	int i = val >> 6, access = (val >> 4) & 3;
	struct pit_chan *c;

	if (i == 3) {		/* read-back */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			c = &pit->ch[i];
			if (!(val & 0x20))
				latch(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = status(c, now);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[i];
	if (access == 0) {	/* counter latch */
		latch(c, now);
		return;
	}
	c->access = access;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are 2 and 3 */
	c->bcd = val & 1;
	c->loaded = false;
	c->null_count = true;
	c->next_edge = NO_EDGE;
	c->write_msb = false;
	c->read_msb = false;
	c->latched = 0;
	c->status_latched = false;
	if (i == 0)
		rearm(pit);
}

static void write_count(struct pit *pit, int i, uint8_t val)
{
	struct pit_chan *c = &pit->ch[i];

	switch (c->access) {
	case 1:
		load(pit, i, val);
		break;
	case 2:
		load(pit, i, val << 8);
		break;
	case 3:
		if (!c->write_msb) {
			c->lsb = val;
			c->write_msb = true;
			/* mode 0: the first byte stops the count */
			if (c->mode == 0 && c->loaded) {
				c->loaded = false;
				c->next_edge = NO_EDGE;
				if (i == 0)
					rearm(pit);
			}
		} else {
			c->write_msb = false;
			load(pit, i, c->lsb | val << 8);
		}
		break;
	default:	/* never programmed */
		break;
	}
}

static uint8_t read_count(struct pit_chan *c)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		msb = c->access == 2 || (c->access == 3 && c->latched == 1);
		c->latched--;
		return msb ? c->latch >> 8 : c->latch & 0xff;
	}
	v = count(c, now_ns());
	msb = c->access == 2;
	if (c->access == 3) {
		msb = c->read_msb;
		c->read_msb = !c->read_msb;
	}
	return msb ? v >> 8 : v & 0xff;
}

static uint32_t pit_in(void *opaque, uint16_t off, int size)
{
	struct pit *pit = opaque;

	(void)size;
	if (off == 3)
		return 0xff;	/* the control word is write-only */
	return read_count(&pit->ch[off]);
}

static void pit_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	struct pit *pit = opaque;

	(void)size;
	if (off == 3)
		control(pit, val);
	else
		write_count(pit, off, val);
}

/*
 * Port 0x61: bit 0 gates channel 2, bit 1 enables the speaker, bits 2-3
 * mask parity/channel-check NMIs (never raised here); reads add the DRAM
 * refresh toggle (bit 4, every 15.085 us) and OUT2 (bit 5).
 */
static uint32_t port61_in(void *opaque, uint16_t off, int size)
{
	struct pit *pit = opaque;
	uint64_t now = now_ns();

	(void)off;
	(void)size;
	return (pit->port61 & 0x0f) | ((now / 15085) & 1) << 4 |
	       out(&pit->ch[2], now) << 5;
}

static void port61_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	struct pit *pit = opaque;

	(void)off;
	(void)size;
	pit->port61 = val & 0x0f;
	set_gate(pit, 2, val & 1);
}

struct pit *pit_create(struct pic *pic, void (*arm)(uint64_t deadline_ns))
{
	struct pit *pit = calloc(1, sizeof(*pit));
	int i;

	if (!pit)
		return NULL;
	pit->pic = pic;
	pit->arm = arm;
	for (i = 0; i < 3; i++) {
		pit->ch[i].reload = 0x10000;
		pit->ch[i].next_edge = NO_EDGE;
		pit->ch[i].gate = i != 2;	/* 0 and 1 are tied high */
	}
	bus_register(&(struct pio_dev){ .name = "pit", .base = 0x40, .len = 4,
		.opaque = pit, .in = pit_in, .out = pit_out });
	bus_register(&(struct pio_dev){ .name = "port61", .base = 0x61,
		.len = 1, .opaque = pit, .in = port61_in, .out = port61_out });
	return pit;
}
