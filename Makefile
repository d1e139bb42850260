# SPDX-License-Identifier: GPL-2.0-only
#
# hvx top-level Makefile.
#
#   make            build hvx.ko (W=1, and sparse when installed), the tools
#                   and the selftests
#   make hvxstat    tools/hvxstat/hvxstat, and build/hvxstat/extra for the
#                   emulated hosts' /extra
#   make check      install what is missing, run the unit tests, build with
#                   W=1 C=1 (a warning fails), run the selftests in the Bochs
#                   VMX host and the QEMU SVM host; ends with one line
#                   "N passed, N failed, N skipped"
#   make demo       the main job (see README.md)
#   make unit       userspace unit tests only
#   make check-ref  the selftests against Debian's kvm modules in both hosts
#   make bench      exit round trips, hvx against kvm in one boot of the
#                   Bochs host (HOST=svm: the QEMU host, 7 runs each)

SHELL := /bin/bash

KVER ?= $(shell ls /lib/modules 2>/dev/null | sort -V | tail -n1)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build

# Kconfig defaults for the out-of-tree build.
HVX_CONFIG := CONFIG_HVX=m CONFIG_HVX_INTEL=y CONFIG_HVX_AMD=y \
	      CONFIG_HVX_NESTED=y
SPARSE := $(if $(shell command -v sparse 2>/dev/null),C=1)

all: module selftests hvxstat

# A compiler or sparse warning fails the build: the log is kept in build/.
module:
	@mkdir -p $(BUILD)
	@set -o pipefail; \
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel $(HVX_CONFIG) W=1 $(SPARSE) \
		modules 2>&1 | tee $(BUILD)/module.log
	@if grep -E 'warning:|error:|^\S+\.[ch]:[0-9]+:[0-9]+: ' \
		$(BUILD)/module.log; then \
		echo "module: the build above has warnings"; exit 1; fi

selftests:
	$(MAKE) -C selftests/hvx

# build/hvxstat/extra carries it into an emulated host's /extra
# (run-host.sh --extra), where stats_test runs it.
hvxstat:
	$(MAKE) -C tools/hvxstat extra

unit:
	$(MAKE) -C selftests/unit run

deps:
	@tools/deps.sh

check: deps
	@tools/testing/check.sh

check-ref: deps module selftests hvxstat
	@tools/testing/check.sh --ref-only

HOST ?= vmx
BENCH_REPEAT := $(if $(filter svm,$(HOST)),7,1)

bench: deps module selftests
	@tools/testing/run-host.sh --host $(HOST) --env HVX_BENCH_COMPARE=1 \
		--env HVX_BENCH_REPEAT=$(BENCH_REPEAT) \
		--out build/testing/bench-$(HOST) selftests/hvx/exit_bench

# The demo boots the QEMU AMD-V host unless HOST is given (make demo
# HOST=vmx: the Bochs VT-x host); the HOST default above is bench's.
DEMO_HOST = $(if $(filter command line environment,$(origin HOST)),$(HOST),svm)

demo: deps module
	@$(MAKE) -s -C tools/hvx-run extra
	@tools/testing/run-host.sh --host $(DEMO_HOST) --module kernel/hvx.ko \
		--extra build/hvx-run/extra --out build/testing/demo-$(DEMO_HOST) \
		tools/hvx-run/linux_boot_test

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean
	$(MAKE) -C selftests/hvx clean
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C tools/hvxstat clean
	rm -rf $(BUILD)

.PHONY: all module selftests hvxstat unit deps check check-ref bench demo \
	clean
