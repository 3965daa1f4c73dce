package xfs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// xfsDB runs xfs_db -r on img with commands (from a script file when
// many) and returns its output; times print in UTC.
func xfsDB(t *testing.T, img string, cmds ...string) string {
	t.Helper()
	db := testutil.Tool(t, "xfs_db", "xfsprogs")
	var args []string
	if len(cmds) > 20 {
		f := img + ".script"
		if err := os.WriteFile(f, []byte(strings.Join(cmds, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(f)
		args = []string{"-c", "source " + f}
	} else {
		for _, c := range cmds {
			args = append(args, "-c", c)
		}
	}
	c := exec.Command(db, append(append([]string{"-f", "-r"}, args...), img)...)
	c.Env = []string{"TZ=UTC", "LC_ALL=C"}
	out, err := c.Output()
	if err != nil {
		t.Fatalf("xfs_db %v: %v", cmds, err)
	}
	return string(out)
}

// repair runs xfs_repair -n and fails on any finding.
func repair(t *testing.T, img string) {
	t.Helper()
	out, err := exec.Command(testutil.Tool(t, "xfs_repair", "xfsprogs"), "-n", img).CombinedOutput()
	if err != nil {
		t.Fatalf("xfs_repair -n %s: %v\n%s", img, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "would") || strings.Contains(l, "bad ") || strings.Contains(l, "CRC") {
			t.Fatalf("xfs_repair -n %s: %s\n%s", img, l, out)
		}
	}
}

// readFS reads img with xfs_db only, without mounting: names and inode
// numbers (ncheck), modes, owners, link counts, sizes, times, device
// numbers, in-inode symlink targets and xattrs (print), and file contents
// read from the image at the extents bmap reports.
func readFS(t *testing.T, img string) map[string]*testtree.Node {
	t.Helper()
	var blockSize, agBlocks, rootIno int64
	for _, l := range strings.Split(xfsDB(t, img, "sb 0", "print blocksize agblocks rootino"), "\n") {
		k, v, _ := strings.Cut(l, " = ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "blocksize":
			blockSize = n
		case "agblocks":
			agBlocks = n
		case "rootino":
			rootIno = n
		}
	}
	paths := map[uint64]string{uint64(rootIno): "/"}
	for _, l := range strings.Split(xfsDB(t, img, "blockget -n", "ncheck"), "\n") {
		num, p, ok := strings.Cut(strings.TrimLeft(l, " "), " ")
		if !ok {
			continue
		}
		ino, _ := strconv.ParseUint(num, 10, 64)
		paths[ino] = "/" + strings.TrimSuffix(p, "/.")
	}
	var cmds []string
	for ino := range paths {
		cmds = append(cmds, fmt.Sprintf("echo @@ %d", ino), fmt.Sprintf("inode %d", ino),
			"print core.mode core.uid core.gid core.nlinkv2 core.size core.atime core.mtime", "print u3", "print a", "bmap",
			"ablock 0", "print entries nvlist")
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]*testtree.Node{}
	var n *testtree.Node
	var exts [][3]int64 // file offset, byte offset, length (bytes)
	finish := func() {
		if n == nil {
			return
		}
		if n.Kind == fstree.File || n.Kind == fstree.Symlink && len(exts) > 0 {
			data := make([]byte, n.Size)
			if n.Kind == fstree.Symlink {
				data = nil
			}
			for _, e := range exts {
				b := make([]byte, e[2])
				if _, err := f.ReadAt(b, e[1]); err != nil {
					t.Fatalf("reading the image: %v", err)
				}
				if n.Kind == fstree.Symlink {
					data = append(data, bytes.TrimRight(b[56:], "\x00")...) // v5 symlink block header
					continue
				}
				copy(data[min(e[0], int64(len(data))):], b)
			}
			if n.Kind == fstree.File {
				n.Data = data
			} else {
				n.Target = string(data)
			}
		}
		exts = nil
	}
	var xname string
	var xflags [2]bool
	var leafFlags [][2]bool // root, secure of the entries of a leaf block
	inEntries := false
	sc := bufio.NewScanner(strings.NewReader(xfsDB(t, img, cmds...)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if rest, ok := strings.CutPrefix(l, "@@ "); ok {
			finish()
			ino, _ := strconv.ParseUint(strings.TrimSpace(rest), 10, 64)
			n = &testtree.Node{Ino: ino, Xattrs: map[string][]byte{}}
			got[paths[ino]] = n
			continue
		}
		if strings.HasPrefix(l, "entries[") {
			inEntries, leafFlags = true, nil
			continue
		}
		if inEntries {
			if _, rest, ok := strings.Cut(l, ":["); ok {
				f := strings.Split(strings.TrimRight(strings.TrimSpace(rest), "]"), ",")
				leafFlags = append(leafFlags, [2]bool{f[3] == "1", f[4] == "1"})
				continue
			}
			inEntries = false
		}
		if strings.HasPrefix(l, "data offset ") {
			var off, fsb, agno, agbno, count, flag int64
			fmt.Sscanf(l, "data offset %d startblock %d (%d/%d) count %d flag %d", &off, &fsb, &agno, &agbno, &count, &flag)
			exts = append(exts, [3]int64{off * blockSize, (agno*agBlocks + agbno) * blockSize, count * blockSize})
			continue
		}
		k, v, ok := strings.Cut(l, " = ")
		if !ok {
			continue
		}
		num := func() uint64 { x, _ := strconv.ParseUint(v, 0, 64); return x }
		switch {
		case k == "core.mode":
			m := uint32(num())
			n.Mode = m & 0o7777
			n.Kind = map[uint32]fstree.Kind{0o040000: fstree.Dir, 0o100000: fstree.File, 0o120000: fstree.Symlink,
				0o020000: fstree.CharDevice, 0o060000: fstree.BlockDevice, 0o010000: fstree.FIFO, 0o140000: fstree.Socket}[m&0o170000]
		case k == "core.uid":
			n.UID = uint32(num())
		case k == "core.gid":
			n.GID = uint32(num())
		case k == "core.nlinkv2":
			n.Nlink = uint32(num())
		case k == "core.size":
			n.Size = int64(num())
		case k == "core.atime.sec" || k == "core.mtime.sec":
			tm, err := time.Parse("Mon Jan _2 15:04:05 2006", v)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			if k == "core.atime.sec" {
				n.Atime = tm
			} else {
				n.Mtime = tm
			}
		case k == "core.atime.nsec":
			n.Atime = n.Atime.Add(time.Duration(num()))
		case k == "core.mtime.nsec":
			n.Mtime = n.Mtime.Add(time.Duration(num()))
		case k == "u3.symlink":
			n.Target = unquote(v)
		case k == "u3.dev":
			d := num()
			n.Major, n.Minor = uint32(d>>18), uint32(d&0x3ffff)
		case strings.HasPrefix(k, "a.sfattr.list[") && strings.HasSuffix(k, ".root"):
			xflags[0] = v == "1"
		case strings.HasPrefix(k, "a.sfattr.list[") && strings.HasSuffix(k, ".secure"):
			xflags[1] = v == "1"
		case strings.HasPrefix(k, "nvlist[") && strings.HasSuffix(k, ".name"):
			i, _ := strconv.Atoi(k[len("nvlist[") : len(k)-len("].name")])
			xflags = leafFlags[i]
			fallthrough
		case strings.HasPrefix(k, "a.sfattr.list[") && strings.HasSuffix(k, ".name"):
			xname = unquote(v)
			switch {
			case xflags[0] && strings.HasPrefix(xname, "SGI_ACL_"):
				xname = map[string]string{"SGI_ACL_FILE": "system.posix_acl_access", "SGI_ACL_DEFAULT": "system.posix_acl_default"}[xname]
			case xflags[0]:
				xname = "trusted." + xname
			case xflags[1]:
				xname = "security." + xname
			default:
				xname = "user." + xname
			}
			n.Xattrs[xname] = []byte{} // xfs_db prints no value line for an empty value
		case (strings.HasPrefix(k, "a.sfattr.list[") || strings.HasPrefix(k, "nvlist[")) && strings.HasSuffix(k, ".value"):
			n.Xattrs[xname] = []byte(unquote(v))
		}
	}
	finish()
	return got
}

// unquote reads a string as xfs_db prints it: quoted, with C escapes
// (\" \\ \b \t \n ... and \ooo).
func unquote(s string) string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
			v, _ := strconv.ParseUint(s[i+1:i+4], 8, 8)
			b.WriteByte(byte(v))
			i += 3
			continue
		}
		c := s[i+1]
		if e := strings.IndexByte("abfnrtv", c); e >= 0 {
			c = "\a\b\f\n\r\t\v"[e]
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}
