package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMedianAndSummary(t *testing.T) {
	s := summarize("x", []outcome{
		{wall: 3 * time.Second, rssKiB: 10, size: 5, steps: []step{{"cp", 3 * time.Second}}},
		{wall: 1 * time.Second, rssKiB: 30, size: 5},
		{wall: 2 * time.Second, rssKiB: 20, size: 5, steps: []step{{"cp", 2 * time.Second}}},
	})
	if s.median != 2*time.Second || s.rssKiB != 30 || s.runs != 3 || s.err != nil {
		t.Fatalf("summary = %+v, want median 2s, rss 30, 3 runs", s)
	}
	if len(s.walls) != 3 || spread(s) != "1.00 s – 3.00 s" {
		t.Fatalf("walls %v, spread %q", s.walls, spread(s))
	}
	if len(s.steps) != 1 || s.steps[0].d != 2*time.Second {
		t.Fatalf("steps = %v, want the median run's", s.steps)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Fatalf("median of 4 = %v, want the lower middle 2", got)
	}
	f := summarize("y", []outcome{{wall: time.Second}, {err: errors.New("boom")}})
	if f.err == nil || f.ok() {
		t.Fatalf("a failed run must fail the build: %+v", f)
	}
}

func TestCells(t *testing.T) {
	unsup := summary{err: errors.New("gorepart: exit status 1: gorepart: d/10-root.conf:3: Format= ext4 is not supported yet")}
	if got := cell(unsup); got != "unsupported (Format= ext4)" {
		t.Fatalf("cell = %q", got)
	}
	if got := cell(summary{err: errors.New("mkfs.ext4: Could not allocate inode")}); got != "failed" {
		t.Fatalf("cell = %q", got)
	}
	if got := cell(summary{note: "n/a (252 < 254)"}); got != "n/a (252 < 254)" {
		t.Fatalf("cell = %q", got)
	}
	g := summary{runs: 3, median: 2 * time.Second}
	if got := speedup(summary{runs: 3, median: 11 * time.Second}, g); got != "5.5×" {
		t.Fatalf("speedup = %q", got)
	}
	if got := speedup(summary{runs: 3, median: time.Second}, unsup); got != "—" {
		t.Fatalf("speedup without gorepart = %q", got)
	}
}

func TestParseStats(t *testing.T) {
	m := parseStats("scale=tiny seed=1 paths=20 files=2010 (+3 hardlinks) symlinks=54 dirs=934 empty_dirs=7 bytes=25903377 (24.7 MiB)")
	if m["files"] != 2010 || m["symlinks"] != 54 || m["dirs"] != 934 || m["bytes"] != 25903377 {
		t.Fatalf("stats = %v", m)
	}
	tr := &tree{stats: m}
	esp, root := fixedSizes(tr)
	if esp != 300*mib || root%(64*mib) != 0 || root < 2*m["bytes"] || root < tr.entries()*16384 {
		t.Fatalf("fixed sizes %d, %d", esp, root)
	}
}

func TestRenderMarksRowsAndEscapesPipes(t *testing.T) {
	c := &config{runs: 3, argv: []string{"-trees=small", "-built=0123456789ab"}, built: "0123456789ab", repo: ".", cache: t.TempDir(), repart: "true"}
	lr := layoutResult{layout: &layouts[0], defs: "00-esp.conf: Type=esp\n", rows: []summary{
		{name: bGorepart, runs: 3, median: time.Second, rssKiB: 100 << 10, size: 1 << 20},
		{name: bTools, runs: 3, median: 9 * time.Second, rssKiB: 50 << 10, size: 1 << 20, steps: []step{{"cp", time.Second}},
			walls: []time.Duration{10 * time.Second, 9 * time.Second, 8500 * time.Millisecond}},
		{name: bRepart, note: "n/a (252 < 254)"},
		{name: bTar, runs: 3, median: time.Second / 2},
		{name: bTarRead, runs: 3, median: time.Second / 2},
		{name: bDD, runs: 3, median: time.Second / 4, size: 1 << 20},
	}}
	res := &results{trees: []treeResult{{tree: &tree{scale: "small", line: "files=1"}, layouts: []layoutResult{lr}}}}
	out := render(c, res)
	wantIn(t, out,
		"| small | (a) | 1.00 s | — | 9.0× | n/a (252 < 254) | 1.33× | — | 100 MiB |",
		"| mkfs tools as systemd-repart runs them | 3 | 9.00 s | 8.50 s – 10.00 s | 9.00× | 50 MiB | 1.0 MiB (0.0 MiB) |",
		"| systemd-repart --offline=yes | 0 | n/a (252 < 254) | — | — | — | — |",
		"`tar -cf - -C TREE . \\| cat > /dev/null`",
		"time by step (median run): cp 1.00 s.",
		"Produced by `bench/run -trees=small`",
		"- gorepart: commit 0123456789ab (built from `git archive` of HEAD",
	)
}

// TestRenderBare: layout (d)'s bare mkfs tools row, and issue #21's two
// goals in the Goals table.
func TestRenderBare(t *testing.T) {
	c := &config{runs: 5, argv: []string{"-trees=small", "-layouts=d"}, layouts: []string{"d"}, repo: ".", cache: t.TempDir(), repart: "true"}
	lr := layoutResult{layout: findLayout("d"), defs: "00-esp.conf: Type=esp\n", rows: []summary{
		{name: bGorepart, runs: 5, median: time.Second, rssKiB: 60 << 10, size: 1 << 30},
		{name: bBare, runs: 5, median: 3 * time.Second, rssKiB: 170 << 10, size: -1, walls: []time.Duration{3 * time.Second}},
		{name: bTools, runs: 5, median: 9 * time.Second},
		{name: bRepart, runs: 5, median: 8 * time.Second},
		{name: bTar, runs: 5, median: time.Second / 10},
		{name: bTarRead, runs: 5, median: time.Second / 5},
		{name: bDD, runs: 5, median: time.Second, size: 1 << 30},
		{name: bOverlap, runs: 5, median: 4 * time.Second / 5, size: 1 << 30},
	}}
	res := &results{trees: []treeResult{{tree: &tree{scale: "small"}, layouts: []layoutResult{lr}}}}
	out := render(c, res)
	wantIn(t, out,
		"| small | (d) | 1.00 s | 3.0× (issue #21: ≥ 2.5× goal, met) | 9.0× | 8.0× (issue #21: ≥ 10× goal, not met) | 0.83× | 1.25× | 60 MiB |",
		"| mkfs tools, bare (no staging, table, copy or fsync) | 5 | 3.00 s | 3.00 s – 3.00 s | 3.00× | 170 MiB | — |",
		"\"mkfs tools, bare\" (layout d, issue #21)",
		"| floor: `tar … \\| cat` and `dd` at once | 5 | 800 ms |",
	)
}

func TestRenderESP(t *testing.T) {
	c := &config{runs: 9, argv: []string{"-trees=small", "-layouts=e", "-out=/tmp/x.md"}, layouts: []string{"e"},
		repo: ".", cache: t.TempDir(), repart: "true"}
	lr := layoutResult{layout: findLayout("e"), defs: "00-esp.conf: Type=esp\n", rows: []summary{
		{name: bGorepart, runs: 9, median: time.Second, rssKiB: 30 << 10, size: 401 << 20},
		{name: bTools, runs: 9, median: 6 * time.Second, rssKiB: 11 << 10, size: 401 << 20,
			steps: []step{{"cp", time.Second}, {"mkfs.vfat", time.Second / 10}, {"mmd", time.Second / 10}, {"mcopy", 2 * time.Second}},
			all: [][]step{
				{{"mkfs.vfat", time.Second / 10}, {"mmd", time.Second / 10}, {"mcopy", 2 * time.Second}},
				{{"mkfs.vfat", time.Second / 10}, {"mmd", time.Second / 10}, {"mcopy", 4 * time.Second}},
				{{"mkfs.vfat", time.Second / 10}, {"mmd", time.Second / 10}, {"mcopy", 3 * time.Second}},
			}},
		{name: bRepart, runs: 9, median: 4 * time.Second},
		{name: bTar, runs: 9, median: time.Second / 10},
		{name: bTarRead, runs: 9, median: time.Second / 5},
		{name: bDD, runs: 9, median: time.Second, size: 401 << 20},
	}}
	res := &results{trees: []treeResult{{tree: &tree{scale: "small", esp200: "/c/esp-200"}, layouts: []layoutResult{lr}}}}
	out := render(c, res)
	wantIn(t, out,
		"# gorepart benchmark results: the ESP alone (layout e, issue #5)",
		"Layouts a, b, c and d are in [RESULTS.md](RESULTS.md).",
		"Produced by `bench/run -trees=small -layouts=e`",
		"| small | (e) | 1.00 s | — | 6.0× (issue #5: ≥ 5× goal, met) | 4.0× | 0.83× | — | 30 MiB |",
		"| of the mkfs tools: `mkfs.vfat` + `mmd` + `mcopy` alone | 3 | 3.20 s | 2.20 s – 4.20 s | 3.20× | | |",
		"; mkfs.vfat + mmd + mcopy alone 3.20 s (median of the runs' sums).",
		"ESP200 tree (layout e, the same at every scale), 49 files,",
		"EFI/Linux/appliance_44+3.efi (48 MiB)",
		"Layout (e) is issue #5's benchmark",
	)
	for _, unwanted := range []string{"gen-store -scale", "ESP tree (layouts a, c)"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("results of layout e alone mention %q", unwanted)
		}
	}
	lr.rows[1].median = 4 * time.Second
	if out := render(c, res); !strings.Contains(out, "| 4.0× (issue #5: ≥ 5× goal, not met) |") {
		t.Errorf("a 4× speed-up must say the goal is not met:\n%s", out)
	}
}

func TestFlagDefaults(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		layouts string
		out     string
	}{
		{nil, "a,b,c,d", "bench/RESULTS.md"},
		{[]string{"-layouts=e"}, "e", "bench/RESULTS-esp.md"},
		{[]string{"-layouts=a,e"}, "a,e", "bench/RESULTS.md"},
		{[]string{"-quick"}, "a,b,c,d,e", ""},
		{[]string{"-quick", "-layouts=b"}, "b", ""},
		{[]string{"-layouts=e", "-out=/tmp/x.md"}, "e", "/tmp/x.md"},
	} {
		c, err := parseFlags(append([]string{"-gorepart=g", "-repo=R"}, tc.args...), io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		out := c.out
		if rel, err := filepath.Rel("R", out); err == nil && !strings.HasPrefix(rel, "..") {
			out = rel
		}
		if got := strings.Join(c.layouts, ","); got != tc.layouts || out != tc.out {
			t.Errorf("%v: layouts %s, out %q; want %s, %q", tc.args, got, out, tc.layouts, tc.out)
		}
	}
	if _, err := parseFlags([]string{"-gorepart=g", "-layouts=f"}, io.Discard); err == nil {
		t.Error("-layouts=f accepted")
	}
}

func TestESPTreeIsAbout200MB(t *testing.T) {
	fs := esp200Files()
	n := espBytes(fs)
	if n < 195e6 || n > 210e6 {
		t.Fatalf("the ESP200 tree holds %d bytes, want about 200 MB", n)
	}
	if n > espESize*9/10 {
		t.Fatalf("the ESP200 tree (%d bytes) does not leave room in the %d-byte ESP", n, espESize)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.path] {
			t.Fatalf("%s twice", f.path)
		}
		seen[f.path] = true
	}
}

func TestEnsureFilesRewritesAnotherTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "esp")
	files := []espFile{{"a/b.efi", 5000}, {"c Ünï.conf", 0}}
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a/b.efi"), make([]byte, 4000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ensureFiles(dir, files, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !sameFiles(dir, files) {
		t.Fatal("ensureFiles kept a tree with other sizes")
	}
	stamp := time.Unix(1, 0)
	if err := os.Chtimes(filepath.Join(dir, "a/b.efi"), stamp, stamp); err != nil {
		t.Fatal(err)
	}
	if _, err := ensureFiles(dir, files, io.Discard); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "a/b.efi")); err != nil || !fi.ModTime().Equal(stamp) {
		t.Fatalf("ensureFiles wrote a current tree again (%v)", err)
	}
}

// doubledResults is a run over large and large2x, layouts a and b, with
// gorepart's peak RSS given per tree and layout.
func doubledResults(rss map[string]int64) *results {
	large := &tree{scale: "large", dir: "/c/large-1", line: "files=100",
		stats: map[string]int64{"files": 100, "symlinks": 0, "dirs": 50, "bytes": 1000}}
	large2x := &tree{scale: "large2x", dir: "/c/large-2x", esp: "/c/esp-large", line: "files=200",
		stats: map[string]int64{"files": 200, "symlinks": 0, "dirs": 100, "bytes": 2100}}
	res := &results{}
	for _, t := range []*tree{large, large2x} {
		tr := treeResult{tree: t}
		for _, id := range []string{"a", "b"} {
			tr.layouts = append(tr.layouts, layoutResult{layout: findLayout(id), rows: []summary{
				{name: bGorepart, runs: 3, median: time.Second, rssKiB: rss[t.scale+id]},
				{name: bTools, note: "not run (-large-tool-runs=0)"},
			}})
		}
		res.trees = append(res.trees, tr)
	}
	return res
}

func TestRenderRSSWhenTheTreeDoubles(t *testing.T) {
	c := &config{runs: 3, argv: []string{"-trees=large,large2x"}, layouts: []string{"a", "b"}, repo: ".", cache: t.TempDir(), repart: "true"}
	res := doubledResults(map[string]int64{"largea": 200 << 10, "large2xa": 220 << 10, "largeb": 300 << 10, "large2xb": 600 << 10})
	out := render(c, res)
	wantIn(t, out,
		"### Peak RSS when the tree doubles",
		"Issue #6's goal: peak RSS ≤ 256 MiB on the large tree, and flat when the tree doubles.",
		"large2x has 2.00× the large tree's entries (files, symlinks, directories) and 2.10× its bytes",
		"memory in proportion to the entries would be 2.00×",
		"| layout | peak RSS on large (goal ≤ 256 MiB) | peak RSS on large2x | large2x ÷ large (goal: flat) |",
		"| (a) | 200 MiB | 220 MiB | 1.10× |",
		"| (b) | 300 MiB (over) | 600 MiB | 2.00× |",
		"| large2x | (a) | 1.00 s | — | not run (-large-tool-runs=0) |",
		"| mkfs tools as systemd-repart runs them | 0 | not run (-large-tool-runs=0) | — | — | — | — |",
		"`gen-store -scale large -paths 3000 -seed 1`: files=200",
		"`gen-store -scale large -seed 1`: files=100",
		"ESP tree (layouts a, c): EFI/BOOT/BOOTX64.EFI (120 KiB), EFI/systemd/systemd-bootx64.efi (120 KiB), EFI/Linux/nixos-generation-1.efi (48 MiB)",
	)
	if strings.Contains(out, "Incomplete") {
		t.Errorf("a finished run says it is incomplete:\n%s", out)
	}

	// gorepart failing on one tree: the cell says so, no ratio.
	res.trees[1].layouts[0].rows[0] = summary{name: bGorepart, err: errors.New("exit status 1")}
	if out := render(c, res); !strings.Contains(out, "| (a) | 200 MiB | failed | — |") {
		t.Errorf("a failed large2x build must show in the RSS table:\n%s", out)
	}

	// Without the doubled tree (or with a layout measured on one tree
	// only) there is nothing to compare.
	res.trees = res.trees[:1]
	if out := render(c, res); strings.Contains(out, "when the tree doubles") {
		t.Errorf("RSS comparison without the large2x tree:\n%s", out)
	}
	res = doubledResults(map[string]int64{"largea": 1, "large2xa": 1, "largeb": 1, "large2xb": 1})
	res.trees[1].layouts = res.trees[1].layouts[1:]
	if out := render(c, res); strings.Contains(out, "| (a) | 0 MiB") || !strings.Contains(out, "| (b) | 0 MiB | 0 MiB | 1.00× |") {
		t.Errorf("layout (a), measured on large only, must have no RSS line; (b) must:\n%s", out)
	}
}

func TestRenderIncomplete(t *testing.T) {
	c := &config{runs: 3, argv: []string{"-trees=large,large2x"}, layouts: []string{"a", "b"}, repo: ".", cache: t.TempDir(), repart: "true"}
	res := doubledResults(map[string]int64{})
	res.trees = res.trees[:1]
	res.pending = []string{"large2x (a)", "large2x (b)"}
	res.finished = time.Date(2026, 11, 25, 18, 40, 0, 0, time.UTC)
	if out := render(c, res); !strings.Contains(out, "**Incomplete**: the run wrote this file at 18:40 UTC and had not measured large2x (a), large2x (b) yet") {
		t.Errorf("results so far must say what is missing:\n%s", out)
	}
}

func TestSlowRunsFlags(t *testing.T) {
	for _, tc := range []struct {
		args               []string
		large, large2x     int
		noteL, noteLarge2x string
	}{
		{nil, 3, 3, "", ""},
		{[]string{"-large-tool-runs=1"}, 1, 1, "", ""},
		{[]string{"-large-tool-runs=0"}, 0, 0, "not run (-large-tool-runs=0)", "not run (-large-tool-runs=0)"},
		{[]string{"-large-tool-runs=1", "-large2x-tool-runs=0"}, 1, 0, "", "not run (-large2x-tool-runs=0)"},
		{[]string{"-large2x-tool-runs=2"}, 3, 2, "", ""},
		{[]string{"-large-tool-runs=9"}, 3, 3, "", ""},
	} {
		c, err := parseFlags(append([]string{"-gorepart=g", "-repo=R", "-runs=3", "-trees=small,large,large2x"}, tc.args...), io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if n, note := c.slowRuns("small"); n != 3 || note != "" {
			t.Errorf("%v: small tree: %d runs, %q", tc.args, n, note)
		}
		if n, note := c.slowRuns("large"); n != tc.large || note != tc.noteL {
			t.Errorf("%v: large tree: %d runs, %q; want %d, %q", tc.args, n, note, tc.large, tc.noteL)
		}
		if n, note := c.slowRuns("large2x"); n != tc.large2x || note != tc.noteLarge2x {
			t.Errorf("%v: large2x tree: %d runs, %q; want %d, %q", tc.args, n, note, tc.large2x, tc.noteLarge2x)
		}
	}
	if _, err := parseFlags([]string{"-gorepart=g", "-trees=huge"}, io.Discard); err == nil {
		t.Error("-trees=huge accepted")
	}
}

func TestStatsFileWithProgress(t *testing.T) {
	data := "  100/3000 paths, 107 MB\n  3000/3000 paths, 3216 MB\nscale=large seed=1 paths=3000 files=304098 (+253 hardlinks) symlinks=6925 dirs=139367 bytes=3215742874 (3066.8 MiB)\n"
	line := summaryLine(data)
	if !strings.HasPrefix(line, "scale=large") {
		t.Fatalf("summary line %q", line)
	}
	if m := parseStats(line); m["files"] != 304098 || m["dirs"] != 139367 {
		t.Fatalf("stats %v", m)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "large-2x.stats"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := &tree{scale: "large2x", stats: map[string]int64{}}
	if err := ensureStore(tr, dir, io.Discard); err != nil {
		t.Fatalf("the cached large2x tree (CACHE/large-2x) was not reused: %v", err)
	}
	if tr.dir != filepath.Join(dir, "large-2x") || tr.entries() != 304098+6925+139367 {
		t.Fatalf("large2x tree %s, %d entries", tr.dir, tr.entries())
	}
	if got := strings.Join(findScale("large2x").genArgs(), " "); got != "-scale large -paths 3000 -seed 1" {
		t.Fatalf("large2x is generated with %q", got)
	}
}

// wantIn fails the test for each of wants that out lacks.
func wantIn(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("results lack %q:\n%s", want, out)
		}
	}
}
