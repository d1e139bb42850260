// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O dispatch.  A table of 64 Ki device indices makes each access one
 * lookup.  Nothing answers on a port no device claims: reads float to
 * all-ones, writes vanish, and with --verbose each unclaimed port (and MMIO
 * address) is logged the first time it is read or written.
 */
#include <string.h>

#include "hvx-run.h"

#define MAX_DEVS	32
#define MAX_MMIO_LOGGED	64

static struct pio_dev devs[MAX_DEVS];
static int ndevs;
static uint8_t port_dev[65536];		/* 0: unclaimed, else index + 1 */
static uint8_t port_logged[65536];	/* bit 0 read, bit 1 write */
static uint64_t mmio_logged[MAX_MMIO_LOGGED];
static int nmmio_logged;

void bus_register(const struct pio_dev *dev)
{
	unsigned int p;

	if (ndevs == MAX_DEVS) {
		msg("too many port devices (%s)", dev->name);
		return;
	}
	devs[ndevs] = *dev;
	if (!devs[ndevs].width)
		devs[ndevs].width = 1;
	for (p = dev->base; p < (unsigned int)dev->base + dev->len; p++)
		port_dev[p] = ndevs + 1;
	ndevs++;
}

static void unclaimed(uint16_t port, int size, bool write, uint32_t val)
{
	uint8_t bit = write ? 2 : 1;

	if (!verbose || (port_logged[port] & bit))
		return;
	port_logged[port] |= bit;
	if (write)
		vlog("unclaimed port write: out%c 0x%x <- 0x%x (logged once)",
		     "?bw?l"[size], port, val);
	else
		vlog("unclaimed port read: in%c 0x%x -> all-ones (logged once)",
		     "?bw?l"[size], port);
}

/* One access no wider than the device takes. */
static void dev_access(uint16_t port, int size, bool write, uint8_t *data)
{
	int idx = port_dev[port];
	struct pio_dev *d = idx ? &devs[idx - 1] : NULL;
	uint32_t val = 0;

	if (write)
		memcpy(&val, data, size);
	if (!d || (write ? !d->out : !d->in)) {
		unclaimed(port, size, write, val);
		if (!write)
			memset(data, 0xff, size);
		return;
	}
	if (write) {
		d->out(d->opaque, port - d->base, size, val);
	} else {
		val = d->in(d->opaque, port - d->base, size);
		memcpy(data, &val, size);
	}
}

void bus_pio(uint16_t port, int size, bool write, uint8_t *data)
{
	int idx = port_dev[port];
	int width = idx ? devs[idx - 1].width : size;
	int i;

	if (size <= width) {
		dev_access(port, size, write, data);
		return;
	}
	for (i = 0; i < size; i += width)
		dev_access(port + i, width, write, data + i);
}

void bus_mmio(uint64_t gpa, int len, bool write, uint8_t *data)
{
	int i;

	if (!write)
		memset(data, 0xff, len);
	if (!verbose)
		return;
	for (i = 0; i < nmmio_logged; i++)
		if (mmio_logged[i] == gpa)
			return;
	if (nmmio_logged == MAX_MMIO_LOGGED)
		return;
	mmio_logged[nmmio_logged++] = gpa;
	vlog("unclaimed MMIO %s of %d bytes at 0x%llx%s (logged once)",
	     write ? "write" : "read", len, (unsigned long long)gpa,
	     write ? "" : " -> all-ones");
	if (nmmio_logged == MAX_MMIO_LOGGED)
		vlog("unclaimed MMIO: %d addresses logged, no more",
		     MAX_MMIO_LOGGED);
}
