package artifacts

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/klauspost/compress/zstd"
)

// SeekableReader gives random access to a zstd seekable archive: ReadAt
// decompresses only the frames that hold the requested range.
type SeekableReader struct {
	r      io.ReaderAt
	frames []SeekFrame
	size   int64
	dec    *zstd.Decoder
}

// OpenSeekable parses the seek table at the end of r (size bytes long).
func OpenSeekable(r io.ReaderAt, size int64) (*SeekableReader, error) {
	n := int64(skippableHeaderSize + seekTableFooterSize)
	if n > size {
		return nil, errNoSeekTable
	}
	for {
		tail := make([]byte, n)
		if _, err := r.ReadAt(tail, size-n); err != nil {
			return nil, fmt.Errorf("reading seek table: %w", err)
		}
		frames, need, err := parseSeekTable(tail, size)
		if err != nil {
			return nil, err
		}
		if need == 0 {
			dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxFrameDecompressed))
			if err != nil {
				return nil, fmt.Errorf("creating zstd decoder: %w", err)
			}
			s := &SeekableReader{r: r, frames: frames, dec: dec}
			if len(frames) > 0 {
				last := frames[len(frames)-1]
				s.size = last.DecompressedOffset + last.DecompressedSize
			}
			return s, nil
		}
		n = int64(need)
	}
}

// Frames returns the parsed seek table.
func (s *SeekableReader) Frames() []SeekFrame { return s.frames }

// Size is the decompressed size.
func (s *SeekableReader) Size() int64 { return s.size }

// Close releases the decoder.
func (s *SeekableReader) Close() error {
	s.dec.Close()
	return nil
}

// ReadAt implements io.ReaderAt over the decompressed data.
func (s *SeekableReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("reading seekable archive: negative offset %d", off)
	}
	total := 0
	for len(p) > 0 {
		if off >= s.size {
			return total, io.EOF
		}
		i := sort.Search(len(s.frames), func(i int) bool {
			f := s.frames[i]
			return f.DecompressedOffset+f.DecompressedSize > off
		})
		data, err := s.frame(i)
		if err != nil {
			return total, err
		}
		n := copy(p, data[off-s.frames[i].DecompressedOffset:])
		p, off, total = p[n:], off+int64(n), total+n
	}
	return total, nil
}

// frame decompresses frame i and checks it against the seek table.
func (s *SeekableReader) frame(i int) ([]byte, error) {
	f := s.frames[i]
	comp := make([]byte, f.CompressedSize)
	if _, err := s.r.ReadAt(comp, f.CompressedOffset); err != nil {
		return nil, fmt.Errorf("reading frame %d: %w", i, err)
	}
	if len(comp) >= 4 && binary.LittleEndian.Uint32(comp) >= 0x184D2A50 && binary.LittleEndian.Uint32(comp) <= 0x184D2A5F {
		return nil, nil // a skippable frame holds no data (size 0)
	}
	// The table's size is only a hint until the frame is decoded.
	data, err := s.dec.DecodeAll(comp, make([]byte, 0, min(f.DecompressedSize, seekableFrameSize)))
	if err != nil {
		return nil, fmt.Errorf("decompressing frame %d: %w", i, err)
	}
	if int64(len(data)) != f.DecompressedSize {
		return nil, fmt.Errorf("decompressing frame %d: %d bytes, seek table says %d", i, len(data), f.DecompressedSize)
	}
	if f.HasChecksum && len(comp) >= zstdFrameChecksumSize {
		// The decoder verified the frame's own content checksum (when the
		// frame has one); the table must carry the same value.
		hdr := comp[4]
		if hdr&0x04 != 0 { // Content_Checksum_flag (RFC 8878 §3.1.1.1.1)
			if got := binary.LittleEndian.Uint32(comp[len(comp)-zstdFrameChecksumSize:]); got != f.Checksum {
				return nil, fmt.Errorf("frame %d: checksum %#08x, seek table says %#08x", i, got, f.Checksum)
			}
		}
	}
	return data, nil
}
