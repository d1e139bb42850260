#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the demo guest's initramfs: busybox-static with every applet
# linked, guest/init as /init, and guest/hvsig (the hypervisor's CPUID
# signature) in /bin.
#
# usage: mkguest.sh [--output FILE]     (default build/hvx-run/guest.cpio.gz)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "mkguest: $*" >&2; exit 2; }

output=$repo/build/hvx-run/guest.cpio.gz
while [ $# -gt 0 ]; do
	case $1 in
	--output|-o) output=$2; shift 2 ;;
	-h|--help)   sed -n '3,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*)           die "unknown argument $1" ;;
	esac
done
[ -x /bin/busybox ] || die "/bin/busybox missing (package busybox-static)"
mkdir -p "$(dirname "$output")"

root=$(mktemp -d "${TMPDIR:-/tmp}/hvx-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
${CC:-gcc} -static -O2 -Wall -Wextra -Werror -o "$root/bin/hvsig" \
	"$here/guest/hvsig.c"
install -m 0755 "$here/guest/init" "$root/init"

# -R 0:0: root owns everything in the guest, whoever builds it.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	| gzip -9 > "$output"
