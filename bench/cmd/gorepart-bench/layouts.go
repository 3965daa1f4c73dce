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

// layout is one of the three images.
type layout struct {
	id    string // a, b, c
	title string
	// defs returns the repart.d files (name → content) for a tree.
	defs func(t *tree) map[string]string
	// tools builds the layout with the mkfs tools as repart runs them.
	tools func(r *runner, t *tree, work, image string) error
}

var layouts = []layout{
	{
		id:    "a",
		title: "ESP vfat + ext4 root, Minimize=guess",
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
}

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
		text := strings.ReplaceAll(defs[n], t.dir, "TREE")
		text = strings.ReplaceAll(text, t.esp, "ESPTREE")
		fmt.Fprintf(&b, "%s: %s\n", n, strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(text), "[Partition]\n"), "\n", " "))
	}
	return b.String()
}
