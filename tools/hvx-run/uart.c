// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550A UART.  Transmission is instantaneous: a byte written to THR goes
 * to the tx callback at once, so THR and the shift register always read
 * empty and the THRE interrupt re-arms right after each write.  Received
 * bytes wait in the 16-byte FIFO (1 byte with the FIFO off); the machine
 * feeds it only as far as it has room, so nothing is ever overrun.
 *
 * Interrupt sources by priority (IIR): line status, received data, THR
 * empty, modem status.  As on a PC, the interrupt reaches the PIC only
 * while MCR.OUT2 is set and the loopback mode is off.  In loopback mode
 * transmitted bytes come back as received ones and MSR reflects MCR.
 * Not modelled: the character timeout (data is reported as soon as it
 * arrives), baud rates, parity and framing errors, breaks.
 */
#include <stdlib.h>
#include <string.h>

#include "hvx-run.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_RDI		0x01	/* received data */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* line status */
#define IER_MSI		0x08	/* modem status */

#define IIR_NONE	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DELTAS	0x0f
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define FIFO_SIZE	16

struct uart {
	uint8_t ier, fcr, lcr, mcr, lsr_errors, msr, scr, dll, dlm;
	bool thr_irq;		/* THRE interrupt pending */
	uint8_t rx[FIFO_SIZE];
	int rx_head, rx_count;
	int irq;
	struct pic *pic;
	void (*tx)(uint8_t byte);
	void (*rx_room)(void);
};

static int rx_capacity(const struct uart *u)
{
	return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

static uint8_t iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RLSI) && u->lsr_errors)
		return fifo | IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_irq)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		return fifo | IIR_MSI;
	return fifo | IIR_NONE;
}

static void update_irq(struct uart *u)
{
	bool wired = (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	pic_set_irq(u->pic, u->irq, wired && !(iir(u) & IIR_NONE));
}

/* MSR's upper nibble; a change sets the matching delta bits. */
static void set_modem_lines(struct uart *u, uint8_t lines)
{
	uint8_t old = u->msr;

	u->msr = lines | (old & MSR_DELTAS);
	if ((old ^ lines) & MSR_CTS)
		u->msr |= 0x01;
	if ((old ^ lines) & MSR_DSR)
		u->msr |= 0x02;
	if ((old & MSR_RI) && !(lines & MSR_RI))	/* trailing edge */
		u->msr |= 0x04;
	if ((old ^ lines) & MSR_DCD)
		u->msr |= 0x08;
}

static void update_modem_lines(struct uart *u)
{
	uint8_t m = u->mcr, lines;

	if (m & MCR_LOOP)
		lines = (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
			(m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
	else
		lines = MSR_CTS | MSR_DSR | MSR_DCD;	/* a terminal is there */
	set_modem_lines(u, lines);
}

static void rx_push(struct uart *u, uint8_t byte)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % FIFO_SIZE] = byte;
	u->rx_count++;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
	u->rx_count--;
	if (!u->rx_count && u->rx_room)
		u->rx_room();
	return byte;
}

int uart_rx_room(struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;	/* the line is disconnected */
	return rx_capacity(u) - u->rx_count;
}

void uart_receive(struct uart *u, const uint8_t *buf, int n)
{
	int i;

	for (i = 0; i < n; i++)
		rx_push(u, buf[i]);
	update_irq(u);
}

static uint32_t uart_in(void *opaque, uint16_t off, int size)
{
	struct uart *u = opaque;
	uint8_t val;

	(void)size;
	switch (off) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		val = rx_pop(u);
		break;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		val = iir(u);
		/* reading IIR with THRE the reason acknowledges it */
		if ((val & 0x0f) == IIR_THRI)
			u->thr_irq = false;
		break;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		val = LSR_THRE | LSR_TEMT | u->lsr_errors |
		      (u->rx_count ? LSR_DR : 0);
		u->lsr_errors = 0;
		break;
	case MSR:
		val = u->msr;
		u->msr &= ~MSR_DELTAS;
		break;
	default:
		return u->scr;
	}
	update_irq(u);
	return val;
}

static void uart_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	struct uart *u = opaque;
	uint8_t old;

	(void)size;
	switch (off) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, val);
		else
			u->tx(val);
		u->thr_irq = true;	/* sent already: empty again */
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		old = u->ier;
		u->ier = val & 0x0f;
		/* enabling THRE while THR is empty raises it */
		if (!(old & IER_THRI) && (u->ier & IER_THRI))
			u->thr_irq = true;
		break;
	case IIR_FCR:
		if ((val ^ u->fcr) & FCR_ENABLE || (val & FCR_CLEAR_RX)) {
			u->rx_count = 0;
			u->rx_head = 0;
			if (u->rx_room)
				u->rx_room();
		}
		u->fcr = val & 0xc9;	/* enable, DMA mode, trigger level */
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		update_modem_lines(u);
		if (!(u->mcr & MCR_LOOP) && u->rx_room)
			u->rx_room();
		break;
	case LSR:
	case MSR:
		return;		/* factory test registers: writes ignored */
	default:
		u->scr = val;
		return;
	}
	update_irq(u);
}

struct uart *uart_create(uint16_t base, int irq, struct pic *pic,
			 void (*tx)(uint8_t byte), void (*rx_room)(void))
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->irq = irq;
	u->pic = pic;
	u->tx = tx;
	u->rx_room = rx_room;
	u->lcr = 0x03;		/* 8N1, as firmware leaves it */
	update_modem_lines(u);
	u->msr &= ~MSR_DELTAS;
	bus_register(&(struct pio_dev){ .name = "uart", .base = base, .len = 8,
		.opaque = u, .in = uart_in, .out = uart_out });
	return u;
}
