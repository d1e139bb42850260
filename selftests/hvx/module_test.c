// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx.ko load and unload: the module cannot go while /dev/hvx is open, and
 * twenty unload/load cycles each leave a working /dev/hvx behind.  Host
 * state left wrong by an unload (CR4.VMXE, EFER.SVME) would make the next
 * load fail with EBUSY, so the cycles also check that unload restores it.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvx_test.h"
#include "ktap.h"

#define CYCLES 20

static enum ktap_result busy_while_open(void)
{
	int fd, r;

	if (hvx_is_reference())
		SKIP("loads and unloads hvx.ko itself: not run on the reference");
	fd = hvx_open_dev();
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	r = hvx_unload();
	close(fd);
	CHECK(r == -EWOULDBLOCK, "unload with /dev/hvx open gave %d", r);
	return KTAP_PASS;
}

static enum ktap_result double_load(void)
{
	int r;

	if (hvx_is_reference())
		SKIP("loads and unloads hvx.ko itself: not run on the reference");
	r = hvx_load();
	CHECK(r == -EEXIST, "second load gave %d, expected -EEXIST", r);
	return KTAP_PASS;
}

static enum ktap_result load_unload_cycles(void)
{
	struct stat st;
	int i, r, fd;

	if (hvx_is_reference())
		SKIP("loads and unloads hvx.ko itself: not run on the reference");
	for (i = 0; i < CYCLES; i++) {
		r = hvx_unload();
		CHECK(!r, "cycle %d: unload: %s", i, strerror(-r));
		CHECK(stat(hvx_dev_path(), &st) == -1 && errno == ENOENT,
		      "cycle %d: %s still present after unload", i,
		      hvx_dev_path());
		r = hvx_load();
		CHECK(!r, "cycle %d: load: %s", i, strerror(-r));
		fd = hvx_open_dev();
		CHECK(fd >= 0, "cycle %d: open: %s", i, strerror(-fd));
		r = ioctl(fd, KVM_GET_API_VERSION, 0);
		close(fd);
		CHECK(r == KVM_API_VERSION, "cycle %d: API version %d", i, r);
	}
	return KTAP_PASS;
}

KTAP_CASES(
	{ "busy_while_open", busy_while_open },
	{ "double_load", double_load },
	{ "load_unload_cycles", load_unload_cycles },
);
KTAP_MAIN()
