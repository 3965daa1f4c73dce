package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Fixed identities shared by every build, so that the runs differ only
// in the tool that made them.
const (
	seed  = "0867da16-f251-457d-a9e8-c31f9a3c220b"
	epoch = "1"

	mib = 1 << 20
	gib = 1 << 30
)

// layout is one of the benchmark's images.
type layout struct {
	id    string // a, b, c, e
	title string
	// store is set when the layout reads the generated store (and the
	// ESP of the tree's scale); layout e reads only the 200 MB ESP.
	store bool
	// goals are the speed-up goals of its own, shown in the
	// layout's row of the Goals table.
	goals []goal
	// defs returns the repart.d files (name → content) for a tree.
	defs func(t *tree) map[string]string
	// tools builds the layout with the mkfs tools as repart runs them.
	tools func(r *runner, t *tree, work, image string) error
	// bare, when set, makes the layout's filesystems with the mkfs tools
	// alone, each into a file of its own from the tree as it is: no
	// staging copy, partition table, copy into an image or fsync.
	bare func(r *runner, t *tree, work string) error
}

// goal is a speed-up an issue asks of gorepart against another build.
type goal struct {
	build  string  // the other build
	factor float64 // its median over gorepart's, at least
	text   string  // "issue #5: ≥ 5×"
}

// src is the tree the floors read and the page cache is warmed with:
// the store, or layout e's ESP.
func (l *layout) src(t *tree) string {
	if l.store {
		return t.dir
	}
	return t.esp200
}

var layouts = []layout{
	{
		id:    "a",
		title: "ESP vfat + ext4 root, Minimize=guess",
		store: true,
		defs: func(t *tree) map[string]string {
			return map[string]string{
				"00-esp.conf":  "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=" + t.esp + ":/\n",
				"10-root.conf": "[Partition]\nType=root\nFormat=ext4\nLabel=root\nMinimize=guess\nCopyFiles=" + t.dir + ":/\n",
			}
		},
		tools: func(r *runner, t *tree, work, image string) error {
			return toolsESPRoot(r, t, work, image, espMinSize, 0)
		},
	},
	{
		id:    "b",
		title: "erofs /usr, Minimize=best + dm-verity",
		store: true,
		defs: func(t *tree) map[string]string {
			return map[string]string{
				"20-usr.conf": "[Partition]\nType=usr\nFormat=erofs\nLabel=usr\nVerity=data\nVerityMatchKey=usr\n" +
					"Minimize=best\nCopyFiles=" + t.dir + ":/\n",
				"21-usr-verity.conf": "[Partition]\nType=usr-verity\nLabel=usr-verity\nVerity=hash\nVerityMatchKey=usr\nMinimize=best\n",
			}
		},
		tools: toolsUsrVerity,
	},
	{
		id:    "c",
		title: "ESP vfat + ext4 root, fixed sizes",
		store: true,
		defs: func(t *tree) map[string]string {
			esp, root := fixedSizes(t)
			return map[string]string{
				"00-esp.conf": fmt.Sprintf("[Partition]\nType=esp\nFormat=vfat\nSizeMinBytes=%d\nSizeMaxBytes=%d\nCopyFiles=%s:/\n",
					esp, esp, t.esp),
				"10-root.conf": fmt.Sprintf("[Partition]\nType=root\nFormat=ext4\nLabel=root\nSizeMinBytes=%d\nSizeMaxBytes=%d\nCopyFiles=%s:/\n",
					root, root, t.dir),
			}
		},
		tools: func(r *runner, t *tree, work, image string) error {
			esp, root := fixedSizes(t)
			return toolsESPRoot(r, t, work, image, esp, root)
		},
	},
	{
		id:    "d",
		title: "ESP vfat + ext4 root (1 GiB, more where the tree needs it) + erofs /usr Minimize=best (issue #21)",
		store: true,
		goals: []goal{{bBare, 2.5, "issue #21: ≥ 2.5×"}, {bRepart, 10, "issue #21: ≥ 10×"}},
		defs: func(t *tree) map[string]string {
			return map[string]string{
				"00-esp.conf": "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=" + t.esp + ":/\n",
				"10-root.conf": fmt.Sprintf("[Partition]\nType=root\nFormat=ext4\nLabel=root\nSizeMinBytes=%d\nSizeMaxBytes=%d\nCopyFiles=%s:/\n",
					rootD(t), rootD(t), t.dir),
				"20-usr.conf": "[Partition]\nType=usr\nFormat=erofs\nLabel=usr\nMinimize=best\nCopyFiles=" + t.dir + ":/\n",
			}
		},
		tools: toolsESPRootUsr,
		bare:  bareESPRootUsr,
	},
	{
		id:    "e",
		title: "ESP alone, 200 MB ESP-like tree (issue #5)",
		goals: []goal{{bTools, 5, "issue #5: ≥ 5×"}},
		defs: func(t *tree) map[string]string {
			return map[string]string{
				"00-esp.conf": "[Partition]\nType=esp\nFormat=vfat\nSizeMinBytes=400M\nSizeMaxBytes=400M\nCopyFiles=" + t.esp200 + ":/\n",
			}
		},
		tools: func(r *runner, t *tree, work, image string) error {
			return toolsESP(r, t.esp200, work, image, espESize)
		},
	},
}

// espESize is layout (e)'s fixed ESP size, SizeMinBytes=SizeMaxBytes=400M.
const espESize = 400 * mib

// espMinSize is repart's smallest vfat ESP with 4096-byte fs sectors
// (spec §3.2, ESP_MIN_SIZE_4K).
const espMinSize = 260 * mib

// fixedSizes are layout (c)'s partition sizes: a 300 MiB ESP, and a root
// with room for twice the tree's bytes and for one mke2fs -T default
// inode (one per 16 KiB) per entry plus 15%, in whole 64 MiB.
func fixedSizes(t *tree) (esp, root int64) {
	root = max(2*t.stats["bytes"], t.entries()*16384*115/100)
	return 300 * mib, roundUp(root, 64*mib)
}

// rootD is layout (d)'s root size: 1 GiB, as issue #21 measured on the
// small tree, or layout (c)'s where the tree needs more.
func rootD(t *tree) int64 {
	_, root := fixedSizes(t)
	return max(gib, root)
}

func roundUp(v, to int64) int64 { return (v + to - 1) / to * to }

// writeDefs writes a layout's definitions into dir, replacing old ones.
func writeDefs(dir string, defs map[string]string) error {
	if err := removeAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing definitions: %w", err)
	}
	for name, text := range defs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("writing definitions: %w", err)
		}
	}
	return nil
}

// describeDefs renders definitions for the results file.
func describeDefs(defs map[string]string, t *tree) string {
	var names []string
	for n := range defs {
		names = append(names, n)
	}
	sortStrings(names)
	var b strings.Builder
	for _, n := range names {
		text := defs[n]
		for _, r := range []struct{ dir, name string }{{t.dir, "TREE"}, {t.esp, "ESPTREE"}, {t.esp200, "ESP200"}} {
			if r.dir != "" {
				text = strings.ReplaceAll(text, r.dir, r.name)
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", n, strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(text), "[Partition]\n"), "\n", " "))
	}
	return b.String()
}
