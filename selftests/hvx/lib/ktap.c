// SPDX-License-Identifier: GPL-2.0-only
/* KTAP output for the hvx selftests; see include/ktap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ktap.h"

static char skip_reason[256];

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

const char *ktap_errno_name(int e)
{
	return e ? strerror(e) : "success";
}

void ktap_skip_reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
}

int ktap_run(const struct ktap_case *cases, int n)
{
	int pass = 0, fail = 0, skip = 0;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		enum ktap_result r;

		skip_reason[0] = '\0';
		r = cases[i].fn();
		switch (r) {
		case KTAP_PASS:
			printf("ok %d %s\n", i + 1, cases[i].name);
			pass++;
			break;
		case KTAP_SKIP:
			printf("ok %d %s # SKIP %s\n", i + 1, cases[i].name,
			       skip_reason[0] ? skip_reason : "no reason given");
			skip++;
			break;
		default:
			printf("not ok %d %s\n", i + 1, cases[i].name);
			fail++;
			break;
		}
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	if (fail)
		return KSFT_FAIL;
	return pass ? KSFT_PASS : KSFT_SKIP;
}
