#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian 12 packages hvx's build, tests and demo need, once:
# does nothing when they are all present, so `make check` may call it every
# time.
set -euo pipefail

pkgs=(
	build-essential gcc make
	linux-image-amd64 linux-headers-amd64
	sparse
	qemu-system-x86
	bochs bochs-term bochsbios vgabios
	busybox-static cpio isolinux syslinux-common xorriso
	libnl-3-dev libnl-genl-3-dev pkg-config
	kmod
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
# linux-image-amd64 may be installed while its headers' build dir is not.
if ! ls -d /lib/modules/*/build >/dev/null 2>&1; then
	missing+=(linux-headers-amd64)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	"${missing[@]}" >/dev/null
