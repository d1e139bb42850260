// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvsig: the hypervisor a guest sees, from CPUID.  Prints the vendor
 * signature of leaf 0x40000000 ("KVMKVMKVM", "hvxhvxhvxhvx", ...) and the
 * highest hypervisor leaf, or "none" when CPUID.1:ECX bit 31 (running
 * under a hypervisor) is clear.  Part of hvx-run's demo guest.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31))) {
		puts("none");
		return 0;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	printf("%s (max leaf 0x%x)\n", sig, a);
	return 0;
}
