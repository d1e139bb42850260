// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of kernel/x86/decode.c: instruction lengths and fields in the
 * three execution modes, effective addresses, error cases, and the MMIO
 * emulation of loads, stores and read-modify-write forms.
 *
 * The length table was produced by assembling each instruction with GNU as
 * (.code16/.code32/.code64) and reading the bytes back with objdump
 * (-M intel64 in 64-bit mode).
 */
#include <errno.h>
#include <string.h>

#include "unit.h"
#include "x86/decode.h"

/* Decode a string literal of instruction bytes. */
#define DECODE(mode, s, insn)						\
	hvx_decode((const u8 *)(s), sizeof(s) - 1, (mode), (insn))

#define M16	HVX_MODE_PROT16
#define M32	HVX_MODE_PROT32
#define M64	HVX_MODE_LONG64

#define RFLAGS_FIXED	0x2ULL
#define CF	0x001ULL
#define PF	0x004ULL
#define AF	0x010ULL
#define ZF	0x040ULL
#define SF	0x080ULL
#define DF	0x400ULL
#define OF	0x800ULL

struct len_case {
	enum hvx_cpu_mode mode;
	unsigned int len;
	const char *bytes;
	const char *what;
};

static const struct len_case len_cases[] = {
	{ HVX_MODE_PROT16, 2, "\x89\x00", "mov %ax,(%bx,%si)" },
	{ HVX_MODE_PROT16, 3, "\xa1\x34\x12", "mov 0x1234,%ax" },
	{ HVX_MODE_PROT16, 3, "\x8a\x46\x00", "mov (%bp),%al" },
	{ HVX_MODE_PROT16, 3, "\x8b\x49\x12", "mov 0x12(%bx,%di),%cx" },
	{ HVX_MODE_PROT16, 4, "\x8b\x92\x34\x12", "mov 0x1234(%bp,%si),%dx" },
	{ HVX_MODE_PROT16, 4, "\x67\x66\x89\x01", "mov %eax,(%ecx)" },
	{ HVX_MODE_PROT16, 3, "\xb8\x34\x12", "mov $0x1234,%ax" },
	{ HVX_MODE_PROT16, 6, "\x66\xb8\x78\x56\x34\x12", "mov $0x12345678,%eax" },
	{ HVX_MODE_PROT16, 6, "\x67\xa0\x44\x33\x22\x11", "addr32 mov 0x11223344,%al" },
	{ HVX_MODE_PROT16, 6, "\xc7\x06\x78\x56\x34\x12", "movw $0x1234,0x5678" },
	{ HVX_MODE_PROT16, 5, "\xea\x78\x56\x34\x12", "ljmp $0x1234,$0x5678" },
	{ HVX_MODE_PROT16, 8, "\x66\x9a\x78\x56\x34\x12\x10\x00", "data32 lcall $0x10,$0x12345678" },
	{ HVX_MODE_PROT16, 3, "\xe8\xfd\x00", "call .+0x100" },
	{ HVX_MODE_PROT16, 4, "\x0f\x85\xfc\x00", "jne .+0x100" },
	{ HVX_MODE_PROT16, 3, "\x68\x34\x12", "push $0x1234" },
	{ HVX_MODE_PROT16, 2, "\xc4\x07", "les (%bx),%ax" },
	{ HVX_MODE_PROT16, 2, "\xc5\x1c", "lds (%si),%bx" },
	{ HVX_MODE_PROT16, 2, "\x62\x07", "bound %ax,(%bx)" },
	{ HVX_MODE_PROT16, 2, "\xcd\x10", "int $0x10" },
	{ HVX_MODE_PROT16, 3, "\x0f\x01\x17", "lgdt (%bx)" },
	{ HVX_MODE_PROT16, 3, "\x0f\x20\xc0", "mov %cr0,%eax" },
	{ HVX_MODE_PROT16, 3, "\x0f\x22\xc0", "mov %eax,%cr0" },
	{ HVX_MODE_PROT16, 1, "\xab", "stosw" },
	{ HVX_MODE_PROT16, 8, "\x66\xc7\x45\x10\x78\x56\x34\x12", "movl $0x12345678,0x10(%di)" },
	{ HVX_MODE_PROT16, 2, "\x8d\x00", "lea (%bx,%si),%ax" },
	{ HVX_MODE_PROT16, 6, "\x66\x05\x78\x56\x34\x12", "addl $0x12345678,%eax" },
	{ HVX_MODE_PROT16, 3, "\x05\x34\x12", "addw $0x1234,%ax" },
	{ HVX_MODE_PROT16, 4, "\xf7\x07\x34\x12", "testw $0x1234,(%bx)" },
	{ HVX_MODE_PROT16, 1, "\xcf", "iret" },
	{ HVX_MODE_PROT32, 2, "\x89\x03", "mov %eax,(%ebx)" },
	{ HVX_MODE_PROT32, 5, "\xa1\x78\x56\x34\x12", "mov 0x12345678,%eax" },
	{ HVX_MODE_PROT32, 4, "\x67\xa1\x34\x12", "addr16 mov 0x1234,%eax" },
	{ HVX_MODE_PROT32, 3, "\x8b\x04\x24", "mov (%esp),%eax" },
	{ HVX_MODE_PROT32, 3, "\x8b\x45\x12", "mov 0x12(%ebp),%eax" },
	{ HVX_MODE_PROT32, 7, "\x8b\x0c\x85\x78\x56\x34\x12", "mov 0x12345678(,%eax,4),%ecx" },
	{ HVX_MODE_PROT32, 6, "\x8b\x0d\x78\x56\x34\x12", "mov 0x12345678,%ecx" },
	{ HVX_MODE_PROT32, 7, "\xea\x78\x56\x34\x12\x08\x00", "ljmp $0x8,$0x12345678" },
	{ HVX_MODE_PROT32, 7, "\x9a\x78\x56\x34\x12\x08\x00", "lcall $0x8,$0x12345678" },
	{ HVX_MODE_PROT32, 6, "\x66\xea\x34\x12\x08\x00", "data16 ljmp $0x8,$0x1234" },
	{ HVX_MODE_PROT32, 1, "\x60", "pusha" },
	{ HVX_MODE_PROT32, 1, "\x61", "popa" },
	{ HVX_MODE_PROT32, 1, "\x27", "daa" },
	{ HVX_MODE_PROT32, 2, "\xd4\x0a", "aam $10" },
	{ HVX_MODE_PROT32, 2, "\xd5\x0a", "aad $10" },
	{ HVX_MODE_PROT32, 1, "\x40", "inc %eax" },
	{ HVX_MODE_PROT32, 1, "\x49", "dec %ecx" },
	{ HVX_MODE_PROT32, 2, "\xc4\x00", "les (%eax),%eax" },
	{ HVX_MODE_PROT32, 3, "\xc5\x56\x10", "lds 0x10(%esi),%edx" },
	{ HVX_MODE_PROT32, 4, "\xc5\xec\x58\xd9", "vaddps %ymm1,%ymm2,%ymm3" },
	{ HVX_MODE_PROT32, 6, "\x62\xf1\x6c\x48\x58\xd9", "vaddps %zmm1,%zmm2,%zmm3" },
	{ HVX_MODE_PROT32, 1, "\x06", "push %es" },
	{ HVX_MODE_PROT32, 1, "\x1f", "pop %ds" },
	{ HVX_MODE_PROT32, 2, "\x63\x00", "arpl %ax,(%eax)" },
	{ HVX_MODE_PROT32, 1, "\xce", "into" },
	{ HVX_MODE_PROT32, 2, "\xe3\xfe", "jecxz ." },
	{ HVX_MODE_PROT32, 5, "\xe8\xfb\x0f\x00\x00", "call .+0x1000" },
	{ HVX_MODE_PROT32, 5, "\xe9\xfb\x0f\x00\x00", "jmp .+0x1000" },
	{ HVX_MODE_PROT32, 2, "\x8c\x18", "mov %ds,(%eax)" },
	{ HVX_MODE_PROT32, 2, "\xf3\xab", "rep stosl" },
	{ HVX_MODE_PROT32, 3, "\xf0\xff\x00", "lock incl (%eax)" },
	{ HVX_MODE_PROT32, 5, "\xf0\x83\x4b\x04\x01", "lock orl $0x1,0x4(%ebx)" },
	{ HVX_MODE_PROT32, 4, "\x0f\x0f\xc1\x9e", "pfadd %mm1,%mm0" },
	{ HVX_MODE_PROT32, 6, "\x66\x0f\x78\xc0\x02\x01", "extrq $1,$2,%xmm0" },
	{ HVX_MODE_PROT32, 6, "\xf2\x0f\x78\xc1\x02\x01", "insertq $1,$2,%xmm1,%xmm0" },
	{ HVX_MODE_PROT32, 5, "\x66\xc7\x00\x34\x12", "movw $0x1234,(%eax)" },
	{ HVX_MODE_PROT32, 5, "\xbb\x78\x56\x34\x12", "mov $0x12345678,%ebx" },
	{ HVX_MODE_PROT32, 3, "\x0f\x20\xe0", "mov %cr4,%eax" },
	{ HVX_MODE_PROT32, 3, "\x0f\x22\xc0", "mov %eax,%cr0" },
	{ HVX_MODE_PROT32, 2, "\x0f\x34", "sysenter" },
	{ HVX_MODE_PROT32, 2, "\x62\x03", "bound %eax,(%ebx)" },
	{ HVX_MODE_PROT32, 4, "\xc8\x00\x01\x00", "enter $0x100,$0" },
	{ HVX_MODE_PROT32, 2, "\x86\x01", "xchg %al,(%ecx)" },
	{ HVX_MODE_PROT32, 7, "\x80\x3d\x78\x56\x34\x12\x12", "cmpb $0x12,0x12345678" },
	{ HVX_MODE_PROT32, 4, "\x66\x0f\xb6\x00", "movzbw (%eax),%ax" },
	{ HVX_MODE_LONG64, 2, "\x00\x00", "add %al,(%rax)" },
	{ HVX_MODE_LONG64, 6, "\x01\x05\x78\x56\x34\x12", "add %eax,0x12345678(%rip)" },
	{ HVX_MODE_LONG64, 4, "\x4d\x89\x04\x24", "mov %r8,(%r12)" },
	{ HVX_MODE_LONG64, 4, "\x45\x89\x4d\x10", "mov %r9d,0x10(%r13)" },
	{ HVX_MODE_LONG64, 4, "\x48\x8b\x04\x24", "mov (%rsp),%rax" },
	{ HVX_MODE_LONG64, 5, "\x66\x8b\x54\xcb\x12", "mov 0x12(%rbx,%rcx,8),%dx" },
	{ HVX_MODE_LONG64, 7, "\x8b\x0c\xb5\x78\x56\x34\x12", "mov 0x12345678(,%rsi,4),%ecx" },
	{ HVX_MODE_LONG64, 9, "\xa0\x88\x77\x66\x55\x44\x33\x22\x11", "movabs 0x1122334455667788,%al" },
	{ HVX_MODE_LONG64, 9, "\xa3\x88\x77\x66\x55\x44\x33\x22\x11", "movabs %eax,0x1122334455667788" },
	{ HVX_MODE_LONG64, 6, "\x67\xa1\x44\x33\x22\x11", "addr32 mov 0x11223344,%eax" },
	{ HVX_MODE_LONG64, 10, "\x48\xb8\x88\x77\x66\x55\x44\x33\x22\x11", "movabs $0x1122334455667788,%rax" },
	{ HVX_MODE_LONG64, 6, "\x41\xba\x78\x56\x34\x12", "mov $0x12345678,%r10d" },
	{ HVX_MODE_LONG64, 5, "\x66\xc7\x00\x34\x12", "movw $0x1234,(%rax)" },
	{ HVX_MODE_LONG64, 9, "\x48\xc7\x44\x24\x08\xff\xff\xff\xff", "movq $-1,0x8(%rsp)" },
	{ HVX_MODE_LONG64, 3, "\xc6\x07\x01", "movb $1,(%rdi)" },
	{ HVX_MODE_LONG64, 3, "\xf6\x00\x01", "testb $1,(%rax)" },
	{ HVX_MODE_LONG64, 6, "\xf7\x00\x44\x33\x22\x11", "testl $0x11223344,(%rax)" },
	{ HVX_MODE_LONG64, 6, "\x66\xf7\x40\x10\x22\x11", "testw $0x1122,0x10(%rax)" },
	{ HVX_MODE_LONG64, 2, "\xf7\x10", "notl (%rax)" },
	{ HVX_MODE_LONG64, 4, "\x48\xf7\x5b\x08", "negq 8(%rbx)" },
	{ HVX_MODE_LONG64, 6, "\x69\xc8\x34\x12\x00\x00", "imul $0x1234,%eax,%ecx" },
	{ HVX_MODE_LONG64, 3, "\x6b\xc8\x05", "imul $5,%eax,%ecx" },
	{ HVX_MODE_LONG64, 5, "\x68\x78\x56\x34\x12", "push $0x12345678" },
	{ HVX_MODE_LONG64, 4, "\x66\x68\x34\x12", "pushw $0x1234" },
	{ HVX_MODE_LONG64, 2, "\x6a\x01", "push $1" },
	{ HVX_MODE_LONG64, 5, "\xe8\xfb\x00\x00\x00", "call .+0x100" },
	{ HVX_MODE_LONG64, 2, "\xeb\x0e", "jmp .+0x10" },
	{ HVX_MODE_LONG64, 6, "\x0f\x85\xfa\x0f\x00\x00", "jne .+0x1000" },
	{ HVX_MODE_LONG64, 2, "\xe2\xfe", "loop ." },
	{ HVX_MODE_LONG64, 4, "\xc8\x10\x00\x01", "enter $0x10,$1" },
	{ HVX_MODE_LONG64, 3, "\xc2\x08\x00", "ret $8" },
	{ HVX_MODE_LONG64, 1, "\xcb", "lret" },
	{ HVX_MODE_LONG64, 2, "\xcd\x80", "int $0x80" },
	{ HVX_MODE_LONG64, 2, "\xe4\x60", "in $0x60,%al" },
	{ HVX_MODE_LONG64, 2, "\xe6\x80", "out %al,$0x80" },
	{ HVX_MODE_LONG64, 4, "\xf0\x0f\xb1\x0a", "lock cmpxchg %ecx,(%rdx)" },
	{ HVX_MODE_LONG64, 6, "\xf0\x48\x0f\xc1\x47\x08", "lock xadd %rax,0x8(%rdi)" },
	{ HVX_MODE_LONG64, 4, "\x48\x0f\xc7\x0f", "cmpxchg16b (%rdi)" },
	{ HVX_MODE_LONG64, 3, "\x0f\xb6\x08", "movzbl (%rax),%ecx" },
	{ HVX_MODE_LONG64, 4, "\x0f\xb7\x48\x02", "movzwl 0x2(%rax),%ecx" },
	{ HVX_MODE_LONG64, 4, "\x48\x0f\xbe\x08", "movsbq (%rax),%rcx" },
	{ HVX_MODE_LONG64, 3, "\x0f\xbf\x08", "movswl (%rax),%ecx" },
	{ HVX_MODE_LONG64, 3, "\x48\x63\x08", "movslq (%rax),%rcx" },
	{ HVX_MODE_LONG64, 2, "\xf3\xa4", "rep movsb" },
	{ HVX_MODE_LONG64, 3, "\xf3\x48\xab", "rep stosq" },
	{ HVX_MODE_LONG64, 1, "\xaa", "stosb" },
	{ HVX_MODE_LONG64, 3, "\x0f\x20\xc0", "mov %cr0,%rax" },
	{ HVX_MODE_LONG64, 3, "\x0f\x22\xd8", "mov %rax,%cr3" },
	{ HVX_MODE_LONG64, 4, "\x44\x0f\x20\xc0", "mov %cr8,%rax" },
	{ HVX_MODE_LONG64, 3, "\x0f\x21\xf8", "mov %dr7,%rax" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\x38", "invlpg (%rax)" },
	{ HVX_MODE_LONG64, 5, "\x0f\x01\x7c\x58\x12", "invlpg 0x12(%rax,%rbx,2)" },
	{ HVX_MODE_LONG64, 2, "\x0f\xa2", "cpuid" },
	{ HVX_MODE_LONG64, 2, "\x0f\x32", "rdmsr" },
	{ HVX_MODE_LONG64, 2, "\x0f\x30", "wrmsr" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xf9", "rdtscp" },
	{ HVX_MODE_LONG64, 1, "\xf4", "hlt" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xc1", "vmcall" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xd9", "vmmcall" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xd1", "xsetbv" },
	{ HVX_MODE_LONG64, 2, "\x0f\x05", "syscall" },
	{ HVX_MODE_LONG64, 2, "\xf3\x90", "pause" },
	{ HVX_MODE_LONG64, 5, "\x66\x0f\x1f\x04\x00", "nopw 0x0(%rax,%rax,1)" },
	{ HVX_MODE_LONG64, 6, "\x2e\x66\x0f\x1f\x04\x00", "nopw %cs:0x0(%rax,%rax,1)" },
	{ HVX_MODE_LONG64, 4, "\xf3\x0f\x1e\xfa", "endbr64" },
	{ HVX_MODE_LONG64, 4, "\x0f\xa4\x03\x03", "shld $3,%eax,(%rbx)" },
	{ HVX_MODE_LONG64, 4, "\x0f\xba\x20\x05", "btl $5,(%rax)" },
	{ HVX_MODE_LONG64, 5, "\x66\x0f\x70\xd1\x1b", "pshufd $0x1b,%xmm1,%xmm2" },
	{ HVX_MODE_LONG64, 5, "\x66\x0f\x38\x00\xd1", "pshufb %xmm1,%xmm2" },
	{ HVX_MODE_LONG64, 6, "\x66\x0f\x3a\x0f\xd1\x04", "palignr $4,%xmm1,%xmm2" },
	{ HVX_MODE_LONG64, 5, "\xf2\x0f\x38\xf0\x08", "crc32b (%rax),%ecx" },
	{ HVX_MODE_LONG64, 6, "\x66\x0f\x3a\x0b\x00\x01", "roundsd $1,(%rax),%xmm0" },
	{ HVX_MODE_LONG64, 4, "\xc5\xec\x58\xd9", "vaddps %ymm1,%ymm2,%ymm3" },
	{ HVX_MODE_LONG64, 5, "\xc4\x62\x6d\x00\xd9", "vpshufb %ymm1,%ymm2,%ymm11" },
	{ HVX_MODE_LONG64, 6, "\xc4\xe3\xfd\x00\xd1\x1b", "vpermq $0x1b,%ymm1,%ymm2" },
	{ HVX_MODE_LONG64, 3, "\xc5\xf8\x77", "vzeroupper" },
	{ HVX_MODE_LONG64, 6, "\x62\xf1\x6c\x48\x58\xd9", "vaddps %zmm1,%zmm2,%zmm3" },
	{ HVX_MODE_LONG64, 7, "\x62\xf1\x6c\x48\x58\x58\x01", "vaddps 0x40(%rax),%zmm2,%zmm3" },
	{ HVX_MODE_LONG64, 7, "\x62\xf3\x6d\x48\x25\xd9\x55", "vpternlogd $0x55,%zmm1,%zmm2,%zmm3" },
	{ HVX_MODE_LONG64, 6, "\x62\xf6\x7d\x48\x13\xd1", "vcvtph2psx %ymm1,%zmm2" },
	{ HVX_MODE_LONG64, 2, "\xdd\x00", "fldl (%rax)" },
	{ HVX_MODE_LONG64, 2, "\xd8\xc1", "fadd %st(1),%st" },
	{ HVX_MODE_LONG64, 2, "\xdf\xe0", "fnstsw %ax" },
	{ HVX_MODE_LONG64, 9, "\x64\x48\x8b\x04\x25\x28\x00\x00\x00", "mov %fs:0x28,%rax" },
	{ HVX_MODE_LONG64, 3, "\x65\x8b\x00", "mov %gs:(%rax),%eax" },
	{ HVX_MODE_LONG64, 2, "\x87\x03", "xchg %eax,(%rbx)" },
	{ HVX_MODE_LONG64, 1, "\xd7", "xlat" },
	{ HVX_MODE_LONG64, 3, "\x0f\xc3\x03", "movnti %eax,(%rbx)" },
	{ HVX_MODE_LONG64, 2, "\xff\x20", "jmp *(%rax)" },
	{ HVX_MODE_LONG64, 2, "\xff\xd0", "call *%rax" },
	{ HVX_MODE_LONG64, 2, "\xff\x28", "ljmp *(%rax)" },
	{ HVX_MODE_LONG64, 3, "\x49\x0f\xc9", "bswap %r9" },
	{ HVX_MODE_LONG64, 5, "\x48\x8d\x4c\x98\x08", "lea 0x8(%rax,%rbx,4),%rcx" },
	{ HVX_MODE_LONG64, 6, "\x48\x05\x78\x56\x34\x12", "add $0x12345678,%rax" },
	{ HVX_MODE_LONG64, 4, "\x48\x83\xe4\xf0", "and $-16,%rsp" },
	{ HVX_MODE_LONG64, 6, "\x81\xc9\x00\x00\x00\x80", "or $0x80000000,%ecx" },
	{ HVX_MODE_LONG64, 7, "\x80\x9d\x34\x12\x00\x00\x7f", "sbbb $0x7f,0x1234(%rbp)" },
	{ HVX_MODE_LONG64, 8, "\x4b\x81\x3c\xe3\x00\x10\x00\x00", "cmpq $0x1000,(%r11,%r12,8)" },
	{ HVX_MODE_LONG64, 3, "\x0f\x78\xc3", "vmread %rax,%rbx" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xc2", "vmlaunch" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\xc3", "vmresume" },
	{ HVX_MODE_LONG64, 6, "\x8f\xe8\x60\xa2\xe2\x10", "vpcmov %xmm1,%xmm2,%xmm3,%xmm4" },
	{ HVX_MODE_LONG64, 9, "\x8f\xea\x78\x10\xd8\x34\x12\x00\x00", "bextr $0x1234,%eax,%ebx" },
	{ HVX_MODE_LONG64, 6, "\x8f\xe8\x78\xc2\xd1\x03", "vprotd $3,%xmm1,%xmm2" },
	{ HVX_MODE_LONG64, 6, "\xc7\xf8\xfa\x00\x00\x00", "xbegin .+0x100" },
	{ HVX_MODE_LONG64, 3, "\xc6\xf8\x01", "xabort $1" },
	{ HVX_MODE_LONG64, 2, "\x8e\xd8", "mov %ax,%ds" },
	{ HVX_MODE_LONG64, 3, "\x0f\xc7\xf0", "rdrand %eax" },
	{ HVX_MODE_LONG64, 3, "\x0f\x01\x00", "sgdt (%rax)" },
	/* hand-assembled: real mode and encodings gas does not emit */
	{ HVX_MODE_REAL, 2, "\xc4\x07", "les (%bx),%ax (real mode)" },
	{ HVX_MODE_REAL, 4, "\x8b\x87\x34\x12", "mov 0x1234(%bx),%ax" },
	{ HVX_MODE_REAL, 4, "\xc8\x10\x00\x00", "enter $0x10,$0" },
	{ M16, 3, "\xc5\xf8\x77", "vzeroupper (16-bit)" },
	{ M16, 5, "\xc4\xe1\x78\x28\xc1", "vmovaps %xmm1,%xmm0 (VEX3)" },
	{ M16, 6, "\xc4\xe1\x78\x28\x46\x10", "vmovaps 0x10(%bp),%xmm0" },
	{ M64, 6, "\x66\x48\x26\x05\x34\x12", "REX ignored before a prefix: imm16" },
	{ M64, 7, "\x66\x48\x05\x78\x56\x34\x12", "REX.W wins over 66: imm32" },
	{ M64, 5, "\x48\x66\x05\x34\x12", "REX before 66 is ignored: imm16" },
	{ M64, 3, "\x0f\x22\x1d", "mov %rbp,%cr3 with mod=0: no disp32" },
	{ M64, 3, "\x0f\x20\x04", "mov %cr0,%rsp with rm=4: no SIB" },
	{ M64, 6, "\x66\xe8\x00\x00\x00\x00", "66 call: rel32 (Intel)" },
	{ M64, 3, "\x0f\xa7\xc0", "VIA xstore-rng" },
	{ M64, 11, "\x48\xc7\x05\x78\x56\x34\x12\xff\xff\xff\xff", "movq $-1,rel(%rip)" },
	{ M64, 15, "\x66\x66\x66\x66\x66\x66\x2e\x0f\x1f\x84\x00\x00\x00\x00\x00",
	  "15-byte nopw" },
};

static void lengths(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(len_cases) / sizeof(len_cases[0]); i++) {
		const struct len_case *c = &len_cases[i];
		struct hvx_insn insn;
		u8 buf[16];
		int ret;

		/* padded with NOPs, as a fetch of 15 bytes would be */
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		ret = hvx_decode(buf, 15, c->mode, &insn);
		if (ret || insn.len != c->len)
			printf("# %s (mode %d): ret %d len %u, expected %u\n",
			       c->what, c->mode, ret, insn.len, c->len);
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(insn.len, c->len);
	}
	EXPECT(i >= 80);
}

/* Every proper prefix of an instruction asks for more bytes. */
static void truncation_asks_for_more(void)
{
	unsigned int i, n;

	for (i = 0; i < sizeof(len_cases) / sizeof(len_cases[0]); i++) {
		const struct len_case *c = &len_cases[i];
		struct hvx_insn insn;

		for (n = 0; n < c->len; n++) {
			int ret = hvx_decode((const u8 *)c->bytes, n, c->mode,
					     &insn);

			if (ret != -EAGAIN)
				printf("# %s: %u of %u bytes gave %d\n",
				       c->what, n, c->len, ret);
			EXPECT_EQ(ret, -EAGAIN);
		}
		EXPECT_EQ(hvx_decode((const u8 *)c->bytes, c->len, c->mode,
				     &insn), 0);
		EXPECT_EQ(insn.len, c->len);
	}
}

static void fifteen_byte_limit(void)
{
	struct hvx_insn insn;
	u8 buf[32];

	/* 14 prefixes and a NOP: 15 bytes, legal */
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x90;
	EXPECT_EQ(hvx_decode(buf, sizeof(buf), M64, &insn), 0);
	EXPECT_EQ(insn.len, 15);

	/* 15 prefixes: too long, even when only 15 bytes were fetched */
	buf[14] = 0x66;
	buf[15] = 0x90;
	EXPECT_EQ(hvx_decode(buf, sizeof(buf), M64, &insn), -EINVAL);
	EXPECT_EQ(hvx_decode(buf, 15, M64, &insn), -EINVAL);
	EXPECT_EQ(hvx_decode(buf, 14, M64, &insn), -EAGAIN);

	/* 10 prefixes + movl $imm32, disp32(%rsp): 21 bytes */
	memset(buf, 0x2e, 10);
	memcpy(buf + 10, "\xc7\x84\x24\x00\x01\x00\x00\x78\x56\x34\x12", 11);
	EXPECT_EQ(hvx_decode(buf, sizeof(buf), M32, &insn), -EINVAL);
	/* 4 prefixes: exactly 15 */
	EXPECT_EQ(hvx_decode(buf + 6, sizeof(buf) - 6, M32, &insn), 0);
	EXPECT_EQ(insn.len, 15);
}

static void undefined_encodings(void)
{
	struct hvx_insn insn;

	/* one-byte opcodes that are #UD in 64-bit mode */
	EXPECT_EQ(DECODE(M64, "\x06", &insn), -EINVAL);		/* push %es */
	EXPECT_EQ(DECODE(M64, "\x27", &insn), -EINVAL);		/* daa */
	EXPECT_EQ(DECODE(M64, "\x60", &insn), -EINVAL);		/* pusha */
	EXPECT_EQ(DECODE(M64, "\xce", &insn), -EINVAL);		/* into */
	EXPECT_EQ(DECODE(M64, "\xd4\x0a", &insn), -EINVAL);	/* aam */
	EXPECT_EQ(DECODE(M64, "\x82\x00\x01", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x9a\x00\x00\x00\x00\x08\x00", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\xea\x00\x00\x00\x00\x08\x00", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M32, "\x82\x00\x01", &insn), 0);
	/* reserved everywhere */
	EXPECT_EQ(DECODE(M32, "\xd6", &insn), -EINVAL);		/* SALC */
	EXPECT_EQ(DECODE(M32, "\x0f\x04", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M32, "\x0f\x24\xc0", &insn), -EINVAL);	/* mov %tr */
	EXPECT_EQ(DECODE(M64, "\x0f\x3f", &insn), -EINVAL);
	/* group encodings without an instruction */
	EXPECT_EQ(DECODE(M64, "\xfe\x10", &insn), -EINVAL);		/* FE /2 */
	EXPECT_EQ(DECODE(M64, "\xff\x38", &insn), -EINVAL);		/* FF /7 */
	EXPECT_EQ(DECODE(M64, "\xff\xd8", &insn), -EINVAL);		/* callf reg */
	EXPECT_EQ(DECODE(M64, "\xc6\x08\x01", &insn), -EINVAL);	/* C6 /1 */
	EXPECT_EQ(DECODE(M64, "\xc7\xc8\x01\x00\x00\x00", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x8d\xc0", &insn), -EINVAL);		/* lea reg */
	EXPECT_EQ(DECODE(M64, "\x0f\xba\x00\x01", &insn), -EINVAL);	/* BA /0 */
	EXPECT_EQ(DECODE(M64, "\x0f\xa7\x00", &insn), -EINVAL);	/* PadLock mem */
	EXPECT_EQ(DECODE(HVX_MODE_REAL, "\xc4\xc0", &insn), -EINVAL); /* les reg */
	EXPECT_EQ(DECODE(M64, "\x8f\x21\x78\x00\x00", &insn), -EINVAL); /* XOP map 1 */
	/* LOCK where it is #UD */
	EXPECT_EQ(DECODE(M64, "\xf0\x89\x03", &insn), -EINVAL);	/* mov */
	EXPECT_EQ(DECODE(M64, "\xf0\x01\xc3", &insn), -EINVAL);	/* add reg */
	EXPECT_EQ(DECODE(M64, "\xf0\x83\x3b\x01", &insn), -EINVAL);	/* cmp */
	EXPECT_EQ(DECODE(M64, "\xf0\x90", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\xf0\x83\x03\x01", &insn), 0);	/* add */
	EXPECT(insn.lock);
	/* VEX after 66, F3, LOCK or REX */
	EXPECT_EQ(DECODE(M64, "\x66\xc5\xf8\x77", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\xf3\xc5\xf8\x77", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\xf0\xc5\xf8\x77", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x41\xc5\xf8\x77", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\xc5\xf8\x77", &insn), 0);
	/* VEX map 4, EVEX map 4, EVEX with P1 bit 2 clear */
	EXPECT_EQ(DECODE(M64, "\xc4\xe4\x78\x00\xc0", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x62\xf4\x6c\x48\x58\xd9", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x62\xf1\x68\x48\x58\xd9", &insn), -EINVAL);
	EXPECT_EQ(DECODE(M64, "\x90", &insn), 0);
	EXPECT_EQ(hvx_decode((const u8 *)"\x90", 1, 7, &insn), -EINVAL);
}

static void prefixes_and_sizes(void)
{
	struct hvx_insn insn;

	/* REX right before the opcode counts; before a prefix it does not */
	EXPECT_EQ(DECODE(M64, "\x66\x48\x89\x03", &insn), 0);
	EXPECT_EQ(insn.opsize, 8);
	EXPECT_EQ(insn.rex, 0x48);
	EXPECT_EQ(DECODE(M64, "\x48\x66\x89\x03", &insn), 0);
	EXPECT_EQ(insn.opsize, 2);
	EXPECT_EQ(insn.rex, 0);
	EXPECT(insn.opsize_prefix);
	/* operand and address size per mode */
	EXPECT_EQ(DECODE(HVX_MODE_REAL, "\x89\x03", &insn), 0);
	EXPECT_EQ(insn.opsize, 2);
	EXPECT_EQ(insn.addrsize, 2);
	EXPECT_EQ(DECODE(M16, "\x66\x67\x89\x03", &insn), 0);
	EXPECT_EQ(insn.opsize, 4);
	EXPECT_EQ(insn.addrsize, 4);
	EXPECT_EQ(DECODE(M32, "\x66\x67\x89\x07", &insn), 0);
	EXPECT_EQ(insn.opsize, 2);
	EXPECT_EQ(insn.addrsize, 2);
	EXPECT_EQ(DECODE(M64, "\x67\x89\x03", &insn), 0);
	EXPECT_EQ(insn.opsize, 4);
	EXPECT_EQ(insn.addrsize, 4);
	/* 64-bit defaults: push, near branches */
	EXPECT_EQ(DECODE(M64, "\x50", &insn), 0);
	EXPECT_EQ(insn.opsize, 8);
	EXPECT_EQ(DECODE(M64, "\x66\x50", &insn), 0);
	EXPECT_EQ(insn.opsize, 2);
	EXPECT_EQ(DECODE(M64, "\xff\x30", &insn), 0);		/* push (%rax) */
	EXPECT_EQ(insn.opsize, 8);
	EXPECT_EQ(DECODE(M64, "\xff\x20", &insn), 0);		/* jmp *(%rax) */
	EXPECT_EQ(insn.opsize, 8);
	/* last F2/F3 wins; segment prefixes */
	EXPECT_EQ(DECODE(M32, "\xf2\xf3\xa4", &insn), 0);
	EXPECT(insn.rep && !insn.repne);
	EXPECT_EQ(DECODE(M32, "\x26\x64\x8b\x00", &insn), 0);
	EXPECT_EQ(insn.seg_override, HVX_SEG_FS);
	EXPECT_EQ(DECODE(M32, "\x36\x8b\x00", &insn), 0);
	EXPECT_EQ(insn.seg_override, HVX_SEG_SS);
	/* 64-bit mode ignores CS/DS/ES/SS overrides */
	EXPECT_EQ(DECODE(M64, "\x2e\x8b\x00", &insn), 0);
	EXPECT_EQ(insn.seg_override, -1);
	EXPECT_EQ(DECODE(M64, "\x65\x3e\x8b\x00", &insn), 0);
	EXPECT_EQ(insn.seg_override, HVX_SEG_GS);
	/* opcode tags */
	EXPECT_EQ(DECODE(M64, "\x0f\xb6\x08", &insn), 0);
	EXPECT_EQ(insn.opcode, HVX_OPC_0F(0xb6));
	EXPECT_EQ(insn.map, HVX_MAP_0F);
	EXPECT_EQ(DECODE(M64, "\x66\x0f\x38\x00\xd1", &insn), 0);
	EXPECT_EQ(insn.opcode, HVX_OPC_0F38(0x00));
	EXPECT_EQ(DECODE(M64, "\x66\x0f\x3a\x0f\xd1\x04", &insn), 0);
	EXPECT_EQ(insn.opcode, HVX_OPC_0F3A(0x0f));
	EXPECT_EQ(insn.imm, 4);
}

static void modrm_sib_fields(void)
{
	struct hvx_insn insn;

	/* mov 0x12(%rbx,%rcx,8),%dx */
	EXPECT_EQ(DECODE(M64, "\x66\x8b\x54\xcb\x12", &insn), 0);
	EXPECT(insn.has_modrm && insn.has_sib);
	EXPECT_EQ(insn.mod, 1);
	EXPECT_EQ(insn.reg, HVX_REG_RDX);
	EXPECT_EQ(insn.base, HVX_REG_RBX);
	EXPECT_EQ(insn.index, HVX_REG_RCX);
	EXPECT_EQ(insn.scale, 3);
	EXPECT_EQ(insn.dispsize, 1);
	EXPECT_EQ(insn.disp, 0x12);
	/* mov -0x80(%r13,%r12,2),%r9: REX.RXB */
	EXPECT_EQ(DECODE(M64, "\x4f\x8b\x4c\x65\x80", &insn), 0);
	EXPECT_EQ(insn.reg, 9);
	EXPECT_EQ(insn.base, 13);
	EXPECT_EQ(insn.index, 12);
	EXPECT_EQ(insn.scale, 1);
	EXPECT_EQ(insn.disp, -0x80);
	/* SIB index 100 without REX.X: no index */
	EXPECT_EQ(DECODE(M64, "\x8b\x04\x24", &insn), 0);
	EXPECT_EQ(insn.base, HVX_REG_RSP);
	EXPECT_EQ(insn.index, HVX_REG_NONE);
	/* SIB base 101 with mod 0: disp32, no base (REX.B does not matter) */
	EXPECT_EQ(DECODE(M64, "\x41\x8b\x04\x25\x78\x56\x34\x12", &insn), 0);
	EXPECT_EQ(insn.base, HVX_REG_NONE);
	EXPECT_EQ(insn.disp, 0x12345678);
	EXPECT(!insn.rip_relative);
	/* mod 0 rm 101: RIP-relative in 64-bit mode, absolute in 32-bit */
	EXPECT_EQ(DECODE(M64, "\x8b\x05\xf0\xff\xff\xff", &insn), 0);
	EXPECT(insn.rip_relative);
	EXPECT_EQ(insn.disp, -16);
	EXPECT_EQ(DECODE(M32, "\x8b\x05\xf0\xff\xff\xff", &insn), 0);
	EXPECT(!insn.rip_relative);
	EXPECT_EQ(insn.base, HVX_REG_NONE);
	/* 16-bit: mov 0x1234(%bp,%si),%dx and mov 0x5678,%ax */
	EXPECT_EQ(DECODE(M16, "\x8b\x92\x34\x12", &insn), 0);
	EXPECT_EQ(insn.base, HVX_REG_RBP);
	EXPECT_EQ(insn.index, HVX_REG_RSI);
	EXPECT_EQ(insn.dispsize, 2);
	EXPECT_EQ(insn.disp, 0x1234);
	EXPECT(!insn.has_sib);
	EXPECT_EQ(DECODE(M16, "\x8b\x06\x78\x56", &insn), 0);
	EXPECT_EQ(insn.base, HVX_REG_NONE);
	EXPECT_EQ(insn.index, HVX_REG_NONE);
	EXPECT_EQ(insn.disp, 0x5678);
	/* immediates: far pointer, ENTER, moffs, imm64 */
	EXPECT_EQ(DECODE(M32, "\xea\x78\x56\x34\x12\x08\x00", &insn), 0);
	EXPECT_EQ(insn.immsize, 4);
	EXPECT_EQ(insn.imm, 0x12345678);
	EXPECT_EQ(insn.imm2size, 2);
	EXPECT_EQ(insn.imm2, 8);
	EXPECT_EQ(DECODE(M64, "\xc8\x10\x00\x01", &insn), 0);
	EXPECT_EQ(insn.imm, 0x10);
	EXPECT_EQ(insn.imm2, 1);
	EXPECT_EQ(DECODE(M64, "\x48\xb8\x88\x77\x66\x55\x44\x33\x22\x11", &insn), 0);
	EXPECT_EQ(insn.immsize, 8);
	EXPECT_EQ(insn.imm, 0x1122334455667788ULL);
	EXPECT_EQ(DECODE(M64, "\x83\xc0\xff", &insn), 0);
	EXPECT_EQ(insn.imm, 0xff);			/* zero-extended */
}

static void vex_fields(void)
{
	struct hvx_insn insn;

	/* vpshufb %ymm1,%ymm2,%ymm11: C4, map 2, R=1, vvvv=2, L=1, pp=66 */
	EXPECT_EQ(DECODE(M64, "\xc4\x62\x6d\x00\xd9", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_VEX);
	EXPECT_EQ(insn.map, HVX_MAP_0F38);
	EXPECT_EQ(insn.opcode, HVX_OPC_0F38(0x00));
	EXPECT_EQ(insn.reg, 11);
	EXPECT_EQ(insn.vex_vvvv, 2);
	EXPECT_EQ(insn.vex_l, 1);
	EXPECT_EQ(insn.vex_pp, 1);
	/* vmovq %xmm0,%rax: VEX.W=1 is REX.W */
	EXPECT_EQ(DECODE(M64, "\xc4\xe1\xf9\x7e\xc0", &insn), 0);
	EXPECT_EQ(insn.rex, 0x48);
	EXPECT_EQ(insn.opsize, 8);
	/* C5 in 32-bit mode: VEX only with mod=11 */
	EXPECT_EQ(DECODE(M32, "\xc5\xec\x58\xd9", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_VEX);
	EXPECT_EQ(DECODE(M32, "\xc5\x56\x10", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_LEGACY);
	EXPECT_EQ(insn.opcode, 0xc5);
	/* EVEX: L'L = 2 for zmm */
	EXPECT_EQ(DECODE(M64, "\x62\xf1\x6c\x48\x58\xd9", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_EVEX);
	EXPECT_EQ(insn.vex_l, 2);
	/* XOP map 10 has an imm32 */
	EXPECT_EQ(DECODE(M64, "\x8f\xea\x78\x10\xd8\x34\x12\x00\x00", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_XOP);
	EXPECT_EQ(insn.map, 10);
	EXPECT_EQ(insn.imm, 0x1234);
	/* 8F /0 stays POP */
	EXPECT_EQ(DECODE(M64, "\x8f\x00", &insn), 0);
	EXPECT_EQ(insn.enc, HVX_ENC_LEGACY);
	EXPECT_EQ(insn.opsize, 8);
}

/* What SVM without decode assists needs: MOV CR/DR and INVLPG operands. */
static void cr_and_invlpg_operands(void)
{
	u64 regs[16] = { 0 };
	struct hvx_insn insn;

	EXPECT_EQ(DECODE(M64, "\x0f\x22\xd8", &insn), 0);	/* mov %rax,%cr3 */
	EXPECT_EQ(insn.reg, 3);
	EXPECT_EQ(insn.rm, HVX_REG_RAX);
	EXPECT_EQ(DECODE(M64, "\x44\x0f\x20\xc1", &insn), 0);	/* mov %cr8,%rcx */
	EXPECT_EQ(insn.reg, 8);
	EXPECT_EQ(insn.rm, HVX_REG_RCX);
	EXPECT_EQ(DECODE(M64, "\x41\x0f\x22\xe7", &insn), 0);	/* mov %r15,%cr4 */
	EXPECT_EQ(insn.reg, 4);
	EXPECT_EQ(insn.rm, 15);
	/* mod is ignored: 00 still names a register */
	EXPECT_EQ(DECODE(M32, "\x0f\x22\x05", &insn), 0);
	EXPECT_EQ(insn.len, 3);
	EXPECT_EQ(insn.mod, 3);
	EXPECT_EQ(insn.rm, HVX_REG_RBP);
	EXPECT(!hvx_insn_has_mem(&insn));
	/* AMD: LOCK MOV CR0 is MOV CR8 */
	EXPECT_EQ(DECODE(M32, "\xf0\x0f\x20\xc0", &insn), 0);
	EXPECT_EQ(insn.reg, 8);
	EXPECT_EQ(DECODE(M64, "\x0f\x21\xf8", &insn), 0);	/* mov %dr7,%rax */
	EXPECT_EQ(insn.opcode, HVX_OPC_0F(0x21));
	EXPECT_EQ(insn.reg, 7);

	/* invlpg 0x12(%rax,%rbx,2) */
	EXPECT_EQ(DECODE(M64, "\x0f\x01\x7c\x58\x12", &insn), 0);
	EXPECT_EQ(insn.opcode, HVX_OPC_0F(0x01));
	EXPECT_EQ(insn.reg, 7);
	EXPECT(hvx_insn_has_mem(&insn));
	regs[HVX_REG_RAX] = 0xffff800000001000ULL;
	regs[HVX_REG_RBX] = 0x100;
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0xffff800000001212ULL);
}

static void effective_addresses(void)
{
	u64 regs[16] = { 0 };
	struct hvx_insn insn;

	regs[HVX_REG_RAX] = 0x100000002ULL;
	regs[HVX_REG_RBX] = 0x1000;
	regs[HVX_REG_RCX] = 0x10;
	regs[HVX_REG_RSI] = 0x20;
	regs[HVX_REG_RDI] = 0xffff0000ffffffffULL;
	regs[12] = 0x300;
	regs[13] = 0x4000;

	EXPECT_EQ(DECODE(M64, "\x66\x8b\x54\xcb\x12", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x1000 + 0x10 * 8 + 0x12);
	EXPECT_EQ(DECODE(M64, "\x4f\x8b\x4c\x65\x80", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x4000 + 0x600 - 0x80);
	/* RIP-relative: from the next instruction */
	EXPECT_EQ(DECODE(M64, "\x8b\x05\xf0\xff\xff\xff", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0x401006), 0x400ff6);
	/* 67 in 64-bit mode: EA wraps at 4 GiB */
	EXPECT_EQ(DECODE(M64, "\x67\x8b\x40\xfc", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0xfffffffe);
	/* 32-bit: no base, scaled index */
	EXPECT_EQ(DECODE(M32, "\x8b\x0c\xb5\x00\x00\x00\xf0", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0xf0000080);
	/* 16-bit: (%bx,%si) wraps at 64 KiB */
	regs[HVX_REG_RBX] = 0xfff0;
	EXPECT_EQ(DECODE(M16, "\x8b\x40\x20", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x0030);
	EXPECT_EQ(DECODE(M16, "\x8b\x06\x78\x56", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x5678);
	/* moffs, as wide as the address size */
	EXPECT_EQ(DECODE(M64, "\xa1\x88\x77\x66\x55\x44\x33\x22\x11", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x1122334455667788ULL);
	EXPECT_EQ(DECODE(M64, "\x67\xa1\x44\x33\x22\x11", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x11223344);
	/* string forms */
	EXPECT_EQ(DECODE(M64, "\xaa", &insn), 0);
	EXPECT(hvx_insn_has_mem(&insn));
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0xffff0000ffffffffULL);
	EXPECT_EQ(DECODE(M32, "\xaa", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0xffffffff);
	EXPECT_EQ(DECODE(M32, "\xac", &insn), 0);
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0x20);
	/* no memory operand */
	EXPECT_EQ(DECODE(M64, "\x89\xc3", &insn), 0);
	EXPECT(!hvx_insn_has_mem(&insn));
	EXPECT_EQ(hvx_insn_ea(&insn, regs, 0), 0);
}

static void segments(void)
{
	struct hvx_insn insn;

	EXPECT_EQ(DECODE(M32, "\x8b\x03", &insn), 0);
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_DS);
	EXPECT_EQ(DECODE(M32, "\x8b\x45\x08", &insn), 0);	/* 8(%ebp) */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_SS);
	EXPECT_EQ(DECODE(M32, "\x8b\x04\x24", &insn), 0);	/* (%esp) */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_SS);
	EXPECT_EQ(DECODE(M32, "\x8b\x04\x2b", &insn), 0);	/* (%ebx,%ebp) */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_DS);
	EXPECT_EQ(DECODE(M32, "\x3e\x8b\x45\x08", &insn), 0);
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_DS);
	EXPECT_EQ(DECODE(M16, "\x8b\x02", &insn), 0);		/* (%bp,%si) */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_SS);
	EXPECT_EQ(DECODE(M16, "\x8b\x06\x00\x10", &insn), 0);	/* disp16 only */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_DS);
	EXPECT_EQ(DECODE(M64, "\x41\x8b\x45\x08", &insn), 0);	/* 8(%r13) */
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_DS);
	EXPECT_EQ(DECODE(M64, "\x64\x8b\x04\x25\x28\x00\x00\x00", &insn), 0);
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_FS);
	/* STOS writes ES:rDI whatever the prefix; LODS honours it */
	EXPECT_EQ(DECODE(M32, "\x2e\xaa", &insn), 0);
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_ES);
	EXPECT_EQ(DECODE(M32, "\x2e\xac", &insn), 0);
	EXPECT_EQ(hvx_insn_seg(&insn), HVX_SEG_CS);
}

/*
 * Run one MMIO instruction: plan, then (for a read) supply @read_value,
 * compute the write-back of read-modify-write forms, and finish.
 */
struct mmio_run {
	int plan;
	struct hvx_mmio_op op;
	u64 written;
	int finish;
};

static struct mmio_run mmio(enum hvx_cpu_mode mode, const char *bytes,
			    unsigned int len, u64 regs[16], u64 *rflags,
			    u64 read_value)
{
	struct mmio_run r = { 0 };
	struct hvx_insn insn;

	if (hvx_decode((const u8 *)bytes, len, mode, &insn)) {
		r.plan = -99;
		return r;
	}
	EXPECT_EQ(insn.len, len);
	r.plan = hvx_mmio_plan(&insn, regs, &r.op);
	if (r.plan)
		return r;
	if (r.op.write)
		r.written = r.op.write_value;
	if (r.op.read && r.op.write)
		EXPECT_EQ(hvx_mmio_rmw(&insn, regs, *rflags, read_value,
				       &r.written), 0);
	else
		EXPECT_EQ(hvx_mmio_rmw(&insn, regs, *rflags, read_value,
				       &r.written), -EOPNOTSUPP);
	r.finish = hvx_mmio_finish(&insn, regs, rflags, read_value);
	return r;
}

#define MMIO(mode, s, regs, rflags, rv)					\
	mmio((mode), (s), sizeof(s) - 1, (regs), (rflags), (rv))

static void init_regs(u64 regs[16])
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		regs[i] = 0x1111111111111111ULL * (i + 1);
	regs[HVX_REG_RAX] = 0x1122334455667788ULL;
}

static void mmio_stores(void)
{
	u64 regs[16], fl = RFLAGS_FIXED;
	struct mmio_run r;

	init_regs(regs);
	r = MMIO(M64, "\x89\x03", regs, &fl, 0);		/* mov %eax,(%rbx) */
	EXPECT_EQ(r.plan, 0);
	EXPECT(!r.op.read && r.op.write);
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 0x55667788);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x1122334455667788ULL);

	r = MMIO(M64, "\x48\x89\x03", regs, &fl, 0);		/* mov %rax,(%rbx) */
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(r.written, 0x1122334455667788ULL);
	r = MMIO(M64, "\x66\x89\x03", regs, &fl, 0);		/* mov %ax,(%rbx) */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(r.written, 0x7788);
	r = MMIO(M64, "\x88\x23", regs, &fl, 0);		/* mov %ah,(%rbx) */
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(r.written, 0x77);
	r = MMIO(M64, "\x40\x88\x23", regs, &fl, 0);		/* mov %spl,(%rbx) */
	EXPECT_EQ(r.written, regs[HVX_REG_RSP] & 0xff);
	r = MMIO(M64, "\x44\x88\x03", regs, &fl, 0);		/* mov %r8b,(%rbx) */
	EXPECT_EQ(r.written, regs[8] & 0xff);
	r = MMIO(M64, "\x4c\x89\x3b", regs, &fl, 0);		/* mov %r15,(%rbx) */
	EXPECT_EQ(r.written, regs[15]);

	r = MMIO(M64, "\xc6\x03\xab", regs, &fl, 0);		/* movb $0xab */
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(r.written, 0xab);
	r = MMIO(M64, "\x66\xc7\x03\x34\x12", regs, &fl, 0);	/* movw */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(r.written, 0x1234);
	r = MMIO(M64, "\xc7\x03\x78\x56\x34\x92", regs, &fl, 0);	/* movl */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 0x92345678);
	r = MMIO(M64, "\x48\xc7\x03\x00\x00\x00\x80", regs, &fl, 0); /* movq */
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(r.written, 0xffffffff80000000ULL);
	r = MMIO(M64, "\x0f\xc3\x03", regs, &fl, 0);		/* movnti */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 0x55667788);

	/* moffs stores */
	r = MMIO(M64, "\xa2\x00\x10\x00\x00\x00\x00\x00\x00", regs, &fl, 0);
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(r.written, 0x88);
	r = MMIO(M64, "\x48\xa3\x00\x10\x00\x00\x00\x00\x00\x00", regs, &fl, 0);
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(r.written, 0x1122334455667788ULL);
	r = MMIO(M16, "\xa3\x00\x10", regs, &fl, 0);
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(r.written, 0x7788);
	EXPECT_EQ(r.finish, 0);
	EXPECT_EQ(fl, RFLAGS_FIXED);
}

static void mmio_loads(void)
{
	u64 regs[16], fl = RFLAGS_FIXED;
	struct mmio_run r;

	init_regs(regs);
	r = MMIO(M64, "\x8b\x03", regs, &fl, 0xdeadbeefcafef00dULL);
	EXPECT_EQ(r.plan, 0);
	EXPECT(r.op.read && !r.op.write);
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.finish, 0);
	EXPECT_EQ(regs[HVX_REG_RAX], 0xcafef00d);	/* zero-extended */

	init_regs(regs);
	r = MMIO(M64, "\x66\x8b\x0b", regs, &fl, 0xbeef);	/* mov (%rbx),%cx */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x222222222222beefULL);
	r = MMIO(M64, "\x8a\x0b", regs, &fl, 0x5a);		/* mov (%rbx),%cl */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x222222222222be5aULL);
	r = MMIO(M64, "\x8a\x2b", regs, &fl, 0xa5);		/* mov (%rbx),%ch */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x222222222222a55aULL);
	r = MMIO(M64, "\x40\x8a\x2b", regs, &fl, 0x77);	/* mov (%rbx),%bpl */
	EXPECT_EQ(regs[HVX_REG_RBP], 0x6666666666666677ULL);
	r = MMIO(M64, "\x48\x8b\x03", regs, &fl, 0x0123456789abcdefULL);
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x0123456789abcdefULL);
	r = MMIO(M64, "\x44\x8b\x1b", regs, &fl, 0x80000000);	/* %r11d */
	EXPECT_EQ(regs[11], 0x80000000);

	/* outside 64-bit mode a 32-bit load keeps the upper half */
	init_regs(regs);
	r = MMIO(M32, "\x8b\x03", regs, &fl, 0xcafef00d);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x11223344cafef00dULL);

	/* moffs loads */
	init_regs(regs);
	r = MMIO(M64, "\xa0\x00\x10\x00\x00\x00\x00\x00\x00", regs, &fl, 0xee);
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x11223344556677eeULL);
	r = MMIO(M64, "\xa1\x00\x10\x00\x00\x00\x00\x00\x00", regs, &fl, 0x1);
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(regs[HVX_REG_RAX], 1);
	r = MMIO(M32, "\x66\xa1\x00\x10\x00\x00", regs, &fl, 0xabcd);
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(regs[HVX_REG_RAX], 0xabcd);
	EXPECT_EQ(fl, RFLAGS_FIXED);
}

static void mmio_extending_loads(void)
{
	u64 regs[16], fl = RFLAGS_FIXED;
	struct mmio_run r;

	init_regs(regs);
	r = MMIO(M64, "\x0f\xb6\x0b", regs, &fl, 0x80);	/* movzbl */
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(regs[HVX_REG_RCX], 0x80);
	r = MMIO(M64, "\x0f\xb7\x0b", regs, &fl, 0x8001);	/* movzwl */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(regs[HVX_REG_RCX], 0x8001);
	r = MMIO(M64, "\x48\x0f\xbe\x0b", regs, &fl, 0x80);	/* movsbq */
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(regs[HVX_REG_RCX], 0xffffffffffffff80ULL);
	r = MMIO(M64, "\x0f\xbf\x0b", regs, &fl, 0x8000);	/* movswl */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(regs[HVX_REG_RCX], 0xffff8000);
	r = MMIO(M64, "\x0f\xbe\x0b", regs, &fl, 0x7f);	/* movsbl */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x7f);
	init_regs(regs);
	r = MMIO(M64, "\x66\x0f\xb6\x0b", regs, &fl, 0xff);	/* movzbw */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x22222222222200ffULL);
	r = MMIO(M64, "\x66\x0f\xbe\x0b", regs, &fl, 0xff);	/* movsbw */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x222222222222ffffULL);
	r = MMIO(M64, "\x0f\xb6\x2b", regs, &fl, 0x12);	/* movzbl ,%ebp */
	EXPECT_EQ(regs[HVX_REG_RBP], 0x12);
	r = MMIO(M64, "\x48\x63\x0b", regs, &fl, 0x80000000);	/* movslq */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(regs[HVX_REG_RCX], 0xffffffff80000000ULL);
	r = MMIO(M64, "\x4c\x63\x03", regs, &fl, 0x7fffffff);	/* movslq,%r8 */
	EXPECT_EQ(regs[8], 0x7fffffff);
	r = MMIO(M64, "\x63\x0b", regs, &fl, 0x80000000);	/* movsxd r32 */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(regs[HVX_REG_RCX], 0x80000000);
	r = MMIO(M32, "\x63\x0b", regs, &fl, 0);		/* arpl */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
}

static void mmio_string(void)
{
	u64 regs[16], fl = RFLAGS_FIXED;
	struct mmio_run r;

	init_regs(regs);
	regs[HVX_REG_RDI] = 0x1000;
	r = MMIO(M64, "\xaa", regs, &fl, 0);			/* stosb */
	EXPECT_EQ(r.plan, 0);
	EXPECT(r.op.write && !r.op.read);
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(r.written, 0x88);
	EXPECT_EQ(regs[HVX_REG_RDI], 0x1001);
	r = MMIO(M64, "\x48\xab", regs, &fl, 0);		/* stosq */
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(r.written, 0x1122334455667788ULL);
	EXPECT_EQ(regs[HVX_REG_RDI], 0x1009);
	fl |= DF;
	r = MMIO(M64, "\xab", regs, &fl, 0);			/* stosl, DF=1 */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 0x55667788);
	EXPECT_EQ(regs[HVX_REG_RDI], 0x1005);
	fl &= ~DF;
	/* address size 32 in 64-bit mode: EDI wraps and zero-extends */
	regs[HVX_REG_RDI] = 0x1fffffffcULL;
	r = MMIO(M64, "\x67\xab", regs, &fl, 0);
	EXPECT_EQ(regs[HVX_REG_RDI], 0);
	/* 16-bit: only DI moves */
	regs[HVX_REG_RDI] = 0x1234ffff;
	r = MMIO(M16, "\xaa", regs, &fl, 0);
	EXPECT_EQ(regs[HVX_REG_RDI], 0x12340000);
	r = MMIO(M16, "\xab", regs, &fl, 0);			/* stosw */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(r.written, 0x7788);
	EXPECT_EQ(regs[HVX_REG_RDI], 0x12340002);
	/* REP forms are not single accesses */
	r = MMIO(M64, "\xf3\xaa", regs, &fl, 0);
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\xf3\x48\xab", regs, &fl, 0);
	EXPECT_EQ(r.plan, -EOPNOTSUPP);

	/* lodsw */
	regs[HVX_REG_RSI] = 0x2000;
	r = MMIO(M64, "\x66\xad", regs, &fl, 0xbeef);
	EXPECT(r.op.read && !r.op.write);
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x112233445566beefULL);
	EXPECT_EQ(regs[HVX_REG_RSI], 0x2002);
	EXPECT_EQ(fl, RFLAGS_FIXED);
}

static void mmio_xchg(void)
{
	u64 regs[16], fl = RFLAGS_FIXED;
	struct mmio_run r;

	init_regs(regs);
	r = MMIO(M64, "\x87\x03", regs, &fl, 0xaabbccdd);	/* xchg %eax,(%rbx) */
	EXPECT(r.op.read && r.op.write);
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.op.write_value, 0x55667788);
	EXPECT_EQ(r.written, 0x55667788);
	EXPECT_EQ(regs[HVX_REG_RAX], 0xaabbccdd);
	r = MMIO(M64, "\x86\x23", regs, &fl, 0x11);		/* xchg %ah,(%rbx) */
	EXPECT_EQ(r.written, 0xcc);
	EXPECT_EQ(regs[HVX_REG_RAX], 0xaabb11dd);
	r = MMIO(M64, "\xf0\x48\x87\x03", regs, &fl, 0x5);	/* lock xchg */
	EXPECT_EQ(r.plan, 0);
	EXPECT_EQ(r.written, 0xaabb11dd);
	EXPECT_EQ(regs[HVX_REG_RAX], 5);
}

static void mmio_alu_memory_destination(void)
{
	u64 regs[16], fl;
	struct mmio_run r;

	init_regs(regs);
	regs[HVX_REG_RAX] = 1;
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x01\x03", regs, &fl, 0xffffffff);	/* add %eax,(%rbx) */
	EXPECT(r.op.read && r.op.write);
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 0);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF | AF | ZF);
	EXPECT_EQ(regs[HVX_REG_RAX], 1);

	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x01\x03", regs, &fl, 0x7fffffff);	/* signed overflow */
	EXPECT_EQ(r.written, 0x80000000);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF | AF | SF | OF);

	fl = RFLAGS_FIXED | CF;
	r = MMIO(M64, "\x11\x03", regs, &fl, 0x10);		/* adc */
	EXPECT_EQ(r.written, 0x12);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF);

	regs[HVX_REG_RAX] = 0xffffffff;
	fl = RFLAGS_FIXED | CF;
	r = MMIO(M64, "\x11\x03", regs, &fl, 0x5);		/* adc: 5+~0+1 */
	EXPECT_EQ(r.written, 5);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF | AF);
	regs[HVX_REG_RAX] = 1;

	fl = RFLAGS_FIXED | CF;
	r = MMIO(M64, "\x19\x03", regs, &fl, 0x1);		/* sbb: 1-1-1 */
	EXPECT_EQ(r.written, 0xffffffff);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF | AF | SF);

	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x29\x03", regs, &fl, 0x80000000);	/* sub: 0x80000000-1 */
	EXPECT_EQ(r.written, 0x7fffffff);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF | AF | OF);

	regs[HVX_REG_RAX] = 0xf0f0;
	fl = RFLAGS_FIXED | CF | OF;
	r = MMIO(M64, "\x21\x03", regs, &fl, 0xff00);		/* and */
	EXPECT_EQ(r.written, 0xf000);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x09\x03", regs, &fl, 0x0f);		/* or */
	EXPECT_EQ(r.written, 0xf0ff);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x31\x03", regs, &fl, 0xf0f0);		/* xor */
	EXPECT_EQ(r.written, 0);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF | ZF);

	/* CMP and TEST read only */
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x39\x03", regs, &fl, 0x10);		/* cmp %eax,(%rbx) */
	EXPECT(r.op.read && !r.op.write);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | SF);		/* 0x10 - 0xf0f0 */
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x85\x03", regs, &fl, 0x0f0f);		/* test */
	EXPECT(r.op.read && !r.op.write);
	EXPECT_EQ(fl, RFLAGS_FIXED | ZF | PF);
	EXPECT_EQ(regs[HVX_REG_RAX], 0xf0f0);

	/* group 1 with immediates */
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x83\x03\xff", regs, &fl, 5);		/* addl $-1 */
	EXPECT_EQ(r.op.size, 4);
	EXPECT_EQ(r.written, 4);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | AF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x48\x83\x03\xff", regs, &fl, 0);	/* addq $-1 */
	EXPECT_EQ(r.op.size, 8);
	EXPECT_EQ(r.written, ~0ULL);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF | SF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x80\x23\x0f", regs, &fl, 0xab);	/* andb $0xf */
	EXPECT_EQ(r.op.size, 1);
	EXPECT_EQ(r.written, 0x0b);
	EXPECT_EQ(fl, RFLAGS_FIXED);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x66\x81\x0b\x00\x80", regs, &fl, 0x1);	/* orw $0x8000 */
	EXPECT_EQ(r.op.size, 2);
	EXPECT_EQ(r.written, 0x8001);
	EXPECT_EQ(fl, RFLAGS_FIXED | SF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x48\x81\x2b\x00\x00\x00\x80", regs, &fl, 0);
	EXPECT_EQ(r.written, 0x80000000ULL);			/* subq $-2^31 */
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x83\x3b\x05", regs, &fl, 5);		/* cmpl $5 */
	EXPECT(!r.op.write);
	EXPECT_EQ(fl, RFLAGS_FIXED | ZF | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\xf6\x03\x80", regs, &fl, 0x80);	/* testb $0x80 */
	EXPECT(!r.op.write);
	EXPECT_EQ(fl, RFLAGS_FIXED | SF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\xf0\x83\x33\x01", regs, &fl, 3);	/* lock xorl $1 */
	EXPECT_EQ(r.written, 2);
	EXPECT_EQ(fl, RFLAGS_FIXED);

	/* unary */
	fl = RFLAGS_FIXED | CF;
	r = MMIO(M64, "\xff\x03", regs, &fl, 0xffffffff);	/* incl: CF kept */
	EXPECT_EQ(r.written, 0);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | ZF | PF | AF);
	fl = RFLAGS_FIXED | CF;
	r = MMIO(M64, "\xff\x03", regs, &fl, 5);		/* incl: no carry */
	EXPECT_EQ(r.written, 6);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\xfe\x0b", regs, &fl, 0x80);		/* decb */
	EXPECT_EQ(r.written, 0x7f);
	EXPECT_EQ(fl, RFLAGS_FIXED | OF | AF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\xf7\x1b", regs, &fl, 1);		/* negl */
	EXPECT_EQ(r.written, 0xffffffff);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF | AF | SF);
	fl = RFLAGS_FIXED | CF | ZF;
	r = MMIO(M64, "\xf7\x13", regs, &fl, 0x0f0f0f0f);	/* notl: no flags */
	EXPECT_EQ(r.written, 0xf0f0f0f0);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | ZF);
}

static void mmio_alu_register_destination(void)
{
	u64 regs[16], fl;
	struct mmio_run r;

	init_regs(regs);
	regs[HVX_REG_RAX] = 0xffffffff00000010ULL;
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x03\x03", regs, &fl, 0x20);		/* add (%rbx),%eax */
	EXPECT(r.op.read && !r.op.write);
	EXPECT_EQ(regs[HVX_REG_RAX], 0x30);			/* zero-extended */
	EXPECT_EQ(fl, RFLAGS_FIXED | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x2b\x03", regs, &fl, 0x31);		/* sub: 0x30-0x31 */
	EXPECT_EQ(regs[HVX_REG_RAX], 0xffffffff);
	EXPECT_EQ(fl, RFLAGS_FIXED | CF | PF | AF | SF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x3b\x03", regs, &fl, 0xffffffff);	/* cmp: no write */
	EXPECT_EQ(regs[HVX_REG_RAX], 0xffffffff);
	EXPECT_EQ(fl, RFLAGS_FIXED | ZF | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x3a\x03", regs, &fl, 0x1);		/* cmpb (%rbx),%al */
	EXPECT_EQ(fl, RFLAGS_FIXED | SF);			/* 0xff - 1 */
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x22\x23", regs, &fl, 0x0f);		/* and (%rbx),%ah */
	EXPECT_EQ(regs[HVX_REG_RAX], 0xffff0fff);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x4c\x0b\x03", regs, &fl, 0xf0);	/* or (%rbx),%r8 */
	EXPECT_EQ(regs[8], 0x99999999999999f9ULL);
	EXPECT_EQ(fl, RFLAGS_FIXED | PF | SF);
	fl = RFLAGS_FIXED;
	r = MMIO(M64, "\x66\x33\x0b", regs, &fl, 0x2222);	/* xor (%rbx),%cx */
	EXPECT_EQ(regs[HVX_REG_RCX], 0x2222222222220000ULL);
	EXPECT_EQ(fl, RFLAGS_FIXED | ZF | PF);
	fl = RFLAGS_FIXED | CF;
	r = MMIO(M32, "\x13\x03", regs, &fl, 1);		/* adc in 32-bit */
	EXPECT_EQ(regs[HVX_REG_RAX], 0xffff1001);
	fl = RFLAGS_FIXED | CF;
	r = MMIO(M32, "\x1b\x03", regs, &fl, 1);		/* sbb */
	EXPECT_EQ(regs[HVX_REG_RAX], 0xffff0fff);
}

static void mmio_unsupported(void)
{
	u64 regs[16], fl = RFLAGS_FIXED, wv = 0;
	struct hvx_insn insn;
	struct mmio_run r;

	init_regs(regs);
	r = MMIO(M64, "\x89\xc3", regs, &fl, 0);		/* register form */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\x0f\xaf\x03", regs, &fl, 0);		/* imul */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\xf7\x23", regs, &fl, 0);		/* mul */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\xff\x33", regs, &fl, 0);		/* push (%rbx) */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\xa4", regs, &fl, 0);			/* movsb */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\xc5\xf8\x11\x03", regs, &fl, 0);	/* vmovups */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\x0f\x11\x03", regs, &fl, 0);		/* movups */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	r = MMIO(M64, "\x8c\x1b", regs, &fl, 0);		/* mov %ds,(%rbx) */
	EXPECT_EQ(r.plan, -EOPNOTSUPP);
	/* rmw() refuses a plain load */
	EXPECT_EQ(DECODE(M64, "\x8b\x03", &insn), 0);
	EXPECT_EQ(hvx_mmio_rmw(&insn, regs, fl, 0, &wv), -EOPNOTSUPP);
	EXPECT_EQ(DECODE(M64, "\x83\x3b\x01", &insn), 0);	/* cmp: no write */
	EXPECT_EQ(hvx_mmio_rmw(&insn, regs, fl, 0, &wv), -EOPNOTSUPP);
	EXPECT_EQ(DECODE(M64, "\x0f\xaf\x03", &insn), 0);
	EXPECT_EQ(hvx_mmio_finish(&insn, regs, &fl, 0), -EOPNOTSUPP);
}

UNIT_MAIN(
	{ "lengths", lengths },
	{ "truncation_asks_for_more", truncation_asks_for_more },
	{ "fifteen_byte_limit", fifteen_byte_limit },
	{ "undefined_encodings", undefined_encodings },
	{ "prefixes_and_sizes", prefixes_and_sizes },
	{ "modrm_sib_fields", modrm_sib_fields },
	{ "vex_fields", vex_fields },
	{ "cr_and_invlpg_operands", cr_and_invlpg_operands },
	{ "effective_addresses", effective_addresses },
	{ "segments", segments },
	{ "mmio_stores", mmio_stores },
	{ "mmio_loads", mmio_loads },
	{ "mmio_extending_loads", mmio_extending_loads },
	{ "mmio_string", mmio_string },
	{ "mmio_xchg", mmio_xchg },
	{ "mmio_alu_memory_destination", mmio_alu_memory_destination },
	{ "mmio_alu_register_destination", mmio_alu_register_destination },
	{ "mmio_unsupported", mmio_unsupported },
)
