package main

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// render is the markdown results: the machine, a summary against the
// issue's goals, then one table per tree and layout.
func render(c *config, res *results) string {
	var b strings.Builder
	if espOnly(c.layouts) {
		fmt.Fprintf(&b, "# gorepart benchmark results: the ESP alone (layout e, issue #5)\n\n")
		b.WriteString("Layouts a, b, c and d are in [RESULTS.md](RESULTS.md).\n\n")
	} else {
		fmt.Fprintf(&b, "# gorepart benchmark results\n\n")
		if !slices.Contains(c.layouts, "e") {
			b.WriteString("Layout (e), the ESP alone of issue #5, is in [RESULTS-esp.md](RESULTS-esp.md).\n\n")
		}
	}
	fmt.Fprintf(&b, "Produced by `bench/run%s` (see [README.md](README.md)), %s – %s UTC.\n\n",
		argString(c.argv), res.started.Format("2006-01-02 15:04"), res.finished.Format("15:04"))
	if len(res.pending) > 0 {
		fmt.Fprintf(&b, "**Incomplete**: the run wrote this file at %s UTC and had not measured %s yet "+
			"(it was stopped, or is still running).\n\n", res.finished.Format("15:04"), strings.Join(res.pending, ", "))
	}
	b.WriteString(machine(c))
	fmt.Fprintf(&b, "- load average (1, 5, 15 min) at the start: %s; at the end: %s (on %d CPUs)\n", res.loadStart, res.loadEnd, runtime.NumCPU())
	b.WriteString("\n## Goals\n\n")
	b.WriteString("Speed-ups are the other build's median wall time divided by gorepart's; ")
	b.WriteString("the floor is reading every byte of the tree (`tar … | cat`) plus writing the image size with `dd`; ")
	b.WriteString("the overlapped floor (issue #21's) runs the two at once.\n\n")
	b.WriteString("| tree | layout | gorepart | vs bare mkfs tools | vs mkfs tools | vs systemd-repart (goal ≥ 5×) | gorepart ÷ floor (goal ≤ 1.5× on large) | gorepart ÷ overlapped floor (issue #21: ≤ 1.3× for (b) on large) | peak RSS (goal ≤ 256 MiB) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, tr := range res.trees {
		for _, lr := range tr.layouts {
			g := lr.row(bGorepart)
			floor, ok := lr.floor()
			vsFloor := "—"
			if g.ok() && ok {
				vsFloor = fmt.Sprintf("%.2f×", g.median.Seconds()/floor.Seconds())
			}
			vsOverlap := "—"
			if o := lr.row(bOverlap); g.ok() && o.ok() {
				vsOverlap = fmt.Sprintf("%.2f×", g.median.Seconds()/o.median.Seconds())
			}
			rss := "—"
			if g.ok() {
				rss = fmtKiB(g.rssKiB)
				if g.rssKiB > 256<<10 {
					rss += " (over)"
				}
			}
			bare := "—"
			if lr.layout.bare != nil {
				bare = lr.speedupGoal(bBare)
			}
			fmt.Fprintf(&b, "| %s | (%s) | %s | %s | %s | %s | %s | %s | %s |\n", tr.tree.scale, lr.layout.id, cell(g),
				bare, lr.speedupGoal(bTools), lr.speedupGoal(bRepart), vsFloor, vsOverlap, rss)
		}
	}
	b.WriteString(rssDoubling(res))
	for _, tr := range res.trees {
		t := tr.tree
		fmt.Fprintf(&b, "\n## %s tree\n", t.scale)
		if t.dir != "" {
			fmt.Fprintf(&b, "\n`gen-store %s`: %s\n", strings.Join(findScale(t.scale).genArgs(), " "), t.line)
		}
		if t.esp != "" {
			fmt.Fprintf(&b, "\nESP tree (layouts a, c): %s.\n", espDescription(espFiles(findScale(t.scale).espScale)))
		}
		if t.esp200 != "" {
			fs := esp200Files()
			var drivers, rest []espFile
			for _, f := range fs {
				if strings.HasPrefix(f.path, "EFI/drivers/") {
					drivers = append(drivers, f)
				} else {
					rest = append(rest, f)
				}
			}
			fmt.Fprintf(&b, "\nESP200 tree (layout e, the same at every scale), %d files, %d bytes: %s, and %d drivers EFI/drivers/driver-number-NN.efi (%s to %s).\n",
				len(fs), espBytes(fs), espDescription(rest), len(drivers), fmtSize(drivers[0].size), fmtSize(drivers[len(drivers)-1].size))
		}
		for _, lr := range tr.layouts {
			fmt.Fprintf(&b, "\n### %s tree, layout (%s): %s\n\n```\n%s```\n\n", t.scale, lr.layout.id, lr.layout.title, lr.defs)
			b.WriteString("| build | runs | wall time (median) | fastest – slowest run | ÷ gorepart | peak RSS | output size (allocated) |\n")
			b.WriteString("|---|---|---|---|---|---|---|\n")
			g := lr.row(bGorepart)
			for _, s := range lr.rows {
				ratio := "—"
				if s.ok() && g.ok() {
					ratio = fmt.Sprintf("%.2f×", s.median.Seconds()/g.median.Seconds())
				}
				rss, size := "—", "—"
				if s.ok() {
					rss = fmtKiB(s.rssKiB)
					if s.size >= 0 {
						size = fmt.Sprintf("%s (%s)", fmtBytes(s.size), fmtBytes(s.alloc))
					}
				}
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s |\n", strings.ReplaceAll(s.name, "|", "\\|"), s.runs, cell(s), spread(s), ratio, rss, size)
			}
			if floor, ok := lr.floor(); ok {
				ratio := "—"
				if g.ok() {
					ratio = fmt.Sprintf("%.2f×", floor.Seconds()/g.median.Seconds())
				}
				fmt.Fprintf(&b, "| floor: tar … \\| cat + dd | | %s | | %s | | |\n", fmtDur(floor), ratio)
			}
			tools := lr.row(bTools)
			vfats := tools.stepsTimes(vfatSteps...)
			hasVfat := len(vfats) > 0
			var vfat time.Duration
			if hasVfat {
				vfat = median(vfats)
			}
			if tools.ok() && hasVfat && !lr.layout.store {
				ratio := "—"
				if g.ok() {
					ratio = fmt.Sprintf("%.2f×", vfat.Seconds()/g.median.Seconds())
				}
				fmt.Fprintf(&b, "| of the mkfs tools: `mkfs.vfat` + `mmd` + `mcopy` alone | %d | %s | %s | %s | | |\n",
					len(vfats), fmtDur(vfat), spread(summary{runs: len(vfats), walls: vfats}), ratio)
			}
			if tools.ok() && len(tools.steps) > 0 {
				fmt.Fprintf(&b, "\nmkfs tools, time by step (median run): %s", stepString(tools.steps))
				if hasVfat {
					fmt.Fprintf(&b, "; mkfs.vfat + mmd + mcopy alone %.2f s (median of the runs' sums)", vfat.Seconds())
				}
				b.WriteString(".\n")
			}
			for _, s := range lr.rows {
				if s.err != nil && !unsupported(s.err) {
					fmt.Fprintf(&b, "\n%s failed: `%s`\n", s.name, strings.ReplaceAll(s.err.Error(), "`", "'"))
				}
			}
		}
	}
	b.WriteString(notes)
	if slices.Contains(c.layouts, "e") {
		b.WriteString(notesESP)
	}
	return b.String()
}

// rssDoubling is the table of gorepart's peak RSS on the large tree and
// on the doubled one, per layout measured on both; "" without both trees.
func rssDoubling(res *results) string {
	var large, large2x *treeResult
	for i := range res.trees {
		switch res.trees[i].tree.scale {
		case "large":
			large = &res.trees[i]
		case "large2x":
			large2x = &res.trees[i]
		}
	}
	if large == nil || large2x == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Peak RSS when the tree doubles\n\n")
	fmt.Fprintf(&b, "Issue #6's goal: peak RSS ≤ 256 MiB on the large tree, and flat when the tree doubles. "+
		"large2x has %.2f× the large tree's entries (files, symlinks, directories) and %.2f× its bytes; "+
		"gorepart's peak RSS on each (largest of its runs). 1.00× is flat; memory in proportion to the entries would be %.2f×.\n\n",
		ratio(large2x.tree.entries(), large.tree.entries()), ratio(large2x.tree.stats["bytes"], large.tree.stats["bytes"]),
		ratio(large2x.tree.entries(), large.tree.entries()))
	b.WriteString("| layout | peak RSS on large (goal ≤ 256 MiB) | peak RSS on large2x | large2x ÷ large (goal: flat) |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, lr := range large.layouts {
		var lr2 *layoutResult
		for i := range large2x.layouts {
			if large2x.layouts[i].layout.id == lr.layout.id {
				lr2 = &large2x.layouts[i]
			}
		}
		if lr2 == nil {
			continue
		}
		g, g2 := lr.row(bGorepart), lr2.row(bGorepart)
		small, big, r := "—", "—", "—"
		if g.ok() {
			small = fmtKiB(g.rssKiB)
			if g.rssKiB > 256<<10 {
				small += " (over)"
			}
		} else {
			small = cell(g)
		}
		if g2.ok() {
			big = fmtKiB(g2.rssKiB)
		} else {
			big = cell(g2)
		}
		if g.ok() && g2.ok() {
			r = fmt.Sprintf("%.2f×", ratio(g2.rssKiB, g.rssKiB))
		}
		fmt.Fprintf(&b, "| (%s) | %s | %s | %s |\n", lr.layout.id, small, big, r)
	}
	return b.String()
}

// ratio is a / b, 0 when b is 0.
func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// vfatSteps are the steps of the vfat partition proper, without staging,
// the GPT and the copy into the image.
var vfatSteps = []string{"mkfs.vfat", "mmd", "mcopy"}

// espOnly tells whether the run measures layout e alone: its results go
// to RESULTS-esp.md.
func espOnly(ids []string) bool { return len(ids) == 1 && ids[0] == "e" }

const notes = `
## How to read this

- Every build runs with a warm page cache (the tree is read once before the first run), and the
  builds of a layout are interleaved run by run, so that load changes on the machine hit all of them.
- "mkfs tools, bare" (layout d, issue #21) runs ` + "`mkfs.vfat`" + ` + ` + "`mmd`" + `/` + "`mcopy`" + ` of the ESP tree, ` + "`mkfs.ext4 -d`" + ` and
  ` + "`mkfs.erofs`" + ` of the store tree one after another, each into a file of its own, reading the trees where they
  are: no staging copy, no partition table, nothing copied into an image, no fsync but the one
  ` + "`mkfs.ext4`" + ` makes of its file. It is what the filesystems cost with the usual tools alone.
- "mkfs tools as systemd-repart runs them" replays what ` + "`systemd-repart --offline=yes`" + ` does
  (spec §8.1, §8.2, §3.7): copy the tree into a staging directory (` + "`cp -a`" + `), run the mkfs tool on
  a temporary file (` + "`mkfs.vfat`" + ` then ` + "`mmd`" + `/batched ` + "`mcopy`" + ` per directory; ` + "`mkfs.ext4 -d`" + ` with repart's
  options, twice for Minimize=guess — first on a sparse 1 TiB file, then at allocated bytes × 1.5;
  ` + "`mkfs.erofs`" + `; ` + "`veritysetup format`" + `), write the GPT with ` + "`sfdisk`" + `, copy each temporary file in at its partition's
  offset as repart does (data extents only, SEEK_DATA/SEEK_HOLE and ` + "`copy_file_range`" + `), fsync the image
  and remove the staging directory. Partition sizes follow repart's rules (260 MiB
  minimum for a vfat ESP with 4096-byte sectors, ` + "`--size=auto`" + ` geometry).
- Minimize=guess for ext4 sizes the second mkfs from the first pass's allocated bytes (SEEK_DATA
  walk, ` + "`fd_apparent_size()`" + `) plus half; ` + "`mkfs.ext4 -T default`" + ` then gives one inode per 16 KiB, which is
  too few for a store of many small files: ` + "`mkfs.ext4`" + ` fails with "Could not allocate inode", and
  so would systemd-repart on this tree. gorepart starts from the exact minimum its ext4 writer needs
  for the tree (blocks and inodes).
- "unsupported" means gorepart refused a ` + "`Format=`" + ` whose writer has not landed yet; rerun ` + "`bench/run`" + `
  to fill the cell.
- GNU tar does not read file contents when its archive is ` + "`/dev/null`" + `, so the issue's
  ` + "`tar … > /dev/null`" + ` row measures the metadata walk only; the floor uses the piped variant,
  which reads every byte.
- Peak RSS is the largest ` + "`ru_maxrss`" + ` among a build's processes (wait4), not their sum.
- Output size is the image's length and, in parentheses, the bytes allocated to it (images are sparse).
`

const notesESP = `- Layout (e) is issue #5's benchmark: gorepart's vfat writer against ` + "`mkfs.vfat` + `mcopy`" + ` the way
  systemd-repart runs them (spec §8.2), on one 200 MB ESP-like tree in a fixed 400 MiB ESP. Its
  "mkfs tools" row is repart's whole offline pipeline: ` + "`cp -a`" + ` into a staging directory, a temporary
  file of the partition's size, ` + "`mkfs.vfat -i 70E624A3 -n ESP -F 32 -S 4096`" + `, ` + "`mmd`" + ` and batched
  ` + "`mcopy -p -Q -m`" + ` per directory in sorted order (` + "`MTOOLS_SKIP_CHECK=1 TZ=UTC SOURCE_DATE_EPOCH=1`" + `), the
  GPT with ` + "`sfdisk`" + `, the file's data copied in at the partition's offset with ` + "`copy_file_range`" + `, the
  image fsynced, staging removed. The row under it is the ` + "`mkfs.vfat` + `mmd` + `mcopy`" + ` part of it alone (median over
  the runs of their summed times), the issue's comparison in the narrowest sense. The floors read
  the ESP tree, not the store.
`

// row returns the summary of the named build.
func (lr layoutResult) row(name string) summary {
	for _, s := range lr.rows {
		if s.name == name {
			return s
		}
	}
	return summary{name: name, note: "not run"}
}

// floor is the piped tar plus dd time.
func (lr layoutResult) floor() (time.Duration, bool) {
	t, d := lr.row(bTarRead), lr.row(bDD)
	if !t.ok() || !d.ok() {
		return 0, false
	}
	return t.median + d.median, true
}

func (s summary) ok() bool { return s.note == "" && s.err == nil && s.runs > 0 }

// cell is a build's time, or why there is none.
func cell(s summary) string {
	switch {
	case s.note != "":
		return s.note
	case s.err != nil && unsupported(s.err):
		return "unsupported (" + unsupportedFormat(s.err) + ")"
	case s.err != nil:
		return "failed"
	case s.runs == 0:
		return "not run"
	}
	return fmtDur(s.median)
}

// spread is the fastest and the slowest run's time, "—" without runs.
func spread(s summary) string {
	if s.note != "" || s.err != nil || len(s.walls) == 0 {
		return "—"
	}
	return fmtDur(slices.Min(s.walls)) + " – " + fmtDur(slices.Max(s.walls))
}

// speedupGoal is the speed-up over the named build, with whether the
// layout's goal against it, if any, is met.
func (lr layoutResult) speedupGoal(name string) string {
	other, g := lr.row(name), lr.row(bGorepart)
	out := speedup(other, g)
	for _, gl := range lr.layout.goals {
		if gl.build != name || !other.ok() || !g.ok() {
			continue
		}
		met := "met"
		if other.median.Seconds() < gl.factor*g.median.Seconds() {
			met = "not met"
		}
		out += fmt.Sprintf(" (%s goal, %s)", gl.text, met)
	}
	return out
}

// speedup is other's time over gorepart's, or why there is none.
func speedup(other, g summary) string {
	if !other.ok() {
		return cell(other)
	}
	if !g.ok() {
		return "—"
	}
	return fmt.Sprintf("%.1f×", other.median.Seconds()/g.median.Seconds())
}

// unsupported tells whether gorepart refused a format it does not write yet.
func unsupported(err error) bool {
	return strings.Contains(err.Error(), "is not supported yet")
}

// unsupportedFormat extracts "Format= ext4" from gorepart's refusal.
func unsupportedFormat(err error) string {
	msg := err.Error()
	i := strings.Index(msg, "Format=")
	j := strings.Index(msg, " is not supported yet")
	if i < 0 || j < i {
		return "Format="
	}
	return msg[i:j]
}

func fmtDur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.0f ms", d.Seconds()*1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func fmtKiB(k int64) string { return fmt.Sprintf("%.0f MiB", float64(k)/1024) }

func fmtBytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func argString(argv []string) string {
	var s string
	for _, a := range argv {
		// bench/run passes -gorepart, -repo and -built; -out does not change what is measured.
		if n := strings.TrimLeft(a, "-"); strings.HasPrefix(n, "gorepart") || strings.HasPrefix(n, "repo") ||
			strings.HasPrefix(n, "out") || strings.HasPrefix(n, "built") {
			continue
		}
		s += " " + a
	}
	return s
}

func espDescription(files []espFile) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, fmt.Sprintf("%s (%s)", f.path, fmtSize(f.size)))
	}
	return strings.Join(parts, ", ")
}

func fmtSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func sortStrings(s []string) { sort.Strings(s) }
