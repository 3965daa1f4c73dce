package ext4

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorepart/gorepart/fstree"
)

// genOpts shapes a generated tree.
type genOpts struct {
	maxDepth  int
	maxFanout int
	bigDir    int // entries of one extra large directory (0: none)
	longNames bool
}

type gen struct {
	r     *rand.Rand
	o     genOpts
	files []*fstree.Inode
}

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,+=@ "

func (g *gen) name(n int) string {
	var b strings.Builder
	for b.Len() < n {
		switch g.r.Intn(20) {
		case 0:
			b.WriteString("ä")
		case 1:
			b.WriteString("€")
		default:
			b.WriteByte(nameChars[g.r.Intn(len(nameChars))])
		}
	}
	s := b.String()
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	if s == "" || s == "." || s == ".." {
		s = "x"
	}
	if s[0] == ' ' {
		s = "x" + s[1:]
	}
	if s[len(s)-1] == ' ' {
		s = s[:len(s)-1] + "x"
	}
	return s
}

func (g *gen) nameLen() int {
	switch g.r.Intn(10) {
	case 0:
		return 255
	case 1:
		return 200 + g.r.Intn(56)
	}
	return 1 + g.r.Intn(20)
}

func (g *gen) time() time.Time {
	switch g.r.Intn(6) {
	case 0:
		return time.Unix(1<<31+int64(g.r.Intn(1<<30)), int64(g.r.Intn(1e9))) // after 2038
	case 1:
		return time.Unix(0, 0)
	}
	return time.Unix(int64(g.r.Intn(1<<31)), int64(g.r.Intn(1e9)))
}

func (g *gen) meta(in *fstree.Inode) {
	in.Mode = uint32(g.r.Intn(010000))
	if in.Kind == fstree.Dir {
		in.Mode |= 0700 // rdump must be able to descend
	}
	if in.Kind == fstree.File || in.Kind == fstree.Symlink {
		in.Mode |= 0400
	}
	if in.Kind == fstree.Symlink {
		in.Mode = 0777
	}
	switch g.r.Intn(4) {
	case 0:
		in.UID, in.GID = uint32(g.r.Intn(1<<20)), uint32(g.r.Intn(1<<20))
	case 1:
		in.UID, in.GID = 1000, 100
	}
	in.Mtime = g.time()
	if g.r.Intn(4) == 0 {
		in.Xattrs = g.xattrs()
	}
}

func (g *gen) xattrs() []fstree.Xattr {
	var xs []fstree.Xattr
	if g.r.Intn(2) == 0 {
		xs = append(xs, fstree.Xattr{Name: "security.selinux", Value: []byte("system_u:object_r:etc_t:s0\x00")})
	}
	if g.r.Intn(3) == 0 {
		v := make([]byte, 20)
		binary.LittleEndian.PutUint32(v, 0x02000001)
		g.r.Read(v[4:])
		xs = append(xs, fstree.Xattr{Name: "security.capability", Value: v})
	}
	if g.r.Intn(3) == 0 {
		xs = append(xs, fstree.Xattr{Name: "user.small", Value: []byte(g.name(1 + g.r.Intn(10)))})
	}
	if g.r.Intn(4) == 0 {
		v := make([]byte, 100+g.r.Intn(2000))
		g.r.Read(v)
		xs = append(xs, fstree.Xattr{Name: fmt.Sprintf("user.big.%d", g.r.Intn(1000)), Value: v})
	}
	if g.r.Intn(5) == 0 {
		xs = append(xs, fstree.Xattr{Name: "user.empty"})
	}
	if g.r.Intn(5) == 0 {
		xs = append(xs, fstree.Xattr{Name: "trusted.t", Value: []byte("tv")})
	}
	if g.r.Intn(5) == 0 {
		xs = append(xs, fstree.Xattr{Name: "system.posix_acl_access", Value: aclValue(g.r)})
	}
	sortXattrs(xs)
	return xs
}

// aclValue is a POSIX ACL in the VFS xattr format.
func aclValue(r *rand.Rand) []byte {
	v := binary.LittleEndian.AppendUint32(nil, 2)
	ent := func(tag uint16, perm uint16, id uint32) {
		v = binary.LittleEndian.AppendUint16(v, tag)
		v = binary.LittleEndian.AppendUint16(v, perm)
		v = binary.LittleEndian.AppendUint32(v, id)
	}
	ent(0x01, 6, 0xffffffff)
	ent(0x02, 4, uint32(1000+r.Intn(100)))
	ent(0x04, 4, 0xffffffff)
	ent(0x10, 6, 0xffffffff)
	ent(0x20, 4, 0xffffffff)
	return v
}

func sortXattrs(xs []fstree.Xattr) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j].Name < xs[j-1].Name; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func (g *gen) fileData() []byte {
	switch g.r.Intn(8) {
	case 0:
		return nil
	case 1: // sparse: data, hole, data
		d := make([]byte, blockSize*(3+g.r.Intn(6))+g.r.Intn(blockSize))
		g.r.Read(d[:100])
		g.r.Read(d[len(d)-10:])
		return d
	case 2: // fragmented by holes: many extents, an extent tree
		n := 5 + g.r.Intn(150)
		d := make([]byte, blockSize*2*n)
		for i := 0; i < n; i++ {
			d[2*i*blockSize] = byte(1 + i)
		}
		return d
	case 3:
		d := make([]byte, g.r.Intn(100000))
		g.r.Read(d)
		return d
	}
	d := make([]byte, g.r.Intn(6000))
	g.r.Read(d)
	return d
}

func (g *gen) leaf() *fstree.Inode {
	in := &fstree.Inode{}
	switch k := g.r.Intn(20); {
	case k < 11:
		in.Kind = fstree.File
		in.SetData(g.fileData())
		in.Size = int64(len(in.Data()))
		g.files = append(g.files, in)
	case k < 15:
		in.Kind = fstree.Symlink
		n := []int{1, 59, 60, 61, 200, 4095, 1 + g.r.Intn(100)}[g.r.Intn(7)]
		in.Target = strings.Repeat("t", n-1) + "x"
		if n > 10 {
			in.Target = "/" + g.name(n-1)
		}
	case k == 15:
		in.Kind = fstree.CharDevice
		in.Major, in.Minor = 1, 3
		if g.r.Intn(2) == 0 {
			in.Major, in.Minor = 259, 70000
		}
	case k == 16:
		in.Kind = fstree.BlockDevice
		in.Major, in.Minor = 8, uint32(g.r.Intn(300))
	case k == 17:
		in.Kind = fstree.FIFO
	case k == 18:
		in.Kind = fstree.Socket
	default:
		if len(g.files) > 0 { // hardlink
			return g.files[g.r.Intn(len(g.files))]
		}
		in.Kind = fstree.FIFO
	}
	g.meta(in)
	return in
}

func (g *gen) dir(depth int) *fstree.Inode {
	d := &fstree.Inode{Kind: fstree.Dir}
	g.meta(d)
	n := g.r.Intn(g.o.maxFanout + 1)
	seen := map[string]bool{}
	add := func(name string, in *fstree.Inode) {
		if seen[name] || (depth == 0 && name == "lost+found") {
			return
		}
		seen[name] = true
		d.Entries = append(d.Entries, &fstree.Entry{Name: name, Inode: in})
	}
	for i := 0; i < n; i++ {
		var in *fstree.Inode
		if depth < g.o.maxDepth && g.r.Intn(3) == 0 {
			in = g.dir(depth + 1)
		} else {
			in = g.leaf()
		}
		add(g.name(g.nameLen()), in)
	}
	if depth == 0 && g.o.bigDir > 0 {
		big := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: g.time()}
		d.Entries = append(d.Entries, &fstree.Entry{Name: "big", Inode: big})
		seen["big"] = true
		for i := 0; i < g.o.bigDir; i++ {
			name := fmt.Sprintf("f%07d", i)
			if i%3 == 0 {
				name += "-äö€\xff" // bytes >= 0x80 hash as signed chars
			}
			if g.o.longNames {
				name += strings.Repeat("x", 255-len(name))
			}
			in := &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: big.Mtime}
			if g.o.longNames && i > 0 { // one inode with thousands of names
				in = big.Entries[0].Inode
			} else if i%97 == 0 {
				in.SetData([]byte(name))
				in.Size = int64(len(name))
			}
			big.Entries = append(big.Entries, &fstree.Entry{Name: name, Inode: in})
		}
	}
	sortEntries(d)
	return d
}

func sortEntries(d *fstree.Inode) {
	es := d.Entries
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Name < es[j-1].Name; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// deepChain appends a chain of depth nested directories under d.
func deepChain(d *fstree.Inode, depth int) {
	cur := d
	for i := 0; i < depth; i++ {
		n := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: d.Mtime}
		cur.Entries = append(cur.Entries, &fstree.Entry{Name: fmt.Sprintf("level%02d", i), Inode: n})
		sortEntries(cur)
		cur = n
	}
	leaf := (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: 5, Mtime: d.Mtime}).WithData([]byte("deep\n"))
	cur.Entries = append(cur.Entries, &fstree.Entry{Name: "bottom", Inode: leaf})
}

// genTree returns the i-th generated test tree.
func genTree(i int) *fstree.Tree {
	g := &gen{r: rand.New(rand.NewSource(int64(i))), o: genOpts{maxDepth: 3, maxFanout: 8}}
	switch {
	case i%10 == 3:
		g.o.bigDir = 100 + g.r.Intn(1500) // htree, one level
	case i%10 == 7:
		g.o.maxDepth, g.o.maxFanout = 5, 12
	}
	root := g.dir(0)
	if i%10 == 5 {
		deepChain(root, 40)
	}
	return &fstree.Tree{Root: root}
}
