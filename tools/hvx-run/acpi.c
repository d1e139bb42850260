// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI a kernel needs to power the machine off, and no more.
 *
 * Tables, written into the BIOS area at 0xe0000 (where a kernel also
 * scans for the RSDP) and reserved in the e820 map: RSDP -> RSDT and XSDT
 * -> FADT -> FACS and DSDT.  The DSDT declares only \_S5 (soft off, sleep
 * type 5).  There is no MADT: the machine has no APIC, and the kernel
 * routes interrupts through the 8259s.  The FADT says: SCI on IRQ 9, no
 * SMI command port (the machine is always in ACPI mode), no PM timer, no
 * GPE blocks, no fixed power or sleep button, an 8042 and legacy devices
 * present, no VGA, the CMOS century at 0x32.
 *
 * Hardware: the PM1a event block (status, enable) at 0x600 and the PM1a
 * control block at 0x604.  SCI_EN always reads 1.  Writing SLP_EN with
 * SLP_TYP 5 powers off: hvx-run ends with STATUS_POWEROFF.  Nothing here
 * ever raises the SCI.
 */
#include <string.h>

#include "hvx-run.h"

#define ACPI_BASE	0xe0000
#define RSDP_ADDR	(ACPI_BASE + 0x000)
#define FACS_ADDR	(ACPI_BASE + 0x040)	/* 64-byte aligned */
#define RSDT_ADDR	(ACPI_BASE + 0x080)
#define XSDT_ADDR	(ACPI_BASE + 0x0c0)
#define FADT_ADDR	(ACPI_BASE + 0x100)
#define DSDT_ADDR	(ACPI_BASE + 0x200)
#define ACPI_END	(ACPI_BASE + 0x300)

#define HDR_LEN		36
#define FADT_LEN	244	/* revision 4: up to X_GPE1_BLK */

#define PM1_EVT_PORT	0x600
#define PM1_CNT_PORT	0x604
#define PM1_EVT_LEN	4
#define PM1_CNT_LEN	2

#define SLP_TYP_S5	5
#define CNT_SCI_EN	0x0001
#define CNT_SLP_TYP(v)	(((v) >> 10) & 7)
#define CNT_SLP_EN	0x2000

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint8_t checksum(const uint8_t *p, int len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

/* The common header of a system description table; checksum last. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "HVXRUN", 6);		/* OEM ID */
	memcpy(t + 16, "HVXRUN  ", 8);		/* OEM table ID */
	put32(t + 24, 1);			/* OEM revision */
	memcpy(t + 28, "HVXR", 4);		/* creator ID */
	put32(t + 32, 1);			/* creator revision */
}

static void seal(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = checksum(t, len);
}

static void build_fadt(uint8_t *f)
{
	header(f, "FACP", FADT_LEN, 4);
	put32(f + 36, FACS_ADDR);		/* FIRMWARE_CTRL */
	put32(f + 40, DSDT_ADDR);		/* DSDT */
	f[45] = 0;				/* preferred PM profile: unspecified */
	put16(f + 46, ACPI_SCI_IRQ);		/* SCI_INT */
	put32(f + 48, 0);			/* SMI_CMD: none, always in ACPI mode */
	put32(f + 56, PM1_EVT_PORT);		/* PM1a_EVT_BLK */
	put32(f + 64, PM1_CNT_PORT);		/* PM1a_CNT_BLK */
	f[88] = PM1_EVT_LEN;
	f[89] = PM1_CNT_LEN;
	put16(f + 96, 101);			/* P_LVL2_LAT > 100: no C2 */
	put16(f + 98, 1001);			/* P_LVL3_LAT > 1000: no C3 */
	f[108] = 0x32;				/* CENTURY: CMOS index */
	/* IAPC_BOOT_ARCH: legacy devices, 8042, no VGA, no MSI */
	put16(f + 109, 0x0001 | 0x0002 | 0x0004 | 0x0008);
	/* flags: WBINVD, C1 by HLT, no fixed power or sleep button */
	put32(f + 112, 1 << 0 | 1 << 2 | 1 << 4 | 1 << 5);
	put64(f + 140, DSDT_ADDR);		/* X_DSDT (X_FIRMWARE_CTRL: 0) */
	/* X_PM1a_EVT_BLK, X_PM1a_CNT_BLK: system I/O, width, word access */
	f[148] = 1;
	f[149] = PM1_EVT_LEN * 8;
	f[151] = 2;
	put64(f + 152, PM1_EVT_PORT);
	f[172] = 1;
	f[173] = PM1_CNT_LEN * 8;
	f[175] = 2;
	put64(f + 176, PM1_CNT_PORT);
	seal(f);
}

/* Name (_S5, Package () { 5, 5, 0, 0 }) in AML */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',		/* NameOp "_S5_" */
	0x12, 0x08, 0x04,			/* PackageOp, length 8, 4 elements */
	0x0a, SLP_TYP_S5, 0x0a, SLP_TYP_S5,	/* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,				/* Zero, Zero */
};

static uint64_t acpi_tables(const struct guest_mem *m)
{
	uint8_t *rsdp = gpa_ptr(m, RSDP_ADDR, ACPI_END - ACPI_BASE);
	uint8_t *facs = rsdp + (FACS_ADDR - RSDP_ADDR);
	uint8_t *rsdt = rsdp + (RSDT_ADDR - RSDP_ADDR);
	uint8_t *xsdt = rsdp + (XSDT_ADDR - RSDP_ADDR);
	uint8_t *fadt = rsdp + (FADT_ADDR - RSDP_ADDR);
	uint8_t *dsdt = rsdp + (DSDT_ADDR - RSDP_ADDR);

	memset(rsdp, 0, ACPI_END - ACPI_BASE);

	memcpy(facs, "FACS", 4);
	put32(facs + 4, 64);
	facs[32] = 2;				/* version */

	header(dsdt, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(dsdt);

	build_fadt(fadt);

	header(rsdt, "RSDT", HDR_LEN + 4, 1);
	put32(rsdt + HDR_LEN, FADT_ADDR);
	seal(rsdt);

	header(xsdt, "XSDT", HDR_LEN + 8, 1);
	put64(xsdt + HDR_LEN, FADT_ADDR);
	seal(xsdt);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "HVXRUN", 6);
	rsdp[15] = 2;				/* ACPI 2.0+: XSDT */
	put32(rsdp + 16, RSDT_ADDR);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, XSDT_ADDR);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);
	return RSDP_ADDR;
}

/* ---- PM1 registers ------------------------------------------------------ */

static struct {
	uint16_t en;		/* PM1 enable */
	uint16_t cnt;		/* PM1 control, without SLP_EN */
} pm1;

/* off: 0 status, 2 enable, 4 control; byte accesses address either half */
static uint16_t pm1_read16(int reg)
{
	switch (reg) {
	case 2:
		return pm1.en;
	case 4:
		return pm1.cnt | CNT_SCI_EN;
	default:
		return 0;	/* no event ever sets a status bit */
	}
}

static void pm1_write16(int reg, uint16_t val, uint16_t mask)
{
	switch (reg) {
	case 2:
		pm1.en = (pm1.en & ~mask) | (val & mask);
		break;
	case 4:
		pm1.cnt = ((pm1.cnt & ~mask) | (val & mask)) & ~CNT_SLP_EN;
		if (!(val & mask & CNT_SLP_EN))
			break;
		if (CNT_SLP_TYP(pm1.cnt) == SLP_TYP_S5)
			machine_stop(STATUS_POWEROFF, "ACPI power-off (S5)");
		else
			vlog("acpi: sleep type %d requested: not supported, ignored",
			     CNT_SLP_TYP(pm1.cnt));
		break;
	default:	/* status: write 1 to clear; nothing is ever set */
		break;
	}
}

static uint32_t pm1_in(void *opaque, uint16_t off, int size)
{
	int shift = (off & 1) * 8;

	(void)opaque;
	return (pm1_read16(off & ~1) >> shift) & (size == 1 ? 0xff : 0xffff);
}

static void pm1_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	int shift = (off & 1) * 8;
	uint16_t mask = (size == 1 ? 0xff : 0xffff) << shift;

	(void)opaque;
	pm1_write16(off & ~1, val << shift, mask);
}

uint64_t acpi_create(const struct guest_mem *m)
{
	bus_register(&(struct pio_dev){ .name = "acpi-pm1", .base = PM1_EVT_PORT,
		.len = PM1_EVT_LEN + PM1_CNT_LEN, .width = 2,
		.in = pm1_in, .out = pm1_out });
	return acpi_tables(m);
}
