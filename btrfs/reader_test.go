package btrfs

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
	"golang.org/x/sys/unix"
)

// rootDirID is the objectid of a subvolume's top directory.
const rootDirID = 256

// dumpInode is an INODE_ITEM of a dump-tree listing.
type dumpInode struct {
	mode, uid, gid, nlink uint32
	size                  int64
	rdev                  uint64
	atime, mtime          time.Time
	xattrs                map[string]int // name → data_len
	xvals                 map[string][]byte
}

type dirent struct {
	parent, child uint64
	name          string
}

// readFS reads the top subvolume of img without mounting it: inodes,
// names and xattr names from `btrfs inspect-internal dump-tree -t 5`,
// contents, symlink targets and file xattr values from `btrfs restore`.
func readFS(t *testing.T, img string) map[string]*testtree.Node {
	t.Helper()
	btrfs := testutil.Tool(t, "btrfs", "btrfs-progs")
	out, err := exec.Command(btrfs, "inspect-internal", "dump-tree", "-t", "5", img).Output()
	if err != nil {
		t.Fatalf("dump-tree: %v", err)
	}
	inodes, dirents := parseDump(t, out)
	dir := t.TempDir()
	if b, err := exec.Command(btrfs, "restore", "-S", "-x", "-i", img, dir).CombinedOutput(); err != nil {
		t.Fatalf("btrfs restore: %v\n%s", err, b)
	}
	children := map[uint64][]dirent{}
	for _, d := range dirents {
		children[d.parent] = append(children[d.parent], d)
	}
	got := map[string]*testtree.Node{}
	var walk func(p string, ino uint64)
	walk = func(p string, ino uint64) {
		in := inodes[ino]
		if in == nil {
			t.Fatalf("%s: no inode item %d", p, ino)
		}
		n := &testtree.Node{Ino: ino, Mode: in.mode & 0o7777, UID: in.uid, GID: in.gid, Nlink: in.nlink,
			Mtime: in.mtime, Atime: in.atime, Xattrs: map[string][]byte{}, ValueLen: in.xattrs}
		for k := range in.xattrs {
			n.Xattrs[k] = nil
		}
		host := filepath.Join(dir, p)
		switch in.mode & unix.S_IFMT {
		case unix.S_IFDIR:
			n.Kind = fstree.Dir
		case unix.S_IFREG:
			n.Kind, n.Size = fstree.File, in.size
			if n.Data, err = os.ReadFile(host); err != nil {
				t.Fatalf("reading restored %s: %v", p, err)
			}
			for k := range in.xattrs {
				v := make([]byte, 65536)
				m, err := unix.Lgetxattr(host, k, v)
				if err != nil {
					t.Fatalf("restored %s: xattr %s: %v", p, k, err)
				}
				n.Xattrs[k] = v[:m]
			}
		case unix.S_IFLNK:
			n.Kind = fstree.Symlink
			if n.Target, err = os.Readlink(host); err != nil {
				t.Fatalf("restored %s: %v", p, err)
			}
		case unix.S_IFCHR, unix.S_IFBLK:
			n.Kind = fstree.CharDevice
			if in.mode&unix.S_IFMT == unix.S_IFBLK {
				n.Kind = fstree.BlockDevice
			}
			n.Major, n.Minor = unix.Major(in.rdev), unix.Minor(in.rdev)
		case unix.S_IFIFO:
			n.Kind = fstree.FIFO
		case unix.S_IFSOCK:
			n.Kind = fstree.Socket
		}
		got[p] = n
		for _, d := range children[ino] {
			walk(filepath.Join(p, d.name), d.child)
		}
	}
	walk("/", rootDirID)
	return got
}

// parseDump reads the INODE_ITEM, DIR_INDEX and XATTR_ITEM items of a
// dump-tree listing.
func parseDump(t *testing.T, out []byte) (map[uint64]*dumpInode, []dirent) {
	inodes := map[uint64]*dumpInode{}
	var dirents []dirent
	var obj uint64
	var typ string
	var loc uint64
	var xname string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	get := func(obj uint64) *dumpInode {
		if inodes[obj] == nil {
			inodes[obj] = &dumpInode{xattrs: map[string]int{}}
		}
		return inodes[obj]
	}
	var dataLen int
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), "\t")
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "item ") && len(f) > 5 && f[2] == "key":
			obj, _ = strconv.ParseUint(strings.TrimPrefix(f[3], "("), 10, 64)
			typ = f[4]
		case typ == "INODE_ITEM" && strings.HasPrefix(line, "generation "):
			get(obj).size = num(f, "size")
		case typ == "INODE_ITEM" && strings.HasPrefix(line, "block group "):
			in := get(obj)
			m, _ := strconv.ParseUint(field(f, "mode"), 8, 32)
			in.mode = uint32(m)
			in.nlink, in.uid, in.gid = uint32(num(f, "links")), uint32(num(f, "uid")), uint32(num(f, "gid"))
			in.rdev = uint64(num(f, "rdev"))
		case typ == "INODE_ITEM" && (f[0] == "atime" || f[0] == "mtime"):
			sec, nsec, _ := strings.Cut(f[1], ".")
			s, _ := strconv.ParseInt(sec, 10, 64)
			ns, _ := strconv.ParseInt(nsec, 10, 64)
			if f[0] == "atime" {
				get(obj).atime = time.Unix(s, ns)
			} else {
				get(obj).mtime = time.Unix(s, ns)
			}
		case typ == "DIR_INDEX" && strings.HasPrefix(line, "location key "):
			loc, _ = strconv.ParseUint(strings.TrimPrefix(f[2], "("), 10, 64)
		case typ == "DIR_INDEX" && strings.Contains(line, "name: "):
			// "name: N" on its own line (6.2) or after "index I namelen L"
			// (6.14), escaped as a shell word from some release on.
			_, name, _ := strings.Cut(line, "name: ")
			dirents = append(dirents, dirent{parent: obj, child: loc, name: unescapeDumpName(name)})
		case typ == "XATTR_ITEM" && strings.HasPrefix(line, "transid "):
			dataLen = int(num(f, "data_len"))
		case typ == "XATTR_ITEM" && strings.Contains(line, "name: "):
			_, xname, _ = strings.Cut(line, "name: ")
			xname = unescapeDumpName(xname)
			get(obj).xattrs[xname] = dataLen
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return inodes, dirents
}

// unescapeDumpName undoes dump-tree's escaping of names (btrfs-progs 6.14
// prints "a\\ b\\303\\274" for "a b ü"): a backslash and three octal
// digits is that byte, a backslash and another character that character.
// The test trees have no backslashes in names, so raw names of older
// releases pass through unchanged.
func unescapeDumpName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		i++
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// field returns the word after key in f.
func field(f []string, key string) string {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == key {
			return f[i+1]
		}
	}
	return ""
}

func num(f []string, key string) int64 {
	n, _ := strconv.ParseInt(field(f, key), 10, 64)
	return n
}

// check runs btrfs check --readonly and fails on any error.
func check(t *testing.T, img string) {
	t.Helper()
	btrfs := testutil.Tool(t, "btrfs", "btrfs-progs")
	out, err := exec.Command(btrfs, "check", "--readonly", img).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("ERROR")) {
		t.Fatalf("btrfs check --readonly %s: %v\n%s", img, err, out)
	}
}

// superField returns a field of `btrfs inspect-internal dump-super`.
func superField(t *testing.T, img, name string) string {
	t.Helper()
	btrfs := testutil.Tool(t, "btrfs", "btrfs-progs")
	out, err := exec.Command(btrfs, "inspect-internal", "dump-super", img).Output()
	if err != nil {
		t.Fatalf("dump-super: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == name {
			return f[1]
		}
	}
	t.Fatalf("dump-super: no %s", name)
	return ""
}
