// SPDX-License-Identifier: GPL-2.0-only
/*
 * MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7 masks
 * NMI) and 0x71 (data).
 *
 * The clock reads the host's UTC time plus an offset the guest sets by
 * writing the time registers, in BCD or binary and 12- or 24-hour format
 * as register B asks.  Register A never shows an update in progress,
 * register D always reports valid RAM and battery.  Not modelled: the
 * periodic, alarm and update-ended interrupts (IRQ 8 is never raised,
 * register C reads 0), the alarm registers beyond storing them.
 *
 * The RAM also holds what PC firmware leaves there: the memory sizes
 * (0x15-0x18, 0x30-0x31, 0x34-0x35, 0x5b-0x5d) and the century (0x32).
 */
#include <time.h>

#include "hvx-run.h"

enum {
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_WDAY = 0x06,
	RTC_MDAY = 0x07, RTC_MON = 0x08, RTC_YEAR = 0x09,
	RTC_A = 0x0a, RTC_B = 0x0b, RTC_C = 0x0c, RTC_D = 0x0d,
	CMOS_CENTURY = 0x32,
};

#define B_BIN	0x04	/* binary, not BCD */
#define B_24H	0x02

static struct {
	uint8_t index;
	uint8_t ram[128];
	int64_t offset;		/* guest time - host time, seconds */
} cmos;

/* The registers the clock itself keeps (the alarm ones are plain RAM). */
static bool is_clock_reg(uint8_t r)
{
	switch (r) {
	case RTC_SEC:
	case RTC_MIN:
	case RTC_HOUR:
	case RTC_WDAY:
	case RTC_MDAY:
	case RTC_MON:
	case RTC_YEAR:
	case CMOS_CENTURY:
		return true;
	default:
		return false;
	}
}

static uint8_t to_reg(int v)
{
	return (cmos.ram[RTC_B] & B_BIN) ? v : (v / 10) << 4 | v % 10;
}

static int from_reg(uint8_t v)
{
	return (cmos.ram[RTC_B] & B_BIN) ? v : (v >> 4) * 10 + (v & 0x0f);
}

static void guest_tm(struct tm *tm)
{
	time_t t = time(NULL) + cmos.offset;

	gmtime_r(&t, tm);
}

static uint8_t hour_to_reg(int h)
{
	int h12;

	if (cmos.ram[RTC_B] & B_24H)
		return to_reg(h);
	h12 = h % 12 ? h % 12 : 12;
	return to_reg(h12) | (h >= 12 ? 0x80 : 0);
}

static int hour_from_reg(uint8_t v)
{
	int h;

	if (cmos.ram[RTC_B] & B_24H)
		return from_reg(v);
	h = from_reg(v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

static uint8_t read_time(uint8_t r)
{
	struct tm tm;

	guest_tm(&tm);
	switch (r) {
	case RTC_SEC:	return to_reg(tm.tm_sec);
	case RTC_MIN:	return to_reg(tm.tm_min);
	case RTC_HOUR:	return hour_to_reg(tm.tm_hour);
	case RTC_WDAY:	return to_reg(tm.tm_wday + 1);
	case RTC_MDAY:	return to_reg(tm.tm_mday);
	case RTC_MON:	return to_reg(tm.tm_mon + 1);
	case RTC_YEAR:	return to_reg(tm.tm_year % 100);
	default:	return to_reg((tm.tm_year + 1900) / 100);	/* century */
	}
}

static void write_time(uint8_t r, uint8_t v)
{
	struct tm tm;
	time_t host = time(NULL), t;

	guest_tm(&tm);
	switch (r) {
	case RTC_SEC:	tm.tm_sec = from_reg(v); break;
	case RTC_MIN:	tm.tm_min = from_reg(v); break;
	case RTC_HOUR:	tm.tm_hour = hour_from_reg(v); break;
	case RTC_MDAY:	tm.tm_mday = from_reg(v); break;
	case RTC_MON:	tm.tm_mon = from_reg(v) - 1; break;
	case RTC_YEAR:
		tm.tm_year = tm.tm_year / 100 * 100 + from_reg(v);
		break;
	case CMOS_CENTURY:
		tm.tm_year = (from_reg(v) - 19) * 100 + tm.tm_year % 100;
		break;
	default:	/* day of week: derived from the date */
		return;
	}
	t = timegm(&tm);
	if (t != (time_t)-1)
		cmos.offset = t - host;
}

static uint32_t cmos_in(void *opaque, uint16_t off, int size)
{
	uint8_t r = cmos.index;

	(void)opaque;
	(void)size;
	if (off == 0)
		return 0xff;	/* the index register is write-only */
	if (is_clock_reg(r))
		return read_time(r);
	switch (r) {
	case RTC_A:
		return cmos.ram[RTC_A] & 0x7f;	/* UIP never set */
	case RTC_C:
		return 0;	/* no interrupt flags: nothing raises them */
	case RTC_D:
		return 0x80;	/* valid RAM and time */
	default:
		return cmos.ram[r];
	}
}

static void cmos_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	uint8_t r = cmos.index;

	(void)opaque;
	(void)size;
	if (off == 0) {
		cmos.index = val & 0x7f;	/* bit 7: NMI mask, no NMIs here */
		return;
	}
	if (is_clock_reg(r)) {
		write_time(r, val);
		return;
	}
	switch (r) {
	case RTC_C:
	case RTC_D:
		return;		/* read-only */
	case RTC_B:
		if (val & 0x70)
			vlog("cmos: RTC interrupts enabled (0x%02x): not modelled, IRQ 8 stays quiet",
			     val);
		break;
	}
	cmos.ram[r] = val;
}

void cmos_create(const struct guest_mem *m)
{
	uint64_t above1m = m->low_size > MiB(1) ? (m->low_size - MiB(1)) >> 10 : 0;
	uint64_t above16m = m->low_size > MiB(16) ? (m->low_size - MiB(16)) >> 16 : 0;
	uint64_t above4g = m->high_size >> 16;

	if (above1m > 0xffff)
		above1m = 0xffff;
	if (above16m > 0xffff)
		above16m = 0xffff;
	cmos.ram[RTC_A] = 0x26;		/* 32.768 kHz base, 1024 Hz rate */
	cmos.ram[RTC_B] = B_24H;	/* BCD, 24 hours */
	cmos.ram[0x15] = 640 & 0xff;	/* base memory, KiB */
	cmos.ram[0x16] = 640 >> 8;
	cmos.ram[0x17] = cmos.ram[0x30] = above1m & 0xff;	/* KiB above 1 MiB */
	cmos.ram[0x18] = cmos.ram[0x31] = above1m >> 8;
	cmos.ram[0x34] = above16m & 0xff;	/* 64 KiB blocks above 16 MiB */
	cmos.ram[0x35] = above16m >> 8;
	cmos.ram[0x5b] = above4g & 0xff;	/* 64 KiB blocks above 4 GiB */
	cmos.ram[0x5c] = above4g >> 8;
	cmos.ram[0x5d] = above4g >> 16;
	bus_register(&(struct pio_dev){ .name = "cmos", .base = 0x70, .len = 2,
		.in = cmos_in, .out = cmos_out });
}
