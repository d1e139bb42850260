// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O and MMIO exits to userspace, and their completion.
 *
 * KVM's order of events, which VMMs depend on: port I/O (IN or OUT)
 * returns with RIP still at the instruction, and the next KVM_RUN completes
 * it: it puts the value userspace left in the PIO data page into the guest
 * (IN) and moves RIP on.  An MMIO store is complete when KVM_RUN returns,
 * RIP past it; an MMIO load completes on the next KVM_RUN.  A string or REP
 * instruction moves up to a page of data per exit and runs again until RCX
 * is exhausted.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/types.h>
#include <asm/processor.h>

#include "x86.h"
#include "decode.h"
#include "gwalk.h"

/*
 * While L2 runs behind its hypervisor's EPT, the guest-physical addresses
 * hvx meets (L2's page tables, the end of a walk) are L2's: translate them
 * to the VM's before touching memory.
 */
static int hvx_guest_gpa(struct hvx_vcpu *vcpu, u64 gpa, unsigned int access,
			 u64 *out)
{
	*out = gpa;
	return hvx_ops->nested_gpa ? hvx_ops->nested_gpa(vcpu, gpa, access, out) :
				     0;
}

static int hvx_walk_read(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct hvx_vcpu *vcpu = opaque;

	if (hvx_guest_gpa(vcpu, gpa, HVX_PROT_R, &gpa))
		return -EIO;
	return hvx_read_guest(vcpu->vm, gpa, buf, len);
}

/**
 * hvx_get_guest_mode() - the state that decides how to decode and walk
 * @vcpu: the vCPU (loaded)
 * @m:	  filled in
 */
void hvx_get_guest_mode(struct hvx_vcpu *vcpu, struct hvx_guest_mode *m)
{
	struct kvm_sregs sregs;

	hvx_ops->get_sregs(vcpu, &sregs);
	m->cr0 = sregs.cr0;
	m->cr3 = sregs.cr3;
	m->cr4 = sregs.cr4;
	m->efer = sregs.efer;
	m->cs_base = sregs.cs.base;
	m->cs_l = sregs.cs.l;
	m->cs_db = sregs.cs.db;
	m->cpl = sregs.ss.dpl;
	m->seg_base[HVX_SEG_ES] = sregs.es.base;
	m->seg_base[HVX_SEG_CS] = sregs.cs.base;
	m->seg_base[HVX_SEG_SS] = sregs.ss.base;
	m->seg_base[HVX_SEG_DS] = sregs.ds.base;
	m->seg_base[HVX_SEG_FS] = sregs.fs.base;
	m->seg_base[HVX_SEG_GS] = sregs.gs.base;
}

static enum hvx_cpu_mode hvx_decode_mode(const struct hvx_guest_mode *m)
{
	if (!(m->cr0 & X86_CR0_PE))
		return HVX_MODE_REAL;
	if ((m->efer & EFER_LMA) && m->cs_l)
		return HVX_MODE_LONG64;
	return m->cs_db ? HVX_MODE_PROT32 : HVX_MODE_PROT16;
}

static int hvx_walk(struct hvx_vcpu *vcpu, const struct hvx_guest_mode *m,
		    u64 gva, unsigned int access, u64 *gpa, u32 *pf_error)
{
	struct hvx_walk_env env = {
		.cr0 = m->cr0, .cr3 = m->cr3, .cr4 = m->cr4, .efer = m->efer,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.read_gpa = hvx_walk_read, .opaque = vcpu,
	};
	int r;

	if (m->cpl == 3)
		access |= HVX_WALK_USER;
	r = hvx_gva_to_gpa(&env, gva, access, gpa, pf_error);
	if (r)
		return r;
	return hvx_guest_gpa(vcpu, *gpa, access & HVX_WALK_WRITE ? HVX_PROT_W :
				 access & HVX_WALK_FETCH ? HVX_PROT_X :
				 HVX_PROT_R, gpa) ? -EIO : 0;
}

/**
 * hvx_translate_gva() - a guest-linear address to guest-physical
 * @vcpu:     the vCPU (loaded)
 * @gva:      the linear address
 * @access:   HVX_WALK_* bits
 * @gpa:      the result
 * @pf_error: the #PF error code when the walk faults
 *
 * Return: 0, -EFAULT for a page fault, -EIO when a table is not in RAM.
 */
int hvx_translate_gva(struct hvx_vcpu *vcpu, u64 gva, unsigned int access,
		      u64 *gpa, u32 *pf_error)
{
	struct hvx_guest_mode m;

	hvx_get_guest_mode(vcpu, &m);
	return hvx_walk(vcpu, &m, gva, access, gpa, pf_error);
}

/*
 * Copy between a buffer and guest-linear memory, page by page; a page
 * fault is queued for the guest and reported as -EFAULT.
 */
static int hvx_access_virt(struct hvx_vcpu *vcpu,
			   const struct hvx_guest_mode *m, u64 gva, void *buf,
			   unsigned int len, unsigned int access)
{
	while (len) {
		unsigned int chunk = min_t(unsigned int, len,
					   PAGE_SIZE - offset_in_page(gva));
		u32 pferr = 0;
		u64 gpa;
		int r;

		r = hvx_walk(vcpu, m, gva, access, &gpa, &pferr);
		if (r == -EFAULT) {
			hvx_queue_exception(vcpu, HVX_PF_VECTOR, true, pferr);
			vcpu->cr2 = gva;
			return r;
		}
		if (r)
			return r;
		r = access & HVX_WALK_WRITE ?
			hvx_write_guest(vcpu->vm, gpa, buf, chunk) :
			hvx_read_guest(vcpu->vm, gpa, buf, chunk);
		if (r)
			return -EIO;
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * hvx_read_gva() - read guest-linear memory as the guest would
 * @vcpu: the vCPU (loaded)
 * @gva:  the linear address
 * @buf:  into
 * @len:  bytes
 *
 * Return: 0; -EFAULT with #PF queued for the guest; -EIO when the memory
 * is not RAM.
 */
int hvx_read_gva(struct hvx_vcpu *vcpu, u64 gva, void *buf, unsigned int len)
{
	struct hvx_guest_mode m;

	hvx_get_guest_mode(vcpu, &m);
	return hvx_access_virt(vcpu, &m, gva, buf, len, 0);
}

/**
 * hvx_write_gva() - write guest-linear memory as the guest would
 * @vcpu: the vCPU (loaded)
 * @gva:  the linear address
 * @buf:  from
 * @len:  bytes
 *
 * Return: as hvx_read_gva().
 */
int hvx_write_gva(struct hvx_vcpu *vcpu, u64 gva, const void *buf,
		  unsigned int len)
{
	struct hvx_guest_mode m;

	hvx_get_guest_mode(vcpu, &m);
	return hvx_access_virt(vcpu, &m, gva, (void *)buf, len,
			       HVX_WALK_WRITE);
}

/**
 * hvx_internal_error() - end KVM_RUN with KVM_EXIT_INTERNAL_ERROR
 * @vcpu:     the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 * @ndata:    entries of @data (at most 16)
 * @data:     what userspace may report
 *
 * Return: 0 (to userspace).
 */
int hvx_internal_error(struct hvx_vcpu *vcpu, u32 suberror,
		       unsigned int ndata, const u64 *data)
{
	struct kvm_run *run = vcpu->run;

	ndata = min_t(unsigned int, ndata, ARRAY_SIZE(run->internal.data));
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memcpy(run->internal.data, data, ndata * sizeof(u64));
	return 0;
}

/*
 * Fetch and decode the instruction at CS:RIP.  On failure the exit is an
 * emulation failure whose data holds RIP, the bytes fetched and their
 * count, so userspace can say which instruction hvx could not handle.
 */
static int hvx_fetch_decode(struct hvx_vcpu *vcpu, struct hvx_insn *insn,
			    struct hvx_guest_mode *m)
{
	struct kvm_regs regs;
	u8 bytes[16] = { };	/* room for 2 u64 in the error data */
	unsigned int avail = 0;
	u64 lin, data[4];
	int r;

	hvx_get_guest_mode(vcpu, m);
	hvx_ops->get_regs(vcpu, &regs);
	lin = m->cs_base + regs.rip;
	if (hvx_decode_mode(m) != HVX_MODE_LONG64)
		lin = (u32)lin;

	/* Take what is readable: the instruction may end before a hole. */
	for (avail = HVX_INSN_MAX_LEN; avail; avail--) {
		r = hvx_access_virt(vcpu, m, lin, bytes, avail, HVX_WALK_FETCH);
		if (!r)
			break;
		if (r == -EFAULT)
			return 1;	/* the guest takes the #PF */
	}
	r = avail ? hvx_decode(bytes, avail, hvx_decode_mode(m), insn) :
		    -EINVAL;
	if (!r)
		return 1;

	data[0] = regs.rip;
	data[1] = avail;
	memcpy(&data[2], bytes, sizeof(u64) * 2);
	return hvx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, 4, data);
}

/**
 * hvx_decode_at_rip() - fetch and decode the guest's current instruction
 * @vcpu: the vCPU (loaded)
 * @insn: the result
 *
 * Return: 1 when @insn is valid; 1 with an exception queued when the fetch
 * faulted (check vcpu->exception); 0 with an emulation failure for
 * userspace when the bytes do not decode.
 */
int hvx_decode_at_rip(struct hvx_vcpu *vcpu, struct hvx_insn *insn)
{
	struct hvx_guest_mode m;
	int r = hvx_fetch_decode(vcpu, insn, &m);

	if (r > 0 && vcpu->exception.type != HVX_EVENT_NONE)
		return 0;
	return r;
}

static void hvx_mmio_to_run(struct hvx_vcpu *vcpu, u64 gpa, u8 size,
			    bool write, u64 value)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &value, size);
}

/* Apply an MMIO instruction's register effects and move past it. */
static int hvx_mmio_retire(struct hvx_vcpu *vcpu, u64 value)
{
	u64 rflags = hvx_ops->get_rflags(vcpu);

	if (hvx_mmio_finish(&vcpu->mmio_insn, vcpu->regs, &rflags, value))
		return -EIO;
	hvx_ops->set_rflags(vcpu, rflags);
	hvx_ops->skip_insn(vcpu, vcpu->mmio_insn.len);
	return 1;
}

/**
 * hvx_mmio_exit() - a guest access to @gpa hit no memslot: emulate it
 * @vcpu: the vCPU
 * @gpa:  the guest-physical address
 *
 * Return: 0 with a KVM_EXIT_MMIO (or an internal error) for userspace, or
 * 1 when the guest takes a fault instead.
 */
int hvx_mmio_exit(struct hvx_vcpu *vcpu, u64 gpa)
{
	struct hvx_insn *insn = &vcpu->mmio_insn;
	struct hvx_guest_mode m;
	struct hvx_mmio_op op;
	int r;

	r = hvx_fetch_decode(vcpu, insn, &m);
	if (r <= 0 || vcpu->exception.type != HVX_EVENT_NONE)
		return r;
	if (hvx_mmio_plan(insn, vcpu->regs, &op)) {
		u64 data[3] = { gpa, insn->len, insn->opcode };

		return hvx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					  3, data);
	}

	vcpu->mmio_gpa = gpa;
	vcpu->mmio_size = op.size;
	vcpu->mmio_exits++;
	if (op.read) {
		/* Loads, and the read half of read-modify-write. */
		vcpu->pending_io = HVX_IO_MMIO_READ;
		hvx_mmio_to_run(vcpu, gpa, op.size, false, 0);
		return 0;
	}
	hvx_mmio_to_run(vcpu, gpa, op.size, true, op.write_value);
	r = hvx_mmio_retire(vcpu, 0);
	return r < 0 ? r : 0;
}

/* A completed MMIO read: a load retires, read-modify-write now writes. */
static int hvx_complete_mmio_read(struct hvx_vcpu *vcpu)
{
	struct hvx_insn *insn = &vcpu->mmio_insn;
	struct hvx_mmio_op op;
	u64 value = 0, wval;

	memcpy(&value, vcpu->run->mmio.data, vcpu->mmio_size);
	if (hvx_mmio_plan(insn, vcpu->regs, &op))
		return -EIO;
	if (op.write) {
		if (hvx_mmio_rmw(insn, vcpu->regs, hvx_ops->get_rflags(vcpu),
				 value, &wval))
			return -EIO;
		hvx_mmio_to_run(vcpu, vcpu->mmio_gpa, op.size, true, wval);
		/* The flags and register results come from the read value. */
		if (hvx_mmio_retire(vcpu, value) < 0)
			return -EIO;
		return 0;
	}
	return hvx_mmio_retire(vcpu, value);
}

/**
 * hvx_pio_exit() - IN or OUT (not string): exit to userspace
 * @vcpu:     the vCPU
 * @port:     the port
 * @size:     1, 2 or 4 bytes
 * @in:	      IN rather than OUT
 * @insn_len: length of the instruction, to move past it
 *
 * Return: 0 (KVM_EXIT_IO for userspace).
 */
int hvx_pio_exit(struct hvx_vcpu *vcpu, u16 port, u8 size, bool in,
		 unsigned int insn_len)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = HVX_PIO_PAGE_OFFSET * PAGE_SIZE;
	vcpu->pending_io = in ? HVX_IO_PIO_IN : HVX_IO_PIO_OUT;
	vcpu->io_size = size;
	vcpu->io_insn_len = insn_len;
	vcpu->io_string = false;
	if (!in)
		memcpy(vcpu->pio_data, &vcpu->regs[HVX_RAX], size);
	return 0;
}

static u64 hvx_addr_mask(u8 addrsize)
{
	return addrsize == 8 ? ~0ULL : (1ULL << (8 * addrsize)) - 1;
}

/* Write an address-sized register as the CPU does (16-bit merges). */
static void hvx_set_addr_reg(u64 *reg, u8 addrsize, u64 val)
{
	if (addrsize == 2)
		*reg = (*reg & ~0xffffULL) | (val & 0xffff);
	else
		*reg = val & hvx_addr_mask(addrsize);
}

/* Advance RSI/RDI and RCX over @n elements of a string I/O instruction. */
static void hvx_string_advance(struct hvx_vcpu *vcpu, int reg, u32 n)
{
	bool df = hvx_ops->get_rflags(vcpu) & X86_EFLAGS_DF;
	u8 as = vcpu->io_addrsize;
	u64 delta = (u64)n * vcpu->io_size;

	hvx_set_addr_reg(&vcpu->regs[reg], as,
			 df ? vcpu->regs[reg] - delta : vcpu->regs[reg] + delta);
	if (vcpu->io_rep)
		hvx_set_addr_reg(&vcpu->regs[HVX_RCX], as,
				 vcpu->regs[HVX_RCX] - n);
	if (!vcpu->io_rep ||
	    !(vcpu->regs[HVX_RCX] & hvx_addr_mask(as)))
		hvx_ops->skip_insn(vcpu, vcpu->io_insn_len);
}

/**
 * hvx_string_pio_exit() - INS or OUTS, with or without REP
 * @vcpu:     the vCPU
 * @port:     the port
 * @size:     element size, 1, 2 or 4 bytes
 * @in:	      INS rather than OUTS
 * @rep:      a REP prefix
 * @insn_len: the instruction's length
 *
 * Moves up to a page of elements per exit (one when RFLAGS.DF=1).  OUTS
 * reads guest memory now; INS writes it when the exit completes.
 *
 * Return: 0 for userspace, 1 when there is nothing to do (RCX=0) or the
 * guest takes a page fault.
 */
int hvx_string_pio_exit(struct hvx_vcpu *vcpu, u16 port, u8 size, bool in,
			bool rep, unsigned int insn_len)
{
	struct hvx_insn insn;
	struct hvx_guest_mode m;
	u64 count = 1, lin, off;
	int reg, seg, r;

	r = hvx_fetch_decode(vcpu, &insn, &m);
	if (r <= 0 || vcpu->exception.type != HVX_EVENT_NONE)
		return r;

	vcpu->io_size = size;
	vcpu->io_rep = rep;
	vcpu->io_insn_len = insn_len;
	vcpu->io_addrsize = insn.addrsize;
	if (rep) {
		count = vcpu->regs[HVX_RCX] & hvx_addr_mask(insn.addrsize);
		if (!count) {
			hvx_ops->skip_insn(vcpu, insn_len);
			return 1;
		}
	}
	if (hvx_ops->get_rflags(vcpu) & X86_EFLAGS_DF)
		count = 1;
	count = min_t(u64, count, PAGE_SIZE / size);

	reg = in ? HVX_RDI : HVX_RSI;
	seg = in ? HVX_SEG_ES : hvx_insn_seg(&insn);
	off = vcpu->regs[reg] & hvx_addr_mask(insn.addrsize);
	lin = m.seg_base[seg] + off;
	if (hvx_decode_mode(&m) != HVX_MODE_LONG64)
		lin = (u32)lin;

	if (!in) {
		r = hvx_access_virt(vcpu, &m, lin, vcpu->pio_data,
				    count * size, 0);
		if (r == -EFAULT)
			return 1;
		if (r)
			return hvx_internal_error(vcpu,
				KVM_INTERNAL_ERROR_EMULATION, 1, &lin);
		hvx_string_advance(vcpu, HVX_RSI, count);
	} else {
		vcpu->pending_io = HVX_IO_PIO_IN;
		vcpu->io_string = true;
		vcpu->io_lin = lin;
		vcpu->io_count = count;
	}

	vcpu->run->exit_reason = KVM_EXIT_IO;
	vcpu->run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	vcpu->run->io.size = size;
	vcpu->run->io.port = port;
	vcpu->run->io.count = count;
	vcpu->run->io.data_offset = HVX_PIO_PAGE_OFFSET * PAGE_SIZE;
	return 0;
}

static int hvx_complete_pio_in(struct hvx_vcpu *vcpu)
{
	struct hvx_guest_mode m;
	u64 val = 0;
	int r;

	if (!vcpu->io_string) {
		memcpy(&val, vcpu->pio_data, vcpu->io_size);
		/* IN AL/AX merge; IN EAX zero-extends into RAX. */
		if (vcpu->io_size == 4)
			vcpu->regs[HVX_RAX] = (u32)val;
		else
			memcpy(&vcpu->regs[HVX_RAX], &val, vcpu->io_size);
		hvx_ops->skip_insn(vcpu, vcpu->io_insn_len);
		return 1;
	}
	hvx_get_guest_mode(vcpu, &m);
	r = hvx_access_virt(vcpu, &m, vcpu->io_lin, vcpu->pio_data,
			    vcpu->io_count * vcpu->io_size, HVX_WALK_WRITE);
	if (r == -EFAULT)
		return 1;
	if (r)
		return -EIO;
	hvx_string_advance(vcpu, HVX_RDI, vcpu->io_count);
	return 1;
}

/**
 * hvx_complete_io() - finish the I/O exit userspace has just served
 * @vcpu: the vCPU (loaded), at the start of KVM_RUN
 *
 * Return: 1 to go on into the guest, 0 when the completion itself needs
 * userspace again (the write half of an MMIO read-modify-write), -errno.
 */
int hvx_complete_io(struct hvx_vcpu *vcpu)
{
	enum hvx_pending_io p = vcpu->pending_io;

	vcpu->pending_io = HVX_IO_NONE;
	switch (p) {
	case HVX_IO_PIO_IN:
		return hvx_complete_pio_in(vcpu);
	case HVX_IO_PIO_OUT:
		hvx_ops->skip_insn(vcpu, vcpu->io_insn_len);
		return 1;
	case HVX_IO_MMIO_READ:
		return hvx_complete_mmio_read(vcpu);
	default:
		return 1;
	}
}

/**
 * hvx_emulate_xsetbv() - an XSETBV exit (SDM Vol. 2C, XSETBV)
 * @vcpu: the vCPU: ECX the register, EDX:EAX the value
 *
 * Only XCR0 exists; the value must keep x87, may set AVX only with SSE,
 * the AVX-512 states only together and with AVX, and nothing beyond what
 * hvx supports.  Anything else, or CPL > 0, is #GP.
 *
 * Return: 1.
 */
int hvx_emulate_xsetbv(struct hvx_vcpu *vcpu)
{
	u64 val = (u32)vcpu->regs[HVX_RAX] |
		  ((u64)(u32)vcpu->regs[HVX_RDX] << 32);
	u64 avx512 = XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 |
		     XFEATURE_MASK_Hi16_ZMM;
	struct kvm_sregs sregs;
	bool bad;

	hvx_ops->get_sregs(vcpu, &sregs);
	bad = sregs.ss.dpl || (u32)vcpu->regs[HVX_RCX] ||
	      !(val & XFEATURE_MASK_FP) ||
	      (val & ~hvx_supported_xcr0()) ||
	      ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE)) ||
	      ((val & avx512) && (val & avx512) != avx512) ||
	      ((val & avx512) && !(val & XFEATURE_MASK_YMM));
	if (bad)
		hvx_queue_exception(vcpu, HVX_GP_VECTOR, true, 0);
	else
		vcpu->xcr0 = val;
	return 1;
}
