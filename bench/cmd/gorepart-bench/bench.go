package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Names of the builds, in table order.
const (
	bGorepart = "gorepart"
	bBare     = "mkfs tools, bare (no staging, table, copy or fsync)"
	bTools    = "mkfs tools as systemd-repart runs them"
	bRepart   = "systemd-repart --offline=yes"
	bTar      = "floor: `tar -cf - -C TREE . > /dev/null`"
	bTarRead  = "floor: `tar -cf - -C TREE . | cat > /dev/null`"
	bDD       = "floor: `dd` of the image size (`conv=fsync`)"
	bOverlap  = "floor: `tar … | cat` and `dd` at once"
)

// layoutResult is the measurements of one layout on one tree.
type layoutResult struct {
	layout *layout
	defs   string
	rows   []summary
}

// treeResult is the measurements on one tree.
type treeResult struct {
	tree    *tree
	layouts []layoutResult
}

// results is a whole run.
type results struct {
	started, finished time.Time
	loadStart         string // /proc/loadavg's 1/5/15-minute averages
	loadEnd           string
	repartVersion     int
	trees             []treeResult
	pending           []string // "large2x (b)": not measured yet
}

// bench generates the trees and measures every build of every layout.
// save, when not nil, is called after each layout with the results so
// far (pending lists what is still to measure), so that a run stopped
// early leaves what it measured.
func bench(c *config, log io.Writer, save func(*results) error) (*results, error) {
	res := &results{started: time.Now().UTC(), loadStart: loadAvg(), repartVersion: repartVersion(c.repart)}
	if err := os.MkdirAll(c.cache, 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache: %w", err)
	}
	var ls []*layout
	for _, id := range c.layouts {
		ls = append(ls, findLayout(id))
	}
	var trees []*tree
	for _, s := range c.scales {
		t, err := ensureTree(c.cache, s, ls, log)
		if err != nil {
			return nil, err
		}
		trees = append(trees, t)
		for _, l := range ls {
			res.pending = append(res.pending, fmt.Sprintf("%s (%s)", s, l.id))
		}
	}
	for _, t := range trees {
		res.trees = append(res.trees, treeResult{tree: t})
		tr := &res.trees[len(res.trees)-1]
		warmed := map[string]bool{}
		for _, l := range ls {
			// Read the tree once so that every build starts from a warm page cache.
			if src := l.src(t); !warmed[src] {
				warmed[src] = true
				if err := newRunner().runWith(nil, io.Discard, nil, "tar", "-cf", "-", "-C", src, "."); err != nil {
					return nil, fmt.Errorf("warming the page cache: %w", err)
				}
			}
			lr, err := benchLayout(c, res, t, l, log)
			if err != nil {
				return nil, err
			}
			tr.layouts = append(tr.layouts, lr)
			res.pending = res.pending[1:]
			res.finished = time.Now().UTC()
			res.loadEnd = loadAvg()
			if save != nil && len(res.pending) > 0 {
				if err := save(res); err != nil {
					return nil, err
				}
			}
		}
	}
	return res, nil
}

// slowRuns is how many runs the slow builds (mkfs tools, systemd-repart)
// get on a scale, and when that is none, their cell.
func (c *config) slowRuns(scale string) (int, string) {
	n, ok := c.toolRuns[scale]
	if !ok {
		return c.runs, ""
	}
	if n == 0 {
		return 0, fmt.Sprintf("not run (%s=0)", c.toolFlag[scale])
	}
	return n, ""
}

// benchLayout measures one layout on one tree: c.runs rounds, each
// running every build once, so that drift in the machine's load is
// shared among the builds.
func benchLayout(c *config, res *results, t *tree, l *layout, log io.Writer) (layoutResult, error) {
	work := filepath.Join(c.cache, "work", t.scale+"-"+l.id)
	defsDir := filepath.Join(work, "repart.d")
	defs := l.defs(t)
	if err := writeDefs(defsDir, defs); err != nil {
		return layoutResult{}, err
	}
	img := func(n string) string { return filepath.Join(work, n) }
	var imageSize int64 // of the first image made, for the dd floor
	noteSize := func(path string) {
		if fi, err := os.Stat(path); err == nil && imageSize == 0 {
			imageSize = fi.Size()
		}
	}
	repartArgs := []string{"--empty=create", "--size=auto", "--dry-run=no", "--definitions=" + defsDir, "--seed=" + seed}
	builds := []build{
		{
			name:  bGorepart,
			setup: func() error { return os.RemoveAll(img("gorepart.raw")) },
			run: func(r *runner) (string, error) {
				out := img("gorepart.raw")
				err := r.runWith(nil, io.Discard, []string{"SOURCE_DATE_EPOCH=" + epoch}, c.gorepart, append(repartArgs, out)...)
				noteSize(out)
				return out, err
			},
		},
		bareBuild(l, t, img("bare-work")),
		{
			name: bTools,
			slow: true,
			setup: func() error {
				os.RemoveAll(img("tools.raw"))
				return removeAll(img("tools-work"))
			},
			run: func(r *runner) (string, error) {
				out := img("tools.raw")
				err := l.tools(r, t, img("tools-work"), out)
				noteSize(out)
				return out, err
			},
		},
		repartBuild(c, res.repartVersion, repartArgs, img("repart.raw")),
		{
			name: bTar,
			run: func(r *runner) (string, error) {
				null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
				if err != nil {
					return "", err
				}
				defer null.Close()
				return "", r.runWith(nil, null, nil, "tar", "-cf", "-", "-C", l.src(t), ".")
			},
		},
		{
			name: bTarRead,
			run: func(r *runner) (string, error) {
				return "", r.runShell(`tar -cf - -C "$1" . | cat > /dev/null`, l.src(t))
			},
		},
		floorWrite(bDD, img("dd.raw"), &imageSize, func(r *runner, out, size string) error {
			return r.run("dd", "if=/dev/zero", "of="+out, "bs=4M", "count="+size, "iflag=count_bytes", "conv=fsync", "status=none")
		}),
		// Issue #21's floor: reading the tree overlapped with writing the
		// image's bytes once, as a build on two cores could at best.
		floorWrite(bOverlap, img("overlap.raw"), &imageSize, func(r *runner, out, size string) error {
			return r.runShell(`dd if=/dev/zero of="$2" bs=4M count="$3" iflag=count_bytes conv=fsync status=none & d=$!
tar -cf - -C "$1" . | cat > /dev/null || exit 1
wait $d`, l.src(t), out, size)
		}),
	}
	builds = slices.DeleteFunc(builds, func(b build) bool { return b.name == "" })
	slowRuns, skipped := c.slowRuns(t.scale)
	for j := range builds {
		if builds[j].slow && builds[j].note == "" && skipped != "" {
			builds[j].note = skipped
		}
	}
	outs := make([][]outcome, len(builds))
	for i := 0; i < c.runs; i++ {
		for j, b := range builds {
			if b.note != "" || (b.slow && i >= slowRuns) {
				continue
			}
			o := measure(b)
			fmt.Fprintf(log, "%s tree, layout (%s), run %d/%d: %s: %s\n", t.scale, l.id, i+1, c.runs, b.name, brief(o))
			outs[j] = append(outs[j], o)
		}
	}
	lr := layoutResult{layout: l, defs: describeDefs(defs, t)}
	for j, b := range builds {
		s := summarize(b.name, outs[j])
		s.note = b.note
		lr.rows = append(lr.rows, s)
	}
	if !c.keep {
		if err := removeAll(work); err != nil {
			return lr, err
		}
	}
	return lr, nil
}

// brief is one progress line's measurement.
func brief(o outcome) string {
	if o.err != nil {
		return "failed: " + o.err.Error()
	}
	if len(o.steps) > 1 {
		return fmt.Sprintf("%.2f s, %s (%s)", o.wall.Seconds(), fmtKiB(o.rssKiB), stepString(o.steps))
	}
	return fmt.Sprintf("%.2f s, %s", o.wall.Seconds(), fmtKiB(o.rssKiB))
}

// runShell runs a shell pipeline; the shell's rusage covers the
// pipeline's processes, which it waited for.
func (r *runner) runShell(script string, args ...string) error {
	return r.run("sh", append([]string{"-c", script, "sh"}, args...)...)
}

// floorWrite is a floor build that writes out, as large as the first
// image the layout's builds made (*imageSize, known once one ran).
func floorWrite(name, out string, imageSize *int64, write func(r *runner, out, size string) error) build {
	return build{
		name:  name,
		setup: func() error { return os.RemoveAll(out) },
		run: func(r *runner) (string, error) {
			if *imageSize == 0 {
				return "", fmt.Errorf("no image was built to take the size from")
			}
			return out, write(r, out, strconv.FormatInt(*imageSize, 10))
		},
	}
}

// bareBuild is the layout's bare mkfs tools build (layout.bare), or no
// build (an empty name) when it has none.
func bareBuild(l *layout, t *tree, work string) build {
	if l.bare == nil {
		return build{}
	}
	return build{
		name:  bBare,
		slow:  true,
		setup: func() error { return removeAll(work) },
		run:   func(r *runner) (string, error) { return "", l.bare(r, t, work) },
	}
}

// repartBuild is systemd-repart's build, or a note when the one on the
// PATH is missing or older than 254 (no --offline=yes).
func repartBuild(c *config, version int, args []string, out string) build {
	b := build{name: bRepart, slow: true}
	switch {
	case version == 0:
		b.note = "n/a (not installed)"
	case version < 254:
		b.note = fmt.Sprintf("n/a (%d < 254)", version)
	default:
		b.setup = func() error { return os.RemoveAll(out) }
		b.run = func(r *runner) (string, error) {
			return out, r.runWith(nil, io.Discard, []string{"SOURCE_DATE_EPOCH=" + epoch, "TZ=UTC"},
				c.repart, append([]string{"--offline=yes", "--json=off"}, append(args, out)...)...)
		}
	}
	return b
}

// repartVersion is the version number of systemd-repart, 0 when it is
// not there ("systemd 252 (252.39-1~deb12u2)").
func repartVersion(bin string) int {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return 0
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return 0
	}
	v, _ := strconv.Atoi(f[1])
	return v
}

// loadAvg is the 1, 5 and 15-minute load averages: other work on the
// machine slows every build and makes the medians noisy.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
