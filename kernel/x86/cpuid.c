// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID: what hvx can virtualise (KVM_GET_SUPPORTED_CPUID), the table
 * userspace gives each vCPU (KVM_SET/GET_CPUID2), and the CPUID exit.
 *
 * The supported table is the host's CPUID filtered through allow-lists:
 * a feature bit reaches a guest only when hvx virtualises it, so a bit
 * added by a newer CPU stays hidden until someone decides it works.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/types.h>
#include <asm/processor.h>

#include "x86.h"

/* The hypervisor leaves: "hvxhvxhvxhvx" at 0x40000000. */
#define HVX_CPUID_SIGNATURE	0x40000000
#define HVX_SIG_EBX		0x68787668	/* "hvxh" */
#define HVX_SIG_ECX		0x76687876	/* "vxhv" */
#define HVX_SIG_EDX		0x78766878	/* "xhvx" */

#define HVX_MAX_BASIC_LEAF	0xd
#define HVX_MAX_EXT_LEAF	0x80000008

/*
 * Allowed feature bits, leaf by leaf (SDM Vol. 2A, CPUID; APM Vol. 3, E.3).
 * Leaf 1 ECX leaves out VMX/SMX, MONITOR (exits), PDCM, x2APIC and the
 * TSC deadline timer (no in-kernel APIC), and OSXSAVE (set from the guest's
 * CR4); EDX leaves out ACPI/TM/PBE/DS, which need MSRs hvx does not model.
 */
#define LEAF1_ECX_ALLOWED	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | \
				 BIT(13) | BIT(17) | BIT(19) | BIT(20) | \
				 BIT(22) | BIT(23) | BIT(25) | BIT(26) | \
				 BIT(28) | BIT(29) | BIT(30))
#define LEAF1_EDX_ALLOWED	(0xffffffffu & ~(BIT(18) | BIT(21) | BIT(22) | \
				 BIT(29) | BIT(31)))
/* Leaf 7.0 EBX: FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS RDSEED ADX SMAP
 * CLFLUSHOPT CLWB SHA and the AVX-512 family. */
#define LEAF7_EBX_ALLOWED	(BIT(0) | BIT(3) | BIT(5) | BIT(7) | BIT(8) | \
				 BIT(9) | BIT(16) | BIT(17) | BIT(18) | \
				 BIT(19) | BIT(20) | BIT(21) | BIT(23) | \
				 BIT(24) | BIT(26) | BIT(27) | BIT(28) | \
				 BIT(29) | BIT(30) | BIT(31))
/* Leaf 7.0 ECX: AVX512VBMI, VBMI2, GFNI, VAES, VPCLMULQDQ, VNNI, BITALG,
 * VPOPCNTDQ. */
#define LEAF7_ECX_ALLOWED	(BIT(1) | BIT(6) | BIT(8) | BIT(9) | BIT(10) | \
				 BIT(11) | BIT(12) | BIT(14))
/* Leaf 7.0 EDX: FSRM, VP2INTERSECT, MD_CLEAR, SERIALIZE. */
#define LEAF7_EDX_ALLOWED	(BIT(4) | BIT(8) | BIT(10) | BIT(14))
/* Leaf 0xd.1 EAX: XSAVEOPT, XSAVEC, XGETBV1 (not XSAVES). */
#define LEAFD1_EAX_ALLOWED	(BIT(0) | BIT(1) | BIT(2))
/* Leaf 0x80000001 ECX: LAHF, CMP_LEGACY, CR8_LEGACY, ABM, SSE4A,
 * MISALIGNSSE, 3DNOWPREFETCH, XOP, FMA4, TBM. */
#define LEAFX1_ECX_ALLOWED	(BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) | \
				 BIT(7) | BIT(8) | BIT(11) | BIT(16) | BIT(21))
/* Leaf 0x80000001 EDX: everything but RDTSCP (needs its own control). */
#define LEAFX1_EDX_ALLOWED	(0xffffffffu & ~BIT(27))

/* XCR0 features hvx lets a guest enable: x87, SSE, AVX, AVX-512. */
#define HVX_XCR0_ALLOWED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				 XFEATURE_MASK_YMM | XFEATURE_MASK_OPMASK | \
				 XFEATURE_MASK_ZMM_Hi256 | \
				 XFEATURE_MASK_Hi16_ZMM)

/**
 * hvx_supported_xcr0() - the XCR0 bits a guest may set
 *
 * Return: the host's enabled XCR0 features that hvx allows.
 */
u64 hvx_supported_xcr0(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	return xgetbv(XCR_XFEATURE_ENABLED_MASK) & HVX_XCR0_ALLOWED;
}

struct cpuid_builder {
	struct kvm_cpuid_entry2 *e;
	unsigned int n, max;
};

static struct kvm_cpuid_entry2 *add_leaf(struct cpuid_builder *b, u32 fn,
					 u32 idx, bool indexed)
{
	struct kvm_cpuid_entry2 *e;

	if (b->n == b->max)
		return NULL;
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static int build_basic(struct cpuid_builder *b)
{
	u32 max = min_t(u32, cpuid_eax(0), HVX_MAX_BASIC_LEAF);
	u64 xcr0 = hvx_supported_xcr0();
	struct kvm_cpuid_entry2 *e;
	u32 fn, i;

	for (fn = 0; fn <= max; fn++) {
		switch (fn) {
		case 0:
			e = add_leaf(b, fn, 0, false);
			if (e)
				e->eax = max;
			break;
		case 1:
			e = add_leaf(b, fn, 0, false);
			if (!e)
				break;
			e->ecx &= LEAF1_ECX_ALLOWED;
			if (!xcr0)
				e->ecx &= ~(BIT(26) | BIT(28));
			e->ecx |= BIT(31);	/* running under a hypervisor */
			if (hvx_ops->offers_vmx && hvx_ops->offers_vmx())
				e->ecx |= BIT(5);	/* VMX: nested */
			e->edx &= LEAF1_EDX_ALLOWED;
			e->ebx &= 0x00ffffff;	/* APIC ID: userspace's */
			break;
		case 2:
			e = add_leaf(b, fn, 0, false);
			break;
		case 4:
			/* Deterministic cache parameters, one per level. */
			for (i = 0; i < 8; i++) {
				e = add_leaf(b, fn, i, true);
				if (!e || !(e->eax & 0x1f))
					break;
			}
			break;
		case 7:
			e = add_leaf(b, fn, 0, true);
			if (!e)
				break;
			e->eax = 0;
			e->ebx &= LEAF7_EBX_ALLOWED;
			e->ecx &= LEAF7_ECX_ALLOWED;
			e->edx &= LEAF7_EDX_ALLOWED;
			if (!(xcr0 & XFEATURE_MASK_AVX512)) {
				e->ebx &= ~0xdc230000u;
				e->ecx &= ~(BIT(1) | BIT(6) | BIT(11) |
					    BIT(12) | BIT(14));
				e->edx &= ~BIT(8);
			}
			break;
		case 0xd:
			if (!xcr0)
				break;
			e = add_leaf(b, fn, 0, true);
			if (!e)
				break;
			e->eax = (u32)xcr0;
			e->edx = xcr0 >> 32;
			e = add_leaf(b, fn, 1, true);
			if (!e)
				break;
			e->eax &= LEAFD1_EAX_ALLOWED;
			e->ebx = e->ecx = e->edx = 0;
			for (i = 2; i < 64; i++)
				if (xcr0 & BIT_ULL(i))
					add_leaf(b, fn, i, true);
			break;
		default:
			/* Leaves hvx does not virtualise read as zero. */
			break;
		}
		if (b->n == b->max)
			return -E2BIG;
	}
	return 0;
}

static int build_hypervisor(struct cpuid_builder *b)
{
	struct kvm_cpuid_entry2 *e = add_leaf(b, HVX_CPUID_SIGNATURE, 0, false);

	if (!e)
		return -E2BIG;
	e->eax = HVX_CPUID_SIGNATURE + 1;
	e->ebx = HVX_SIG_EBX;
	e->ecx = HVX_SIG_ECX;
	e->edx = HVX_SIG_EDX;
	e = add_leaf(b, HVX_CPUID_SIGNATURE + 1, 0, false);
	if (!e)
		return -E2BIG;
	e->eax = e->ebx = e->ecx = e->edx = 0;	/* no paravirt features */
	return 0;
}

static int build_extended(struct cpuid_builder *b)
{
	u32 max = min_t(u32, cpuid_eax(0x80000000), HVX_MAX_EXT_LEAF);
	struct kvm_cpuid_entry2 *e;
	u32 fn;

	for (fn = 0x80000000; fn <= max; fn++) {
		e = add_leaf(b, fn, 0, false);
		if (!e)
			return -E2BIG;
		switch (fn) {
		case 0x80000000:
			e->eax = max;
			break;
		case 0x80000001:
			e->ecx &= LEAFX1_ECX_ALLOWED;
			e->edx &= LEAFX1_EDX_ALLOWED;
			break;
		case 0x80000007:
			e->eax = e->ebx = e->ecx = 0;
			e->edx &= BIT(8);	/* invariant TSC */
			break;
		case 0x80000008:
			e->ebx = 0;		/* no speculation controls */
			e->ecx = e->edx = 0;
			break;
		default:
			break;	/* brand string and cache leaves as the host */
		}
	}
	return 0;
}

/**
 * hvx_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @ucpuid: userspace's struct kvm_cpuid2 with room for nent entries
 *
 * Return: 0 with nent set to the entries written, -E2BIG when they do not
 * fit, -EFAULT, -ENOMEM.
 */
int hvx_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct cpuid_builder b = { };
	struct kvm_cpuid2 hdr;
	int r;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	b.max = min_t(u32, hdr.nent, HVX_MAX_CPUID_ENTRIES);
	b.e = kvcalloc(b.max, sizeof(*b.e), GFP_KERNEL);
	if (!b.e)
		return -ENOMEM;

	r = build_basic(&b);
	if (!r)
		r = build_hypervisor(&b);
	if (!r)
		r = build_extended(&b);
	if (!r) {
		hdr.nent = b.n;
		if (copy_to_user(ucpuid, &hdr, sizeof(hdr)) ||
		    copy_to_user(ucpuid->entries, b.e, b.n * sizeof(*b.e)))
			r = -EFAULT;
	}
	kvfree(b.e);
	return r;
}

/**
 * hvx_set_cpuid2() - KVM_SET_CPUID2: the table the guest's CPUID reads
 * @vcpu:   the vCPU
 * @ucpuid: userspace's table
 *
 * Return: 0, -E2BIG for more than HVX_MAX_CPUID_ENTRIES, -EFAULT, -ENOMEM.
 */
int hvx_set_cpuid2(struct hvx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > HVX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(ucpuid->entries, hdr.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	return 0;
}

/**
 * hvx_get_cpuid2() - KVM_GET_CPUID2
 * @vcpu:   the vCPU
 * @ucpuid: userspace's buffer; nent says its room and is set to the count
 *
 * Return: 0, -E2BIG when the table does not fit (nent tells its size).
 */
int hvx_get_cpuid2(struct hvx_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid2 hdr;
	int r = 0;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->cpuid_nent)
		r = -E2BIG;
	else if (copy_to_user(ucpuid->entries, vcpu->cpuid,
			      vcpu->cpuid_nent * sizeof(*vcpu->cpuid)))
		return -EFAULT;
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(ucpuid, &hdr, sizeof(hdr)))
		return -EFAULT;
	return r;
}

/**
 * hvx_find_cpuid() - the table entry for a leaf and subleaf
 * @vcpu:     the vCPU
 * @function: EAX
 * @index:    ECX, compared only for entries with a significant index
 *
 * Return: the entry, or NULL.
 */
const struct kvm_cpuid_entry2 *hvx_find_cpuid(struct hvx_vcpu *vcpu,
					      u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

/**
 * hvx_emulate_cpuid() - a CPUID exit: answer from the vCPU's table
 * @vcpu: the vCPU, with RAX/RCX holding the leaf and subleaf
 *
 * A leaf beyond the highest basic leaf answers as the highest basic leaf,
 * as Intel CPUs do; any other missing leaf answers zeros.  OSXSAVE follows
 * the guest's CR4.  The caller skips the instruction.
 *
 * Return: 1 (re-enter the guest).
 */
int hvx_emulate_cpuid(struct hvx_vcpu *vcpu)
{
	u32 fn = vcpu->regs[HVX_RAX], idx = vcpu->regs[HVX_RCX];
	const struct kvm_cpuid_entry2 *e = hvx_find_cpuid(vcpu, fn, idx);
	const struct kvm_cpuid_entry2 *max = hvx_find_cpuid(vcpu, 0, 0);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	if (!e && max && fn < HVX_CPUID_SIGNATURE && fn > max->eax)
		e = hvx_find_cpuid(vcpu, max->eax, idx);
	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	if (fn == 1) {
		ecx &= ~BIT(27);
		if (hvx_ops->get_cr(vcpu, 4) & X86_CR4_OSXSAVE)
			ecx |= BIT(27);
	}
	vcpu->regs[HVX_RAX] = eax;
	vcpu->regs[HVX_RBX] = ebx;
	vcpu->regs[HVX_RCX] = ecx;
	vcpu->regs[HVX_RDX] = edx;
	return 1;
}
