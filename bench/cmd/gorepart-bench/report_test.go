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
	c := &config{runs: 3, argv: []string{"-trees=small"}, repo: ".", cache: t.TempDir(), repart: "true"}
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
	for _, want := range []string{
		"| small | (a) | 1.00 s | 9.0× | n/a (252 < 254) | 1.33× | 100 MiB |",
		"| mkfs tools as systemd-repart runs them | 3 | 9.00 s | 8.50 s – 10.00 s | 9.00× | 50 MiB | 1.0 MiB (0.0 MiB) |",
		"| systemd-repart --offline=yes | 0 | n/a (252 < 254) | — | — | — | — |",
		"`tar -cf - -C TREE . \\| cat > /dev/null`",
		"time by step (median run): cp 1.00 s.",
		"Produced by `bench/run -trees=small`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("results lack %q:\n%s", want, out)
		}
	}
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
	for _, want := range []string{
		"# gorepart benchmark results: the ESP alone (layout e, issue #5)",
		"Layouts a, b and c are in [RESULTS.md](RESULTS.md).",
		"Produced by `bench/run -trees=small -layouts=e`",
		"| small | (e) | 1.00 s | 6.0× (issue #5: ≥ 5× goal, met) | 4.0× | 0.83× | 30 MiB |",
		"| of the mkfs tools: `mkfs.vfat` + `mmd` + `mcopy` alone | 3 | 3.20 s | 2.20 s – 4.20 s | 3.20× | | |",
		"; mkfs.vfat + mmd + mcopy alone 3.20 s (median of the runs' sums).",
		"ESP200 tree (layout e, the same at every scale), 49 files,",
		"EFI/Linux/appliance_44+3.efi (48 MiB)",
		"Layout (e) is issue #5's benchmark",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("results lack %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"gen-store.py --scale", "ESP tree (layouts a, c)"} {
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
		{nil, "a,b,c", "bench/RESULTS.md"},
		{[]string{"-layouts=e"}, "e", "bench/RESULTS-esp.md"},
		{[]string{"-layouts=a,e"}, "a,e", "bench/RESULTS.md"},
		{[]string{"-quick"}, "a,b,c,e", ""},
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
	if _, err := parseFlags([]string{"-gorepart=g", "-layouts=d"}, io.Discard); err == nil {
		t.Error("-layouts=d accepted")
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
