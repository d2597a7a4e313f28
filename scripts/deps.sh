#!/usr/bin/env bash
# Install what RuVix needs to build, boot and test on Debian 12.
#
# Host packages come from apt. The bare-metal image also needs AArch64 builds of
# libfdt and libsodium (static archives); we take Debian's arm64 packages and unpack
# them into .deps/arm64 inside the tree instead of installing them, because
# libfdt-dev:arm64 cannot be co-installed with the host libfdt-dev.
#
# Usage: scripts/deps.sh            (idempotent; quiet when everything is present)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
sysroot="$top/.deps/arm64"

packages=(make meson ninja-build pkg-config gcc gcc-aarch64-linux-gnu
	binutils-aarch64-linux-gnu qemu-system-arm libfdt-dev libsodium-dev
	libcriterion-dev gnuplot-nox device-tree-compiler python3 clang-format clang libclang-rt-14-dev time
	libmetis-dev)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		echo "deps: need root to run: $*" >&2
		return 1
	fi
}

apt_updated=0
apt_update() {
	[ "$apt_updated" -eq 1 ] && return 0
	as_root apt-get update -qq
	apt_updated=1
}

if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# AArch64 static libraries for the bare-metal image.
if [ ! -f "$sysroot/usr/lib/aarch64-linux-gnu/libfdt.a" ] ||
	[ ! -f "$sysroot/usr/lib/aarch64-linux-gnu/libsodium.a" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "deps: need the arm64 package lists; run as root:" >&2
			echo "  dpkg --add-architecture arm64 && apt-get update && scripts/deps.sh" >&2
			exit 1
		fi
		dpkg --add-architecture arm64
		apt_updated=0
		apt_update
	fi
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt downloads as the _apt user
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -qq libfdt-dev:arm64 libsodium-dev:arm64) || {
		apt_updated=0
		apt_update
		(cd "$tmp" && apt-get download -qq libfdt-dev:arm64 libsodium-dev:arm64)
	}
	rm -rf "$sysroot.new"
	mkdir -p "$sysroot.new"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$sysroot.new"
	done
	rm -rf "$sysroot"
	mv "$sysroot.new" "$sysroot"
	echo "deps: unpacked arm64 libfdt and libsodium into ${sysroot#"$top"/}"
fi
