#!/bin/bash
# Build the gzip'd newc initramfs that the emulated hosts boot.
#
# usage: mkinitramfs.sh --output FILE [--mode hvx|ref] [--host vmx|svm]
#          [--module hvx.ko] [--extra DIR]... [--env K=V]... [--test-timeout S]
#          [--kver KVER] TEST_BINARY...
#
# Layout: /bin (busybox + applet links), /init (init.sh), /lib/hvx/hvx.ko,
# /lib/ref/*.ko (Debian's kvm, always present), /tests/<basename>,
# /extra (the files of every --extra DIR together), /etc/hvx-test.conf
# (read by /init).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "mkinitramfs: $*" >&2; exit 2; }

output='' mode=hvx host=vmx module='' extras=() test_timeout=300 envs=() tests=()
kver=${KVER:-$(ls /lib/modules | sort -V | tail -n 1)}
while [ $# -gt 0 ]; do
	case $1 in
	--output|-o)    output=$2; shift 2 ;;
	--mode)         mode=$2; shift 2 ;;
	--host)         host=$2; shift 2 ;;
	--module)       module=$2; shift 2 ;;
	--extra)        extras+=("$2"); shift 2 ;;
	--env)          envs+=("$2"); shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--kver)         kver=$2; shift 2 ;;
	-*)             die "unknown option $1" ;;
	*)              tests+=("$1"); shift ;;
	esac
done
[ -n "$output" ] || die "--output FILE is required"
[[ $mode == @(hvx|ref) ]] || die "--mode must be hvx or ref"
[[ $host == @(vmx|svm) ]] || die "--host must be vmx or svm"
[[ $test_timeout =~ ^[0-9]+$ ]] || die "--test-timeout takes seconds"

root=$(mktemp -d "${TMPDIR:-/tmp}/hvx-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"    # mktemp made it 0700; it becomes the host's /
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,tests,lib/hvx,lib/ref}

# busybox-static needs no libraries; link its applets now so /init can use
# them from its first line.
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$here/init.sh" "$root/init"

if [ -n "$module" ]; then
	[ -f "$module" ] || die "no such module: $module"
	cp "$module" "$root/lib/hvx/hvx.ko"
fi

# Debian's reference hypervisor, always shipped so --ref works and tests may
# compare against it.  Debian 12 ships them uncompressed: busybox insmod
# loads them as they are.
kmod=/lib/modules/$kver/kernel
for ko in arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko arch/x86/kvm/kvm-amd.ko \
	  virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko; do
	[ -f "$kmod/$ko" ] || die "missing reference module $kmod/$ko"
	cp "$kmod/$ko" "$root/lib/ref/"
done

names=()
for t in "${tests[@]}"; do
	{ [ -f "$t" ] && [ -x "$t" ]; } || die "not an executable: $t"
	name=$(basename "$t")
	[ ! -e "$root/tests/$name" ] || die "two tests named $name"
	cp "$t" "$root/tests/$name"
	names+=("$name")
done

# Several --extra directories share /extra (hvx-run's files and hvxstat in
# make check); a name in two of them is a mistake, not an override.
for extra in "${extras[@]}"; do
	[ -d "$extra" ] || die "no such directory: $extra"
	mkdir -p "$root/extra"
	for f in "$extra"/* "$extra"/.[!.]*; do
		[ -e "$f" ] || continue
		[ ! -e "$root/extra/$(basename "$f")" ] ||
			die "two --extra directories hold $(basename "$f")"
		cp -a "$f" "$root/extra/"
	done
done

# /init sources this file: plain shell assignments, values single-quoted.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	echo "MODE=$mode"
	echo "HOST=$host"
	echo "TESTS=$(quote "${names[*]}")"
	echo "TEST_TIMEOUT=$test_timeout"
	for kv in "${envs[@]}"; do
		[[ $kv =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "bad --env $kv"
		echo "export ${kv%%=*}=$(quote "${kv#*=}")"
	done
} > "$root/etc/hvx-test.conf"

# -R 0:0: files belong to root inside the host whoever builds the archive.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	| gzip -9 > "$output"
