#!/bin/sh
# /init of the boot test's initrd (busybox sh). It does what systemd's
# gpt-auto and veritysetup generators do for a UKI with usrhash= on its
# command line: finds /usr and its verity hash partition by GPT type and
# by the root hash (the data partition's UUID is the hash's first 128
# bits, the hash partition's the last 128), maps /usr through dm-verity
# with the parameters of the hash partition's superblock, finds root by
# its GPT type, mounts both read-only, prints what it finds and powers
# off. The partitions are read from the primary GPT (512-byte LBAs) and
# mapped with dm-linear, so the same steps work on a disk and on a CD,
# whose kernel device has no partitions.
#
# Output (serial console): LOADER, ENTRY and STUB (the boot loader's
# EFI variables), FILE <sha256> <path>, LINK <path> <target>,
# HELLO <output of /usr/bin/hello>, VERITY <status>, then
# GOREPART-BOOT-OK <usrhash>, or GOREPART-BOOT-FAIL <reason> on any error.

PATH=/bin
export PATH
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
DM_DISABLE_UDEV=1
export DM_DISABLE_UDEV

fail() {
	echo "GOREPART-BOOT-FAIL $*"
	dmesg | grep -i -E 'verity|erofs|ext4|device-mapper|error' | tail -n 20 | sed 's/^/DMESG /'
	poweroff -f
	sleep 60
}

# The x86-64 GPT partition types (Discoverable Partitions Specification).
TYPE_USR=8484680c-9521-48c6-9c11-b0720656f69e
TYPE_USR_VERITY=77ff5f63-e7b6-4633-acf4-1565b864c0e6
TYPE_ROOT=4f68bce3-e8cd-4db1-96e7-fbcaf984b709

usrhash=
for w in $(cat /proc/cmdline); do
	case $w in usrhash=*) usrhash=${w#usrhash=} ;; esac
done
case $usrhash in
'' | *[!0-9a-f]*) fail "no usrhash= (lower-case hex) on the kernel command line" ;;
esac
[ ${#usrhash} -eq 64 ] || fail "usrhash= is ${#usrhash} hex digits, not a sha256 root hash"

for m in /lib/modules/*.ko; do
	insmod "$m" || fail "insmod $m"
done

# partitions DEV: "TYPE UUID FIRST-LBA LAST-LBA" for each used entry of
# DEV's primary GPT, GUIDs in their text form (the first three fields of
# the on-disk GUID are little-endian).
partitions() {
	[ "$(dd if="$1" bs=8 skip=64 count=1 2>/dev/null)" = "EFI PART" ] || return 1
	# header bytes 72-87: entry array LBA (64 bits), entry count, entry size
	set -- "$1" $(od -An -tu4 -j584 -N16 "$1")
	[ "$3" = 0 ] || return 1
	od -An -v -tx1 -j$(($2 * 512)) -N$(($4 * $5)) "$1" | awk -v size="$5" '
		function hv(b) { return index("0123456789abcdef", substr(b, 1, 1)) * 16 + index("0123456789abcdef", substr(b, 2, 1)) - 17 }
		function guid(o) {
			return b[o+3] b[o+2] b[o+1] b[o] "-" b[o+5] b[o+4] "-" b[o+7] b[o+6] "-" b[o+8] b[o+9] "-" \
				b[o+10] b[o+11] b[o+12] b[o+13] b[o+14] b[o+15]
		}
		function le64(o,   v, i) { v = 0; for (i = 7; i >= 0; i--) v = v * 256 + hv(b[o+i]); return v }
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		END {
			for (e = 0; e + size <= n; e += size) {
				t = guid(e)
				if (t != "00000000-0000-0000-0000-000000000000")
					printf "%s %s %d %d\n", t, guid(e + 16), le64(e + 32), le64(e + 40)
			}
		}'
}

# The disk: the first block device with a GPT (virtio disk or CD drive).
disk=
tries=0
while [ -z "$disk" ]; do
	for b in /sys/block/*; do
		case ${b##*/} in loop* | ram* | dm-*) continue ;; esac
		if partitions "/dev/${b##*/}" >/tmp/gpt 2>/dev/null; then
			disk=/dev/${b##*/}
			break
		fi
	done
	[ -n "$disk" ] && break
	tries=$((tries + 1))
	[ $tries -le 300 ] || fail "no block device with a GPT: $(ls /sys/block)"
	usleep 100000
done
echo "DISK $disk"
sed 's/^/GPT /' /tmp/gpt

# linear NAME TYPE [UUID]: /dev/mapper/NAME over the one partition of TYPE
# (and UUID).
linear() {
	r=$(awk -v t="$2" -v u="$3" '$1 == t && (u == "" || $2 == u) { print $3, $4; n++ } END { exit n != 1 }' /tmp/gpt) ||
		fail "not exactly one partition of type $2${3:+ and UUID $3}"
	set -- "$1" $r
	dmsetup create "$1" --readonly --table "0 $(($3 - $2 + 1)) linear $disk $2" ||
		fail "dmsetup create $1"
}

uuid() { echo "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/'; }
linear usr-data $TYPE_USR "$(uuid "$(echo "$usrhash" | cut -c1-32)")"
linear usr-verity $TYPE_USR_VERITY "$(uuid "$(echo "$usrhash" | cut -c33-64)")"
linear root $TYPE_ROOT

# The verity superblock (veritysetup's format): "verity\0\0", version,
# hash type, UUID, algorithm name (32 bytes), data and hash block sizes,
# data block count, salt size, salt at byte 88. The hash tree starts in
# the hash block after it.
sb=/dev/mapper/usr-verity
[ "$(dd if=$sb bs=8 count=1 2>/dev/null | tr -d '\000')" = verity ] || fail "no verity superblock in the usr-verity partition"
set -- $(od -An -tu4 -j8 -N8 $sb)
[ "$1" = 1 ] || fail "verity superblock version $1"
htype=$2
set -- $(od -An -tu4 -j64 -N16 $sb)
dbs=$1 hbs=$2 blocks=$3
[ "$4" = 0 ] || fail "verity data block count beyond 32 bits"
alg=$(dd if=$sb bs=32 skip=1 count=1 2>/dev/null | tr -d '\000')
saltsize=$(($(od -An -tu2 -j80 -N2 $sb)))
salt=-
[ $saltsize -eq 0 ] || salt=$(od -An -v -tx1 -j88 -N$saltsize $sb | tr -d ' \n')
table="0 $((blocks * dbs / 512)) verity $htype /dev/mapper/usr-data $sb $dbs $hbs $blocks $(((512 + hbs - 1) / hbs)) $alg $usrhash $salt"
echo "TABLE $table"
dmsetup create usr --readonly --table "$table" || fail "dmsetup create usr (verity)"

mount -t ext4 -o ro /dev/mapper/root /sysroot || fail "mounting root"
[ -d /sysroot/usr ] || fail "root has no /usr"
mount -t erofs -o ro /dev/mapper/usr /sysroot/usr || fail "mounting /usr (erofs on dm-verity)"

# What systemd-boot and systemd-stub told the OS (Boot Loader Interface).
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || fail "mounting efivarfs"
efivar() { dd if="/sys/firmware/efi/efivars/$1-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f" bs=1 skip=4 2>/dev/null | tr -d '\000'; }
echo "LOADER $(efivar LoaderInfo)"
echo "ENTRY $(efivar LoaderEntrySelected)"
echo "STUB $(efivar StubInfo)"

cd /sysroot || fail "cd /sysroot"
find . -path ./lost+found -prune -o \( -type f -o -type l \) -print | sort >/tmp/files
while IFS= read -r f; do
	if [ -L "$f" ]; then
		echo "LINK $f $(readlink "$f")"
	else
		s=$(sha256sum "$f") || fail "reading $f"
		echo "FILE ${s%% *} $f"
	fi
done </tmp/files
grep -q '^ID=gorepart-example$' usr/lib/os-release || fail "/usr/lib/os-release lacks ID=gorepart-example"
echo "HELLO $(sh usr/bin/hello)"
st=$(dmsetup status usr)
echo "VERITY $st"
case $st in *" verity V") ;; *) fail "verity status: $st" ;; esac
cd /
echo "GOREPART-BOOT-OK $usrhash"
poweroff -f
sleep 60
