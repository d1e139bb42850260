// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/x86/gwalk.c: page tables are built in a buffer that
 * stands for guest-physical memory, for each paging mode, with large pages,
 * and every kind of fault is checked for its #PF error code.
 */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "x86/gwalk.h"

#define CR0_PE		(1ULL << 0)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define P		(1ULL << 0)
#define RW		(1ULL << 1)
#define US		(1ULL << 2)
#define PS		(1ULL << 7)
#define XD		(1ULL << 63)

#define R		0
#define W		HVX_WALK_WRITE
#define U		HVX_WALK_USER
#define X		HVX_WALK_FETCH

#define PF_P		HVX_PFERR_PRESENT
#define PF_W		HVX_PFERR_WRITE
#define PF_U		HVX_PFERR_USER
#define PF_RSVD		HVX_PFERR_RSVD
#define PF_I		HVX_PFERR_FETCH

/* 64 KiB of guest memory at guest-physical 0; tables live in it. */
#define MEM_SIZE	0x10000
static unsigned char mem[MEM_SIZE];
static unsigned int reads;

static int read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	(void)opaque;
	reads++;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put32(u64 gpa, u32 v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		mem[gpa + i] = v >> (8 * i);
}

static void put64(u64 gpa, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		mem[gpa + i] = v >> (8 * i);
}

static struct hvx_walk_env env_for(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	struct hvx_walk_env env = {
		.cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer,
		.read_gpa = read_gpa,
	};

	memset(mem, 0, sizeof(mem));
	return env;
}

struct res {
	int ret;
	u64 gpa;
	u32 err;
};

static struct res xlate(const struct hvx_walk_env *env, u64 gva,
			unsigned int access)
{
	struct res r = { .gpa = 0xbad, .err = 0xbad };

	r.ret = hvx_gva_to_gpa(env, gva, access, &r.gpa, &r.err);
	return r;
}

#define EXPECT_OK(r, want)						\
	do {								\
		EXPECT_EQ((r).ret, 0);					\
		EXPECT_EQ((r).gpa, (want));				\
	} while (0)

#define EXPECT_PF(r, code)						\
	do {								\
		EXPECT_EQ((r).ret, -EFAULT);				\
		EXPECT_EQ((r).err, (code));				\
	} while (0)

static void paging_off(void)
{
	struct hvx_walk_env env = env_for(CR0_PE, 0x1000, CR4_PAE, 0);
	struct res r;

	reads = 0;
	r = xlate(&env, 0x12345678, W | U | X);
	EXPECT_OK(r, 0x12345678);
	r = xlate(&env, 0xabcdef0012345678ULL, R);
	EXPECT_OK(r, 0x12345678);
	EXPECT_EQ(reads, 0);
}

/*
 * 32-bit paging: PD at 0x1000, PT at 0x2000.
 *   0x00401000 -> 0x5000 via PDE[1] -> PT[1] (user, writable)
 *   0x00402000 -> 0x6000 read-only supervisor page
 *   0x00800000 4 MiB page at 0x12_00c00000 (PSE-36 bits)
 */
static struct hvx_walk_env setup_32bit(u64 cr0, u64 cr4)
{
	struct hvx_walk_env env = env_for(cr0 | CR0_PE | CR0_PG, 0x1000, cr4,
					  0);

	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);
	put32(0x2000 + 1 * 4, 0x5000 | P | RW | US);
	put32(0x2000 + 2 * 4, 0x6000 | P);
	put32(0x1000 + 2 * 4, 0x00c00000 | (0x12 << 13) | P | RW | PS);
	return env;
}

static void paging_32bit(void)
{
	struct hvx_walk_env env = setup_32bit(CR0_WP, CR4_PSE);
	struct res r;

	r = xlate(&env, 0x00401abc, U | W);
	EXPECT_OK(r, 0x5abc);
	r = xlate(&env, 0x00402abc, R);
	EXPECT_OK(r, 0x6abc);
	/* upper bits of a 64-bit gva are dropped outside long mode */
	r = xlate(&env, 0xffffffff00401000ULL, R);
	EXPECT_OK(r, 0x5000);

	/* 4 MiB page, PSE-36 bits 39:32 from PDE bits 20:13 */
	env.maxphyaddr = 40;
	r = xlate(&env, 0x00923456, W);
	EXPECT_OK(r, 0x1200d23456ULL);
	/* with MAXPHYADDR 36, PDE bit 17 (PA bit 36) is reserved */
	env.maxphyaddr = 36;
	r = xlate(&env, 0x00923456, W);
	EXPECT_PF(r, PF_P | PF_W | PF_RSVD);
	env.maxphyaddr = 0;
	/* bit 21 is always reserved in a 4 MiB PDE */
	put32(0x1000 + 2 * 4, 0x00c00000 | (1 << 21) | P | RW | PS);
	r = xlate(&env, 0x00800000, R);
	EXPECT_PF(r, PF_P | PF_RSVD);

	/* not present PDE / PTE */
	r = xlate(&env, 0x00c00000, R);
	EXPECT_PF(r, 0);
	r = xlate(&env, 0x00403000, U | W);
	EXPECT_PF(r, PF_W | PF_U);
	/* no NX in 32-bit paging, and no I/D bit without SMEP, even when
	 * EFER.NXE is set */
	r = xlate(&env, 0x00403000, X);
	EXPECT_PF(r, 0);
	env.efer = EFER_NXE;
	r = xlate(&env, 0x00403000, X);
	EXPECT_PF(r, 0);
	env.efer = 0;

	/* U/S and R/W */
	r = xlate(&env, 0x00402000, U);
	EXPECT_PF(r, PF_P | PF_U);
	r = xlate(&env, 0x00402000, W);
	EXPECT_PF(r, PF_P | PF_W);
	env.cr0 &= ~CR0_WP;			/* supervisor may write */
	r = xlate(&env, 0x00402000, W);
	EXPECT_OK(r, 0x6000);
	r = xlate(&env, 0x00402000, U | W);	/* user still may not */
	EXPECT_PF(r, PF_P | PF_W | PF_U);
}

static void paging_32bit_pse_off(void)
{
	struct hvx_walk_env env = setup_32bit(0, 0);
	struct res r;

	/* CR4.PSE=0: PS is ignored, the PDE points to a page table */
	put32(0x1000 + 3 * 4, 0x3000 | P | RW | PS);
	put32(0x3000 + 5 * 4, 0x7000 | P | RW);
	r = xlate(&env, 0x00c05010, W);
	EXPECT_OK(r, 0x7010);
	/* the same PDE with PSE=1 maps 4 MiB (bit 13 = PA bit 32) */
	env.cr4 = CR4_PSE;
	r = xlate(&env, 0x00c05010, W);
	EXPECT_OK(r, 0x100005010ULL);
}

static void paging_32bit_smep_smap(void)
{
	struct hvx_walk_env env = setup_32bit(CR0_WP, CR4_PSE | CR4_SMEP);
	struct res r;

	/* supervisor fetch from a user page */
	r = xlate(&env, 0x00401000, X);
	EXPECT_PF(r, PF_P | PF_I);
	r = xlate(&env, 0x00401000, X | U);
	EXPECT_OK(r, 0x5000);
	r = xlate(&env, 0x00402000, X);
	EXPECT_OK(r, 0x6000);
	/* SMEP makes I/D visible on a not-present fault too */
	r = xlate(&env, 0x00403000, X);
	EXPECT_PF(r, PF_I);

	env.cr4 = CR4_SMAP;
	r = xlate(&env, 0x00401000, R);
	EXPECT_PF(r, PF_P);
	r = xlate(&env, 0x00401000, W);
	EXPECT_PF(r, PF_P | PF_W);
	r = xlate(&env, 0x00401000, R | HVX_WALK_AC);
	EXPECT_OK(r, 0x5000);
	r = xlate(&env, 0x00401000, U);
	EXPECT_OK(r, 0x5000);
	r = xlate(&env, 0x00401000, X);	/* SMAP is for data only */
	EXPECT_OK(r, 0x5000);
}

/*
 * PAE: PDPT at 0x1020 (CR3 is 32-byte aligned), PD at 0x2000, PT at 0x3000.
 *   PDPTE[1] -> PD; PDE[2] -> PT; PTE[3] -> 0x8000 (user, rw)
 *   PDE[4] 2 MiB page at 0x2_40000000 (above 4 GiB)
 *   PTE[5] -> 0x9000 with XD
 */
#define PAE_GVA(pdpt, pd, pt)						\
	(((u64)(pdpt) << 30) | ((pd) << 21) | ((pt) << 12))

static struct hvx_walk_env setup_pae(u64 efer)
{
	struct hvx_walk_env env = env_for(CR0_PE | CR0_PG | CR0_WP, 0x1020,
					  CR4_PAE, efer);

	put64(0x1020 + 1 * 8, 0x2000 | P);
	put64(0x2000 + 2 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 3 * 8, 0x8000 | P | RW | US);
	put64(0x3000 + 5 * 8, 0x9000 | P | RW | XD);
	put64(0x2000 + 4 * 8, 0x240000000ULL | P | RW | PS);
	return env;
}

static void paging_pae(void)
{
	struct hvx_walk_env env = setup_pae(EFER_NXE);
	struct res r;

	r = xlate(&env, PAE_GVA(1, 2, 3) + 0x123, U | W);
	EXPECT_OK(r, 0x8123);
	r = xlate(&env, PAE_GVA(1, 4, 0) + 0x12345, W);
	EXPECT_OK(r, 0x240012345ULL);
	/* XD with NXE: fetch faults with I/D, reads do not */
	r = xlate(&env, PAE_GVA(1, 2, 5), X);
	EXPECT_PF(r, PF_P | PF_I);
	r = xlate(&env, PAE_GVA(1, 2, 5), R);
	EXPECT_OK(r, 0x9000);
	/* not-present PDPTE, PDE, PTE */
	r = xlate(&env, PAE_GVA(2, 0, 0), R);
	EXPECT_PF(r, 0);
	r = xlate(&env, PAE_GVA(1, 3, 0), U);
	EXPECT_PF(r, PF_U);
	r = xlate(&env, PAE_GVA(1, 2, 4), X);
	EXPECT_PF(r, PF_I);
	/* 2 MiB page: bits 20:13 reserved, bit 12 is PAT */
	put64(0x2000 + 4 * 8, 0x240000000ULL | (1 << 13) | P | RW | PS);
	r = xlate(&env, PAE_GVA(1, 4, 0), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	put64(0x2000 + 4 * 8, 0x240000000ULL | (1 << 12) | P | RW | PS);
	r = xlate(&env, PAE_GVA(1, 4, 1), R);
	EXPECT_OK(r, 0x240001000ULL);
	/* bits 62:52 are reserved with PAE (ignored in 4-level paging) */
	put64(0x3000 + 3 * 8, 0x8000 | P | RW | US | (1ULL << 60));
	r = xlate(&env, PAE_GVA(1, 2, 3), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	/* PDPTE: R/W (bit 1) is reserved */
	put64(0x1020 + 1 * 8, 0x2000 | P | RW);
	r = xlate(&env, PAE_GVA(1, 2, 5), W);
	EXPECT_PF(r, PF_P | PF_W | PF_RSVD);
}

static void paging_pae_nxe_off(void)
{
	struct hvx_walk_env env = setup_pae(0);
	struct res r;

	/* with NXE=0 the XD bit is reserved; no I/D without NXE or SMEP */
	r = xlate(&env, PAE_GVA(1, 2, 5), X);
	EXPECT_PF(r, PF_P | PF_RSVD);
	r = xlate(&env, PAE_GVA(1, 2, 5), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	r = xlate(&env, PAE_GVA(1, 2, 3), X);
	EXPECT_OK(r, 0x8000);
}

static void paging_pae_cached_pdptes(void)
{
	struct hvx_walk_env env = setup_pae(EFER_NXE);
	u64 pdptrs[4] = { 0, 0, 0x3000 | P, 0 };
	struct res r;

	/* the CPU uses the PDPTEs it loaded, not what memory says now */
	put64(0x3000 + 7 * 8, 0x4000 | P | RW);
	put64(0x4000 + 1 * 8, 0xa000 | P);
	env.pdptrs = pdptrs;
	r = xlate(&env, PAE_GVA(2, 7, 1) + 8, R);
	EXPECT_OK(r, 0xa008);
	r = xlate(&env, PAE_GVA(1, 2, 3), R);
	EXPECT_PF(r, 0);
	/* XD is reserved in a PDPTE */
	pdptrs[0] = 0x3000 | P | XD;
	r = xlate(&env, PAE_GVA(0, 7, 1), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
}

/*
 * 4-level: PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000.
 *   PML4[1] -> PDPT; PDPT[2] -> PD; PD[3] -> PT; PT[4] -> 0x5000
 *   PDPT[5] 1 GiB page at 0x40_c0000000
 *   PD[6] 2 MiB page at 0x1_00200000
 *   PML4[256] -> PDPT (kernel half), supervisor only
 */
#define L4_GVA(a, b, c, d)						\
	(((u64)(a) << 39) | ((u64)(b) << 30) | ((u64)(c) << 21) |	\
	 ((u64)(d) << 12))
#define KERNEL_GVA(b, c, d)						\
	(0xffff000000000000ULL | L4_GVA(256, b, c, d))

static struct hvx_walk_env setup_4level(void)
{
	struct hvx_walk_env env = env_for(CR0_PE | CR0_PG | CR0_WP, 0x1000,
					  CR4_PAE,
					  EFER_LME | EFER_LMA | EFER_NXE);

	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US);
	put64(0x1000 + 256 * 8, 0x2000 | P | RW);
	put64(0x2000 + 2 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 3 * 8, 0x4000 | P | RW | US);
	put64(0x4000 + 4 * 8, 0x5000 | P | RW | US);
	put64(0x2000 + 5 * 8, 0x40c0000000ULL | P | RW | US | PS);
	put64(0x3000 + 6 * 8, 0x100200000ULL | P | US | PS);
	return env;
}

static void paging_4level(void)
{
	struct hvx_walk_env env = setup_4level();
	struct res r;

	r = xlate(&env, L4_GVA(1, 2, 3, 4) + 0x567, U | W | X);
	EXPECT_OK(r, 0x5567);
	r = xlate(&env, L4_GVA(1, 5, 0, 0) + 0x12345678, U | W);
	EXPECT_OK(r, 0x40d2345678ULL);
	r = xlate(&env, L4_GVA(1, 2, 6, 0) + 0x1fffff, U);
	EXPECT_OK(r, 0x1003fffffULL);
	/* CR3 low bits (PCID, PWT/PCD) are not part of the address */
	env.cr3 |= 0x018;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_OK(r, 0x5000);

	/* kernel half: supervisor only */
	r = xlate(&env, KERNEL_GVA(2, 3, 4) + 0x10, W);
	EXPECT_OK(r, 0x5010);
	r = xlate(&env, KERNEL_GVA(2, 3, 4), U);
	EXPECT_PF(r, PF_P | PF_U);

	/* read-only 2 MiB page */
	r = xlate(&env, L4_GVA(1, 2, 6, 0), U | W);
	EXPECT_PF(r, PF_P | PF_W | PF_U);
	r = xlate(&env, L4_GVA(1, 2, 6, 0), W);
	EXPECT_PF(r, PF_P | PF_W);
	env.cr0 &= ~CR0_WP;
	r = xlate(&env, L4_GVA(1, 2, 6, 0), W);
	EXPECT_OK(r, 0x100200000ULL);

	/* not present at each level */
	r = xlate(&env, L4_GVA(2, 0, 0, 0), R);
	EXPECT_PF(r, 0);
	r = xlate(&env, L4_GVA(1, 3, 0, 0), W);
	EXPECT_PF(r, PF_W);
	r = xlate(&env, L4_GVA(1, 2, 4, 0), U);
	EXPECT_PF(r, PF_U);
	r = xlate(&env, L4_GVA(1, 2, 3, 5), U | X);
	EXPECT_PF(r, PF_U | PF_I);
}

static void paging_4level_nx(void)
{
	struct hvx_walk_env env = setup_4level();
	struct res r;

	/* XD at the PML4 level covers everything below */
	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US | XD);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), U | X);
	EXPECT_PF(r, PF_P | PF_U | PF_I);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), U | W);
	EXPECT_OK(r, 0x5000);
	/* with NXE=0 the same entry has a reserved bit set */
	env.efer &= ~EFER_NXE;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), U);
	EXPECT_PF(r, PF_P | PF_U | PF_RSVD);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), X);
	EXPECT_PF(r, PF_P | PF_RSVD);
	/* bits 62:52 are ignored in 4-level paging */
	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US | (0x7ffULL << 52));
	r = xlate(&env, L4_GVA(1, 2, 3, 4), U | W | X);
	EXPECT_OK(r, 0x5000);
}

static void paging_4level_reserved(void)
{
	struct hvx_walk_env env = setup_4level();
	struct res r;

	/* PS in a PML4E */
	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US | PS);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US);
	/* 1 GiB page: bits 29:13 reserved */
	put64(0x2000 + 5 * 8, 0x40c0000000ULL | (1 << 20) | P | PS);
	r = xlate(&env, L4_GVA(1, 5, 0, 0), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	/* 2 MiB page: bits 20:13 reserved, 12 is PAT */
	put64(0x3000 + 6 * 8, 0x100200000ULL | (1 << 20) | P | PS);
	r = xlate(&env, L4_GVA(1, 2, 6, 0), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	put64(0x3000 + 6 * 8, 0x100200000ULL | (1 << 12) | P | PS);
	r = xlate(&env, L4_GVA(1, 2, 6, 0) + 0x1234, R);
	EXPECT_OK(r, 0x100201234ULL);
	/* PS in a PTE is PAT, not reserved */
	put64(0x4000 + 4 * 8, 0x5000 | P | PS);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_OK(r, 0x5000);

	/* address bits at and above MAXPHYADDR */
	put64(0x4000 + 4 * 8, (1ULL << 40) | 0x5000 | P);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_OK(r, (1ULL << 40) | 0x5000);
	env.maxphyaddr = 40;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), W);
	EXPECT_PF(r, PF_P | PF_W | PF_RSVD);
	env.maxphyaddr = 41;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_OK(r, (1ULL << 40) | 0x5000);
	/* ... also in a non-leaf entry */
	env.maxphyaddr = 39;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	put64(0x4000 + 4 * 8, 0x5000 | P);
	put64(0x2000 + 2 * 8, (1ULL << 45) | 0x3000 | P | RW | US);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_PF(r, PF_P | PF_RSVD);
	/* a not-present entry's other bits do not matter */
	put64(0x2000 + 2 * 8, (1ULL << 45) | PS | XD);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_PF(r, 0);
}

static void paging_4level_smep_smap(void)
{
	struct hvx_walk_env env = setup_4level();
	struct res r;

	env.cr4 |= CR4_SMEP | CR4_SMAP;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), X);
	EXPECT_PF(r, PF_P | PF_I);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_PF(r, PF_P);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), W | HVX_WALK_AC);
	EXPECT_OK(r, 0x5000);
	r = xlate(&env, KERNEL_GVA(2, 3, 4), X);
	EXPECT_OK(r, 0x5000);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), U | X);
	EXPECT_OK(r, 0x5000);
	/* a page is user only when every level says so */
	put64(0x3000 + 3 * 8, 0x4000 | P | RW);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), X);
	EXPECT_OK(r, 0x5000);
}

static void errors(void)
{
	struct hvx_walk_env env = setup_4level();
	u64 gpa = 0;
	struct res r;

	/* non-canonical */
	r = xlate(&env, 0x0000800000000000ULL, R);
	EXPECT_EQ(r.ret, -ERANGE);
	r = xlate(&env, 0xffff7fffffffffffULL, R);
	EXPECT_EQ(r.ret, -ERANGE);
	/* LA57 is not walked */
	env.cr4 |= CR4_LA57;
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_EQ(r.ret, -EINVAL);
	env.cr4 &= ~CR4_LA57;
	/* a table outside guest memory */
	put64(0x4000 + 4 * 8, 0x5000 | P);
	put64(0x3000 + 3 * 8, 0x800000 | P);
	r = xlate(&env, L4_GVA(1, 2, 3, 4), R);
	EXPECT_EQ(r.ret, -EIO);
	env.cr3 = 0x100000;
	r = xlate(&env, 0, R);
	EXPECT_EQ(r.ret, -EIO);
	/* the error code pointer is optional */
	env.cr3 = 0x1000;
	EXPECT_EQ(hvx_gva_to_gpa(&env, L4_GVA(3, 0, 0, 0), R, &gpa, NULL),
		  -EFAULT);
}

UNIT_MAIN(
	{ "paging_off", paging_off },
	{ "paging_32bit", paging_32bit },
	{ "paging_32bit_pse_off", paging_32bit_pse_off },
	{ "paging_32bit_smep_smap", paging_32bit_smep_smap },
	{ "paging_pae", paging_pae },
	{ "paging_pae_nxe_off", paging_pae_nxe_off },
	{ "paging_pae_cached_pdptes", paging_pae_cached_pdptes },
	{ "paging_4level", paging_4level },
	{ "paging_4level_nx", paging_4level_nx },
	{ "paging_4level_reserved", paging_4level_reserved },
	{ "paging_4level_smep_smap", paging_4level_smep_smap },
	{ "errors", errors },
)
