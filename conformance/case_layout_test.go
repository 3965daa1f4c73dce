package conformance

// The cases about partition tables only: placement, grain, --copy-from,
// drop-ins, the JSON report.

func copyFromGrainPaddingSteps() []step {
	return []step{
		truncate("80MiB", "$imgs/copy_from"),
		sfdiskLoad("$imgs/copy_from", "copy_from.sfdisk-in"),
		tool("sfdisk", "--dump", "$imgs/copy_from").stdout("output"),
		asserts("output", "copy_from.assert"),
		truncate("100MiB", "$imgs/copy_to"),
		repart("--offline=$OFFLINE", "--empty=allow", "--definitions=$defs", "--seed=$seed", "--dry-run=no",
			"--json=pretty", "--copy-from=$imgs/copy_from", "--grain-size=512", "$imgs/copy_to").stdout("output"),
		tool("sfdisk", "--dump", "$imgs/copy_to").stdout("output"),
		asserts("output", "copy_to.assert"),
	}
}

func copyFromRespectsNewGrainSteps() []step {
	return []step{
		truncate("80MiB", "$imgs/copy_from"),
		sfdiskLoad("$imgs/copy_from", "copy_from.sfdisk-in"),
		truncate("100MiB", "$imgs/copy_to"),
		repart("--offline=$OFFLINE", "--empty=allow", "--definitions=$defs", "--seed=$seed", "--dry-run=no",
			"--json=pretty", "--copy-from=$imgs/copy_from", "--grain-size=4194304", "$imgs/copy_to").stdout("output"),
		tool("sfdisk", "--dump", "$imgs/copy_to").stdout("output"),
		asserts("output", "copy_to.assert"),
	}
}

func copyFromNoPaddingSteps() []step {
	return []step{
		put("03-esp.conf", "$defs/03-esp.conf"),
		truncate("80MiB", "$imgs/copy_from"),
		sfdiskLoad("$imgs/copy_from", "copy_from.sfdisk-in"),
		truncate("60MiB", "$imgs/copy_to"),
		repart("--offline=$OFFLINE", "--empty=allow", "--definitions=$defs", "--seed=$seed", "--dry-run=no",
			"--json=pretty", "--copy-from=$imgs/copy_from", "$imgs/copy_to").stdout("output"),
		tool("sfdisk", "--dump", "$imgs/copy_to").stdout("output"),
		asserts("output", "copy_to.assert"),
	}
}

func sizeAutoWithGrainSizeSteps() []step {
	return []step{
		put("01-esp.conf", "$defs/01-esp.conf"),
		put("02-usr.conf", "$defs/02-usr.conf"),
		put("03-root.conf", "$defs/03-root.conf"),
		repart("--offline=$OFFLINE", "--empty=create", "--size=auto", "--definitions=$defs", "--seed=$seed",
			"--dry-run=no", "--grain-size=2097152", "$imgs/auto"),
		tool("sfdisk", "--dump", "$imgs/auto").stdout("output"),
		asserts("output", "auto.assert"),
	}
}

// dropinSteps is testcase_dropin. Upstream passes no --seed: the seed is
// the host's machine ID, which nothing compared depends on.
func dropinSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		put("override1.conf", "$defs/root.conf.d/override1.conf"),
		put("override2.conf", "$defs/root.conf.d/override2.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=100M", "--json=pretty",
			"$imgs/zzz").stdout("output"),
		textEq("output", "zzz.json"),
	}
}

func multipleDefinitionsSteps() []step {
	return []step{
		put("root1.conf", "$defs/1/root1.conf"),
		put("root2.conf", "$defs/2/root2.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs/1", "--definitions=$defs/2", "--empty=create",
			"--size=100M", "--json=pretty", "$imgs/zzz").stdout("output"),
		textEq("output", "zzz.json"),
	}
}

func copyBlocksSteps() []step {
	return []step{
		// First, create a disk image and verify its in order
		put("esp.conf", "$defs/esp.conf"),
		put("usr.conf", "$defs/usr.conf"),
		put("root.conf", "$defs/root.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=auto", "--seed=$seed",
			"$imgs/zzz"),
		tool("sfdisk", "--dump", "$imgs/zzz").stdout("output"),
		asserts("output", "zzz.assert"),
		// The filesystems the image is made of, checked by their fsck (the
		// second part of upstream's case, not portable, would have
		// dissected them).
		extract("$imgs/zzz", 1, "$imgs/p1"),
		tool("fsck.vfat", "-n", "$imgs/p1"),
		extract("$imgs/zzz", 2, "$imgs/p2"),
		tool("e2fsck", "-fn", "$imgs/p2"),
		extract("$imgs/zzz", 3, "$imgs/p3"),
		tool("e2fsck", "-fn", "$imgs/p3"),
	}
}

func unalignedPartitionSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		truncate("10g", "$imgs/unaligned"),
		sfdiskLoad("$imgs/unaligned", "unaligned.sfdisk-in"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "$imgs/unaligned"),
		tool("sfdisk", "--dump", "$imgs/unaligned").stdout("output"),
		asserts("output", "unaligned.assert"),
	}
}

func outputOrderSteps() []step {
	return []step{
		put("01-home.conf", "$defs/01-home.conf"),
		put("02-swap.conf", "$defs/02-swap.conf"),
		put("03-esp.conf", "$defs/03-esp.conf"),
		put("04-root.conf", "$defs/04-root.conf"),
		truncate("80MiB", "$imgs/order"),
		sfdiskLoad("$imgs/order", "order.sfdisk-in"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--json=pretty",
			"$imgs/order").stdout("output"),
		textEq("output", "order.json"),
		tool("sfdisk", "--dump", "$imgs/order").stdout("output"),
		asserts("output", "order.assert"),
	}
}

// issue21817Steps is testcase_issue_21817. Upstream writes test.conf into
// $defs but passes --definitions "$imgs" (which holds no .conf file);
// kept as is.
func issue21817Steps() []step {
	return []step{
		put("test.conf", "$defs/test.conf"),
		truncate("100m", "$imgs/21817.img"),
		sfdiskLoad("$imgs/21817.img", "21817.img.sfdisk-in"),
		repart("--offline=$OFFLINE", "--pretty=yes", "--definitions", "$imgs", "--seed=$seed", "--dry-run=no",
			"$imgs/21817.img"),
		tool("sfdisk", "--dump", "$imgs/21817.img").stdout("output"),
		asserts("output", "21817.img.assert"),
	}
}

func issue24553Steps() []step {
	run := repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "$imgs/zzz")
	return []step{
		put("root.conf", "$defs/root.conf"),
		// 1. Operate on a small image compared with SizeMinBytes=
		truncate("8g", "$imgs/zzz"),
		sfdiskLoad("$imgs/zzz", "partscript"),
		// This should fail, but not trigger assertions.
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "$imgs/zzz").wantRC(1),
		tool("sfdisk", "--dump", "$imgs/zzz").stdout("output"),
		asserts("output", "1.assert"),

		// 2. Operate on an larger image compared with SizeMinBytes=
		rm("$imgs/zzz"),
		truncate("12g", "$imgs/zzz"),
		sfdiskLoad("$imgs/zzz", "partscript"),
		run,
		tool("sfdisk", "--dump", "$imgs/zzz").stdout("output"),
		asserts("output", "2.assert"),

		// 3. Multiple partitions with Priority= (small disk)
		put("3-root.conf", "$defs/root.conf"),
		put("usr.conf", "$defs/usr.conf"),
		rm("$imgs/zzz"),
		truncate("8g", "$imgs/zzz"),
		sfdiskLoad("$imgs/zzz", "partscript"),
		// This should also succeed, but root is not extended.
		run,
		tool("sfdisk", "--dump", "$imgs/zzz").stdout("output"),
		asserts("output", "3.assert"),

		// 4. Multiple partitions with Priority= (large disk)
		rm("$imgs/zzz"),
		truncate("12g", "$imgs/zzz"),
		sfdiskLoad("$imgs/zzz", "partscript"),
		// This should also succeed, and root is extended.
		run,
		tool("sfdisk", "--dump", "$imgs/zzz").stdout("output"),
		asserts("output", "4.assert"),
	}
}

func zeroUUIDSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=create",
			"--size=auto", "$imgs/zero"),
		tool("sfdisk", "--dump", "$imgs/zero").stdout("output"),
		asserts("output", "zero.assert"),
	}
}
