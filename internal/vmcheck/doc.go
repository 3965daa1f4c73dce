// Package vmcheck checks a GPT disk image the way Linux reads it: on the
// host with the real tools, then by booting the host's Debian kernel in
// qemu and mounting every partition read-only.
//
// Host: sfdisk --verify and --dump (512-byte sectors), an independent
// GPT reader (internal/gptdump: both headers, CRCs, backup array), the
// GPT type, UUID and name of each listed partition, and for each
// filesystem blkid -p and its checker: fsck.vfat -n, e2fsck -fn,
// fsck.erofs --extract, unsquashfs (extracting everything), btrfs check
// --readonly --check-data-csum, xfs_repair -n. dm-verity pairs: the
// superblock (veritysetup dump) against the spec, veritysetup verify of
// the whole data area against the root hash, and optionally the
// partition UUIDs from the root hash. LUKS2: cryptsetup unlocks the
// volume key with the spec's key file; the filesystem inside is
// decrypted (aes-xts-plain64) for blkid and fsck.
//
// Guest: the kernel (/boot/vmlinuz-V) with an initramfs of the modules
// it needs (from /lib/modules/V, in modules.dep and modules.softdep
// order: virtio, ext4, vfat with its codepages, erofs, squashfs, btrfs,
// xfs, dm-mod, dm-verity, dm-crypt, xts and aes) and a Go agent as init
// (package guest, built with the go command). The image is a read-only
// virtio disk with the image's logical sector size. The agent compares
// the kernel's partition geometry with the GPT's, creates the dm-verity
// and dm-crypt devices from tables computed on the host (device-mapper
// ioctls, no dmsetup), mounts each filesystem read-only, checks the
// listed files (sha256, and exact name case on vfat), symlink targets,
// modes, owners, directories and absent paths, walks the whole tree
// (stat, extended attributes, every file and symlink read), reads every
// block of each device-mapper device (a verity device must then report
// "V"), and fails on any partition-table, I/O, filesystem, verity or
// crypt error in the kernel log. A partition with "write_test" (ext4) is
// then mounted read-write (its dm-crypt device writable, the disk a qemu
// snapshot so the image file does not change), given 1000 new files in
// new directories, unmounted, mounted read-only and checked again, new
// files and tree. It reports over the serial console and
// powers off; the host parses the report. KVM is used when /dev/kvm
// opens (with -cpu max: -cpu host trips an MSR assertion in qemu 7.2),
// else TCG; a run takes about 10 s under TCG.
//
// SPEC.json (Spec) keeps the format of the shell kernel-check it
// replaces, extended with "sector_size", the fstypes squashfs, btrfs
// and xfs, and "luks":
//
//	{
//	  "partition_count": 5,              optional: exact number of GPT entries in use
//	  "sector_size": 512,                optional: 512 (default) or 4096
//	  "partitions": [{
//	    "partno": 1,                     GPT partition number (from 1)
//	    "fstype": "vfat",                vfat|ext4|erofs|squashfs|btrfs|xfs|none
//	    "type": "<GUID>", "uuid": "<GUID>", "name": "esp",   optional GPT checks
//	    "mount_options": "utf8",         added to ro (default vfat: utf8)
//	    "files": {"EFI/BOOT/BOOTX64.EFI": "<sha256>"},   regular files
//	    "symlinks": {"bin/sh": "busybox"}, "modes": {"bin/su": "4755"},
//	    "owners": {"etc/shadow": "0:42"}, "dirs": ["usr"], "absent": ["boot"],
//	    "exact_case": true,              vfat only, default true
//	    "verity": {"hash_partno": 4, "roothash": "<hex>", "data_block_size": 4096,
//	               "hash_block_size": 4096, "hash_algorithm": "sha256", "salt": "<hex>",
//	               "data_blocks": N, "hash_offset": 0, "superblock": true,
//	               "uuid_from_roothash": true},
//	    "luks": {"key_file": "key"}      LUKS2; the key file relative to SPEC.json
//	  }]
//	}
//
// Limits: the guest kernel is the host's (Debian 12: Linux 6.1; its erofs
// reads uncompressed, lz4 and lz4hc images, not lzma, deflate or zstd).
// Run's error is for a check that could not run (a *MissingError names
// the Debian package of a missing tool); what it found is in the Result.
package vmcheck
