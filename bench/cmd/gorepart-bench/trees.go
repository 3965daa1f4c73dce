package main

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/internal/storegen"
)

// treeSeed is the storegen seed of every benchmark tree.
const treeSeed = 1

// scaleSpec is how one tree size is made: storegen's scale and number of
// store paths (0: the scale's default), the cache directory's name, and
// the scale whose ESP content it shares.
type scaleSpec struct {
	name     string
	genScale string
	paths    int
	dir      string // under the cache
	espScale string
}

// scales are the tree sizes, smallest first. large2x is the large tree
// with twice its store paths (about 300k files, 140k directories,
// 3.2 GB): issue #6 wants peak RSS flat when the tree doubles.
var scales = []scaleSpec{
	{name: "tiny", genScale: "tiny", dir: fmt.Sprintf("tiny-%d", treeSeed), espScale: "tiny"},
	{name: "small", genScale: "small", dir: fmt.Sprintf("small-%d", treeSeed), espScale: "small"},
	{name: "large", genScale: "large", dir: fmt.Sprintf("large-%d", treeSeed), espScale: "large"},
	{name: "large2x", genScale: "large", paths: 3000, dir: "large-2x", espScale: "large"},
}

// findScale returns the named tree size, nil when there is none.
func findScale(name string) *scaleSpec {
	for i := range scales {
		if scales[i].name == name {
			return &scales[i]
		}
	}
	return nil
}

// params are storegen's parameters for the scale.
func (s *scaleSpec) params() storegen.Params {
	return storegen.Params{Scale: s.genScale, Paths: s.paths, Seed: treeSeed}
}

// genArgs is the scale's gen-store command line (go run
// ./internal/storegen/cmd/gen-store), without the output directory.
func (s *scaleSpec) genArgs() []string {
	args := []string{"-scale", s.genScale}
	if s.paths > 0 {
		args = append(args, "-paths", strconv.Itoa(s.paths))
	}
	return append(args, "-seed", strconv.Itoa(treeSeed))
}

// tree is the source trees of one scale and storegen's totals for
// the store. Only the trees the chosen layouts read are made: dir and esp
// are empty when no layout reads the store, esp200 when none reads it.
type tree struct {
	scale  string
	dir    string // holds nix/store/…
	esp    string // the ESP content of this scale (layouts a, c)
	esp200 string // the 200 MB ESP of layout e, the same at every scale
	stats  map[string]int64
	line   string // storegen's summary line
}

// entries is the number of inodes the tree needs (files, symlinks,
// directories; hardlinks share an inode).
func (t *tree) entries() int64 {
	return t.stats["files"] + t.stats["symlinks"] + t.stats["dirs"]
}

// ensureTree returns the cached trees of scale that the layouts read:
// the store (generated with storegen into CACHE/SCALE-SEED when
// missing) and this scale's ESP when a layout reads the store, the
// 200 MB ESP when one reads that.
func ensureTree(cache, scale string, ls []*layout, log io.Writer) (*tree, error) {
	t := &tree{scale: scale, stats: map[string]int64{}}
	var store, big bool
	for _, l := range ls {
		store = store || l.store
		big = big || !l.store
	}
	var err error
	if store {
		if err := ensureStore(t, cache, log); err != nil {
			return nil, err
		}
		esp := findScale(scale).espScale
		if t.esp, err = ensureFiles(filepath.Join(cache, "esp-"+esp), espFiles(esp), log); err != nil {
			return nil, err
		}
	}
	if big {
		if t.esp200, err = ensureFiles(filepath.Join(cache, "esp-200"), esp200Files(), log); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ensureStore generates the store tree of t's scale once and reads its
// totals.
func ensureStore(t *tree, cache string, log io.Writer) error {
	scale := t.scale
	spec := findScale(scale)
	dir := filepath.Join(cache, spec.dir)
	statsFile := dir + ".stats"
	if _, err := os.Stat(statsFile); err != nil {
		fmt.Fprintf(log, "generating the %s tree in %s (once; cached)\n", scale, dir)
		tmp := dir + ".tmp"
		if err := removeAll(tmp); err != nil {
			return err
		}
		if err := removeAll(dir); err != nil {
			return err
		}
		st, err := storegen.Generate(tmp, spec.params(), log)
		if err != nil {
			return fmt.Errorf("generating the %s tree: %w", scale, err)
		}
		out := []byte(st.Summary(spec.params()) + "\n")
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("generating the %s tree: %w", scale, err)
		}
		if err := os.WriteFile(statsFile, out, 0o644); err != nil {
			return fmt.Errorf("recording the %s tree's totals: %w", scale, err)
		}
	}
	data, err := os.ReadFile(statsFile)
	if err != nil {
		return fmt.Errorf("reading the %s tree's totals: %w", scale, err)
	}
	line := summaryLine(string(data))
	t.dir, t.line, t.stats = dir, line, parseStats(line)
	if t.stats["files"] == 0 {
		return fmt.Errorf("reading the %s tree's totals: no files= in %s", scale, statsFile)
	}
	return nil
}

// summaryLine is the last non-empty line of a .stats file: the
// generator's summary, after any progress lines kept with it (the files
// gen-store.py wrote have them; storegen makes the same trees and line).
func summaryLine(data string) string {
	lines := strings.Split(strings.TrimSpace(data), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// parseStats reads the key=value numbers of the summary line.
func parseStats(line string) map[string]int64 {
	m := map[string]int64{}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

// espFile is one file of a generated ESP.
type espFile struct {
	path string
	size int64
}

// espFiles is what a NixOS ESP holds: systemd-boot twice, loader
// configuration and unified kernel images (incompressible, like the
// compressed kernel and initrd they carry). UKI sizes grow with scale.
func espFiles(scale string) []espFile {
	uki := map[string]int64{"tiny": 1 << 20, "small": 24 << 20, "large": 48 << 20}[scale]
	return []espFile{
		{"EFI/BOOT/BOOTX64.EFI", 120 << 10},
		{"EFI/systemd/systemd-bootx64.efi", 120 << 10},
		{"EFI/Linux/nixos-generation-1.efi", uki},
		{"EFI/Linux/nixos-generation-2.efi", uki + 4096},
		{"loader/loader.conf", 64},
		{"loader/entries.srel", 6},
	}
}

// esp200Files is layout (e)'s ESP, about 200 MB, what an A/B appliance's
// ESP holds: systemd-boot twice; four 48 MiB unified kernel images (two
// per slot, with boot-counting suffixes) and their add-ons; drivers,
// loader entries with long and Unicode names, Secure Boot keys. The names
// need long-name entries, the odd sizes partial clusters.
func esp200Files() []espFile {
	fs := []espFile{
		{"EFI/BOOT/BOOTX64.EFI", 120 << 10},
		{"EFI/systemd/systemd-bootx64.efi", 120 << 10},
		{"EFI/Linux/appliance_41.efi", 48 << 20},
		{"EFI/Linux/appliance_42.efi", 48<<20 + 4099},
		{"EFI/Linux/appliance_43+1-2.efi", 48<<20 + 12345},
		{"EFI/Linux/appliance_44+3.efi", 48<<20 + 777},
		{"EFI/Linux/appliance_44+3.efi.extra.d/debug-console.addon.efi", 9 << 10},
		{"EFI/Linux/appliance_44+3.efi.extra.d/Kernel Command Line – Ünïcödé.addon.efi", 7001},
		{"EFI/systemd/drivers/ext4_x64.efi", 180 << 10},
		{"loader/loader.conf", 64},
		{"loader/entries.srel", 6},
		{"loader/random-seed", 32},
		{"loader/entries/Long File Name Entry.conf", 200},
		{"loader/entries/entry-ünïcödé.conf", 0},
		{"loader/entries/appliance recovery (slot B).conf", 310},
		{"loader/keys/auto/PK.auth", 3 << 10},
		{"loader/keys/auto/KEK.auth", 3<<10 + 100},
		{"loader/keys/auto/db.auth", 3<<10 + 200},
		{"loader/credentials/Appliance.Root Password.cred", 1500},
	}
	for i := 0; i < 30; i++ {
		fs = append(fs, espFile{fmt.Sprintf("EFI/drivers/driver-number-%02d.efi", i), int64(500 + i*1000)})
	}
	return fs
}

// espBytes is the total size of an ESP's files.
func espBytes(files []espFile) int64 {
	var n int64
	for _, f := range files {
		n += f.size
	}
	return n
}

// ensureFiles writes an ESP of random bytes into dir once; an existing
// dir is kept when it holds exactly these files with these sizes, else
// it is written again.
func ensureFiles(dir string, files []espFile, log io.Writer) (string, error) {
	if sameFiles(dir, files) {
		return dir, nil
	}
	fmt.Fprintf(log, "writing the ESP tree %s (once; cached)\n", dir)
	tmp := dir + ".tmp"
	if err := removeAll(tmp); err != nil {
		return "", err
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'g', 'o', 'r', 'e', 'p', 'a', 'r', 't'}))
	for _, f := range files {
		p := filepath.Join(tmp, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("writing the ESP tree: %w", err)
		}
		data := make([]byte, f.size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", fmt.Errorf("writing the ESP tree: %w", err)
		}
	}
	if err := removeAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("writing the ESP tree: %w", err)
	}
	return dir, nil
}

// sameFiles tells whether dir holds exactly files (paths and sizes).
func sameFiles(dir string, files []espFile) bool {
	want := map[string]int64{}
	for _, f := range files {
		want[f.path] = f.size
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if size, ok := want[filepath.ToSlash(rel)]; !ok || size != fi.Size() || !fi.Mode().IsRegular() {
			return fs.ErrNotExist
		}
		n++
		return nil
	})
	return err == nil && n == len(files)
}

// removeAll removes a tree whose directories may be read-only (the
// generated store is 0555), as a non-root user can.
func removeAll(dir string) error {
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		return nil
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}
