#!/bin/sh
# /init of the hvx test initramfs (busybox sh, PID 1 inside the emulated host).
#
# Loads hvx.ko (MODE=hvx) or Debian's kvm modules (MODE=ref), runs every
# test listed in /etc/hvx-test.conf and prints markers that run-host.sh parses
# from the serial log.  No `set -e`: PID 1 must never exit early (the kernel
# would panic); every step reports its status and the script always reaches
# `poweroff -f`.

export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# The console fds come from the initramfs' /dev/console; reopen them on the
# devtmpfs node so output keeps flowing to ttyS0 whatever the archive held.
exec </dev/console >/dev/console 2>&1

MODE=hvx HOST=vmx TESTS='' TEST_TIMEOUT=300
. /etc/hvx-test.conf    # MODE, HOST, TESTS, TEST_TIMEOUT, `export K=V` lines

export HVX_MODE="$MODE" HVX_HOST="$HOST"
export HVX_KO=/lib/hvx/hvx.ko HVX_REF_DIR=/lib/ref
if [ "$MODE" = ref ]; then HVX_DEV=/dev/kvm; else HVX_DEV=/dev/hvx; fi
export HVX_DEV

# Load the hypervisor; rc is the first failing insmod's status.
load() {
	for m in "$@"; do
		insmod $m || return $?   # $m may carry module parameters
	done
}
echo HVX-LOAD-BEGIN        # insmod errors land between this and HVX-LOAD
if [ "$MODE" = ref ] && [ "$HOST" = vmx ]; then
	load $HVX_REF_DIR/irqbypass.ko $HVX_REF_DIR/kvm.ko \
	     "$HVX_REF_DIR/kvm-intel.ko nested=1"
elif [ "$MODE" = ref ]; then
	# kvm-amd depends on ccp (for SEV) as well as kvm.
	load $HVX_REF_DIR/ccp.ko $HVX_REF_DIR/irqbypass.ko $HVX_REF_DIR/kvm.ko \
	     $HVX_REF_DIR/kvm-amd.ko
elif [ -f "$HVX_KO" ]; then
	# HVX_KO_PARAMS (run-host.sh --env): module parameters, e.g.
	# "enable_shadow_vmcs=0"
	load "$HVX_KO${HVX_KO_PARAMS:+ $HVX_KO_PARAMS}"
else
	echo "hvx.ko missing from the initramfs (run-host.sh --module PATH)"
	false
fi
rc=$?
echo "HVX-LOAD rc=$rc"
dmesg | grep -iE 'hvx|kvm|ccp|irqbypass|taint' | tail -n 10

if [ $rc -eq 0 ]; then
	cd /tmp || :
	for t in $TESTS; do
		echo "HVX-TEST-BEGIN $t"
		# KILL, not TERM: a test that ignores or blocks signals must still
		# be stopped; its rc then reads 137.
		timeout -s KILL "$TEST_TIMEOUT" "/tests/$t" </dev/null
		echo "HVX-TEST-END $t rc=$?"
	done
fi

# The kernel runs with `quiet`: WARN()s and other KERN_WARNING lines only
# reach the serial log through this dump.
echo HVX-DMESG-BEGIN
dmesg
echo HVX-DMESG-END
echo HVX-DONE
# poweroff -f does not wait for the UART: up to 4 KiB still queued in the
# tty would be lost (seen under Bochs, whose UART runs at the set baud rate).
# Re-applying the console's own settings goes through TCSADRAIN, which
# returns only once everything queued has been sent.
stty -F /dev/console "$(stty -F /dev/console -g)"
poweroff -f
