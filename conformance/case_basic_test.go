package conformance

// basicSteps is testcase_basic.
func basicSteps() []step {
	const dataCopy = 4096 * 10240
	return []step{
		// 1. create an empty image
		repart("--offline=$OFFLINE", "--empty=create", "--size=1G", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "1.sfdisk"),

		// 2. Testing with root, root2, home, and swap
		put("root.conf", "$defs/root.conf"),
		symlink("root.conf", "$defs/root2.conf"),
		put("home.conf", "$defs/home.conf"),
		put("swap.conf", "$defs/swap.conf"),
		repart("--definitions=$defs", "-n", "--seed=$seed", "--include-partitions=home,swap", "-"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--dry-run=no", "--seed=$seed",
			"--include-partitions=home,swap", "--offline=$OFFLINE", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "2-home-swap.sfdisk"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=50M", "--seed=$seed",
			"--include-partitions=root,home", "$imgs/qqq"),
		tool("sfdisk", "-d", "$imgs/qqq"),
		repart("--offline=$OFFLINE", "--empty=create", "--size=1G", "--dry-run=no", "--seed=$seed",
			"--definitions", "", "--copy-from=$imgs/qqq", "--copy-from=$imgs/qqq", "$imgs/copy"),
		dumpEq("$imgs/copy", "2-copy.sfdisk"),
		rm("$imgs/qqq", "$imgs/copy"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--dry-run=no", "--seed=$seed", "--empty=force",
			"--defer-partitions=home,root", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "2-deferred.sfdisk"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "2-all.sfdisk"),

		// 3. Testing with root, root2, home, swap, and another partition
		put("3-swap.conf", "$defs/swap.conf"),
		put("extra.conf", "$defs/extra.conf"),
		appendLine("$defs/home.conf", "Label=ignored_label"),
		appendLine("$defs/home.conf", "UUID=b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "3.sfdisk"),

		// 4. Resizing to 2G
		repart("--offline=$OFFLINE", "--definitions=$defs", "--size=2G", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "4.sfdisk"),

		// 5. Testing with root, root2, home, swap, another partition, and partition copy
		randomFile("$imgs/block-copy", dataCopy),
		put("extra2.conf", "$defs/extra2.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--size=3G", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "5.sfdisk"),
		cmpFiles("$imgs/block-copy", "$imgs/zzz", dataCopy, 0, 512*4194264),

		// 6. Testing Format=/Encrypt=/CopyFiles=
		put("extra3.conf", "$defs/extra3.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--size=auto", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "6.sfdisk"),
		extract("$imgs/zzz", 7, "$imgs/p7"),
		tool("cryptsetup", "luksDump", "$imgs/p7").stdout("output"),
		asserts("output", "6-luksdump.assert"),
		writeText("$imgs/empty-password", "", false),
		luksOpen("$imgs/p7", "$imgs/empty-password", "$imgs/p7.ext4"),
		tool("e2fsck", "-fn", "$imgs/p7.ext4"),
		debugfsDump("$imgs/p7.ext4", "/def", "$imgs/mount"),
		diffTrees("$imgs/mount/def", "$defs"),
		tool("blkid", "-p", "$imgs/p7").stdout("output"),
		asserts("output", "6-blkid.assert"),

		// 7. Testing Discard=no
		put("extra4.conf", "$defs/extra4.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--size=auto", "--dry-run=no", "--seed=$seed", "$imgs/zzz"),
		dumpEq("$imgs/zzz", "7.sfdisk"),
		extract("$imgs/zzz", 8, "$imgs/p8"),
		tool("cryptsetup", "luksDump", "$imgs/p8").stdout("output"),
		asserts("output", "7-luksdump.assert"),
	}
}
