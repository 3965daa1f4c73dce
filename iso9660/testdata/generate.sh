#!/bin/bash
# Regenerates the *.golden files: blocks 16-20 (bytes 32768-43007) of
# images built by the real systemd-repart 262 with --el-torito=yes.
#
#   GOREPART_REFERENCE_REPART=/path/to/systemd-repart-262 ./generate.sh
#
# Needs mkfs.vfat and mcopy (dosfstools, mtools), which repart runs.
set -euo pipefail
repart=${GOREPART_REFERENCE_REPART:?set GOREPART_REFERENCE_REPART to systemd-repart 262}
out=$(cd "$(dirname "$0")" && pwd)
seed=0fa0a0a0-1234-4321-8888-123456789abc
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

echo hello >"$w/hello.txt"
mkdir "$w/esp" "$w/root-esp"
esp="[Partition]
Type=esp
Format=vfat
CopyFiles=$w/hello.txt:/hello.txt"
echo "$esp" >"$w/esp/00-esp.conf"
printf '[Partition]\nType=linux-generic\nSizeMinBytes=10M\n' >"$w/root-esp/00-data.conf"
echo "$esp" >"$w/root-esp/10-esp.conf"

# golden NAME DEFS [ENV=VALUE...] -- [repart options...]
golden() {
	local name=$1 defs=$2 env=()
	shift 2
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	rm -f "$w/img"
	env -u SOURCE_DATE_EPOCH "${env[@]}" "$repart" --offline=yes --empty=create --size=auto \
		--dry-run=no --seed=$seed --definitions="$w/$defs" --el-torito=yes "$@" "$w/img" >/dev/null 2>&1
	dd if="$w/img" of="$out/$name.golden" bs=2048 skip=16 count=5 status=none
}

golden default esp SOURCE_DATE_EPOCH=1700000000 --
golden empty-identifiers esp SOURCE_DATE_EPOCH=1700000000 -- \
	--el-torito-system= --el-torito-volume= --el-torito-publisher=
golden identifiers esp SOURCE_DATE_EPOCH=1700000000 -- \
	--el-torito-system=EFI --el-torito-volume=gorepart_Test.1 \
	--el-torito-publisher="Example Org, Inc. \"x\" 100% (a+b=c); <d>? & 'e'!/:-*"
golden max-identifiers esp SOURCE_DATE_EPOCH=1700000000 -- \
	--el-torito-system=$(printf 'S%.0s' {1..32}) --el-torito-volume=$(printf 'v%.0s' {1..32}) \
	--el-torito-publisher=$(printf 'P%.0s' {1..128})
golden sector-4096 esp SOURCE_DATE_EPOCH=0 -- --sector-size=4096
# The ESP second, at 11 MiB; the last second a directory record can hold.
golden esp-second root-esp SOURCE_DATE_EPOCH=5869583999 --
# No SOURCE_DATE_EPOCH: repart takes the current local time; the PVD's
# creation date of the golden file says which (TestLocalTime).
golden local-kolkata esp TZ=Asia/Kolkata --
