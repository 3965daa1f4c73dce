package vfat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// discard is an io.WriterAt for tests that fail before or during writing.
type discard struct{}

func (discard) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

var p32 = Params{SectorSize: 512, FATBits: 32, Label: "ESP"}

func TestRefusals(t *testing.T) {
	mt := time.Unix(1700000000, 0)
	short := filepath.Join(t.TempDir(), "short")
	shortFile := &fstree.Inode{Kind: fstree.File, Size: 100, Mtime: mt}
	shortFile.SetSource(short)
	if err := os.WriteFile(short, []byte("ten bytes!"), 0644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		tree *fstree.Tree
		want []string
	}{
		{"case", &fstree.Tree{Root: dir(mt, ent("EFI", dir(mt, ent("Boot", dir(mt)), ent("boot", dir(mt)))))},
			[]string{"/EFI/Boot", "/EFI/boot", "case"}},
		{"unicode case", &fstree.Tree{Root: dir(mt, ent("Ärger", file("", mt)), ent("ärger", file("", mt)))},
			[]string{"/Ärger", "/ärger"}},
		{"big", &fstree.Tree{Root: dir(mt, ent("d", dir(mt, ent("huge.img", &fstree.Inode{Kind: fstree.File, Size: 1 << 32}))))},
			[]string{"/d/huge.img", "4 GiB"}},
		{"colon", &fstree.Tree{Root: dir(mt, ent("a:b", file("", mt)))}, []string{"/a:b", "':'"}},
		{"dot", &fstree.Tree{Root: dir(mt, ent("trailing.", file("", mt)))}, []string{"/trailing.", "dot"}},
		{"space", &fstree.Tree{Root: dir(mt, ent("  ", file("", mt)))}, []string{`/  `, "short name"}},
		{"long", &fstree.Tree{Root: dir(mt, ent(strings.Repeat("n", 256), file("", mt)))}, []string{"256 UTF-16 units"}},
		{"utf8", &fstree.Tree{Root: dir(mt, ent("bad\xff", file("", mt)))}, []string{"UTF-8"}},
		{"short source", &fstree.Tree{Root: dir(mt, ent("EFI", dir(mt, ent("k.efi",
			shortFile))))},
			[]string{"/EFI/k.efi", "shorter"}},
	} {
		err := Write(discard{}, 64<<20, c.tree, p32)
		if err == nil {
			t.Errorf("%s: no error", c.what)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.what, err, w)
			}
		}
	}
}

func TestNoSpace(t *testing.T) {
	mt := time.Unix(1700000000, 0)
	tr := &fstree.Tree{Root: dir(mt, ent("big", file(strings.Repeat("x", 3<<20), mt)))}
	err := Write(discard{}, 2<<20, tr, p32)
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("err = %v, want ErrNoSpace", err)
	}
	if _, err := newGeometry(16<<10, 512, 32); !errors.Is(err, errTooSmall) {
		t.Fatalf("16 KiB FAT32: %v", err)
	}
}

func TestSkipWarning(t *testing.T) {
	mt := time.Unix(1700000000, 0)
	special := func(k fstree.Kind) *fstree.Inode { return &fstree.Inode{Kind: k, Target: "t", Mtime: mt} }
	tr := &fstree.Tree{Root: dir(mt,
		ent("a-link", special(fstree.Symlink)),
		ent("d", dir(mt, ent("fifo", special(fstree.FIFO)), ent("sock", special(fstree.Socket)),
			ent("null", special(fstree.CharDevice)), ent("sda", special(fstree.BlockDevice)))),
		ent("file", file("x", mt)))}
	var warns []string
	p := p32
	p.Warn = func(m string) { warns = append(warns, m) }
	img := writeImage(t, t.TempDir(), 40<<20, tr, p)
	if len(warns) != 1 || !strings.Contains(warns[0], "skipped 5") || !strings.Contains(warns[0], "/a-link") {
		t.Fatalf("warnings %q", warns)
	}
	fsckClean(t, img)
	mtoolsCheck(t, img, tr)
}

func TestFewClustersWarning(t *testing.T) {
	var warns []string
	p := p32
	p.Warn = func(m string) { warns = append(warns, m) }
	tr := &fstree.Tree{Root: dir(time.Unix(0, 0))}
	img := writeImage(t, t.TempDir(), 8<<20, tr, p)
	if len(warns) != 1 || !strings.Contains(warns[0], "65525") {
		t.Fatalf("warnings %q", warns)
	}
	fsckClean(t, img)
	// MinSize does not warn: the partition it feeds is usually larger.
	warns = nil
	if _, err := MinSize(tr, p); err != nil || len(warns) != 0 {
		t.Fatalf("MinSize: %v, warnings %q", err, warns)
	}
}
