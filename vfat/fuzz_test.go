package vfat

import (
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
)

// FuzzNames feeds directories of arbitrary names to the name planner:
// accepted directories must get unique, valid short names; the LFN slots
// must encode the name; refusals must name the path.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"README.TXT|readme.txt", "a|A", ".hidden|..x|x.", "日本語|😀|  ", "A~1|a~1.b|aaaaaaaaaaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		root := &fstree.Inode{Kind: fstree.Dir}
		seen := map[string]bool{}
		for _, n := range strings.Split(s, "|") {
			if seen[n] {
				continue
			}
			seen[n] = true
			root.Entries = append(root.Entries, &fstree.Entry{Name: n, Inode: &fstree.Inode{Kind: fstree.File}})
		}
		c, err := analyze(&fstree.Tree{Root: root}, true)
		if err != nil {
			if !strings.Contains(err.Error(), "/") {
				t.Fatalf("error does not name a path: %v", err)
			}
			return
		}
		shorts := map[[11]byte]bool{}
		for _, k := range c.root.kids {
			if shorts[k.short] {
				t.Fatalf("short name %q twice", k.short)
			}
			shorts[k.short] = true
			for i, ch := range k.short {
				if ch == ' ' {
					continue
				}
				if ch < 0x20 || ch >= 0x7F || strings.IndexByte(`"*+,./:;<=>?[\]|`, ch) >= 0 || (ch >= 'a' && ch <= 'z') {
					t.Fatalf("invalid byte %q at %d in short name %q", ch, i, k.short)
				}
			}
			if k.short[0] == ' ' {
				t.Fatalf("short name %q starts with a space", k.short)
			}
		}
	})
}
