package squashfs

import (
	"encoding/binary"
	"io"
)

// metaWriter cuts a stream of metadata (the inode, directory or xattr
// table) into 8 KiB blocks, compresses each when that makes it smaller
// and writes it behind its 2-byte header to out. Positions in the table
// are (start of the block relative to the table, offset in the
// uncompressed block), the form inode references and directory headers
// take.
type metaWriter struct {
	c     codec
	out   io.Writer
	buf   []byte // uncompressed bytes of the current block
	done  int64  // bytes written to out: the start of the current block
	hdr   [2]byte
	marks []int64 // block starts seen while marking (see mark)
	mark  bool
}

func newMetaWriter(c codec, out io.Writer) *metaWriter {
	return &metaWriter{c: c, out: out, buf: make([]byte, 0, metaSize)}
}

// pos is where the next byte goes.
func (m *metaWriter) pos() (block int64, offset int) { return m.done, len(m.buf) }

func (m *metaWriter) ref() inodeRef { return makeRef(m.done, len(m.buf)) }

// write appends p, writing out every block it fills.
func (m *metaWriter) write(p []byte) error {
	for len(p) > 0 {
		n := copy(m.buf[len(m.buf):metaSize], p)
		m.buf = m.buf[:len(m.buf)+n]
		p = p[n:]
		if len(m.buf) == metaSize {
			if err := m.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the current block, full or not.
func (m *metaWriter) flush() error {
	if len(m.buf) == 0 {
		return nil
	}
	data, err := m.c.compress(m.buf)
	if err != nil {
		return err
	}
	size := uint16(len(data))
	if data == nil {
		data, size = m.buf, uint16(len(m.buf))|metaUncompressed
	}
	binary.LittleEndian.PutUint16(m.hdr[:], size)
	if _, err := m.out.Write(m.hdr[:]); err != nil {
		return err
	}
	if _, err := m.out.Write(data); err != nil {
		return err
	}
	m.done += int64(2 + len(data))
	m.buf = m.buf[:0]
	if m.mark {
		m.marks = append(m.marks, m.done)
	}
	return nil
}

// writeMarked appends p and returns the start of every block that holds
// a byte of p, first the one holding p[0]: block k of the result holds
// the bytes at uncompressed offsets [k·8192-off, (k+1)·8192-off) of p,
// off being the offset of p[0] in its block.
func (m *metaWriter) writeMarked(p []byte) ([]int64, error) {
	m.mark, m.marks = true, append(m.marks[:0], m.done)
	err := m.write(p)
	m.mark = false
	return m.marks, err
}

// tableWriter writes a table of fixed-size entries (fragments, inode
// lookup, ids, xattr ids) as mksquashfs's generic_write_table does:
// metadata blocks, then an optional header, then the list of the blocks'
// absolute positions, which the superblock points at (or at the header).
func writeTable(w *countWriter, c codec, data, header []byte) (int64, error) {
	var starts []byte
	for len(data) > 0 {
		n := min(len(data), metaSize)
		starts = binary.LittleEndian.AppendUint64(starts, uint64(w.n))
		m := newMetaWriter(c, w)
		if err := m.write(data[:n]); err != nil {
			return 0, err
		}
		if err := m.flush(); err != nil {
			return 0, err
		}
		data = data[n:]
	}
	start := w.n
	if _, err := w.Write(header); err != nil {
		return 0, err
	}
	if _, err := w.Write(starts); err != nil {
		return 0, err
	}
	return start, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
