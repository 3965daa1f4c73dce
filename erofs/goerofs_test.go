package erofs

import (
	"bytes"
	"fmt"
	"io/fs"
	"sync"
	"testing"

	goerofs "github.com/erofs/go-erofs"
	"github.com/gorepart/gorepart/fstree"
)

// TestGoErofsReads reads 200 uncompressed images with go-erofs, the erofs
// project's Go reader, and compares everything fsck.erofs --extract cannot
// show: full modes, xattrs, link counts and hardlinks (one inode).
func TestGoErofsReads(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		tr := genTree(seed)
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime}); err != nil {
			t.Fatal(err)
		}
		img, err := goerofs.Open(bytes.NewReader(buf.b))
		if err != nil {
			t.Fatalf("seed %d: go-erofs: %v", seed, err)
		}
		if err := compareFS(tr, img.(statFS)); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

type statFS interface {
	fs.FS
	Lstat(string) (fs.FileInfo, error)
	ReadLink(string) (string, error)
	ReadFile(string) ([]byte, error)
}

func compareFS(tr *fstree.Tree, img statFS) error {
	inos := map[*fstree.Inode]int64{}
	check := func(p string, in *fstree.Inode, links int) error {
		fi, err := img.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*goerofs.Stat)
		if want := fileMode(in); st.Mode != want {
			return fmt.Errorf("%s: mode %v, want %v", p, st.Mode, want)
		}
		if st.UID != in.UID || st.GID != in.GID {
			return fmt.Errorf("%s: owner %d:%d, want %d:%d", p, st.UID, st.GID, in.UID, in.GID)
		}
		if int64(st.Mtime) != in.Mtime.Unix() || int(st.MtimeNs) != in.Mtime.Nanosecond() {
			return fmt.Errorf("%s: mtime %d.%09d, want %v", p, st.Mtime, st.MtimeNs, in.Mtime)
		}
		if in.Kind != fstree.Dir && st.Nlink != links {
			return fmt.Errorf("%s: nlink %d, want %d", p, st.Nlink, links)
		}
		if prev, ok := inos[in]; ok && prev != st.Ino {
			return fmt.Errorf("%s: hardlink with ino %d, want %d", p, st.Ino, prev)
		}
		inos[in] = st.Ino
		want := map[string]string{}
		for _, x := range in.Xattrs {
			want[x.Name] = string(x.Value)
		}
		if len(want) != len(st.Xattrs) {
			return fmt.Errorf("%s: xattrs %q, want %q", p, st.Xattrs, want)
		}
		for k, v := range want {
			if st.Xattrs[k] != v {
				return fmt.Errorf("%s: xattr %s=%q, want %q", p, k, st.Xattrs[k], v)
			}
		}
		switch in.Kind {
		case fstree.File:
			b, err := img.ReadFile(p)
			if err != nil {
				return err
			}
			if !bytes.Equal(b, in.Data()) {
				return fmt.Errorf("%s: content differs", p)
			}
		case fstree.Symlink:
			l, err := img.ReadLink(p)
			if err != nil {
				return err
			}
			if l != in.Target {
				return fmt.Errorf("%s: target %q, want %q", p, l, in.Target)
			}
		case fstree.CharDevice, fstree.BlockDevice:
			if st.Rdev != encodeDev(in.Major, in.Minor) {
				return fmt.Errorf("%s: rdev %x, want %d:%d", p, st.Rdev, in.Major, in.Minor)
			}
		}
		return nil
	}
	links := map[*fstree.Inode]int{}
	fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error { links[e.Inode]++; return nil })
	if err := check(".", tr.Root, 0); err != nil {
		return err
	}
	return fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		return check(p, e.Inode, links[e.Inode])
	})
}

func fileMode(in *fstree.Inode) fs.FileMode {
	m := fs.FileMode(in.Mode & 0777)
	if in.Mode&04000 != 0 {
		m |= fs.ModeSetuid
	}
	if in.Mode&02000 != 0 {
		m |= fs.ModeSetgid
	}
	if in.Mode&01000 != 0 {
		m |= fs.ModeSticky
	}
	switch in.Kind {
	case fstree.Dir:
		m |= fs.ModeDir
	case fstree.Symlink:
		m |= fs.ModeSymlink
	case fstree.CharDevice:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case fstree.BlockDevice:
		m |= fs.ModeDevice
	case fstree.FIFO:
		m |= fs.ModeNamedPipe
	case fstree.Socket:
		m |= fs.ModeSocket
	}
	return m
}

// memWriterAt is an in-memory io.WriterAt.
type memWriterAt struct {
	mu sync.Mutex
	b  []byte
}

func (m *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := off + int64(len(p)); end > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, end-int64(len(m.b)))...)
	}
	copy(m.b[off:], p)
	return len(p), nil
}
