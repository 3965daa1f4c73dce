package main

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// treeSeed is the gen-store.py seed of every benchmark tree.
const treeSeed = 1

// tree is a generated source tree and gen-store.py's totals for it.
type tree struct {
	scale string
	dir   string // holds nix/store/…
	esp   string // the ESP content of this scale
	stats map[string]int64
	line  string // gen-store.py's summary line
}

// entries is the number of inodes the tree needs (files, symlinks,
// directories; hardlinks share an inode).
func (t *tree) entries() int64 {
	return t.stats["files"] + t.stats["symlinks"] + t.stats["dirs"]
}

// ensureTree returns the cached tree of scale, generating it with
// gen-store.py into CACHE/SCALE-SEED when missing.
func ensureTree(cache, genStore, scale string, log io.Writer) (*tree, error) {
	dir := filepath.Join(cache, fmt.Sprintf("%s-%d", scale, treeSeed))
	statsFile := dir + ".stats"
	if _, err := os.Stat(statsFile); err != nil {
		fmt.Fprintf(log, "generating the %s tree in %s (once; cached)\n", scale, dir)
		tmp := dir + ".tmp"
		if err := removeAll(tmp); err != nil {
			return nil, err
		}
		if err := removeAll(dir); err != nil {
			return nil, err
		}
		cmd := exec.Command("python3", genStore, "--scale", scale, "--seed", strconv.Itoa(treeSeed), tmp)
		cmd.Stderr = log
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("generating the %s tree: %w", scale, err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			return nil, fmt.Errorf("generating the %s tree: %w", scale, err)
		}
		if err := os.WriteFile(statsFile, out, 0o644); err != nil {
			return nil, fmt.Errorf("recording the %s tree's totals: %w", scale, err)
		}
	}
	line, err := os.ReadFile(statsFile)
	if err != nil {
		return nil, fmt.Errorf("reading the %s tree's totals: %w", scale, err)
	}
	t := &tree{scale: scale, dir: dir, line: strings.TrimSpace(string(line)), stats: parseStats(string(line))}
	if t.esp, err = ensureESP(cache, scale); err != nil {
		return nil, err
	}
	return t, nil
}

// parseStats reads the key=value numbers of gen-store.py's summary line.
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

// espFile is one file of the generated ESP.
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

// ensureESP writes the ESP tree of scale into CACHE/esp-SCALE once.
func ensureESP(cache, scale string) (string, error) {
	dir := filepath.Join(cache, "esp-"+scale)
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	tmp := dir + ".tmp"
	if err := removeAll(tmp); err != nil {
		return "", err
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'g', 'o', 'r', 'e', 'p', 'a', 'r', 't'}))
	for _, f := range espFiles(scale) {
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
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("writing the ESP tree: %w", err)
	}
	return dir, nil
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
