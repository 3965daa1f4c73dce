package squashfs

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// codec compresses one block. Each goroutine has its own. Every
// compressor used here is deterministic: its output depends only on the
// input block and the settings, never on the goroutine or earlier blocks.
type codec interface {
	// compress returns the compressed form of src, or nil when it is
	// not smaller than src (the block is then stored as is, as
	// mksquashfs's mangle does). The result is valid until the next
	// call.
	compress(src []byte) ([]byte, error)
}

// compression is the chosen algorithm and its settings.
type compression struct {
	name  string
	id    uint16
	level int
	block int
}

func newCompression(p *Params) compression {
	c := compression{name: p.Compression, level: p.CompressionLevel, block: p.blockSize()}
	switch c.name {
	case "gzip":
		c.id = compGzip
		if c.level == 0 {
			c.level = 9
		}
	case "xz":
		c.id = compXZ
	case "lz4":
		c.id = compLZ4
	case "zstd":
		c.id = compZstd
		if c.level == 0 {
			c.level = 15
		}
	}
	return c
}

// options is the compressor options block mksquashfs writes after the
// superblock (flag COMP_OPT), nil when the settings are the defaults:
// gzip level 9, window 15, no strategies; xz dictionary = block size, no
// filters; zstd level 15; lz4 always stores its version (1, legacy
// format) and flags (0: not high compression).
func (c compression) options() []byte {
	le := binary.LittleEndian
	switch c.name {
	case "gzip":
		if c.level == 9 {
			return nil
		}
		b := le.AppendUint32(nil, uint32(c.level))
		b = le.AppendUint16(b, 15)
		return le.AppendUint16(b, 0)
	case "zstd":
		if c.level == 15 {
			return nil
		}
		return le.AppendUint32(nil, uint32(c.level))
	case "lz4":
		b := le.AppendUint32(nil, 1)
		return le.AppendUint32(b, 0)
	}
	return nil
}

// newCodec returns a compressor for one goroutine.
func (c compression) newCodec() (codec, error) {
	switch c.name {
	case "gzip":
		w, err := zlib.NewWriterLevel(nil, c.level)
		if err != nil {
			return nil, err
		}
		return &zlibCodec{w: w}, nil
	case "xz":
		return &xzCodec{cfg: xz.WriterConfig{DictCap: c.block, CheckSum: xz.CRC32}}, nil
	case "lz4":
		return &lz4Codec{}, nil
	case "zstd":
		enc, err := zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(c.level)),
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderCRC(false),
			zstd.WithSingleSegment(true),
			zstd.WithWindowSize(max(c.block, metaSize)),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			return nil, err
		}
		return &zstdCodec{enc: enc}, nil
	}
	return nil, fmt.Errorf("unknown compression %q", c.name)
}

// smaller returns out when it is smaller than src, else nil.
func smaller(out, src []byte) []byte {
	if len(out) >= len(src) {
		return nil
	}
	return out
}

// zlibCodec is gzip in squashfs: zlib streams (RFC 1950), window 15.
type zlibCodec struct {
	w   *zlib.Writer
	buf bytes.Buffer
}

func (z *zlibCodec) compress(src []byte) ([]byte, error) {
	z.buf.Reset()
	z.w.Reset(&z.buf)
	if _, err := z.w.Write(src); err != nil {
		return nil, err
	}
	if err := z.w.Close(); err != nil {
		return nil, err
	}
	return smaller(z.buf.Bytes(), src), nil
}

// xzCodec writes one xz stream per block: LZMA2 with the block size as
// dictionary (Linux's decoder allocates no more) and a CRC32 check, as
// mksquashfs's xz wrapper does.
type xzCodec struct {
	cfg xz.WriterConfig
	buf bytes.Buffer
}

func (x *xzCodec) compress(src []byte) ([]byte, error) {
	x.buf.Reset()
	w, err := x.cfg.NewWriter(&x.buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return smaller(x.buf.Bytes(), src), nil
}

// lz4Codec writes a raw LZ4 block (mksquashfs's LZ4_compress_default).
type lz4Codec struct {
	c   lz4.Compressor
	buf []byte
}

func (l *lz4Codec) compress(src []byte) ([]byte, error) {
	if n := lz4.CompressBlockBound(len(src)); cap(l.buf) < n {
		l.buf = make([]byte, n)
	}
	n, err := l.c.CompressBlock(src, l.buf[:cap(l.buf)])
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return smaller(l.buf[:n], src), nil
}

// zstdCodec writes one zstd frame per block, single segment (the window
// is the block, which Linux's decoder is sized for), without checksum.
type zstdCodec struct {
	enc *zstd.Encoder
	buf []byte
}

func (z *zstdCodec) compress(src []byte) ([]byte, error) {
	z.buf = z.enc.EncodeAll(src, z.buf[:0])
	return smaller(z.buf, src), nil
}
