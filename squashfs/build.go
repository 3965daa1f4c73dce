package squashfs

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"

	"github.com/gorepart/gorepart/fsformat"
)

// build writes the whole image into an anonymous temporary file (see
// buildInto).
func (pl *Plan) build() error {
	img, err := pl.tempFile()
	if err != nil {
		return err
	}
	pl.img = img
	pl.size, err = pl.buildInto(img, 0)
	return err
}

// buildInto writes the whole image at the start of dst, never at or past
// limit (0: no limit; reaching it is an error wrapping fsformat.ErrLimit),
// and returns its size. It writes in mksquashfs's order: superblock,
// compressor options, data and fragment blocks, inode table, directory
// table, fragment table, export table, id table, xattr table, then zeros
// to a multiple of 4 KiB. The inode, directory and xattr tables are
// written while the data is, into temporary files of their own, and
// appended when the data is complete.
func (pl *Plan) buildInto(dst io.WriterAt, limit int64) (size int64, err error) {
	var spills [3]*os.File
	for i := range spills {
		if spills[i], err = pl.tempFile(); err != nil {
			return 0, err
		}
		defer spills[i].Close()
	}
	bw := bufio.NewWriterSize(&seqWriter{dst: dst, limit: limit}, 1<<20)
	out := &countWriter{w: bw}
	if _, err := out.Write(make([]byte, superblockSize)); err != nil {
		return 0, fmt.Errorf("writing image: %w", err)
	}
	sb := superblock{mkfsTime: uint32(pl.p.Time.Unix()), blockSize: uint32(pl.p.blockSize()),
		compression: pl.comp.id, blockLog: uint16(bits.TrailingZeros(uint(pl.p.blockSize()))),
		flags: flagDuplicates | flagExportable, inodes: pl.count}
	if pl.p.TailEnds {
		sb.flags |= flagAlwaysFragment
	}
	if opts := pl.comp.options(); opts != nil {
		sb.flags |= flagCompOptions
		hdr := binary.LittleEndian.AppendUint16(nil, uint16(len(opts))|metaUncompressed)
		if _, err := out.Write(append(hdr, opts...)); err != nil {
			return 0, fmt.Errorf("writing image: %w", err)
		}
	}

	mc, err := pl.comp.newCodec()
	if err != nil {
		return 0, err
	}
	sbufs := [3]*bufio.Writer{}
	for i, f := range spills {
		sbufs[i] = bufio.NewWriterSize(f, 256<<10)
	}
	walk := &metaWalk{pl: pl, inodes: newMetaWriter(mc, sbufs[0]), dirs: newMetaWriter(mc, sbufs[1]),
		xattrs: newXattrTable(newMetaWriter(mc, sbufs[2])), ids: idTable{index: make(map[uint32]uint16)}}
	dw := &dataWriter{out: out}
	pp := newPipeline(pl, dw)
	walk.results = pp.results
	pp.start()
	root, werr := walk.root()
	if werr != nil {
		pp.fail(werr)
	} else if _, more := <-pp.results; more || walk.next != pl.count {
		pp.fail(errTreeChanged("/"))
	}
	perr := pp.wait()
	switch {
	case werr != nil && !errors.Is(werr, errStopped):
		return 0, werr
	case perr != nil:
		return 0, perr
	case werr != nil:
		return 0, errTreeChanged("/")
	}
	sb.rootInode = uint64(root)
	sb.fragments = uint32(len(dw.frags) / fragEntrySize)

	// The tables.
	for i, m := range []*metaWriter{walk.inodes, walk.dirs, walk.xattrs.m} {
		if err := m.flush(); err != nil {
			return 0, fmt.Errorf("writing metadata: %w", err)
		}
		if err := sbufs[i].Flush(); err != nil {
			return 0, fmt.Errorf("writing metadata: %w", err)
		}
	}
	sb.inodeTable = uint64(out.n)
	if err := appendFile(out, spills[0]); err != nil {
		return 0, fmt.Errorf("writing inode table: %w", err)
	}
	sb.dirTable = uint64(out.n)
	if err := appendFile(out, spills[1]); err != nil {
		return 0, fmt.Errorf("writing directory table: %w", err)
	}
	tables := []struct {
		name string
		data []byte
		at   *uint64
	}{
		{"fragment table", dw.frags, &sb.fragTable},
		{"export table", walk.lookup, &sb.lookupTable},
		{"id table", walk.ids.ids, &sb.idTable},
	}
	for _, t := range tables {
		start, err := writeTable(out, mc, t.data, nil)
		if err != nil {
			return 0, fmt.Errorf("writing %s: %w", t.name, err)
		}
		*t.at = uint64(start)
	}
	sb.ids = uint16(len(walk.ids.ids) / 4)
	sb.xattrTable = noTable
	if n := walk.xattrs.count(); n > 0 {
		xstart := out.n
		if err := appendFile(out, spills[2]); err != nil {
			return 0, fmt.Errorf("writing xattr table: %w", err)
		}
		hdr := binary.LittleEndian.AppendUint64(nil, uint64(xstart))
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(n))
		hdr = binary.LittleEndian.AppendUint32(hdr, 0)
		start, err := writeTable(out, mc, walk.xattrs.ids, hdr)
		if err != nil {
			return 0, fmt.Errorf("writing xattr id table: %w", err)
		}
		sb.xattrTable = uint64(start)
	}
	sb.bytesUsed = uint64(out.n)
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("writing image: %w", err)
	}
	if _, err := dst.WriteAt(sb.encode(), 0); err != nil {
		return 0, fmt.Errorf("writing superblock: %w", err)
	}
	size = (out.n + alignment - 1) / alignment * alignment
	if limit > 0 && size > limit {
		return 0, errLimit(limit)
	}
	if _, err := dst.WriteAt(make([]byte, size-out.n), out.n); err != nil {
		return 0, fmt.Errorf("padding image: %w", err)
	}
	return size, nil
}

// seqWriter writes a stream at increasing offsets of dst, below limit
// (0: no limit).
type seqWriter struct {
	dst   io.WriterAt
	off   int64
	limit int64
}

func (w *seqWriter) Write(b []byte) (int, error) {
	if w.limit > 0 && w.off+int64(len(b)) > w.limit {
		return 0, errLimit(w.limit)
	}
	n, err := w.dst.WriteAt(b, w.off)
	w.off += int64(n)
	return n, err
}

func errLimit(limit int64) error {
	return fmt.Errorf("%w: more than %d bytes", fsformat.ErrLimit, limit)
}

// appendFile copies a spill file to out.
func appendFile(out io.Writer, f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(out, f)
	return err
}

// tempFile creates an anonymous file in TempDir.
func (pl *Plan) tempFile() (*os.File, error) {
	f, err := os.CreateTemp(pl.p.TempDir, "gorepart-squashfs-*")
	if err != nil {
		return nil, fmt.Errorf("creating temporary file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("removing temporary file: %w", err)
	}
	return f, nil
}
