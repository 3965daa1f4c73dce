package luks

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// chunkSize is the unit of encryption and of writes to dst; each of the
// encrypting goroutines holds one chunk buffer.
const chunkSize = 1 << 20

// workers is how many goroutines encrypt one large write; writes of at
// least parallelMin bytes are split between them, so one goroutine's
// write to dst overlaps the other's encryption.
const (
	workers     = 2
	parallelMin = 256 << 10
)

// Writer formats a LUKS2 volume in dst and encrypts what is written through
// it into the volume's data segment. WriteAt may be called concurrently
// (for different bytes); the first error sticks.
type Writer struct {
	dst      io.WriterAt
	rd       io.ReaderAt // dst, when it can be read back; for partial sectors written twice
	segSize  int64
	dataSize int64
	ss       int64
	c        *sectorCipher
	vk       []byte // for VolumeKeyID
	uuid     string
	keep     bool
	bufs     chan []byte // free chunk buffers, kept across garbage collections

	partial sync.Mutex // serialises read-modify-write of partial sectors

	mu      sync.Mutex // guards the fields below
	written spans      // sectors of the segment encrypted so far
	err     error
	closed  bool
}

// NewWriter writes the LUKS2 metadata of a volume of size bytes (the
// partition) to dst: both headers and the keyslots area, HeaderSize bytes.
// Filesystem bytes written through the returned Writer land encrypted in
// the data segment, which starts at HeaderSize and runs to the end.
func NewWriter(dst io.WriterAt, size int64, p Params) (*Writer, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("formatting LUKS2: %w", err)
	}
	ss := int64(p.SectorSize)
	if size < KeepFree+ss || (size-HeaderSize)%ss != 0 {
		return nil, fmt.Errorf("formatting LUKS2: volume of %d bytes: need more than %d bytes and a data segment in whole %d-byte sectors", size, KeepFree, ss)
	}
	vk := make([]byte, VolumeKeySize)
	if _, err := io.ReadFull(p.Rand, vk); err != nil {
		return nil, fmt.Errorf("formatting LUKS2: reading volume key: %w", err)
	}
	if err := writeMetadata(dst, &p, vk); err != nil {
		return nil, fmt.Errorf("formatting LUKS2: %w", err)
	}
	c, err := newSectorCipher(vk, p.SectorSize)
	if err != nil {
		return nil, fmt.Errorf("formatting LUKS2: %w", err)
	}
	w := &Writer{
		dst:      dst,
		segSize:  size - HeaderSize,
		dataSize: size - KeepFree,
		ss:       ss,
		c:        c,
		vk:       vk,
		uuid:     uuidString(p.UUID),
		keep:     p.KeepHoles,
	}
	w.rd, _ = dst.(io.ReaderAt)
	w.bufs = make(chan []byte, 2*workers)
	return w, nil
}

// DataSize is the room for the filesystem: the partition less KeepFree,
// as repart 262 gives it offline.
func (w *Writer) DataSize() int64 { return w.dataSize }

// SegmentSize is the size of the data segment, what an opened volume shows:
// the partition less HeaderSize.
func (w *Writer) SegmentSize() int64 { return w.segSize }

// WriteAt encrypts b into the data segment at plaintext offset off. Whole
// sectors are encrypted from b directly (b is not modified); a partial
// sector is merged with what was written there before, or with zeros.
func (w *Writer) WriteAt(b []byte, off int64) (int, error) {
	if err := w.state(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	end := off + int64(len(b))
	if off < 0 || end > w.dataSize {
		return 0, fmt.Errorf("luks: write of %d bytes at %d outside the %d-byte data area", len(b), off, w.dataSize)
	}
	ss := w.ss
	first, last := (off+ss-1)/ss, end/ss // whole sectors [first, last)
	if first > last {
		// Inside one sector.
		if err := w.patch(off/ss, off%ss, b); err != nil {
			return w.done(0, err)
		}
		return len(b), nil
	}
	if head := first*ss - off; head > 0 {
		if err := w.patch(first-1, ss-head, b[:head]); err != nil {
			return w.done(0, err)
		}
	}
	if last > first {
		if err := w.encryptRun(b[first*ss-off:last*ss-off], first); err != nil {
			return w.done(0, err)
		}
	}
	if tail := end - last*ss; tail > 0 {
		if err := w.patch(last, 0, b[len(b)-int(tail):]); err != nil {
			return w.done(0, err)
		}
	}
	return len(b), nil
}

// Close encrypts zeros into every sector of the data segment that was never
// written (unless Params.KeepHoles) and returns the first error. It must not
// run concurrently with WriteAt.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err
	}
	w.closed = true
	err := w.err
	w.mu.Unlock()
	if err != nil || w.keep {
		return err
	}
	return w.fillZeros()
}

// fillZeros encrypts zero sectors into the gaps of the written set.
func (w *Writer) fillZeros() error {
	w.mu.Lock()
	var gaps []span
	_ = w.written.gaps(0, w.segSize/w.ss, func(lo, hi int64) error {
		gaps = append(gaps, span{lo, hi})
		return nil
	})
	w.mu.Unlock()
	if len(gaps) == 0 {
		return nil
	}
	zeros := make([]byte, workers*4*chunkSize)
	per := int64(len(zeros)) / w.ss
	for _, g := range gaps {
		for lo := g.lo; lo < g.hi; lo += per {
			n := min(per, g.hi-lo)
			if err := w.encryptRun(zeros[:n*w.ss], lo); err != nil {
				return w.setErr(err)
			}
		}
	}
	return nil
}

// encryptRun encrypts whole sectors starting at sector first and writes
// them, splitting large runs between workers goroutines.
func (w *Writer) encryptRun(plain []byte, first int64) error {
	n := int64(len(plain)) / w.ss
	if len(plain) < parallelMin {
		return w.encryptPart(plain, first)
	}
	per := (n + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := int64(1); i < workers; i++ {
		lo, hi := i*per, min((i+1)*per, n)
		if lo >= hi {
			continue
		}
		wg.Go(func() { errs[i] = w.encryptPart(plain[lo*w.ss:hi*w.ss], first+lo) })
	}
	errs[0] = w.encryptPart(plain[:per*w.ss], first)
	wg.Wait()
	return errors.Join(errs...)
}

// encryptPart encrypts and writes plain chunk by chunk on this goroutine.
func (w *Writer) encryptPart(plain []byte, first int64) error {
	var buf []byte
	select {
	case buf = <-w.bufs:
	default:
		buf = make([]byte, chunkSize)
	}
	defer func() {
		select {
		case w.bufs <- buf:
		default:
		}
	}()
	for done := 0; done < len(plain); {
		n := min(len(buf), len(plain)-done)
		sector := first + int64(done)/w.ss
		w.c.encrypt(buf[:n], plain[done:done+n], uint64(sector))
		if _, err := w.dst.WriteAt(buf[:n], HeaderSize+sector*w.ss); err != nil {
			return fmt.Errorf("writing encrypted sectors at %d: %w", HeaderSize+sector*w.ss, err)
		}
		w.mu.Lock()
		w.written.add(sector, sector+int64(n)/w.ss)
		w.mu.Unlock()
		done += n
	}
	return nil
}

// patch writes b at byte at of sector n, keeping the sector's other bytes:
// those written before (read back and decrypted) or zeros.
func (w *Writer) patch(n, at int64, b []byte) error {
	w.partial.Lock()
	defer w.partial.Unlock()
	w.mu.Lock()
	had := w.written.has(n)
	w.mu.Unlock()
	buf := make([]byte, w.ss)
	pos := HeaderSize + n*w.ss
	if had {
		if w.rd == nil {
			return fmt.Errorf("luks: partial rewrite of sector %d needs a destination that implements io.ReaderAt", n)
		}
		if _, err := w.rd.ReadAt(buf, pos); err != nil {
			return fmt.Errorf("reading back sector %d: %w", n, err)
		}
		w.c.decrypt(buf, buf, uint64(n))
	}
	copy(buf[at:], b)
	w.c.encrypt(buf, buf, uint64(n))
	if _, err := w.dst.WriteAt(buf, pos); err != nil {
		return fmt.Errorf("writing encrypted sector at %d: %w", pos, err)
	}
	w.mu.Lock()
	w.written.add(n, n+1)
	w.mu.Unlock()
	return nil
}

// state returns the sticky error, or an error after Close.
func (w *Writer) state() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("luks: write after Close")
	}
	return nil
}

// done records err as the sticky error and returns n, err.
func (w *Writer) done(n int, err error) (int, error) {
	return n, w.setErr(err)
}

func (w *Writer) setErr(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
	return w.err
}
