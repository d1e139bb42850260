#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: unit tests, the module build with W=1 and sparse (a warning
# fails it), then the selftests in both emulated hosts: Bochs (VT-x) and
# QEMU TCG (AMD-V).  Ends with one line "N passed, N failed, N skipped".
#
#   check.sh            hvx in both hosts
#   check.sh --ref-only the same selftests on Debian's kvm, both hosts
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 2

# The selftests each host runs, in order; module_test and coexist_test
# unload and reload hvx.ko, so they go last.  linux_boot_test boots Debian's
# kernel in tools/hvx-run (the files it needs come with --extra).
TESTS="api_test run_test vm_test state_test events_test smp_test nested_test stats_test linux_boot_test module_test coexist_test"

pass=0 fail=0 skip=0
start=$SECONDS

# Add the counts of a "... N passed, N failed, N skipped" line.
tally() {
	local line
	line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: $2 printed no summary: counted as one failure"
		fail=$((fail + 1))
		return
	fi
	set -- $line
	pass=$((pass + $1)) fail=$((fail + $3)) skip=$((skip + $5))
}

step() {
	echo "== $1"
}

log=$repo/build/check
mkdir -p "$log"

mode=hvx
[ "${1:-}" = --ref-only ] && mode=ref

if [ $mode = hvx ]; then
	step "unit tests"
	make -s -C selftests/unit run 2>&1 | tee "$log/unit.log"
	tally "$log/unit.log" "unit tests"

	step "module build (W=1, sparse)"
	if make -s module >"$log/module.log" 2>&1; then
		echo "module: no warnings"
		pass=$((pass + 1))
	else
		cat "$log/module.log"
		echo "module: FAILED"
		fail=$((fail + 1))
	fi
fi

step "selftests build"
if ! make -s selftests >"$log/selftests.log" 2>&1; then
	cat "$log/selftests.log"
	echo "$pass passed, $((fail + 1)) failed, $skip skipped"
	exit 1
fi

# hvx-run for linux_boot_test, hvxstat for stats_test: both in /extra.
step "hvx-run and hvxstat build"
if ! { make -s -C tools/hvx-run extra && make -s hvxstat; } \
	>"$log/hvx-run.log" 2>&1; then
	cat "$log/hvx-run.log"
	echo "$pass passed, $((fail + 1)) failed, $skip skipped"
	exit 1
fi

bins=()
for t in $TESTS; do
	if [ "$t" = linux_boot_test ]; then
		bins+=("tools/hvx-run/$t")
	else
		bins+=("selftests/hvx/$t")
	fi
done
ref=()
[ $mode = ref ] && ref=(--ref)

for host in vmx svm; do
	step "selftests on the $host host ($mode)"
	# The host's own limit must outlast the slowest test's (the Linux
	# boots take up to 2 x 120 s when a guest hangs), so that a stuck test
	# is reported with its diagnostics rather than cut off with the host.
	"$here/run-host.sh" --host "$host" "${ref[@]}" --test-timeout 400 \
		--timeout 900 \
		--extra build/hvx-run/extra --extra build/hvxstat/extra \
		"${bins[@]}" 2>&1 |
		tee "$log/$host-$mode.log"
	tally "$log/$host-$mode.log" "$host host"
done

# smp_test again with two host CPUs, so that two vCPUs really run at once
# (and migrate).  The QEMU host only: Bochs with two CPUs costs minutes.
# Only smp_test: QEMU TCG with -smp 2 can hang in the host kernel's own
# text patching (Documentation/testing.rst), which load/unload cycles do.
step "smp_test on the svm host with 2 CPUs ($mode)"
"$here/run-host.sh" --host svm --smp 2 "${ref[@]}" --test-timeout 240 \
	--out "$repo/build/testing/svm-$mode-smp2" selftests/hvx/smp_test 2>&1 |
	tee "$log/svm-$mode-smp2.log"
tally "$log/svm-$mode-smp2.log" "svm host, 2 CPUs"

# nested_test again with VMCS shadowing off: L1 must see the same results
# whether its VMREAD/VMWRITE run in the shadow VMCS or are emulated.
if [ $mode = hvx ]; then
	step "nested_test on the vmx host with enable_shadow_vmcs=0"
	"$here/run-host.sh" --host vmx --test-timeout 240 \
		--env HVX_KO_PARAMS=enable_shadow_vmcs=0 \
		--out "$repo/build/testing/vmx-hvx-noshadow" \
		selftests/hvx/nested_test 2>&1 | tee "$log/vmx-noshadow.log"
	tally "$log/vmx-noshadow.log" "vmx host, no shadow VMCS"
fi

echo "check: $((SECONDS - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
