/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal unit-test harness: EXPECT() records a failure with its location
 * and goes on; each test file ends with UNIT_MAIN(), which prints KTAP and
 * exits 0 when nothing failed.
 */
#ifndef HVX_UNIT_H
#define HVX_UNIT_H

#include <stdio.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

extern int unit_failures;

#define EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: expected %s\n", __FILE__,	\
			       __LINE__, #cond);			\
			unit_failures++;				\
		}							\
	} while (0)

#define EXPECT_EQ(a, b)							\
	do {								\
		unsigned long long _a = (a), _b = (b);			\
		if (_a != _b) {						\
			printf("# %s:%d: %s == %#llx, expected %#llx\n", \
			       __FILE__, __LINE__, #a, _a, _b);		\
			unit_failures++;				\
		}							\
	} while (0)

#define UNIT_MAIN(...)							\
	int unit_failures;						\
	static const struct unit_case unit_cases[] = { __VA_ARGS__ };	\
	int main(void)							\
	{								\
		int n = sizeof(unit_cases) / sizeof(unit_cases[0]);	\
		int i, failed = 0;					\
									\
		printf("KTAP version 1\n1..%d\n", n);			\
		for (i = 0; i < n; i++) {				\
			int before = unit_failures;			\
									\
			unit_cases[i].fn();				\
			if (unit_failures != before)			\
				failed++;				\
			printf("%sok %d %s\n",				\
			       unit_failures != before ? "not " : "",	\
			       i + 1, unit_cases[i].name);		\
		}							\
		printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", \
		       n - failed, failed);				\
		return failed ? 1 : 0;					\
	}

#endif
