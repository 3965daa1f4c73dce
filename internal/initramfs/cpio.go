package initramfs

import (
	"fmt"
	"io"
	"io/fs"
)

// newc is the "new ASCII" cpio format: a header of the magic and
// thirteen eight-digit hex fields, the name and its NUL, the data; name
// and data are each padded to four bytes. The archive ends with an
// entry named newcTrailer.
const (
	newcMagic   = "070701"
	newcTrailer = "TRAILER!!!"
)

// Mode bits of the file types (st_mode's S_IFMT).
const (
	modeDir     = 0o040000
	modeSymlink = 0o120000
	modeChar    = 0o020000
	modeRegular = 0o100000
)

// Writer writes a newc archive. Every entry belongs to root, has mtime 0
// and the next inode number. The first error sticks.
type Writer struct {
	w   io.Writer
	n   int64
	ino uint32
	err error
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Add writes one entry: mode carries the type (fs.ModeDir, fs.ModeSymlink,
// or none for a regular file) and the permission bits. A symlink's data
// is its target.
func (c *Writer) Add(name string, mode fs.FileMode, data []byte) {
	c.entry(name, mode, data, 0, 0)
}

// Char writes a character device node.
func (c *Writer) Char(name string, perm fs.FileMode, major, minor uint32) {
	c.entry(name, fs.ModeCharDevice|perm, nil, major, minor)
}

// Close writes the trailer entry and returns the first error. It does not
// close the underlying writer.
func (c *Writer) Close() error {
	c.header(newcTrailer, 0, 1, 0, 0, 0)
	return c.err
}

func (c *Writer) entry(name string, mode fs.FileMode, data []byte, major, minor uint32) {
	m := uint32(mode.Perm())
	nlink := uint32(1)
	switch {
	case mode&fs.ModeDir != 0:
		m |= modeDir
		nlink = 2
	case mode&fs.ModeSymlink != 0:
		m |= modeSymlink
	case mode&fs.ModeCharDevice != 0:
		m |= modeChar
	default:
		m |= modeRegular
	}
	c.header(name, m, nlink, uint32(len(data)), major, minor)
	c.write(data)
	c.pad()
}

func (c *Writer) header(name string, mode, nlink, size, major, minor uint32) {
	if c.err != nil {
		return
	}
	c.ino++
	// ino mode uid gid nlink mtime filesize devmajor devminor
	// rdevmajor rdevminor namesize check
	hdr := fmt.Sprintf("%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		newcMagic, c.ino, mode, 0, 0, nlink, 0, size, 0, 0, major, minor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write(append([]byte(name), 0))
	c.pad()
}

func (c *Writer) write(b []byte) {
	if c.err != nil || len(b) == 0 {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	if err != nil {
		c.err = fmt.Errorf("writing cpio: %w", err)
	}
}

func (c *Writer) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}
