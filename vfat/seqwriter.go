package vfat

import "io"

// seqWriter collects writes at increasing offsets into one large buffer
// and hands them to the destination in big sequential WriteAt calls. Small
// gaps between writes (cluster tails) are filled with zeros so neighbouring
// small files go out together; larger gaps stay holes.
type seqWriter struct {
	dst io.WriterAt
	buf []byte
	off int64 // file offset of buf[0]
}

const (
	seqBufSize = 4 << 20
	seqMaxGap  = 64 << 10
)

func newSeqWriter(dst io.WriterAt) *seqWriter {
	return &seqWriter{dst: dst, buf: make([]byte, 0, seqBufSize)}
}

// at returns a zeroed slice of n bytes (n <= seqBufSize) that will be
// written at offset off, which must not lie before earlier writes.
func (w *seqWriter) at(off int64, n int) ([]byte, error) {
	end := w.off + int64(len(w.buf))
	if len(w.buf) > 0 && (off-end > seqMaxGap || int64(len(w.buf))+off-end+int64(n) > seqBufSize) {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	if len(w.buf) == 0 {
		w.off = off
	}
	start := len(w.buf)
	w.buf = w.buf[:int(off-w.off)+n]
	clear(w.buf[start:])
	return w.buf[int(off-w.off):], nil
}

// write copies p to offset off, in buffer-sized pieces.
func (w *seqWriter) write(off int64, p []byte) error {
	for len(p) > 0 {
		n := min(len(p), seqBufSize)
		b, err := w.at(off, n)
		if err != nil {
			return err
		}
		copy(b, p[:n])
		p, off = p[n:], off+int64(n)
	}
	return nil
}

func (w *seqWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.dst.WriteAt(w.buf, w.off)
	w.buf = w.buf[:0]
	return err
}
