/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvx-run: a small VMM that boots a Linux bzImage on one vCPU through the
 * KVM ioctl ABI (/dev/hvx or /dev/kvm), with a userspace PC platform:
 * 8259 PIC, 8254 PIT, 16550 UART, CMOS RTC, 8042 keyboard controller and
 * the ACPI tables and PM1 registers a kernel needs to power off.
 *
 * Locking: every device's state is guarded by the one machine lock
 * (struct machine.lock in main.c).  Device entry points (port handlers,
 * pic_*, pit_expire, uart_receive, ...) are called with it held, from the
 * vCPU thread (port exits) or the I/O thread (timer and console input).
 */
#ifndef HVX_RUN_H
#define HVX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KiB(x)	((uint64_t)(x) << 10)
#define MiB(x)	((uint64_t)(x) << 20)
#define GiB(x)	((uint64_t)(x) << 30)

/* Exit statuses of hvx-run (Documentation/hvx-run.rst). */
enum {
	STATUS_POWEROFF	= 0,	/* ACPI S5 (poweroff) */
	STATUS_ERROR	= 1,	/* hvx-run or the hypervisor failed */
	STATUS_USAGE	= 2,	/* bad command line */
	STATUS_RESET	= 3,	/* 8042 reset, triple fault */
	STATUS_HALTED	= 4,	/* HLT with interrupts off: nothing can wake it */
	STATUS_TIMEOUT	= 5,	/* --timeout expired */
	STATUS_SIGNAL	= 128,	/* + signal number, or Ctrl-A x (SIGINT) */
};

extern bool verbose;

/* main.c: the machine services devices use */
uint64_t now_ns(void);				/* CLOCK_MONOTONIC */
void machine_stop(int status, const char *why);	/* the first one wins */
/* "hvx-run: ..." lines on stderr: always, and with --verbose only */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Guest memory as the loaders see it. */
struct guest_mem {
	uint8_t *host;		/* backing of [0, low_size) and [4G, ...) */
	uint64_t low_size;	/* RAM below the 3 GiB hole */
	uint64_t high_size;	/* RAM from 4 GiB up */
};
#define LOW_MEM_MAX	GiB(3)
#define HIGH_MEM_BASE	GiB(4)

/* Host pointer for guest-physical [gpa, gpa + len), or NULL. */
void *gpa_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* ---- bus.c: port I/O dispatch ------------------------------------------ */

struct pio_dev {
	const char *name;
	uint16_t base, len;
	/*
	 * Widest access the device takes; wider ones are split into
	 * consecutive narrower ones, as an ISA bus splits a 16-bit cycle to
	 * an 8-bit device.  0 means 1.
	 */
	uint8_t width;
	void *opaque;
	/* offset from base; the value is the access's width */
	uint32_t (*in)(void *opaque, uint16_t off, int size);
	void (*out)(void *opaque, uint16_t off, int size, uint32_t val);
};

void bus_register(const struct pio_dev *dev);
/* One access of 1, 2 or 4 bytes; data is little-endian. */
void bus_pio(uint16_t port, int size, bool write, uint8_t *data);
/* Unclaimed MMIO: reads return all-ones, logged once with --verbose. */
void bus_mmio(uint64_t gpa, int len, bool write, uint8_t *data);

/* ---- pic.c: two cascaded 8259A and the ELCR ----------------------------- */

struct pic;
struct pic *pic_create(void);
/* Drive ISA interrupt line 0..15 (edge or level per the ELCR). */
void pic_set_irq(struct pic *pic, int irq, int level);
/* The master's INT output: an interrupt is waiting for INTA. */
bool pic_pending(struct pic *pic);
/* INTA: the vector to inject (spurious IRQ 7/15 when nothing is left). */
int pic_ack(struct pic *pic);
/* "irr M/S isr M/S imr M/S", for diagnostics */
void pic_describe(struct pic *pic, char *buf, size_t len);

/* ---- pit.c: 8254 PIT and port 0x61 ----------------------------------- */

struct pit;
/* arm(deadline) asks for pit_expire() at that CLOCK_MONOTONIC time (0: none) */
struct pit *pit_create(struct pic *pic, void (*arm)(uint64_t deadline_ns));
void pit_expire(struct pit *pit, uint64_t now);

/* ---- uart.c: 16550A ------------------------------------------------------ */

struct uart;
struct uart *uart_create(uint16_t base, int irq, struct pic *pic,
			 void (*tx)(uint8_t byte),
			 void (*rx_room)(void));
/* Room in the receive FIFO, and bytes arriving on the line. */
int uart_rx_room(struct uart *u);
void uart_receive(struct uart *u, const uint8_t *buf, int n);

/* ---- cmos.c: MC146818 RTC and CMOS RAM ---------------------------------- */

void cmos_create(const struct guest_mem *m);

/* ---- kbd.c: 8042 keyboard controller, nothing plugged in -------------- */

void kbd_create(struct pic *pic);

/* ---- acpi.c: RSDP/XSDT/FADT/FACS/DSDT and the PM1 registers ----------- */

/* Builds the tables in the BIOS area; returns the RSDP's address. */
uint64_t acpi_create(const struct guest_mem *m);
#define ACPI_SCI_IRQ	9

/* ---- boot.c: the x86 Linux boot protocol, 64-bit entry ---------------- */

struct kvm_regs;
struct kvm_sregs;
struct boot_image;
/*
 * Reads and checks the kernel, the initrd and the command line, and places
 * them in low_size bytes of RAM; one line on stderr and NULL if they do
 * not boot or fit.  boot_load() then writes them into guest memory with
 * the zero page, the page tables and the GDT, and fills the entry state.
 */
struct boot_image *boot_open(const char *kernel, const char *initrd,
			     const char *cmdline, uint64_t low_size);
void boot_load(const struct boot_image *bi, const struct guest_mem *m,
	       uint64_t rsdp, struct kvm_regs *regs, struct kvm_sregs *sregs);
void boot_close(struct boot_image *bi);

#endif
