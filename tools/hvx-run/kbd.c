// SPDX-License-Identifier: GPL-2.0-only
/*
 * 8042 keyboard controller at ports 0x60 (data) and 0x64 (status and
 * command), with a keyboard port and an auxiliary (mouse) port and nothing
 * plugged into either.
 *
 * What it is here for: the reset line.  Pulsing output-port bit 0 low
 * (command 0xfe, or 0xd1 with bit 0 clear) resets the machine, which ends
 * hvx-run with STATUS_RESET.  Around that, the controller answers as a
 * real one does, so that a kernel probing it neither waits for timeouts
 * nor mistakes it for something else: the command byte, the self and
 * interface tests, the port enables, and for a byte sent to a port with no
 * device the "transmit timeout" reply 0xfe with status bit 6.  Replies
 * raise IRQ 1 (keyboard port) or IRQ 12 (aux port) when the command byte
 * enables them.  Commands complete at once, so the input buffer never
 * reads full.
 */
#include "hvx-run.h"

#define ST_OBF		0x01	/* output buffer full */
#define ST_SYS		0x04	/* system flag (passed self test) */
#define ST_CMD		0x08	/* last write went to 0x64 */
#define ST_UNLOCKED	0x10	/* keyboard not inhibited */
#define ST_AUX		0x20	/* the output buffer holds aux data */
#define ST_TIMEOUT	0x40

#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

#define OUTPORT_RESET	0x01	/* active low */

#define QUEUE		16

struct reply {
	uint8_t byte;
	uint8_t status;		/* ST_AUX, ST_TIMEOUT */
};

static struct {
	struct pic *pic;
	uint8_t ctr;		/* command byte ("RAM" 0) */
	uint8_t outport;
	uint8_t pending;	/* command waiting for its data byte */
	bool last_cmd;
	uint8_t last_data;	/* what 0x60 reads with nothing queued */
	struct reply q[QUEUE];
	int head, count;
} kbc;

static void update_irqs(void)
{
	const struct reply *r = &kbc.q[kbc.head];
	bool aux = kbc.count && (r->status & ST_AUX);
	bool kbd = kbc.count && !(r->status & ST_AUX);

	pic_set_irq(kbc.pic, 1, kbd && (kbc.ctr & CTR_KBDINT));
	pic_set_irq(kbc.pic, 12, aux && (kbc.ctr & CTR_AUXINT));
}

static void reply(uint8_t byte, uint8_t status)
{
	if (kbc.count == QUEUE)
		return;
	kbc.q[(kbc.head + kbc.count) % QUEUE] = (struct reply){ byte, status };
	kbc.count++;
}

static void reset(const char *how)
{
	machine_stop(STATUS_RESET, how);
}

static void command(uint8_t cmd)
{
	switch (cmd) {
	case 0x20 ... 0x3f:	/* read controller RAM: only the command byte */
		reply(cmd == 0x20 ? kbc.ctr : 0, 0);
		break;
	case 0x60 ... 0x7f:	/* write controller RAM: data follows */
	case 0xd1:		/* write output port */
	case 0xd2:		/* write keyboard output buffer */
	case 0xd3:		/* write aux output buffer */
	case 0xd4:		/* write to the aux device */
		kbc.pending = cmd;
		break;
	case 0xa7:
		kbc.ctr |= CTR_AUXDIS;
		break;
	case 0xa8:
		kbc.ctr &= ~CTR_AUXDIS;
		break;
	case 0xa9:		/* aux interface test: no error */
	case 0xab:		/* keyboard interface test: no error */
		reply(0x00, 0);
		break;
	case 0xaa:		/* self test: passed */
		kbc.ctr |= CTR_SYS;
		reply(0x55, 0);
		break;
	case 0xad:
		kbc.ctr |= CTR_KBDDIS;
		break;
	case 0xae:
		kbc.ctr &= ~CTR_KBDDIS;
		break;
	case 0xc0:		/* input port: keyboard not inhibited */
		reply(0x80, 0);
		break;
	case 0xd0:
		reply(kbc.outport, 0);
		break;
	case 0xe0:		/* test inputs */
		reply(0x00, 0);
		break;
	case 0xf0 ... 0xff:	/* pulse output-port bits 0-3 that are 0 */
		if (!(cmd & OUTPORT_RESET))
			reset("keyboard controller reset (0xfe to port 0x64)");
		break;
	default:
		vlog("kbd: controller command 0x%02x ignored", cmd);
		break;
	}
}

static void data(uint8_t val)
{
	uint8_t cmd = kbc.pending;

	kbc.pending = 0;
	switch (cmd) {
	case 0x60:
		kbc.ctr = val;
		break;
	case 0x61 ... 0x7f:
		break;
	case 0xd1:
		kbc.outport = val;
		if (!(val & OUTPORT_RESET))
			reset("keyboard controller reset (output port bit 0 cleared)");
		break;
	case 0xd2:
		reply(val, 0);
		break;
	case 0xd3:
		reply(val, ST_AUX);
		break;
	case 0xd4:		/* no mouse answers */
		reply(0xfe, ST_AUX | ST_TIMEOUT);
		break;
	default:		/* to the keyboard: none answers */
		reply(0xfe, ST_TIMEOUT);
		break;
	}
}

static uint32_t status_in(void *opaque, uint16_t off, int size)
{
	uint8_t st = ST_UNLOCKED | (kbc.ctr & CTR_SYS ? ST_SYS : 0) |
		     (kbc.last_cmd ? ST_CMD : 0);

	(void)opaque;
	(void)off;
	(void)size;
	if (kbc.count)
		st |= ST_OBF | kbc.q[kbc.head].status;
	return st;
}

static void command_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)size;
	kbc.last_cmd = true;
	command(val);
	update_irqs();
}

static uint32_t data_in(void *opaque, uint16_t off, int size)
{
	(void)opaque;
	(void)off;
	(void)size;
	if (kbc.count) {
		kbc.last_data = kbc.q[kbc.head].byte;
		kbc.head = (kbc.head + 1) % QUEUE;
		kbc.count--;
		update_irqs();
	}
	return kbc.last_data;
}

static void data_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)size;
	kbc.last_cmd = false;
	data(val);
	update_irqs();
}

void kbd_create(struct pic *pic)
{
	kbc.pic = pic;
	/* as firmware leaves it: keyboard interrupt on, translation on */
	kbc.ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE;
	kbc.outport = OUTPORT_RESET | 0x02;	/* running, A20 on */
	/* 0x60 and 0x64 only: 0x61 is the PIT's */
	bus_register(&(struct pio_dev){ .name = "kbd-data", .base = 0x60,
		.len = 1, .in = data_in, .out = data_out });
	bus_register(&(struct pio_dev){ .name = "kbd-ctl", .base = 0x64,
		.len = 1, .in = status_in, .out = command_out });
}
