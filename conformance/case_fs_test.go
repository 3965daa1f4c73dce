package conformance

import (
	"time"
)

// The cases about filesystems and their contents. Where upstream mounts
// a partition or dissects the image, the port copies the partition out and
// reads it with the filesystem's own tools.

func excludeFilesSteps() []step {
	return []step{
		writeText("$root/abc", "", false),
		mkdir("$root/usr"),
		writeText("$root/usr/def", "", false),
		writeText("$root/usr/qed", "", false),
		mkdir("$root/tmp"),
		writeText("$root/tmp/prs", "", false),
		mkdir("$root/proc"),
		writeText("$root/proc/prs", "", false),
		mkdir("$root/zzz"),
		mkdir("$root/zzz/usr"),
		writeText("$root/zzz/usr/prs", "", false),
		mkdir("$root/zzz/proc"),
		writeText("$root/zzz/proc/prs", "", false),
		put("00-root.conf", "$defs/00-root.conf"),
		put("10-usr.conf", "$defs/10-usr.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--json=pretty", "--root=$root", "$imgs/zzz").stdout("output"),
		extract("$imgs/zzz", 1, "$imgs/p1"),
		extract("$imgs/zzz", 2, "$imgs/p2"),
		tool("e2fsck", "-fn", "$imgs/p1"),
		tool("e2fsck", "-fn", "$imgs/p2"),
		lsChecks("root.ls", "/=$imgs/p1"),
		lsChecks("usr.ls", "/=$imgs/p1", "/usr=$imgs/p2"),
	}
}

// minimizeSteps is testcase_minimize. Upstream adds a definition per
// format only when its mkfs tool is installed; the port always adds them
// all (the reference needs every mkfs tool, see referenceTools).
func minimizeSteps() []step {
	var s []step
	for _, format := range []string{"ext4", "vfat", "erofs"} {
		s = append(s, setVar("format", format), put("root-format.conf", "$defs/root-"+format+".conf"))
	}
	for _, minimize := range []string{"guess", "best"} {
		s = append(s, setVar("minimize", minimize), put("root-btrfs-minimize.conf", "$defs/root-btrfs-"+minimize+".conf"))
	}
	s = append(s,
		put("root-squashfs.conf", "$defs/root-squashfs.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "--json=pretty", "$imgs/zzz").stdout("output"),
	)
	// Check that we can dissect, mount and unmount a minimized image: here,
	// that every filesystem passes its fsck and holds the copied files.
	for i, fsck := range [][]string{
		{"btrfs", "check", "--readonly"}, // root-btrfs-best.conf
		{"btrfs", "check", "--readonly"}, // root-btrfs-guess.conf
		{"fsck.erofs"},                   // root-erofs.conf
		{"e2fsck", "-fn"},                // root-ext4.conf
		{"unsquashfs", "-s"},             // root-squashfs.conf
		{"fsck.vfat", "-n"},              // root-vfat.conf
	} {
		part := "$imgs/p" + string(rune('1'+i))
		s = append(s,
			extract("$imgs/zzz", i+1, part),
			tool(append(fsck, part)...),
		)
		if fsck[0] != "btrfs" {
			s = append(s, extractFS(part, part+".mnt"), diffTrees("$defs", part+".mnt$defs"))
		}
	}
	return s
}

// freeAreaCalculationSteps is testcase_free_area_calculation (issue
// #28225). Upstream passes no --offline; its CopyFiles= copy the host's
// /etc, as here.
func freeAreaCalculationSteps() []step {
	run := func(empty, v string) step {
		return repart("--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty="+empty, "--size=auto",
			"--sector-size=4096", "--defer-partitions=esp", "--json=pretty", "--offline=yes",
			"$imgs/zzz").withEnv("SYSTEMD_REPART_MKFS_OPTIONS_VFAT=-S 512").stdout(v)
	}
	return []step{
		put("00-ESP.conf", "$defs/00-ESP.conf"),
		put("10-os.conf", "$defs/10-os.conf"),
		put("11-os-verity.conf", "$defs/11-os-verity.conf"),
		run("create", "output1"),
		// The second invocation
		run("allow", "output2"),
		sameLines("output1", "output2", "(offset|raw_size|raw_padding)"),
	}
}

// compressionSteps is testcase_compression. Upstream passes no --offline.
func compressionSteps() []step {
	s := []step{
		setVar("image", "$workdir/image.img"),
		setVar("defs", "$workdir/defs"),
		mkdir("$defs"),
	}
	for _, f := range []struct{ format, compression string }{
		{"squashfs", "zstd"},
		{"erofs", "lz4hc"},
	} {
		s = append(s,
			setVar("format", f.format),
			setVar("compression", f.compression),
			put("10-root.conf", "$defs/10-root.conf"),
			rm("$image"),
			repart("--empty=create", "--size=auto", "--pretty=yes", "--dry-run=no", "--definitions=$defs",
				"--offline=yes", "$image"),
			// Upstream checks only that the image is built; the port
			// also reads it back (for erofs, no file here is large
			// enough to be stored compressed).
			extract("$image", 1, "$workdir/p1"),
			extractFS("$workdir/p1", "$workdir/p1."+f.format),
			diffTrees("$defs", "$workdir/p1."+f.format+"/def"),
		)
		if f.format == "squashfs" {
			s = append(s, tool("unsquashfs", "-s", "$workdir/p1").stdout("output"), asserts("output", "squashfs.assert"))
		}
	}
	return s
}

func makeSymlinksSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=1G", "--dry-run=no",
			"--offline=$OFFLINE", "--json=pretty", "$imgs/zzz").withEnv("SOURCE_DATE_EPOCH=$epoch"),
		extract("$imgs/zzz", 1, "$imgs/p1"),
		tool("e2fsck", "-fn", "$imgs/p1"),
		extractFS("$imgs/p1", "$imgs/mnt"),
		readlinks("readlink", "$imgs/mnt"),
		mtimes("mtime", "$imgs/p1"),
	}
}

// btrfsSteps is testcase_btrfs; upstream runs it offline only, with
// btrfs-progs ≥ 6.12.
func btrfsSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		mkdir("$root/etc"),
		repart("--pretty=yes", "--definitions", "$defs", "--empty=create", "--size=1G", "--seed=$seed",
			"--dry-run=no", "--offline=yes", "--generate-fstab", "$root/etc/fstab", "$imgs/btrfs.img"),
		tool("sfdisk", "--dump", "$imgs/btrfs.img"),
		readFile("output", "$root/etc/fstab"),
		asserts("output", "fstab.assert"),
		extract("$imgs/btrfs.img", 1, "$imgs/p1"),
		tool("btrfs", "check", "--readonly", "$imgs/p1"),
	}
}

// btrfsCompressionSteps is testcase_btrfs_compression. Upstream's source
// file is /etc/test-source-file; here it is under $root. Upstream checks
// mkfs.btrfs's log ("Rootdir from:", "Compress:") offline, and the file
// and its zstd extents by mounting online; the port reads the file's
// inode and extents from the image with btrfs inspect-internal instead.
func btrfsCompressionSteps() []step {
	return []step{
		setVar("src", "$root/test-source-file"),
		zeroFile("$src", 1<<20), // fallocate -l 1M "$src"
		put("btrfs-compressed.conf", "$defs/btrfs-compressed.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=auto", "--dry-run=no",
			"--seed=$seed", "$imgs/btrfs-compressed.img").output("output"),
		rm("$src"),
		extract("$imgs/btrfs-compressed.img", 1, "$imgs/p1"),
		tool("btrfs", "check", "--readonly", "$imgs/p1"),
		tool("btrfs", "inspect-internal", "dump-tree", "-t", "fs", "$imgs/p1").stdout("output"),
		asserts("output", "fs-tree.assert"),
	}
}

func extReproducibilitySteps() []step {
	build := func(img string) step {
		return repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=50M",
			"--seed=$seed", "--dry-run=no", img).withEnv("SOURCE_DATE_EPOCH=$ts")
	}
	return []step{
		put("root.conf", "$defs/root.conf"),
		// Build the image twice with the same seed and verify they are identical
		now("ts"),
		build("$imgs/test1.img"),
		sleep(2 * time.Second),
		build("$imgs/test2.img"),
		cmpFiles("$imgs/test1.img", "$imgs/test2.img", 0, 0, 0),
	}
}

func vfatReproducibilitySteps() []step {
	// build_image NAME: builds $imgs/NAME from the tree and sets $img to
	// "file@@offset", the form mdir(1) wants.
	build := func(name string, env ...string) []step {
		r := repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=auto", "--seed=$seed",
			"--dry-run=no", "--root=$imgs/tree", "--json=pretty", "$imgs/"+name).stdout("output")
		for _, kv := range env {
			if kv[0] == '-' {
				r.unsetEnv(kv[1:])
			} else {
				r.withEnv(kv)
			}
		}
		return []step{r,
			pickIndex("offset", "output", 0, "offset"),
			setVar("img", "$imgs/"+name+"@@$offset"),
			// dump listing for debugging
			fatEntry("-/", "::/"),
		}
	}
	var s []step
	s = append(s,
		put("esp.conf", "$defs/esp.conf"),
		// $SOURCE_DATE_EPOCH is a clamp, not an override, so put one file on either side of it
		mkdir("$imgs/tree/EFI/Linux"),
		writeText("$imgs/tree/EFI/Linux/old.efi", "old\n", false),
		writeText("$imgs/tree/EFI/Linux/new.efi", "new\n", false),
		touchAt("$imgs/tree/EFI/Linux/old.efi", 1600000000),
		touchAt("$imgs/tree/EFI/Linux/new.efi", 1750000000),
	)
	s = append(s, build("epoch.img", "SOURCE_DATE_EPOCH=1700000000")...)
	s = append(s,
		fatEntry("::/EFI*").stdout("output"), asserts("output", "epoch-EFI.assert"),
		fatEntry("::/EFI/Linux*").stdout("output"), asserts("output", "epoch-Linux.assert"),
		fatEntry("::/EFI/Linux/new.efi").stdout("output"), asserts("output", "epoch-new.assert"),
		fatEntry("::/EFI/Linux/old.efi").stdout("output"), asserts("output", "epoch-old.assert"),
		fatEntry("::/EFI").stdout("output"), asserts("output", "epoch-dot.assert"),
		fatEntry("::/EFI/Linux").stdout("output"), asserts("output", "epoch-dot.assert"),
	)
	s = append(s, build("wallclock.img", "-SOURCE_DATE_EPOCH")...)
	s = append(s,
		fatEntry("::/EFI/Linux/new.efi").stdout("output"), asserts("output", "wallclock-new.assert"),
		fatEntry("::/EFI/Linux/old.efi").stdout("output"), asserts("output", "wallclock-old.assert"),
	)
	s = append(s, build("bogus.img", "SOURCE_DATE_EPOCH=99999999999999999999")...)
	s = append(s,
		fatEntry("::/EFI/Linux/new.efi").stdout("output"), asserts("output", "bogus-new.assert"),
		fatEntry("::/EFI/Linux/old.efi").stdout("output"), asserts("output", "bogus-old.assert"),
	)
	s = append(s, build("hex.img", "SOURCE_DATE_EPOCH=0x6553F100")...)
	s = append(s,
		fatEntry("::/EFI*").stdout("output"), asserts("output", "hex-EFI.assert"),
		// The image's filesystem is sound.
		extract("$imgs/hex.img", 1, "$imgs/p1"),
		tool("fsck.vfat", "-n", "$imgs/p1"),
	)
	return s
}

// fatEntry is upstream's fat_entry: `env MTOOLS_SKIP_CHECK=1 TZ=UTC mdir
// -i "$img" ARGS...`.
func fatEntry(args ...string) *execStep {
	return tool(append([]string{"mdir", "-i", "$img"}, args...)...).withEnv("MTOOLS_SKIP_CHECK=1", "TZ=UTC")
}
