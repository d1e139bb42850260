// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading a bzImage by the x86 Linux boot protocol (the kernel's
 * Documentation/x86/boot.rst), entering it at its 64-bit entry point.
 *
 * The file is a real-mode setup part of (setup_sects + 1) sectors, whose
 * header ("HdrS" at 0x202) describes the kernel, followed by the
 * protected-mode kernel.  A 64-bit boot loader skips the setup code: it
 * copies the protected-mode kernel to its load address, fills a zero page
 * (struct boot_params) with the setup header, the command line pointer,
 * the initrd and the e820 memory map, and enters at load address + 0x200
 * in long mode with:
 *   - paging on, identity-mapping the kernel's init_size from its load
 *     address, the zero page and the command line (here: all of the first
 *     4 GiB, with 2 MiB pages);
 *   - a GDT with flat 4 GiB segments at __BOOT_CS (0x10, execute/read,
 *     64-bit) and __BOOT_DS (0x18, read/write) loaded in CS and DS/ES/SS;
 *   - interrupts disabled; RSI = the zero page's address.
 *
 * Guest-physical layout below 1 MiB (all RAM but the BIOS area):
 *   0x00500  GDT            0x07000  zero page
 *   0x01000  PML4           0x08000  stack (grows down from 0x10000)
 *   0x02000  PDPT           0x20000  command line
 *   0x03000  4 page dirs    0xe0000  ACPI tables (acpi.c), reserved
 * The kernel goes to its preferred address (16 MiB for Debian's), the
 * initrd as high as initrd_addr_max and the RAM below 3 GiB allow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>
#include <linux/kvm.h>

#include "hvx-run.h"

#define GDT_ADDR	0x00500
#define PML4_ADDR	0x01000
#define PDPT_ADDR	0x02000
#define PD_ADDR		0x03000
#define ZERO_PAGE_ADDR	0x07000
#define STACK_TOP	0x10000
#define CMDLINE_ADDR	0x20000
#define CMDLINE_MAX	(0xe0000 - CMDLINE_ADDR)
#define EBDA_ADDR	0x9fc00		/* a PC's last KiB of base memory */
#define BIOS_ADDR	0xe0000
#define HIGH_ADDR	MiB(1)

#define BOOT_CS		0x10
#define BOOT_DS		0x18

#define HDR_OFFSET	0x1f1
#define BOOT_MAGIC	0x53726448	/* "HdrS" */
#define ENTRY64_OFFSET	0x200

#define CR0_PE		(1u << 0)
#define CR0_MP		(1u << 1)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_PG		(1u << 31)
#define CR4_PAE		(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

#define E820_RAM	1
#define E820_RESERVED	2

static void *read_file(const char *what, const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		msg("cannot read the %s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		msg("the %s %s is not a regular file", what, path);
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		msg("not enough memory to read the %s %s", what, path);
		close(fd);
		return NULL;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, st.st_size - done);
		if (n <= 0) {
			msg("cannot read the %s %s: %s", what, path,
			       n ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return NULL;
		}
		done += n;
	}
	close(fd);
	*size = done;
	return buf;
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

static void build_e820(struct boot_params *bp, const struct guest_mem *m)
{
	add_e820(bp, 0, EBDA_ADDR, E820_RAM);
	add_e820(bp, EBDA_ADDR, 0xa0000 - EBDA_ADDR, E820_RESERVED);
	add_e820(bp, BIOS_ADDR, HIGH_ADDR - BIOS_ADDR, E820_RESERVED);
	add_e820(bp, HIGH_ADDR, m->low_size - HIGH_ADDR, E820_RAM);
	if (m->high_size)
		add_e820(bp, HIGH_MEM_BASE, m->high_size, E820_RAM);
}

/* Identity map of the first 4 GiB with 2 MiB pages. */
static void build_page_tables(const struct guest_mem *m)
{
	uint64_t *pml4 = gpa_ptr(m, PML4_ADDR, 4096);
	uint64_t *pdpt = gpa_ptr(m, PDPT_ADDR, 4096);
	uint64_t *pd = gpa_ptr(m, PD_ADDR, 4 * 4096);
	int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_ADDR | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i << 21 | PTE_P | PTE_RW | PTE_PS;
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .s = 1, .g = 1,
		.l = code, .db = !code,
	};
}

static void build_cpu_state(const struct guest_mem *m, uint64_t entry,
			    struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	uint64_t *gdt = gpa_ptr(m, GDT_ADDR, 4 * 8);

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[BOOT_CS / 8] = 0x00af9b000000ffffull;	/* 64-bit code, exec/read */
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffull;	/* flat data, read/write */

	set_seg(&sregs->cs, BOOT_CS, 0xb, true);	/* execute/read, accessed */
	set_seg(&sregs->ds, BOOT_DS, 0x3, false);	/* read/write, accessed */
	sregs->es = sregs->ss = sregs->fs = sregs->gs = sregs->ds;
	/* a long-mode task register (busy 64-bit TSS) and no LDT */
	sregs->tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb,
					  .present = 1 };
	sregs->ldt = (struct kvm_segment){ .limit = 0xffff, .type = 0x2,
					   .unusable = 1 };
	sregs->gdt.base = GDT_ADDR;
	sregs->gdt.limit = 4 * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = PML4_ADDR;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = 0x2;		/* IF clear */
	regs->rip = entry;
	regs->rsi = ZERO_PAGE_ADDR;
	regs->rsp = STACK_TOP;
}

struct boot_image {
	const char *kernel, *initrd, *cmdline;
	uint8_t *img;		/* the whole bzImage */
	size_t img_size, setup_size;
	uint8_t *rd;
	size_t rd_size;
	uint64_t load;		/* protected-mode kernel's address */
	uint64_t rd_addr;
};

void boot_close(struct boot_image *bi)
{
	if (!bi)
		return;
	free(bi->rd);
	free(bi->img);
	free(bi);
}

struct boot_image *boot_open(const char *kernel, const char *initrd,
			     const char *cmdline, uint64_t low_size)
{
	struct boot_image *bi = calloc(1, sizeof(*bi));
	const struct setup_header *fh;
	uint64_t end, rd_top;
	size_t cmd_len;

	if (!bi) {
		msg("out of memory");
		return NULL;
	}
	bi->kernel = kernel;
	bi->initrd = initrd;
	bi->cmdline = cmdline;
	bi->img = read_file("kernel", kernel, &bi->img_size);
	if (!bi->img)
		goto fail;
	fh = (const void *)(bi->img + HDR_OFFSET);
	if (bi->img_size < 0x1000 || fh->boot_flag != 0xaa55 ||
	    fh->header != BOOT_MAGIC) {
		msg("%s is not a bzImage (no Linux boot protocol header)",
		    kernel);
		goto fail;
	}
	if (fh->version < 0x20c || !(fh->xloadflags & XLF_KERNEL_64)) {
		msg("%s has no 64-bit entry point (boot protocol %u.%02u; "
		    "2.12 with XLF_KERNEL_64 needed)", kernel,
		    fh->version >> 8, fh->version & 0xff);
		goto fail;
	}
	bi->setup_size = ((fh->setup_sects ? fh->setup_sects : 4) + 1) * 512;
	if (bi->setup_size >= bi->img_size) {
		msg("%s is not a bzImage (setup part beyond the file's end)",
		    kernel);
		goto fail;
	}
	cmd_len = strlen(cmdline);
	if (cmd_len > fh->cmdline_size || cmd_len >= CMDLINE_MAX) {
		msg("the command line is %zu bytes, this kernel takes %u",
		    cmd_len, fh->cmdline_size);
		goto fail;
	}

	/*
	 * A relocatable kernel may go anywhere aligned; its preference is
	 * where it would otherwise move itself.  init_size covers the
	 * decompressor's whole working area from the load address.
	 */
	bi->load = fh->pref_address ? fh->pref_address : HIGH_ADDR;
	end = bi->load + bi->img_size - bi->setup_size;
	if (bi->load + fh->init_size > end)
		end = bi->load + fh->init_size;
	if (end > low_size) {
		msg("not enough memory: this kernel needs %llu MiB of RAM, "
		    "the guest has %llu MiB (--mem)",
		    (unsigned long long)(end >> 20) + 1,
		    (unsigned long long)(low_size >> 20));
		goto fail;
	}
	if (initrd) {
		bi->rd = read_file("initrd", initrd, &bi->rd_size);
		if (!bi->rd)
			goto fail;
		rd_top = (uint64_t)fh->initrd_addr_max + 1;
		if (rd_top > low_size)
			rd_top = low_size;
		bi->rd_addr = (rd_top - bi->rd_size) & ~0xfffull;
		if (rd_top < end || bi->rd_size > rd_top - end ||
		    bi->rd_addr < end) {
			msg("not enough memory: the kernel and the %zu KiB "
			    "initrd do not fit in the guest's %llu MiB (--mem)",
			    bi->rd_size >> 10,
			    (unsigned long long)(low_size >> 20));
			goto fail;
		}
	}
	return bi;
fail:
	boot_close(bi);
	return NULL;
}

void boot_load(const struct boot_image *bi, const struct guest_mem *m,
	       uint64_t rsdp, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	struct boot_params *bp = gpa_ptr(m, ZERO_PAGE_ADDR, sizeof(*bp));
	const struct setup_header *fh = (const void *)(bi->img + HDR_OFFSET);
	struct setup_header *h = &bp->hdr;
	size_t kernel_size = bi->img_size - bi->setup_size;
	size_t hdr_len, cmd_len = strlen(bi->cmdline);

	memcpy(gpa_ptr(m, bi->load, kernel_size), bi->img + bi->setup_size,
	       kernel_size);
	if (bi->rd)
		memcpy(gpa_ptr(m, bi->rd_addr, bi->rd_size), bi->rd,
		       bi->rd_size);
	memcpy(gpa_ptr(m, CMDLINE_ADDR, cmd_len + 1), bi->cmdline, cmd_len + 1);

	/* The setup header runs from 0x1f1 to the jump's target at 0x202. */
	memset(bp, 0, sizeof(*bp));
	hdr_len = 0x202 + bi->img[0x201] - HDR_OFFSET;
	if (hdr_len > sizeof(*h))
		hdr_len = sizeof(*h);
	memcpy(h, fh, hdr_len);
	h->type_of_loader = 0xff;		/* no registered loader id */
	h->cmd_line_ptr = CMDLINE_ADDR;
	h->ramdisk_image = bi->rd_addr;
	h->ramdisk_size = bi->rd_size;
	h->hardware_subarch = 0;		/* a PC */
	bp->ext_ramdisk_image = bi->rd_addr >> 32;
	bp->ext_ramdisk_size = (uint64_t)bi->rd_size >> 32;
	bp->acpi_rsdp_addr = rsdp;
	build_e820(bp, m);

	build_page_tables(m);
	build_cpu_state(m, bi->load + ENTRY64_OFFSET, regs, sregs);

	vlog("kernel %s: boot protocol %u.%02u, %zu KiB at 0x%llx, init_size %u KiB, entry 0x%llx",
	     bi->kernel, fh->version >> 8, fh->version & 0xff,
	     kernel_size >> 10, (unsigned long long)bi->load,
	     fh->init_size >> 10, (unsigned long long)regs->rip);
	if (bi->rd)
		vlog("initrd %s: %zu KiB at 0x%llx", bi->initrd,
		     bi->rd_size >> 10, (unsigned long long)bi->rd_addr);
	vlog("command line: %s", bi->cmdline);
}
