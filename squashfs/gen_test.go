package squashfs

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
)

var testTime = time.Unix(1700000000, 0)

// genTree builds a random tree that exercises what squashfs stores
// specially for the block size bs: files around block multiples (holes,
// fragments, tails), repeated contents (duplicates), hardlinks, large
// directories (extended inodes with an index), long names and symlinks,
// devices with large minors, FIFOs, sockets, xattrs of every namespace
// (long values out of line, repeated ones shared, and one squashfs
// skips), ids beyond 16 bits and assorted mtimes.
func genTree(seed int64, bs int) *fstree.Tree {
	g := &gen{r: rand.New(rand.NewSource(seed)), bs: bs}
	root := g.dir()
	g.fill(root, 0, 3+g.r.Intn(15))
	if g.r.Intn(4) == 0 { // a large directory
		big := g.dir()
		for i, n := 0, 200+g.r.Intn(900); i < n; i++ {
			name := fmt.Sprintf("entry-with-a-name-of-some-length-%06d", i*7)
			if i%5 == 0 {
				testtree.Add(big, name, g.dir())
			} else {
				testtree.Add(big, name, g.file())
			}
		}
		testtree.Add(root, "big", big)
	}
	if g.r.Intn(3) == 0 { // a deep path
		d := root
		for i := 0; i < 10+g.r.Intn(40); i++ {
			sub := g.dir()
			testtree.Add(d, fmt.Sprintf("deep%02d", i), sub)
			d = sub
		}
		testtree.Add(d, "bottom", g.file())
	}
	testtree.Sort(root)
	return &fstree.Tree{Root: root}
}

// contentWords make up text-like file contents (testtree.Content).
var contentWords = []string{"squash ", "block ", "inode ", "the ", "fragment ", "\n", "data ", "131072 "}

type gen struct {
	r     *rand.Rand
	bs    int
	files []*fstree.Inode
	data  [][]byte
}

func (g *gen) meta(in *fstree.Inode) {
	r := g.r
	in.Mtime = testTime
	if r.Intn(3) == 0 {
		in.Mtime = time.Unix(r.Int63n(1<<32), 0)
	}
	if r.Intn(4) == 0 {
		in.UID, in.GID = uint32(r.Intn(70000)), uint32(r.Intn(70000))
	}
	if r.Intn(5) == 0 {
		names := []string{"user.a", "user.comment", "security.selinux", "trusted.x", "security.capability", "user." + strings.Repeat("n", 200), "system.skipped"}
		vals := [][]byte{[]byte("v"), []byte("system_u:object_r:bin_t:s0"), {}, bytes.Repeat([]byte{7}, 300), bytes.Repeat([]byte("0123456789"), 20), {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}
		seen := map[string]bool{}
		for i := r.Intn(4); i >= 0; i-- {
			n := names[r.Intn(len(names))]
			// Linux keeps user. attributes on files and directories only.
			if !seen[n] && (!strings.HasPrefix(n, "user.") || in.Kind == fstree.File || in.Kind == fstree.Dir) {
				seen[n] = true
				v := vals[r.Intn(len(vals))]
				if n == "security.capability" { // the kernel checks it
					v = vals[len(vals)-1]
				}
				in.Xattrs = append(in.Xattrs, fstree.Xattr{Name: n, Value: v})
			}
		}
		slices.SortFunc(in.Xattrs, func(a, b fstree.Xattr) int { return strings.Compare(a.Name, b.Name) })
	}
}

func (g *gen) dir() *fstree.Inode {
	in := &fstree.Inode{Kind: fstree.Dir, Mode: 0755}
	g.meta(in)
	if g.r.Intn(8) == 0 {
		in.Mode = []uint32{01777, 0700, 02755}[g.r.Intn(3)]
	}
	return in
}

func (g *gen) file() *fstree.Inode {
	r := g.r
	in := &fstree.Inode{Kind: fstree.File, Mode: 0644}
	g.meta(in)
	if r.Intn(5) == 0 {
		in.Mode = []uint32{0755, 0444, 04755, 02711, 0600}[r.Intn(5)]
	}
	var data []byte
	if len(g.data) > 0 && r.Intn(6) == 0 {
		data = g.data[r.Intn(len(g.data))] // a duplicate
	} else {
		bs := g.bs
		sizes := []int{0, 1, 100, bs - 1, bs, bs + 1, 2*bs - 1, 2 * bs, 3*bs + 17, bs / 2}
		size := sizes[r.Intn(len(sizes))]
		if r.Intn(6) == 0 {
			size = r.Intn(5 * bs)
		}
		data = testtree.Content(r, size, g.bs, contentWords)
		g.data = append(g.data, data)
	}
	in.SetData(data)
	in.Size = int64(len(data))
	g.files = append(g.files, in)
	return in
}

func (g *gen) fill(d *fstree.Inode, depth, n int) {
	r := g.r
	taken := map[string]bool{}
	for i := 0; i < n; i++ {
		name := testtree.Name(r, taken)
		switch k := r.Intn(20); {
		case k < 10:
			testtree.Add(d, name, g.file())
		case k < 13 && depth < 4:
			sub := g.dir()
			testtree.Add(d, name, sub)
			g.fill(sub, depth+1, r.Intn(10))
		case k < 15:
			target := strings.Repeat("../", r.Intn(3)) + "target"
			if r.Intn(8) == 0 {
				target = strings.Repeat("x", 1000+r.Intn(3000))
			}
			in := &fstree.Inode{Kind: fstree.Symlink, Mode: 0777, Target: target}
			g.meta(in)
			testtree.Add(d, name, in)
		case k < 17 && len(g.files) > 0: // a hardlink
			testtree.Add(d, name, g.files[r.Intn(len(g.files))])
		case k < 18:
			kind := []fstree.Kind{fstree.CharDevice, fstree.BlockDevice}[r.Intn(2)]
			in := &fstree.Inode{Kind: kind, Mode: 0600, Major: uint32(r.Intn(4096)), Minor: uint32(r.Intn(1 << 20))}
			g.meta(in)
			testtree.Add(d, name, in)
		case k < 19:
			in := &fstree.Inode{Kind: []fstree.Kind{fstree.FIFO, fstree.Socket}[r.Intn(2)], Mode: 0644}
			g.meta(in)
			testtree.Add(d, name, in)
		default:
			testtree.Add(d, name, g.file())
		}
	}
}
