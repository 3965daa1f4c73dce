package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
)

// render is the markdown results: the machine, a summary against the
// issue's goals, then one table per tree and layout.
func render(c *config, res *results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# gorepart benchmark results\n\n")
	fmt.Fprintf(&b, "Produced by `bench/run%s` (see [README.md](README.md)), %s – %s UTC.\n\n",
		argString(c.argv), res.started.Format("2006-01-02 15:04"), res.finished.Format("15:04"))
	b.WriteString(machine(c))
	fmt.Fprintf(&b, "- load average (1, 5, 15 min) at the start: %s; at the end: %s (on %d CPUs)\n", res.loadStart, res.loadEnd, runtime.NumCPU())
	b.WriteString("\n## Goals\n\n")
	b.WriteString("Speed-ups are the other build's median wall time divided by gorepart's; ")
	b.WriteString("the floor is reading every byte of the tree (`tar … | cat`) plus writing the image size with `dd`.\n\n")
	b.WriteString("| tree | layout | gorepart | vs mkfs tools | vs systemd-repart (goal ≥ 5×) | gorepart ÷ floor (goal ≤ 1.5× on large) | peak RSS (goal ≤ 256 MiB) |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, tr := range res.trees {
		for _, lr := range tr.layouts {
			g := lr.row(bGorepart)
			floor, ok := lr.floor()
			vsFloor := "—"
			if g.ok() && ok {
				vsFloor = fmt.Sprintf("%.2f×", g.median.Seconds()/floor.Seconds())
			}
			rss := "—"
			if g.ok() {
				rss = fmtKiB(g.rssKiB)
				if g.rssKiB > 256<<10 {
					rss += " (over)"
				}
			}
			fmt.Fprintf(&b, "| %s | (%s) | %s | %s | %s | %s | %s |\n", tr.tree.scale, lr.layout.id, cell(g),
				speedup(lr.row(bTools), g), speedup(lr.row(bRepart), g), vsFloor, rss)
		}
	}
	for _, tr := range res.trees {
		t := tr.tree
		fmt.Fprintf(&b, "\n## %s tree\n\n`gen-store.py --scale %s --seed %d`: %s\n", t.scale, t.scale, treeSeed, t.line)
		fmt.Fprintf(&b, "\nESP tree (layouts a, c): %s.\n", espDescription(t.scale))
		for _, lr := range tr.layouts {
			fmt.Fprintf(&b, "\n### %s tree, layout (%s): %s\n\n```\n%s```\n\n", t.scale, lr.layout.id, lr.layout.title, lr.defs)
			b.WriteString("| build | runs | wall time (median) | ÷ gorepart | peak RSS | output size (allocated) |\n")
			b.WriteString("|---|---|---|---|---|---|\n")
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
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", strings.ReplaceAll(s.name, "|", "\\|"), s.runs, cell(s), ratio, rss, size)
			}
			if floor, ok := lr.floor(); ok {
				ratio := "—"
				if g.ok() {
					ratio = fmt.Sprintf("%.2f×", floor.Seconds()/g.median.Seconds())
				}
				fmt.Fprintf(&b, "| floor: tar … \\| cat + dd | | %s | %s | | |\n", fmtDur(floor), ratio)
			}
			if tools := lr.row(bTools); tools.ok() && len(tools.steps) > 0 {
				fmt.Fprintf(&b, "\nmkfs tools, time by step (median run): %s.\n", stepString(tools.steps))
			}
			for _, s := range lr.rows {
				if s.err != nil && !unsupported(s.err) {
					fmt.Fprintf(&b, "\n%s failed: `%s`\n", s.name, strings.ReplaceAll(s.err.Error(), "`", "'"))
				}
			}
		}
	}
	b.WriteString(notes)
	return b.String()
}

const notes = `
## How to read this

- Every build runs with a warm page cache (the tree is read once before the first run), and the
  builds of a layout are interleaved run by run, so that load changes on the machine hit all of them.
- "mkfs tools as systemd-repart runs them" replays what ` + "`systemd-repart --offline=yes`" + ` does
  (spec §8.1, §8.2, §3.7): copy the tree into a staging directory (` + "`cp -a`" + `), run the mkfs tool on
  a temporary file (` + "`mkfs.vfat`" + ` then ` + "`mmd`" + `/batched ` + "`mcopy`" + ` per directory; ` + "`mkfs.ext4 -d`" + ` with repart's
  options, twice for Minimize=guess — first on a sparse 1 TiB file, then at allocated bytes × 1.5;
  ` + "`mkfs.erofs`" + `; ` + "`veritysetup format`" + `), write the GPT with ` + "`sfdisk`" + `, copy each partition in with ` + "`dd`" + `
  (sparse, fsync) and remove the staging directory. Partition sizes follow repart's rules (260 MiB
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
		if strings.HasPrefix(a, "-gorepart") || strings.HasPrefix(a, "-repo") ||
			strings.HasPrefix(a, "--gorepart") || strings.HasPrefix(a, "--repo") {
			continue
		}
		s += " " + a
	}
	return s
}

func espDescription(scale string) string {
	var parts []string
	for _, f := range espFiles(scale) {
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
