package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// cases is TEST-58-REPART.sh (v262), one entry per testcase_* function, in
// upstream's order. Shell variables in the steps ($imgs, $defs, $seed,
// ${root_guid}, ...) are upstream's; $OFFLINE is "yes".
func cases() []testCase {
	ext4 := []string{"mkfs.ext4"}
	vfat := []string{"mkfs.vfat", "mcopy", "mmd"}
	return []testCase{
		{name: "testcase_cow", tools: []string{"lsattr", "chattr"}, steps: cowSteps()},
		{name: "testcase_basic", tools: []string{"cryptsetup", "e2fsck", "debugfs", "blkid"},
			referenceTools: append(ext4, vfat...), steps: basicSteps()},
		{name: "testcase_copy_from_grain_padding", steps: copyFromGrainPaddingSteps()},
		{name: "testcase_copy_from_respects_new_grain", steps: copyFromRespectsNewGrainSteps()},
		{name: "testcase_copy_from_no_padding_at_beginning_and_end", steps: copyFromNoPaddingSteps()},
		{name: "testcase_size_auto_with_grain_size", steps: sizeAutoWithGrainSizeSteps()},
		{name: "testcase_dropin", steps: dropinSteps()},
		{name: "testcase_multiple_definitions", steps: multipleDefinitionsSteps()},
		{name: "testcase_copy_blocks", tools: []string{"fsck.vfat", "e2fsck"}, referenceTools: append(ext4, vfat...),
			notPorted: "the second part (CopyBlocks=auto with --image=$imgs/zzz, then cmp with the first image): " +
				"--image= attaches the image to a loop device and CopyBlocks=auto copies from the block devices " +
				"behind the mounts of that root (upstream skips it in containers too)",
			steps: copyBlocksSteps()},
		{name: "testcase_unaligned_partition", steps: unalignedPartitionSteps()},
		{name: "testcase_output_order", steps: outputOrderSteps()},
		{name: "testcase_issue_21817", steps: issue21817Steps()},
		{name: "testcase_issue_24553", steps: issue24553Steps()},
		{name: "testcase_zero_uuid", steps: zeroUUIDSteps()},
		{name: "testcase_verity", tools: []string{"openssl", "veritysetup", "e2fsck"}, referenceTools: ext4,
			notPorted: "ln -sf verity.crt /run/verity.d/ok.crt (trusting the key host-wide, for systemd-dissect)",
			steps:     veritySteps()},
		{name: "testcase_verity_explicit_block_size", tools: []string{"veritysetup"}, referenceTools: ext4,
			steps: verityExplicitBlockSizeSteps()},
		{name: "testcase_verity_hash_size_from_data_size", tools: []string{"veritysetup"}, referenceTools: ext4,
			steps: verityHashSizeFromDataSizeSteps()},
		{name: "testcase_verity_encrypt", tools: []string{"cryptsetup", "veritysetup", "blkid", "debugfs"},
			referenceTools: ext4,
			notPorted: "systemd-dissect --validate with --image-policy (root=encrypted+verity accepted, root=verity " +
				"refused) and the check that the mounted device is dm-crypt stacked on dm-verity (dmsetup): " +
				"systemd-dissect's and the kernel's behaviour, not the image's",
			steps: verityEncryptSteps()},
		{name: "testcase_exclude_files", tools: []string{"e2fsck", "debugfs"}, referenceTools: ext4,
			steps: excludeFilesSteps()},
		{name: "testcase_minimize",
			tools:          []string{"btrfs", "fsck.erofs", "e2fsck", "debugfs", "unsquashfs", "fsck.vfat", "mcopy"},
			referenceTools: append([]string{"mkfs.ext4", "mkfs.erofs", "mkfs.btrfs", "mksquashfs"}, vfat...),
			referenceGate:  mtoolsReadsSmallFAT32, steps: minimizeSteps()},
		{name: "testcase_free_area_calculation", referenceTools: append([]string{"mksquashfs"}, vfat...),
			steps: freeAreaCalculationSteps()},
		{name: "testcase_sector", tools: []string{"fdisk"},
			notPorted: "sfdisk --verify of the 1024-, 2048- and 4096-byte-sector tables (util-linux 2.38's sfdisk " +
				"cannot be told the sector size of a file; fdisk -b reads them)",
			steps: sectorSteps()},
		{name: "testcase_dropped_partitions", steps: droppedPartitionsSteps()},
		{name: "testcase_urandom", steps: urandomSteps()},
		{name: "testcase_list_devices",
			skip: "systemd-repart --list-devices lists the host's candidate block devices (udev); " +
				"there is no image file to build or compare"},
		{name: "testcase_compression", tools: []string{"unsquashfs", "fsck.erofs", "blkid"},
			referenceTools: []string{"mksquashfs", "mkfs.erofs"}, steps: compressionSteps()},
		{name: "testcase_random_seed", steps: randomSeedSteps()},
		{name: "testcase_make_symlinks", tools: []string{"e2fsck", "debugfs"}, referenceTools: ext4,
			steps: makeSymlinksSteps()},
		{name: "testcase_fallback_partitions", referenceTools: vfat, steps: fallbackPartitionsSteps()},
		{name: "testcase_btrfs", tools: []string{"btrfs"}, referenceTools: []string{"mkfs.btrfs"},
			referenceGate: btrfsProgsAtLeast(6, 12), steps: btrfsSteps()},
		{name: "testcase_btrfs_compression", tools: []string{"btrfs"}, referenceTools: []string{"mkfs.btrfs"},
			referenceGate: btrfsProgsAtLeast(6, 13), steps: btrfsCompressionSteps()},
		{name: "testcase_varlink_list_devices",
			skip: "varlinkctl io.systemd.Repart.ListCandidateDevices lists the host's block devices, also through " +
				"/run/systemd/io.systemd.Repart, the socket of a running systemd"},
		{name: "testcase_varlink_subscribe_devices",
			skip: "attaches and detaches loop devices (systemd-dissect --attach) and watches them through a Varlink " +
				"subscription run as a transient systemd service (systemd-run)"},
		{name: "testcase_get_size", steps: getSizeSteps()},
		{name: "testcase_varlink_run", steps: varlinkRunSteps()},
		{name: "testcase_luks2_integrity",
			skip: "online only upstream (it returns unless OFFLINE=no): Integrity=inline needs dm-integrity under " +
				"dm-crypt on a loop device, checked with cryptsetup open and dmsetup status"},
		{name: "testcase_ext_reproducibility", referenceTools: ext4, steps: extReproducibilitySteps()},
		{name: "testcase_vfat_reproducibility", tools: []string{"mdir", "fsck.vfat"}, referenceTools: vfat,
			steps: vfatReproducibilitySteps()},
		{name: "testcase_luks2_keyhash", tools: []string{"cryptsetup"}, referenceTools: ext4,
			notPorted: "systemd-cryptsetup attach refusing a wrong fixate-volume-key= hash: systemd-cryptsetup's " +
				"behaviour, through device-mapper",
			steps: luks2KeyhashSteps()},
		{name: "testcase_fstab_crypttab_in_repart", tools: []string{"cryptsetup", "e2fsck", "debugfs"},
			referenceTools: ext4, steps: fstabCrypttabInRepartSteps()},
		{name: "testcase_generate_fstab_dry_run", steps: generateFstabDryRunSteps()},
		{name: "testcase_encrypted_volume_empty_name", referenceTools: ext4, steps: encryptedVolumeEmptyNameSteps()},
		{name: "testcase_block_device_replace",
			skip: "online only upstream (it returns when OFFLINE=yes): BlockDeviceReplace= moves btrfs filesystems " +
				"mounted from loop devices onto new partitions of a loop device (btrfs replace, dm-crypt)"},
		{name: "testcase_insert_into_gap", steps: insertIntoGapSteps()},
		{name: "testcase_distribute_leftover_space", steps: distributeLeftoverSpaceSteps()},
		{name: "testcase_partition_number_gap", steps: partitionNumberGapSteps()},
	}
}

// btrfsProgsAtLeast is upstream's guard `systemd-analyze compare-versions
// "$(btrfs --version ...)" ge vMAJOR.MINOR`: mkfs.btrfs is the reference's
// btrfs writer.
func btrfsProgsAtLeast(major, minor int) func() string {
	return func() string {
		out, err := exec.Command("btrfs", "--version").Output()
		if err != nil {
			return "btrfs-progs is not installed"
		}
		m := regexp.MustCompile(`v(\d+)\.(\d+)`).FindSubmatch(out)
		if m == nil {
			return fmt.Sprintf("cannot read the version in %q", out)
		}
		ma, _ := strconv.Atoi(string(m[1]))
		mi, _ := strconv.Atoi(string(m[2]))
		if ma < major || ma == major && mi < minor {
			return fmt.Sprintf("btrfs-progs v%d.%d is older than v%d.%d", ma, mi, major, minor)
		}
		return ""
	}
}

// mtoolsReadsSmallFAT32 probes what the reference's Minimize=guess vfat
// needs from the host: mmd on a FAT32 with 4096-byte sectors and too few
// clusters for FAT32 (mkfs.vfat -F 32 -S 4096 of the 49.5 MiB repart sizes
// it to). mtools 4.0.32 (Debian 12) takes such a filesystem for FAT16 with
// no root directory slots, and the reference fails with "No directory
// slots"; upstream's CI has newer mtools.
func mtoolsReadsSmallFAT32() string {
	dir, err := os.MkdirTemp("", "mtools-probe")
	if err != nil {
		return err.Error()
	}
	defer os.RemoveAll(dir)
	img := filepath.Join(dir, "fat.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return err.Error()
	}
	if err := os.Truncate(img, 49500<<10); err != nil {
		return err.Error()
	}
	if out, err := exec.Command("mkfs.vfat", "-F", "32", "-S", "4096", img).CombinedOutput(); err != nil {
		return fmt.Sprintf("mkfs.vfat: %v\n%s", err, out)
	}
	cmd := exec.Command("mmd", "-i", img, "::/probe")
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("the host's mtools cannot make a directory on a small FAT32 with 4096-byte sectors "+
			"(mmd: %q; mtools 4.0.32 takes it for FAT16), which the reference's Minimize=guess vfat needs", out)
	}
	return ""
}
