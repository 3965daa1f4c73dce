// Package testtree generates random fstree trees for the writers' tests:
// whole trees for the writers that run external tools (btrfs, xfs), and
// the names, contents and sorting the other generators (squashfs, erofs)
// build theirs from. It also compares what a reader of the written
// filesystem found with the tree.
package testtree

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Options select what a generated tree may hold.
type Options struct {
	Hardlinks bool // inodes with several names
	Devices   bool // character and block devices
	Owners    bool // owners other than 0:0
	Sticky    bool // the sticky bit on directories
	Xattrs    bool // user.*, trusted.* and security.* attributes
	Spaces    bool // names and symlink targets with spaces
	Sparse    bool // large source files with holes
	Sockets   bool // sockets besides FIFOs
}

// Gen builds a random tree from seed. Files larger than a few KiB are
// written to srcDir and read from there; the others are held in memory.
func Gen(seed int64, srcDir string, o Options) (*fstree.Tree, error) {
	g := &gen{r: rand.New(rand.NewSource(seed)), o: o, src: srcDir}
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Mtime: time.Unix(1700000000, 0)}
	if err := g.fill(root, 0); err != nil {
		return nil, err
	}
	Sort(root)
	return &fstree.Tree{Root: root}, nil
}

type gen struct {
	r     *rand.Rand
	o     Options
	src   string
	nsrc  int
	files []*fstree.Inode
}

func (g *gen) fill(d *fstree.Inode, depth int) error {
	r := g.r
	taken := map[string]bool{}
	for n := 3 + r.Intn(12); n > 0; n-- {
		name := g.name()
		if taken[name] {
			continue
		}
		taken[name] = true
		var in *fstree.Inode
		switch k := r.Intn(12); {
		case k < 3 && depth < 4:
			in = &fstree.Inode{Kind: fstree.Dir, Mode: 0o755}
			if g.o.Sticky && r.Intn(6) == 0 {
				in.Mode = 0o1777
			}
			if r.Intn(8) == 0 {
				in.Mode = 0o500 // read-only for its owner
			}
			g.meta(in)
			if err := g.fill(in, depth+1); err != nil {
				return err
			}
		case k < 8:
			if g.o.Hardlinks && len(g.files) > 0 && r.Intn(5) == 0 {
				in = g.files[r.Intn(len(g.files))]
				break
			}
			var err error
			if in, err = g.file(); err != nil {
				return err
			}
		case k < 10:
			in = &fstree.Inode{Kind: fstree.Symlink, Mode: 0o777, Target: g.target()}
			g.meta(in)
		case k == 10:
			in = &fstree.Inode{Kind: fstree.FIFO, Mode: 0o644}
			if r.Intn(2) == 0 && g.o.Sockets {
				in.Kind = fstree.Socket
			}
			g.meta(in)
		default:
			if !g.o.Devices {
				in = &fstree.Inode{Kind: fstree.FIFO, Mode: 0o600}
			} else {
				in = &fstree.Inode{Kind: fstree.CharDevice, Mode: 0o660, Major: uint32(r.Intn(300)), Minor: uint32(r.Intn(70000))}
				if r.Intn(2) == 0 {
					in.Kind = fstree.BlockDevice
				}
			}
			g.meta(in)
		}
		d.Entries = append(d.Entries, &fstree.Entry{Name: name, Inode: in})
	}
	return nil
}

// file makes a regular file: small ones in memory, larger (and sparse)
// ones in srcDir.
func (g *gen) file() (*fstree.Inode, error) {
	r := g.r
	in := &fstree.Inode{Kind: fstree.File, Mode: []uint32{0o644, 0o755, 0o600, 0o4755, 0o2711, 0}[r.Intn(6)]}
	g.meta(in)
	g.files = append(g.files, in)
	sizes := []int{0, 1, 100, 4095, 4096, 4097, 70000, 300000}
	size := sizes[r.Intn(len(sizes))]
	data := make([]byte, size)
	r.Read(data)
	if size < 8192 {
		in.SetData(data)
		in.Size = int64(size)
		return in, nil
	}
	g.nsrc++
	p := filepath.Join(g.src, fmt.Sprintf("src%05d", g.nsrc))
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return nil, err
	}
	in.Size = int64(size)
	if g.o.Sparse && r.Intn(4) == 0 {
		// A hole, then a tail of data.
		in.Size = int64(size) + 1<<20 + 12345
		if _, err := f.WriteAt([]byte("tail"), in.Size-4); err != nil {
			return nil, err
		}
		in.Sparse = true
	}
	in.SetSource(p)
	return in, nil
}

func (g *gen) meta(in *fstree.Inode) {
	r := g.r
	in.Mtime = time.Unix(1600000000+r.Int63n(200000000), int64(r.Intn(1e9)))
	if g.o.Owners && r.Intn(3) == 0 {
		in.UID, in.GID = uint32(r.Intn(70000)), uint32(r.Intn(70000))
	}
	if g.o.Xattrs && in.Kind != fstree.Symlink && r.Intn(3) == 0 {
		names := []string{"trusted.x", "security.selinux", "user.a", "user.comment", "user.validatefs.mount_point"}
		vals := [][]byte{[]byte("v"), []byte("system_u:object_r:bin_t:s0\x00"), {}, {0, 1, 2, 0, 255}, []byte("/usr\x00/srv")}
		if in.Kind != fstree.File && in.Kind != fstree.Dir {
			names = names[:2] // Linux allows user.* on files and directories only
		}
		for _, i := range r.Perm(len(names))[:1+r.Intn(len(names)-1)] {
			in.Xattrs = append(in.Xattrs, fstree.Xattr{Name: names[i], Value: vals[r.Intn(len(vals))]})
		}
		slices.SortFunc(in.Xattrs, func(a, b fstree.Xattr) int { return strings.Compare(a.Name, b.Name) })
	}
}

const nameChars = "abcdefghijklmnopqrstuvwxyz0123456789-_.:,+=@%ü€"

func (g *gen) name() string {
	r := g.r
	n := 1 + r.Intn(12)
	if r.Intn(20) == 0 {
		n = 200
	}
	rs := []rune(nameChars)
	var b strings.Builder
	for b.Len() < n {
		c := rs[r.Intn(len(rs))]
		if g.o.Spaces && r.Intn(15) == 0 {
			c = ' '
		}
		if b.Len() == 0 && (c == '.' || c == ':' || c == '-') {
			c = 'x'
		}
		b.WriteRune(c)
	}
	s := b.String()
	if len(s) > 255 {
		s = s[:250]
	}
	return s
}

func (g *gen) target() string {
	t := []string{"a", "../b/c", "/usr/lib/x", strings.Repeat("long/", 60) + "end", "ü€"}[g.r.Intn(5)]
	if g.o.Spaces && g.r.Intn(3) == 0 {
		t += " x"
	}
	return t
}
