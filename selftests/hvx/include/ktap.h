/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small KTAP runner for the hvx selftests.
 *
 * A test binary lists its cases in a table and calls ktap_run().  Each case
 * returns KTAP_PASS, KTAP_FAIL or KTAP_SKIP; a failing check prints a
 * "# file:line: ..." diagnostic first.  The exit code follows kselftest:
 * 0 all passed (skips allowed), 1 something failed, 4 everything skipped.
 */
#ifndef HVX_KTAP_H
#define HVX_KTAP_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

enum ktap_result { KTAP_PASS, KTAP_FAIL, KTAP_SKIP };

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

struct ktap_case {
	const char *name;
	enum ktap_result (*fn)(void);
};

int ktap_run(const struct ktap_case *cases, int n);
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The reason printed after "# SKIP" for the case that returns KTAP_SKIP. */
void ktap_skip_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * CHECK(cond, fmt, ...): on failure print where and why, and fail the case.
 * Only for use inside a case function returning enum ktap_result.
 */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			ktap_diag("%s:%d: check '%s' failed",		\
				  __FILE__, __LINE__, #cond);		\
			ktap_diag(__VA_ARGS__);				\
			return KTAP_FAIL;				\
		}							\
	} while (0)

/* strerror(), but "success" for 0. */
const char *ktap_errno_name(int e);

/*
 * CHECK_ERRNO(what, call, want): @call (an int-returning syscall) must end
 * with errno @want, or succeed when @want is 0.
 */
#define CHECK_ERRNO(what, call, want)					\
	do {								\
		int _e = (call) < 0 ? errno : 0;			\
		CHECK(_e == (want), "%s: %s, expected %s", (what),	\
		      ktap_errno_name(_e), ktap_errno_name(want));	\
	} while (0)

#define SKIP(...)							\
	do {								\
		ktap_skip_reason(__VA_ARGS__);				\
		return KTAP_SKIP;					\
	} while (0)

#define KTAP_CASES(...) \
	static const struct ktap_case ktap_cases[] = { __VA_ARGS__ }
#define KTAP_MAIN()							\
	int main(void)							\
	{								\
		return ktap_run(ktap_cases,				\
				sizeof(ktap_cases) / sizeof(ktap_cases[0])); \
	}

#endif /* HVX_KTAP_H */
