package erofs

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
)

var testBuildTime = time.Unix(1700000000, 0)

// genTree builds a random tree from seed: files of interesting sizes
// (empty, 4096·n and 4096·n ± 1, compressible and random content), 255-byte
// names, deep paths, symlinks, hardlinks, devices, fifos, sockets, xattrs,
// uids/gids beyond 16 bits and mtimes other than the build time.
func genTree(seed int64) *fstree.Tree {
	r := rand.New(rand.NewSource(seed))
	g := &gen{r: r}
	root := g.dir()
	g.fill(root, 0, 4+r.Intn(20))
	if r.Intn(3) == 0 { // a deep path
		d := root
		for i := 0; i < 20+r.Intn(30); i++ {
			sub := g.dir()
			testtree.Add(d, fmt.Sprintf("deep%02d", i), sub)
			d = sub
		}
		testtree.Add(d, "bottom", g.file())
	}
	testtree.Sort(root)
	return &fstree.Tree{Root: root}
}

// contentWords make up compressible file contents (testtree.Content).
var contentWords = []string{"erofs ", "block ", "inode ", "the ", "compress ", "\n", "data ", "4096 "}

type gen struct {
	r     *rand.Rand
	files []*fstree.Inode
}

func (g *gen) meta(in *fstree.Inode) {
	r := g.r
	in.Mtime = testBuildTime
	if r.Intn(3) == 0 {
		in.Mtime = time.Unix(r.Int63n(2e9), int64(r.Intn(1e9)))
	}
	if r.Intn(4) == 0 {
		in.UID, in.GID = uint32(r.Intn(70000)), uint32(r.Intn(70000))
	}
	if r.Intn(4) == 0 {
		names := []string{"user.a", "user.comment", "security.selinux", "trusted.x", "security.capability", "user." + strings.Repeat("n", 200)}
		vals := [][]byte{[]byte("v"), []byte("system_u:object_r:bin_t:s0"), {}, bytes.Repeat([]byte{7}, 300), {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}
		seen := map[string]bool{}
		for i := r.Intn(4); i >= 0; i-- {
			n := names[r.Intn(len(names))]
			if seen[n] {
				continue
			}
			seen[n] = true
			in.Xattrs = append(in.Xattrs, fstree.Xattr{Name: n, Value: vals[r.Intn(len(vals))]})
		}
		sortXattrs(in.Xattrs)
	}
}

func sortXattrs(x []fstree.Xattr) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j].Name < x[j-1].Name; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func (g *gen) dir() *fstree.Inode {
	in := &fstree.Inode{Kind: fstree.Dir, Mode: 0755}
	g.meta(in)
	if g.r.Intn(8) == 0 {
		in.Mode = 01777
	}
	return in
}

var interestingSizes = []int{0, 1, 100, 4095, 4096, 4097, 8191, 8192, 8193, 12287, 12288, 12289, 3 * 4096, 20000, 65536, 100000}

func (g *gen) file() *fstree.Inode {
	r := g.r
	in := &fstree.Inode{Kind: fstree.File, Mode: 0644}
	g.meta(in)
	if r.Intn(5) == 0 {
		in.Mode = []uint32{0755, 0444, 04755, 02711, 0600}[r.Intn(5)]
	}
	size := interestingSizes[r.Intn(len(interestingSizes))]
	if r.Intn(10) == 0 {
		size = r.Intn(300000)
	}
	in.SetData(testtree.Content(r, size, 4096, contentWords))
	in.Size = int64(size)
	g.files = append(g.files, in)
	return in
}

func (g *gen) fill(d *fstree.Inode, depth, n int) {
	r := g.r
	taken := map[string]bool{}
	for _, e := range d.Entries {
		taken[e.Name] = true
	}
	if depth == 1 && r.Intn(8) == 0 { // a directory spanning several blocks
		for i := 0; i < 300; i++ {
			in := &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: testBuildTime}
			if i%3 == 0 {
				in = &fstree.Inode{Kind: fstree.Symlink, Mode: 0777, Mtime: testBuildTime, Target: "t"}
			}
			testtree.Add(d, testtree.Name(r, taken), in)
		}
	}
	for i := 0; i < n; i++ {
		name := testtree.Name(r, taken)
		var in *fstree.Inode
		switch k := r.Intn(20); {
		case k < 10:
			in = g.file()
		case k < 13 && depth < 4:
			in = g.dir()
			g.fill(in, depth+1, r.Intn(8))
		case k < 15:
			in = &fstree.Inode{Kind: fstree.Symlink, Mode: 0777}
			g.meta(in)
			in.Target = []string{"target", "../x/y", "/abs/path", strings.Repeat("long/", 300)}[r.Intn(4)]
		case k < 16 && len(g.files) > 0:
			in = g.files[r.Intn(len(g.files))] // hardlink
		case k < 17:
			in = &fstree.Inode{Kind: []fstree.Kind{fstree.CharDevice, fstree.BlockDevice}[r.Intn(2)], Mode: 0660, Major: uint32(r.Intn(300)), Minor: uint32(r.Intn(70000))}
			g.meta(in)
		case k < 18:
			in = &fstree.Inode{Kind: fstree.FIFO, Mode: 0644}
			g.meta(in)
		case k < 19:
			in = &fstree.Inode{Kind: fstree.Socket, Mode: 0755}
			g.meta(in)
		default:
			in = g.file()
		}
		testtree.Add(d, name, in)
	}
}
