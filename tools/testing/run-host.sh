#!/bin/bash
# Boot an emulated VT-x (Bochs) or AMD-V (QEMU TCG) host, load hvx.ko or
# Debian's kvm there, run test binaries and report one line per test.
#
# usage: run-host.sh --host vmx|svm [--ref] [--module PATH] [--smp N]
#          [--timeout SECONDS] [--test-timeout SECONDS] [--out DIR]
#          [--extra DIR]... [--env K=V]... TEST_BINARY...
#
# See tools/testing/README.md and /work/shared/emulated-hosts.md (why Bochs
# is driven the way it is).  Exit 0 only when nothing failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "run-host: $*" >&2; exit 2; }

host='' mode=hvx module='' smp=1 timeout='' test_timeout=300 out='' pass=()
while [ $# -gt 0 ]; do
	case $1 in
	--host)         host=$2; shift 2 ;;
	--ref)          mode=ref; shift ;;
	--module)       module=$2; shift 2 ;;
	--smp)          smp=$2; shift 2 ;;
	--timeout)      timeout=$2; shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--out)          out=$2; shift 2 ;;
	--env|--extra)  pass+=("$1" "$2"); shift 2 ;;
	-h|--help)      sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*)             die "unknown option $1" ;;
	*)              break ;;
	esac
done
[[ $host == @(vmx|svm) ]] || die "--host vmx|svm is required"
[ $# -gt 0 ] || die "no test binaries given"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp takes a number"
[ "$mode" = ref ] || [ -n "$module" ] || module=$repo/kernel/hvx.ko
[ "$mode" = hvx ] || module=    # never ship both hypervisors to one boot
if [ -z "$timeout" ]; then
	if [ "$host" = vmx ]; then timeout=900; else timeout=300; fi
fi

# Two cores here: one emulated host at a time, whoever starts it; and the
# lock is taken before the artefact directory is touched, so two runs with
# the same --out never mix their files.
exec 9>/tmp/hvx-emulated-host.lock
flock 9

kver=${KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "cannot read $kernel"
out=$(mkdir -p "${out:-$repo/build/testing/$host-$mode}" && cd "${out:-$repo/build/testing/$host-$mode}" && pwd)
work=$out/work        # scratch: initramfs, ISO tree, bochsrc
serial=$out/serial.log
rm -rf "$work" "$serial" "$out/bochs.log"
mkdir -p "$work"

tests=()
for t in "$@"; do tests+=("$(basename "$t")"); done

"$here/mkinitramfs.sh" --output "$work/initrd.gz" --mode "$mode" \
	--host "$host" --kver "$kver" --test-timeout "$test_timeout" \
	${module:+--module "$module"} "${pass[@]}" "$@"

# 115200: a bare console=ttyS0 runs at 9600 baud, which Bochs emulates
# faithfully (the dmesg dump alone then takes ~25 s of guest time).
# HVX_HOST_APPEND adds to the host kernel's command line (debugging: say
# "ignore_loglevel" to see every kernel message on the serial log).
# HVX_QEMU_MONITOR=SOCKET gives the QEMU host a monitor on that Unix
# socket (a hung host: `info registers -a` there, "nokaslr" in the
# append, and /proc/kallsyms of such a boot names the RIPs: Debian's
# /boot/System.map is only a stub).  HVX_QEMU_EXTRA adds
# QEMU options, e.g. "-d in_asm -dfilter 0x1000+0x1 -D FILE" to log every
# VMRUN and #VMEXIT of the host's hypervisor (the filter drops the code).
cmdline="console=ttyS0,115200 quiet panic=-1"
append=${HVX_HOST_APPEND:+ $HVX_HOST_APPEND}
start=$SECONDS
if [ "$host" = svm ]; then
	# QEMU 7.2's VMRUN sets CPU_INTERRUPT_VIRQ (whenever the VMCB asks
	# for a virtual interrupt) with a plain read-modify-write of the CPU's
	# interrupt_request, without the lock its I/O thread holds when it
	# sets CPU_INTERRUPT_POLL there for a new APIC interrupt; losing that
	# race loses the wakeup.  A tickless idle host then never sees its
	# one-shot timer's interrupt and halts for good (Documentation/
	# testing.rst, "QEMU's lost wakeup").  With a periodic LAPIC tick the
	# next tick polls the APIC again: a lost wakeup costs one tick.  The
	# append comes later, so "nohz=on highres=on" there brings it back.
	cmdline+=" nohz=off highres=off"
	monitor=none
	[ -z "${HVX_QEMU_MONITOR:-}" ] ||
		monitor="unix:$HVX_QEMU_MONITOR,server,nowait"
	# TCG's EPYC model has SVM with NPT (no NRIP_SAVE); -no-reboot plus
	# panic=-1 turns a guest panic into a QEMU exit instead of a loop.
	timeout -k 10 "$timeout" qemu-system-x86_64 -M q35 -accel tcg -cpu EPYC \
		${HVX_QEMU_EXTRA:-} -m 1024 -smp "$smp" -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.gz" -append "$cmdline$append" \
		-serial "file:$serial" -display none \
		-monitor "$monitor" \
		</dev/null >"$work/qemu.out" 2>&1 && vm_rc=0 || vm_rc=$?
else
	# Bochs 2.7's skylake_x reports the standard-format XSAVE size in
	# CPUID.(0xD,1).EBX where the compacted size belongs: the kernel (which
	# uses the compacted format when XSAVES or XSAVEC exist) WARNs at boot
	# and turns XSAVE off altogether.  Hiding both makes it use the standard
	# format and keep XSAVE/AVX/AVX-512.  6.1 no longer knows "noxsaves";
	# clearcpuid= works but taints the kernel with 'S'.
	cmdline+=" clearcpuid=xsaves,xsavec"
	# Bochs cannot load a kernel directly: boot an El Torito ISO (isolinux).
	iso=$work/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$iso/isolinux/"
	cp "$kernel" "$iso/vmlinuz"
	cp "$work/initrd.gz" "$iso/initrd.gz"
	printf '%s\n' "DEFAULT hvx" "PROMPT 0" "TIMEOUT 0" "LABEL hvx" \
		"  KERNEL /vmlinuz" "  INITRD /initrd.gz" "  APPEND $cmdline$append" \
		> "$iso/isolinux/isolinux.cfg"
	xorriso -as mkisofs -o "$work/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$iso" >"$work/xorriso.log" 2>&1 \
		|| { cat "$work/xorriso.log"; die "xorriso failed"; }
	# sync=none: guest time follows the instruction count (ips), so timings
	# inside the host are reproducible.  The sound lines avoid a crash in
	# Debian's bochs; error/log keep the VMFAIL: diagnostics.
	cat > "$work/bochsrc" <<-EOF
	megs: 1024
	cpu: model=corei7_skylake_x, count=$smp, ips=${BOCHS_IPS:-100000000}
	clock: sync=none, time0=local
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
	ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
	boot: cdrom
	display_library: term
	com1: enabled=1, mode=file, dev="$serial"
	speaker: enabled=0
	sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
	error: action=report
	log: "$out/bochs.log"
	EOF
	echo c > "$work/dbg.rc"   # the built-in debugger waits at the first insn
	# Debian's bochs has its debugger built in, and then the term display
	# draws the screen into a pty pair of its own, announced on stderr as
	# 'Bochs connected to screen "/dev/pts/N"', for someone to read at the
	# other end.  Unread, that pty fills with status-bar updates after
	# some minutes and bochs blocks writing to it: the host stops dead.
	# Read it (raw, no echo: echo would come back to bochs as keys).
	drain_screen() {
		local pts= i
		for i in $(seq 600); do
			pts=$(grep -ao 'connected to screen "[^"]*"' \
				"$work/bochs.term" 2>/dev/null | head -n 1 | cut -d'"' -f2) || true
			[ -n "$pts" ] && break
			sleep 0.1
		done
		[ -n "$pts" ] || return 0
		exec 3<"$pts" || return 0
		stty raw -echo <&3 || true
		exec cat <&3 >/dev/null 2>&1
	}
	drain_screen &
	drainer=$!
	# display_library term wants a tty: give it script's pty.  The inner
	# timeout runs inside that pty's session, next to bochs; the outer one
	# only guards against script itself hanging.  SIGHUP, because the term
	# display catches and ignores SIGTERM, while SIGHUP makes bochs quit
	# cleanly (bochs.log flushed, CPU state dumped into it).
	(cd "$work" && TERM=xterm timeout -k 10 $((timeout + 30)) script -qfec \
		"timeout -s HUP -k 10 $timeout bochs -q -f bochsrc -rc dbg.rc" /dev/null \
		</dev/null >"$work/bochs.term" 2>&1) && vm_rc=0 || vm_rc=$?
	kill "$drainer" 2>/dev/null || true
	wait "$drainer" 2>/dev/null || true
fi
echo "run-host: $host host ran $((SECONDS - start)) s (exit $vm_rc); artefacts in $out"

# ---- parse the serial log ---------------------------------------------------
# Kernel messages may land in the middle of a line, so markers are looked
# for at the end of lines (BEGIN) or anywhere (END, LOAD).
log=$work/serial.txt
if [ -f "$serial" ]; then tr -d '\r' < "$serial" > "$log"; else : > "$log"; fi
passed=0 failed=0 skipped=0

load_rc=$(grep -o 'HVX-LOAD rc=[0-9]*' "$log" | head -n 1 | cut -d= -f2 || true)
for t in "${tests[@]}"; do
	# awk prints the test's lines indented, then "@rc" if END was seen.
	res=$(awk -v t="$t" '
		function ends(s, m) { return substr(s, length(s) - length(m) + 1) == m }
		(i = index($0, "HVX-TEST-END " t " rc=")) {
			print "@" substr($0, i + length("HVX-TEST-END " t " rc=")) + 0
			inside = 0; next }
		inside { print "    " $0 }
		ends($0, "HVX-TEST-BEGIN " t) { inside = 1 }' "$log")
	echo "---- $t"
	grep -v '^@' <<<"$res" | grep . || true
	rc=$(sed -n 's/^@//p' <<<"$res" | tail -n 1)
	if [ -n "$load_rc" ] && [ "$load_rc" != 0 ]; then
		why="module load failed (HVX-LOAD rc=$load_rc), test not run"
	elif [ -z "$rc" ]; then
		why="no HVX-TEST-END marker: test hung past the host timeout or the host crashed"
	elif [ "$rc" = 0 ]; then
		echo "PASS $t"; passed=$((passed + 1)); continue
	elif [ "$rc" = 4 ]; then
		echo "SKIP $t"; skipped=$((skipped + 1)); continue
	elif [ "$rc" = 137 ]; then
		why="rc=137: SIGKILL, from the per-test timeout (${test_timeout} s guest time) or the OOM killer"
	else
		why="rc=$rc"
	fi
	echo "FAIL $t: $why"; failed=$((failed + 1))
done

if [ -n "$load_rc" ] && [ "$load_rc" != 0 ]; then
	echo "run-host: loading the hypervisor failed:"
	sed -n '/HVX-LOAD-BEGIN/,/HVX-DMESG-BEGIN/p' "$log" | sed 's/^/    /'
fi
# Host-level problems count as one extra failure each: they are not tied to a
# single test, but must turn the run red.  WARNING: must start the message
# (WARN(), lockdep): the stock kernel prints "Speculative Return Stack
# Overflow: WARNING: See ..." at every boot on the EPYC model.
bad=$(grep -E 'Oops|BUG:|(^|\] )WARNING:|general protection|Kernel panic|Call Trace' "$log" || true)
if [ -n "$bad" ]; then
	echo "FAIL [kernel]: the serial log reports kernel problems:"
	echo "$bad" | sed 's/^/    /'
	failed=$((failed + 1))
fi
if ! grep -q 'HVX-DONE' "$log"; then
	echo "FAIL [host]: host did not finish: timeout or crash (emulator exit $vm_rc); serial log tail:"
	tail -n 40 "$log" | sed 's/^/    /'
	if [ "$host" = vmx ] && [ -f "$out/bochs.log" ]; then
		echo "  bochs.log VMFAIL/VMRUN lines:"
		grep -E 'VMFAIL|VMRUN' "$out/bochs.log" | tail -n 20 | sed 's/^/    /' \
			|| echo "    (none)"
	fi
	failed=$((failed + 1))
fi

echo "host=$host mode=$mode: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
