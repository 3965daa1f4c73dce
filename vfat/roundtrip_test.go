package vfat

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/treefuzz"
)

// treeGen makes random trees that exercise FAT's corners: every name class
// (upper-case 8.3, lower-case 8.3, long, Unicode, characters replaced in
// aliases, names sharing alias prefixes), empty files, files around cluster
// boundaries, deep and wide directories.
type treeGen struct {
	r  *rand.Rand
	cs int // cluster size to aim file sizes at
	n  int
}

var nameParts = []string{
	"README.TXT", "readme.txt", "BOOTX64.EFI", "loader.conf", "Long File Name Entry.conf",
	"ünïcödé.txt", "日本語ファイル", "Ωmega.Δ", "smiley ☺ ⌘.bin", "a+b,c;d=e[f]g.txt", ".hidden",
	"..dots.x", "a.b.c.d", " leading space", "trailing space ", "archive.tar.gz",
	"MiXeD.TxT", "page.html5", "README~1.TXT", "X", "x", "12345678.123", "123456789.1234",
	"very long name that is long", "verylongname.txt", "~tilde~", "CON", "aux.h", "E5\u00e5.dat",
	"name-with-dashes_and_underscores", "ALLCAPSLONGNAME.DATA", "dot.", "with'quote", "a b",
}

func (g *treeGen) name(used map[string]bool) string {
	for {
		var s string
		switch g.r.IntN(4) {
		case 0:
			s = nameParts[g.r.IntN(len(nameParts))]
		case 1:
			s = fmt.Sprintf("%s%d", nameParts[g.r.IntN(len(nameParts))], g.r.IntN(30))
		case 2:
			s = fmt.Sprintf("verylongprefix%03d.dat", g.r.IntN(40))
		default:
			const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
			b := make([]byte, 1+g.r.IntN(14))
			for i := range b {
				b[i] = alpha[g.r.IntN(len(alpha))]
			}
			s = string(b)
			if g.r.IntN(2) == 0 {
				s += "." + string(alpha[g.r.IntN(26)]) + string(alpha[g.r.IntN(26)])
			}
		}
		if checkLongName(s) != nil || used[foldKey(s)] {
			continue
		}
		used[foldKey(s)] = true
		return s
	}
}

func (g *treeGen) mtime() time.Time {
	if g.r.IntN(20) == 0 {
		// 1970..2099: before 1980 clamps. (mtools misreads dates after
		// February 2100, which it takes for a leap year.)
		return time.Unix(g.r.Int64N(4102444800), 0)
	}
	return time.Unix(946684800+g.r.Int64N(1000000000), g.r.Int64N(1e9))
}

func (g *treeGen) size() int {
	switch g.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return g.cs - 1 + g.r.IntN(3)
	case 2:
		return 2*g.cs + g.r.IntN(3) - 1
	case 3:
		return g.r.IntN(100)
	default:
		return g.r.IntN(6 * g.cs)
	}
}

func (g *treeGen) dir(depth int, wide int) *fstree.Inode {
	d := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: g.mtime()}
	used := map[string]bool{}
	n := g.r.IntN(8)
	for i := 0; i < n+wide; i++ {
		name := g.name(used)
		if i >= n {
			name = fmt.Sprintf("file%04d.dat", i) // wide directory: alias tails beyond ~9
			if used[foldKey(name)] {
				continue
			}
			used[foldKey(name)] = true
		}
		var in *fstree.Inode
		switch {
		case depth > 0 && g.r.IntN(3) == 0:
			in = g.dir(depth-1, 0)
		case g.r.IntN(15) == 0:
			in = &fstree.Inode{Kind: fstree.Symlink, Target: "x", Mtime: g.mtime()}
		default:
			data := make([]byte, g.size())
			for i := range data {
				data[i] = byte(g.n + i*31)
			}
			g.n++
			in = (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: int64(len(data)), Mtime: g.mtime()}).WithData(data)
		}
		d.Entries = append(d.Entries, &fstree.Entry{Name: name, Inode: in})
	}
	sort.Slice(d.Entries, func(i, j int) bool { return d.Entries[i].Name < d.Entries[j].Name })
	return d
}

// TestRoundTrip writes 200 random trees and reads them back with fsck.vfat
// and mtools (every tree: one that is a FAT32 too small for mtools is
// written again at a size it reads), in four modes: FAT32 of exactly MinSize bytes; FAT12/16/32
// as mkfs.fat picks for exactly MinSize bytes; FAT32 with at least 65525
// clusters, at both sector sizes. mtools (like UEFI firmware) takes a FAT
// with fewer than 65525 clusters for FAT12/16, so a FAT32 that small is
// checked by fsck.vfat alone.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	testutil.Tool(t, "fsck.vfat", "dosfstools")
	testutil.Tool(t, "mcopy", "mtools")
	for _, i := range treefuzz.Seeds() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			ss := []int{512, 4096}[(i/4)%2]
			mode := i % 4
			bits := 32
			if mode == 1 {
				bits = 0
			}
			g := &treeGen{r: rand.New(rand.NewPCG(uint64(i), 7)), cs: ss}
			root := g.dir(1+i%5, 0)
			if i%50 < 2 {
				root.Entries = append(root.Entries, &fstree.Entry{Name: "zz-wide", Inode: g.dir(0, 1100)})
			}
			tr := &fstree.Tree{Root: root}
			var warns []string
			p := Params{SectorSize: ss, FATBits: bits, VolumeID: uint32(i), Label: "TEST", Time: time.Unix(1700000000, 0),
				Warn: func(m string) { warns = append(warns, m) }}
			size, err := MinSize(tr, p)
			if err != nil {
				t.Fatal(err)
			}
			if mode >= 2 {
				size = max(size*2+int64(g.r.IntN(1<<20)), min65525(ss))
			}
			img := writeImage(t, t.TempDir(), size, tr, p)
			fsckClean(t, img)
			readCheck(t, img, tr)
			if geo, _ := newGeometry(size, ss, bits); geo.fatBits != 32 || geo.clusters >= minClust32 {
				mtoolsCheck(t, img, tr)
			} else {
				// mtools reads a FAT32 with fewer than 65525 clusters as
				// FAT16; so that every tree is read by mtools too, write
				// it once more at a size mtools takes for FAT32.
				quiet := p
				quiet.Warn = nil // its warnings were counted on the first write
				big := writeImage(t, t.TempDir(), min65525(ss), tr, quiet)
				fsckClean(t, big)
				mtoolsCheck(t, big, tr)
			}
			skips := 0
			for _, w := range warns {
				if strings.Contains(w, "skipped") {
					skips++
				}
			}
			if skips > 1 {
				t.Errorf("%d skip warnings, want at most one: %q", skips, warns)
			}
		})
	}
}

// min65525 is a FAT32 size with at least 65525 clusters.
func min65525(ss int) int64 {
	if ss == 512 {
		return 33 << 20
	}
	return 260 << 20
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }
