package main

import (
	"errors"
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
		{name: bTools, runs: 3, median: 9 * time.Second, rssKiB: 50 << 10, size: 1 << 20, steps: []step{{"cp", time.Second}}},
		{name: bRepart, note: "n/a (252 < 254)"},
		{name: bTar, runs: 3, median: time.Second / 2},
		{name: bTarRead, runs: 3, median: time.Second / 2},
		{name: bDD, runs: 3, median: time.Second / 4, size: 1 << 20},
	}}
	res := &results{trees: []treeResult{{tree: &tree{scale: "small", line: "files=1"}, layouts: []layoutResult{lr}}}}
	out := render(c, res)
	for _, want := range []string{
		"| small | (a) | 1.00 s | 9.0× | n/a (252 < 254) | 1.33× | 100 MiB |",
		"| mkfs tools as systemd-repart runs them | 3 | 9.00 s | 9.00× | 50 MiB | 1.0 MiB (0.0 MiB) |",
		"`tar -cf - -C TREE . \\| cat > /dev/null`",
		"time by step (median run): cp 1.00 s.",
		"Produced by `bench/run -trees=small`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("results lack %q:\n%s", want, out)
		}
	}
}
