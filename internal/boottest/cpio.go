package boottest

import (
	"fmt"
	"io"
	"io/fs"
)

// newc is the magic of the "new ASCII" cpio format, the one the kernel
// unpacks into its initramfs (Documentation/driver-api/early-userspace/
// buffer-format.rst).
const (
	newcMagic   = "070701"
	newcTrailer = "TRAILER!!!"
)

// cpioWriter writes a newc archive: every header field is eight hex
// digits, name and data are padded to four bytes. Times are 0, owners
// root and inode numbers sequential, so the archive depends only on what
// is added and in which order. The first error sticks.
type cpioWriter struct {
	w   io.Writer
	n   int64
	ino uint32
	err error
}

func newCpioWriter(w io.Writer) *cpioWriter { return &cpioWriter{w: w} }

// add writes one entry; mode carries the file type (fs.ModeDir,
// fs.ModeSymlink, or none for a regular file) and the permission bits.
// A symlink's data is its target.
func (c *cpioWriter) add(name string, mode fs.FileMode, data []byte) {
	c.entry(name, mode, data, 0, 0)
}

// char writes a character device node.
func (c *cpioWriter) char(name string, perm fs.FileMode, major, minor uint32) {
	c.entry(name, fs.ModeCharDevice|perm, nil, major, minor)
}

func (c *cpioWriter) entry(name string, mode fs.FileMode, data []byte, major, minor uint32) {
	if c.err != nil {
		return
	}
	c.ino++
	m := uint32(mode.Perm())
	nlink := 1
	switch {
	case mode&fs.ModeDir != 0:
		m |= 0o040000
		nlink = 2
	case mode&fs.ModeSymlink != 0:
		m |= 0o120000
	case mode&fs.ModeCharDevice != 0:
		m |= 0o020000
	default:
		m |= 0o100000
	}
	if name == newcTrailer {
		m, nlink = 0, 1
	}
	// ino mode uid gid nlink mtime filesize devmajor devminor
	// rdevmajor rdevminor namesize check
	hdr := fmt.Sprintf("%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		newcMagic, c.ino, m, 0, 0, nlink, 0, len(data), 0, 0, major, minor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write(append([]byte(name), 0))
	c.pad()
	c.write(data)
	c.pad()
}

// close writes the trailer entry.
func (c *cpioWriter) close() error {
	c.add(newcTrailer, 0, nil)
	return c.err
}

func (c *cpioWriter) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	if err != nil {
		c.err = fmt.Errorf("writing cpio: %w", err)
	}
}

func (c *cpioWriter) pad() {
	if r := c.n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}
