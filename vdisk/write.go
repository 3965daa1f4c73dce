package vdisk

import (
	"fmt"
	"os"

	"github.com/gorepart/gorepart/internal/filecopy"
)

// Write writes the raw disk image src, of size bytes, into dst as the
// container p.Format. dst is truncated first and holds exactly the
// container afterwards. src is read once, in order, and only where it has
// data; the container is written front to back except for its tables,
// which go to offsets reserved for them. The bytes written depend only on
// the bytes of src and on p: the same image and parameters give the same
// container.
func Write(dst, src *os.File, size int64, p Params) error {
	p, err := p.normalize(size)
	if err != nil {
		return err
	}
	st, err := src.Stat()
	if err != nil {
		return fmt.Errorf("reading raw image: %w", err)
	}
	if st.Size() != size {
		return fmt.Errorf("raw image %s is %d bytes, not %d", src.Name(), st.Size(), size)
	}
	if err := dst.Truncate(0); err != nil {
		return fmt.Errorf("truncating %s: %w", dst.Name(), err)
	}
	var end int64
	switch p.Format {
	case "raw":
		end, err = size, copyRaw(dst, src, size, p.Progress)
	case "qcow2":
		end, err = writeQcow2(dst, src, size, p)
	case "vmdk":
		if p.Subformat == "streamOptimized" {
			end, err = writeVMDKStream(dst, src, size, p)
		} else {
			end, err = writeVMDK(dst, src, size, p)
		}
	case "vhdx":
		end, err = writeVHDX(dst, src, size, p)
	case "vpc":
		if p.Subformat == "fixed" {
			end, err = writeVHDFixed(dst, src, size, p)
		} else {
			end, err = writeVHDDynamic(dst, src, size, p)
		}
	case "vdi":
		end, err = writeVDI(dst, src, size, p)
	}
	if err != nil {
		return fmt.Errorf("writing %s image: %w", p.Format, err)
	}
	if err := dst.Truncate(end); err != nil {
		return fmt.Errorf("sizing %s: %w", dst.Name(), err)
	}
	return nil
}

// out writes a container sequentially from its data area on; what it
// skips stays a hole of the file. Tables go to their reserved offsets
// with at.
type out struct {
	f   *os.File
	off int64
}

func (o *out) write(b []byte) error {
	n, err := o.f.WriteAt(b, o.off)
	o.off += int64(n)
	if err != nil {
		return fmt.Errorf("writing %s: %w", o.f.Name(), err)
	}
	return nil
}

// holeChunk is the granularity at which writeSparse leaves zeros out: a
// page, as qemu-img convert's default -S 4k.
const holeChunk = 4 * kiB

// writeSparse is write for a block of a block-based container (VHD, VHDX,
// VDI), which stores a whole block even when only part of it holds data:
// pages of zeros (4 KiB-aligned in the file) are skipped and stay holes,
// so the file takes no more disk space than the data.
func (o *out) writeSparse(b []byte) error {
	for len(b) > 0 {
		n := 0 // bytes of data to write, then zeros to skip
		for n < len(b) {
			k := min(len(b)-n, holeChunk-int((o.off+int64(n))%holeChunk))
			if k == holeChunk && isZero(b[n:n+k]) {
				break
			}
			n += k
		}
		if err := o.write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		z := 0
		for z < len(b) && len(b)-z >= holeChunk && isZero(b[z:z+holeChunk]) {
			z += holeChunk
		}
		o.off += int64(z)
		b = b[z:]
	}
	return nil
}

func (o *out) at(b []byte, off int64) error {
	if _, err := o.f.WriteAt(b, off); err != nil {
		return fmt.Errorf("writing %s at %d: %w", o.f.Name(), off, err)
	}
	return nil
}

// newScanner returns a scanner of src in grains of grain bytes.
func newScanner(src *os.File, size, grain int64, p Params) *scanner {
	return &scanner{src: src, size: size, grain: grain, progress: p.Progress}
}

// copyChunk bounds one in-kernel copy so progress is seen between them.
const copyChunk = 64 * miB

// copyRaw copies the data extents of src to the same offsets of dst (in
// the kernel, reflinked where the file system can); holes stay holes.
// It is the payload of raw and fixed VHD containers.
func copyRaw(dst, src *os.File, size int64, progress func(int64) error) error {
	buf := []byte(nil)
	for off := int64(0); off < size; {
		start, end, err := dataExtent(src, off, size)
		if err != nil {
			return err
		}
		if start >= size {
			break
		}
		for pos := start; pos < end; {
			n := min(end-pos, copyChunk)
			ok, err := filecopy.Copy(dst, pos, src, pos, n)
			if err != nil {
				return err
			}
			if !ok {
				if buf == nil {
					buf = make([]byte, batchSize)
				}
				if err := copyByReading(dst, src, pos, n, buf); err != nil {
					return err
				}
			}
			pos += n
			if progress != nil {
				if err := progress(pos); err != nil {
					return err
				}
			}
		}
		off = end
	}
	if progress != nil {
		return progress(size)
	}
	return nil
}

// copyByReading copies n bytes at off from src to dst through buf.
func copyByReading(dst, src *os.File, off, n int64, buf []byte) error {
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := src.ReadAt(buf[:k], off); err != nil {
			return fmt.Errorf("reading raw image at %d: %w", off, err)
		}
		if _, err := dst.WriteAt(buf[:k], off); err != nil {
			return fmt.Errorf("writing %s at %d: %w", dst.Name(), off, err)
		}
		off += k
		n -= k
	}
	return nil
}
