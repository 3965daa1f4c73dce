package fstree

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Kind is the type of an inode.
type Kind uint8

const (
	File Kind = iota
	Dir
	Symlink
	CharDevice
	BlockDevice
	FIFO
	Socket
)

func (k Kind) String() string {
	switch k {
	case File:
		return "file"
	case Dir:
		return "dir"
	case Symlink:
		return "symlink"
	case CharDevice:
		return "char device"
	case BlockDevice:
		return "block device"
	case FIFO:
		return "fifo"
	case Socket:
		return "socket"
	}
	return "unknown"
}

// Xattr is one extended attribute. Name is the full name including its
// namespace prefix ("security.capability", "user.validatefs.mount_point").
type Xattr struct {
	Name  string
	Value []byte
}

// Inode is one target inode. Several Entries may point at the same Inode:
// that is a hardlink group (in a spilled tree, List makes a new Inode per
// entry, and the group shares a LinkKey instead).
type Inode struct {
	Kind Kind
	// Sparse is set by Build for a regular file whose source allocates
	// fewer bytes than its Size (st_blocks*512 < st_size): it may have
	// holes, and DataExtents is worth asking. (Sits in Kind's padding.)
	Sparse bool
	// Mode holds the permission bits including setuid, setgid and sticky
	// (07777); the file type is Kind.
	Mode uint32
	UID  uint32
	GID  uint32
	// Mtime is used for mtime, atime and ctime alike by writers (already
	// clamped to SOURCE_DATE_EPOCH when that is set).
	Mtime time.Time
	// Xattrs sorted by Name.
	Xattrs []Xattr

	// Size is the length of a regular file's data.
	Size int64
	// srcDir and srcName locate the data of a regular file read from
	// disk (SetSource, SourcePath): the directory is a chain of names
	// shared by everything read from the same source directory, so a tree
	// of 150k files holds neither 150k copies of long /nix/store/…
	// paths nor one per directory. A nil srcDir means the file's content
	// is held in memory (SetData; generated files, tests), in srcName:
	// the two never coexist, and a separate []byte would cost every
	// inode 24 bytes.
	srcDir  *srcDir
	srcName string

	// Target is a symlink's target.
	Target string
	// Major and Minor of a device node.
	Major, Minor uint32

	// Entries of a directory, sorted by Name (byte order). Never holds
	// "." or "..". Nil for a spilled directory: use List.
	Entries []*Entry

	// spill is set on an inode decoded from a spill file (spill.go): a
	// spilled directory's listing lives there, and a hardlinked
	// non-directory's key is its group's.
	spill *spillRef
}

// Entry is a name in a directory.
type Entry struct {
	Name  string
	Inode *Inode
}

// Tree is the root of a filesystem. A tree built with
// BuildOptions.SpillDir keeps most directory listings in a temporary file
// (see List) until Close.
type Tree struct {
	Root *Inode

	spill *spill
}

// Close releases the spill file of a tree built with
// BuildOptions.SpillDir. Afterwards List of a directory still in the
// file returns an error (wrapping os.ErrClosed). Close of a tree held in
// memory does nothing; a second Close does nothing.
func (t *Tree) Close() error {
	if t.spill == nil {
		return nil
	}
	return t.spill.close()
}

// srcDir is a source directory: its name in its parent, or the whole
// path of the top directory of a copy.
type srcDir struct {
	parent *srcDir
	name   string
}

// path returns the directory's path with a trailing slash.
func (d *srcDir) path() string {
	n := 0
	for x := d; x != nil; x = x.parent {
		n += len(x.name) + 1
	}
	b := make([]byte, n)
	for x := d; x != nil; x = x.parent {
		b[n-1] = '/'
		n -= len(x.name) + 1
		copy(b[n:], x.name)
	}
	return string(b)
}

// SetSource makes path the file the data of i is read from.
func (i *Inode) SetSource(path string) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "./" // a bare name: relative to the working directory
	}
	i.srcDir, i.srcName = &srcDir{name: strings.TrimSuffix(dir, "/")}, name
}

// setSourceIn is SetSource for a file called name in the source
// directory dir, sharing dir with its siblings.
func (i *Inode) setSourceIn(dir *srcDir, name string) {
	i.srcDir, i.srcName = dir, name
}

// SetData makes a copy of b the content of a regular file held in
// memory instead of read from a source.
func (i *Inode) SetData(b []byte) {
	i.srcDir, i.srcName = nil, string(b)
}

// WithData is SetData returning i, for composite literals.
func (i *Inode) WithData(b []byte) *Inode {
	i.SetData(b)
	return i
}

// Data returns a copy of the content held in memory (nil when it is read
// from SourcePath).
func (i *Inode) Data() []byte {
	if i.HasSource() {
		return nil
	}
	return []byte(i.srcName)
}

// SourcePath returns the path the data of a regular file is read from, or
// "" when the content is held in memory (Data).
func (i *Inode) SourcePath() string {
	if i.srcDir == nil {
		return ""
	}
	return i.srcDir.path() + i.srcName
}

// HasSource reports whether the data is read from a file (SourcePath)
// rather than held in Data.
func (i *Inode) HasSource() bool { return i.srcDir != nil }

// Open returns a reader for a regular file's data. The caller closes it.
// Reading past Size returns io.EOF even if the source has grown; a source
// that shrank yields io.ErrUnexpectedEOF from ReadFull.
func (i *Inode) Open() (ReaderAtCloser, error) {
	if !i.HasSource() {
		return nopCloser{strings.NewReader(i.srcName)}, nil
	}
	return openSource(i.SourcePath())
}

// openSource opens a source file for reading. os.Open would first offer
// a regular file to the poller, which refuses it, at four fcntl and an
// epoll_ctl call more: on a tree of 20k files read by two partitions
// that was a tenth of a build's time in system calls.
func openSource(path string) (*os.File, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			return os.NewFile(uintptr(fd), path), nil
		}
		if err != unix.EINTR {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
	}
}

// ReaderAtCloser is the data of a regular file.
type ReaderAtCloser interface {
	io.Reader
	io.ReaderAt
	io.Closer
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// Lookup returns the entry called name in directory d, or nil. On a
// spilled directory it reads the listing (List) on every call and
// returns a new Entry; a listing that cannot be read finds nothing: use
// List to see the error. (Build itself never looks up in a spilled
// directory: it decodes the directories it changes first.)
func (d *Inode) Lookup(name string) *Entry {
	ents := d.Entries
	if d.spilled() {
		ents, _ = d.List()
	}
	i := sort.Search(len(ents), func(i int) bool { return ents[i].Name >= name })
	if i < len(ents) && ents[i].Name == name {
		return ents[i]
	}
	return nil
}

// Walk calls fn for every entry below d in depth-first, sorted order,
// directories before their contents. path is slash-separated and relative
// to d ("a", "a/b"). The same Inode is visited once per entry pointing at it
// (in a spilled tree, the entries of a hardlink group are distinct Inodes
// with one LinkKey). Directories are listed with List; its error is
// returned.
func Walk(d *Inode, fn func(path string, e *Entry) error) error {
	return walk(d, "", fn)
}

func walk(d *Inode, prefix string, fn func(string, *Entry) error) error {
	ents, err := d.List()
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := e.Name
		if prefix != "" {
			p = prefix + "/" + e.Name
		}
		if err := fn(p, e); err != nil {
			return err
		}
		if e.Inode.Kind == Dir {
			if err := walk(e.Inode, p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// List returns the entries of directory d, sorted by name. A directory held
// in memory returns d.Entries. A spilled directory (BuildOptions.SpillDir)
// reads its listing back from the tree's spill file and returns new
// Entries and Inodes on every call (its subdirectories spilled in turn);
// it is safe for concurrent use, and fails once the tree is closed.
// (Writers that must not hold the whole tree list directories through
// List and keep nothing of what it returns.)
func (d *Inode) List() ([]*Entry, error) {
	if d.spilled() {
		return d.spill.list()
	}
	return d.Entries, nil
}

// LinkKey identifies an inode of a tree: two entries are hardlinks when
// their inodes have the same, non-zero key. The zero key means the inode
// has no other entry, so a writer need not remember it.
type LinkKey struct {
	p  *Inode
	id uint64
}

// IsZero reports whether k is the zero key (an inode with one entry).
func (k LinkKey) IsZero() bool { return k == LinkKey{} }

// LinkKey returns i's key. An inode held in memory is keyed by its
// address. An inode read from a spill file has the zero key, unless it is
// a non-directory of a KeepHardlinks group: then it has the group's key,
// unique in the tree and the same on every List.
func (i *Inode) LinkKey() LinkKey {
	if i.spill != nil {
		return LinkKey{id: i.spill.link}
	}
	return LinkKey{p: i}
}
