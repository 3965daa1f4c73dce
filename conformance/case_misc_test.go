package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// cowSteps is testcase_cow. Upstream returns without a check when the
// filesystem of its image directory cannot set NOCOW (chattr +C: btrfs
// can, ext4 and tmpfs cannot); the port builds the four images all the
// same and checks their attributes where the filesystem of TMPDIR can.
// Upstream's images have no partitions (no definitions), which gorepart
// and the reference must both write.
func cowSteps() []step {
	build := func(img string, cow ...string) *execStep {
		args := []string{"--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=16M"}
		args = append(args, cow...)
		return repart(append(args, "--dry-run=no", img)...)
	}
	attrs := func(img, want string) []step {
		return []step{firstField("attrs", "lsattr", "-d", "--", img), asserts("attrs", want)}
	}
	supported := []step{
		tool("chattr", "+C", "$imgs"),
		build("$imgs/inherit-nocow.raw", "--cow=auto"),
	}
	supported = append(supported, attrs("$imgs/inherit-nocow.raw", "nocow.assert")...)
	supported = append(supported, build("$imgs/cow.raw", "--cow=yes"))
	supported = append(supported, attrs("$imgs/cow.raw", "cow.assert")...)
	supported = append(supported,
		tool("chattr", "-C", "$imgs"),
		writeText("$imgs/probe", "", false),
		firstField("attrs", "lsattr", "-d", "--", "$imgs/probe"),
		rm("$imgs/probe"),
		build("$imgs/inherit-cow.raw"),
		firstField("attrs2", "lsattr", "-d", "--", "$imgs/inherit-cow.raw"),
		// default_nocow: the new file has C exactly when a plain new file has.
		check("C in $attrs2 exactly when C in $attrs (default_nocow)", func(e *env) error {
			if strings.Contains(e.vars["attrs"], "C") != strings.Contains(e.vars["attrs2"], "C") {
				return fmt.Errorf("attributes %q, a new file in the directory has %q", e.vars["attrs2"], e.vars["attrs"])
			}
			return nil
		}),
		build("$imgs/nocow.raw", "--cow=no"),
	)
	supported = append(supported, attrs("$imgs/nocow.raw", "nocow.assert")...)
	// Without NOCOW, the port checks that the images are built: each is a
	// partition table (upstream checks nothing then).
	var unsupported []step
	for _, img := range []struct{ name, cow string }{
		{"inherit-nocow.raw", "--cow=auto"}, {"cow.raw", "--cow=yes"}, {"inherit-cow.raw", ""}, {"nocow.raw", "--cow=no"},
	} {
		b := build("$imgs/"+img.name, img.cow)
		if img.cow == "" {
			b = build("$imgs/" + img.name)
		}
		unsupported = append(unsupported, b, tool("sfdisk", "-d", "$imgs/"+img.name))
	}
	return []step{branch(nocowSupported, supported, unsupported)}
}

// nocowSupported is upstream's probe: chattr -C on $imgs, then +C and -C
// on a new file in it.
func nocowSupported(e *env) (bool, error) {
	dir := e.vars["imgs"]
	probe := dir + "/probe"
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return false, err
	}
	defer os.Remove(probe)
	for _, args := range [][]string{{"-C", dir}, {"+C", probe}, {"-C", probe}} {
		if exec.CommandContext(e.ctx, "chattr", args...).Run() != nil {
			e.t.Logf("NOCOW is not supported on %s (chattr %s failed): the attributes are not checked; run with TMPDIR on btrfs to check them", dir, args[0])
			return false, nil
		}
	}
	return true, nil
}

// branch runs then or otherwise depending on cond.
func branch(cond func(e *env) (bool, error), then, otherwise []step) step {
	return fn{"if NOCOW is supported on $imgs", func(e *env) error {
		ok, err := cond(e)
		if err != nil {
			return err
		}
		if ok {
			return e.runSteps(then)
		}
		return e.runSteps(otherwise)
	}}
}

// firstField is `read -r VAR _ <<<"$(CMD...)"`.
func firstField(v string, cmd ...string) step {
	return fn{"read -r " + v + " _ <<<$(" + strings.Join(cmd, " ") + ")", func(e *env) error {
		args, err := e.expandAll(cmd)
		if err != nil {
			return err
		}
		out, err := exec.CommandContext(e.ctx, args[0], args[1:]...).Output()
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		f := strings.Fields(string(out))
		if len(f) == 0 {
			return fmt.Errorf("%s printed nothing", args[0])
		}
		e.vars[v] = f[0]
		return nil
	}}
}

// sectorSteps is testcase_sector: test_sector for each logical sector size.
// Upstream attaches a loop device with that logical block size; on an image
// file the sector size is --sector-size=. util-linux 2.38's sfdisk reads
// only 512-byte sectors from a file, so for the others the table is read
// with fdisk -b and printed in sfdisk's dump format (sfdisk --verify is
// run for 512 only).
func sectorSteps() []step {
	s := []step{
		put("a.conf", "$defs/a.conf"),
		put("b.conf", "$defs/b.conf"),
		put("c.conf", "$defs/c.conf"),
	}
	for _, sector := range []int{512, 1024, 2048, 4096} {
		n := strconv.Itoa(sector)
		s = append(s,
			setVar("sector", n),
			setVar("node", "$imgs/$sector.img"),
			truncate("100m", "$imgs/"+n+".img"),
			repart("--offline=$OFFLINE", "--pretty=yes", "--definitions=$defs", "--seed=$seed", "--empty=require",
				"--dry-run=no", "--sector-size=$sector", "$imgs/$sector.img"),
		)
		if sector == 512 {
			s = append(s,
				tool("sfdisk", "--verify", "$node"),
				tool("sfdisk", "--dump", "$node").stdout("output"))
		} else {
			s = append(s, fdiskDump("output", "$node", sector))
		}
		s = append(s, sectorVars(), asserts("output", "sector.assert"))
	}
	return s
}

// sectorVars computes test_sector's expected starts and sizes.
func sectorVars() step {
	return check("ratio=$((sector/512)); start and size of each partition", func(e *env) error {
		n, err := ints(e, "sector", "size1_512", "size2_512", "size3_512")
		if err != nil {
			return err
		}
		ratio := n[0] / 512
		start := 2048 / ratio
		for i, size := range n[1:] {
			k := strconv.Itoa(i + 1)
			e.vars["start"+k] = strconv.FormatInt(start, 10)
			e.vars["size"+k] = strconv.FormatInt(size/ratio, 10)
			start += size / ratio
		}
		return nil
	})
}

// fdiskDump stores in VAR the partitions of IMAGE, read by `fdisk -b
// SECTOR`, as sfdisk --dump prints them. fdisk must print no warning.
func fdiskDump(v, image string, sector int) step {
	return fn{fmt.Sprintf("%s=$(fdisk -b %d -l %s, as sfdisk --dump)", v, sector, image), func(e *env) error {
		img, err := e.expand(image)
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(e.ctx, "fdisk", "-b", strconv.Itoa(sector), "-l",
			"-o", "Device,Start,Sectors,Type-UUID,UUID,Attrs,Name", img)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			return fmt.Errorf("fdisk: %v\n%s", err, stderr.String())
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			f := strings.Fields(l)
			if len(f) < 6 || !strings.HasPrefix(f[0], img) {
				continue
			}
			attrs, name := "", strings.Join(f[5:], " ")
			if len(f) >= 7 && strings.Contains(f[5], ":") {
				attrs, name = f[5], strings.Join(f[6:], " ")
			}
			line := fmt.Sprintf("%s : start=%12s, size=%12s, type=%s, uuid=%s, name=%q", f[0], f[1], f[2], f[3], f[4], name)
			if attrs != "" {
				line += fmt.Sprintf(", attrs=%q", attrs)
			}
			lines = append(lines, line)
		}
		e.vars[v] = strings.Join(lines, "\n")
		return nil
	}}
}

// droppedPartitionsSteps is testcase_dropped_partitions. Upstream passes
// no --offline.
func droppedPartitionsSteps() []step {
	return []step{
		setVar("image", "$workdir/image.img"),
		truncate("32M", "$image"),
		setVar("defs", "$workdir/defs"),
		mkdir("$defs"),
		put("10-part1.conf", "$defs/10-part1.conf"),
		put("11-dropped-first.conf", "$defs/11-dropped-first.conf"),
		put("12-part2.conf", "$defs/12-part2.conf"),
		put("13-dropped-second.conf", "$defs/13-dropped-second.conf"),
		repart("--empty=allow", "--pretty=yes", "--dry-run=no", "--definitions=$defs", "--offline=yes", "$image"),
		tool("sfdisk", "-q", "-l", "$image").stdout("output"),
		countLines("output", "$image", 2),
	}
}

// urandomSteps is testcase_urandom. Upstream passes no --offline.
func urandomSteps() []step {
	return []step{
		setVar("image", "$workdir/image.img"),
		truncate("32M", "$image"),
		setVar("defs", "$workdir/defs"),
		mkdir("$defs"),
		put("10-urandom.conf", "$defs/10-urandom.conf"),
		repart("--empty=force", "--pretty=yes", "--dry-run=no", "--definitions=$defs", "--offline=yes", "$image"),
		tool("sfdisk", "-q", "-l", "$image").stdout("output"),
		countLines("output", "$image", 1),
	}
}

func randomSeedSteps() []step {
	return []step{
		put("root.conf", "$defs/root.conf"),
		put("home.conf", "$defs/home.conf"),
		put("swap.conf", "$defs/swap.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--empty=create", "--size=1G", "--dry-run=no",
			"--seed=random", "--offline=$OFFLINE", "--json=pretty", "$imgs/zzz"),
		tool("sfdisk", "-d", "$imgs/zzz").stdout("output"),
		distinctField("output", "uuid=", 8, 3),
	}
}

// distinctField is `[[ "$(grep -F SUBSTR <<<"$VAR" | awk '{ print $N }' |
// sort -u | wc -l)" == "WANT" ]]`.
func distinctField(v, substr string, n, want int) step {
	return fn{fmt.Sprintf("grep -F %s <<<$%s | awk '{ print $%d }' | sort -u | wc -l == %d", substr, v, n, want), func(e *env) error {
		seen := map[string]bool{}
		for _, line := range strings.Split(e.vars[v], "\n") {
			if f := strings.Fields(line); strings.Contains(line, substr) && len(f) >= n {
				seen[f[n-1]] = true
			}
		}
		if len(seen) != want {
			return fmt.Errorf("%d distinct values, want %d:\n%s", len(seen), want, e.vars[v])
		}
		return nil
	}}
}

// fallbackPartitionsSteps is testcase_fallback_partitions. Upstream passes
// neither --seed (the machine ID seeds; no UUID is compared) nor --offline.
func fallbackPartitionsSteps() []step {
	run := func(args ...string) step {
		return repart(append(append(args, "--dry-run=no", "--definitions=$defs", "--offline=yes"), "$image")...)
	}
	return []step{
		setVar("image", "$workdir/image.img"),
		setVar("defs", "$workdir/defs"),
		mkdir("$defs"),
		put("10-esp.conf", "$defs/10-esp.conf"),
		put("20-xbootldr.conf", "$defs/20-xbootldr.conf"),
		// Blank disk => big ESP should be created
		run("--empty=create", "--size=auto"),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "1.assert"),
		// Disk with small ESP => ESP grows
		sfdiskLoad("$image", "2.sfdisk-in"),
		run(),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "2.assert"),
		// Disk with small ESP that can't grow => XBOOTLDR created
		truncate("400M", "$image"),
		sfdiskLoad("$image", "3.sfdisk-in"),
		run(),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "3.assert"),
		// Disk with existing XBOOTLDR partition => XBOOTLDR grows, small ESP created
		sfdiskLoad("$image", "4.sfdisk-in"),
		run(),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "4.assert"),
	}
}

func getSizeSteps() []step {
	return []step{
		put("a.conf", "$defs/a.conf"),
		put("b.conf", "$defs/b.conf"),
		repart("--definitions=$defs", "-").output("output"),
		asserts("output", "output.assert"),
	}
}

func insertIntoGapSteps() []step {
	return []step{
		truncate("71M", "$imgs/gap.img"),
		sfdiskLoad("$imgs/gap.img", "gap.img.sfdisk-in"),
		put("new.conf", "$defs/new.conf"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "$imgs/gap.img"),
		tool("sfdisk", "--dump", "$imgs/gap.img").stdout("output"),
		asserts("output", "gap.img.assert"),
	}
}

func distributeLeftoverSpaceSteps() []step {
	return []step{
		put("1-01-esp.conf", "$defs/01-esp.conf"),
		put("1-02-usr.conf", "$defs/02-usr.conf"),
		truncate("20M", "$imgs/leftover.img"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=allow",
			"$imgs/leftover.img"),
		tool("sfdisk", "--dump", "$imgs/leftover.img").stdout("output"),
		asserts("output", "leftover.img.assert"),
		rm("$defs/01-esp.conf", "$defs/02-usr.conf", "$imgs/leftover.img"),
		put("01-xbootldr.conf", "$defs/01-xbootldr.conf"),
		put("02-usr.conf", "$defs/02-usr.conf"),
		put("03-esp.conf", "$defs/03-esp.conf"),
		truncate("25M", "$imgs/leftover2.img"),
		sfdiskLoad("$imgs/leftover2.img", "leftover2.img.sfdisk-in"),
		repart("--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed", "--dry-run=no", "--empty=allow",
			"$imgs/leftover2.img"),
		tool("sfdisk", "--dump", "$imgs/leftover2.img").stdout("output"),
		asserts("output", "leftover2.img.assert"),
	}
}

func partitionNumberGapSteps() []step {
	run := func(args ...string) step {
		return repart(append(append([]string{"--offline=$OFFLINE", "--definitions=$defs", "--seed=$seed"}, args...),
			"--dry-run=no", "$image")...)
	}
	return []step{
		setVar("image", "$imgs/gap.img"),
		put("10-a.conf", "$defs/10-a.conf"),
		put("20-b.conf", "$defs/20-b.conf"),
		// Initially create two partitions with consecutive partition numbers.
		run("--empty=create", "--size=64M"),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "1.assert"),
		tool("sfdisk", "--delete", "$image", "1"),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "2.assert"),
		run(),
		tool("sfdisk", "-d", "$image").stdout("output"),
		asserts("output", "3.assert"),
		// A subsequent invocation should not rematch the definitions and modify
		// the partition table again.
		setVar("before", "$output"),
		run(),
		tool("sfdisk", "-d", "$image").stdout("after"),
		eq("$after", "$before"),
	}
}
