package squashfs

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// Params are the inputs of the writer besides the tree. Squashfs has no
// UUID and no label: repart passes neither to mksquashfs.
type Params struct {
	// Time is the superblock's creation time (mksquashfs takes
	// SOURCE_DATE_EPOCH, else the current time). Seconds from 1970 to
	// 2106; the zero Time means the epoch.
	Time time.Time
	// Compression is mksquashfs's -comp: "" or "gzip" (the default),
	// "xz", "lz4" or "zstd". "lzo" and "lzma" are refused.
	Compression string
	// CompressionLevel is mksquashfs's -Xcompression-level, 0 for the
	// default: gzip 1-9 (default 9), zstd 1-22 (default 15). xz and lz4
	// take no level (mksquashfs 4.5 rejects the option for them).
	CompressionLevel int
	// BlockSize is the data block size (-b), a power of two from 4 KiB
	// to 1 MiB; 0 means 128 KiB.
	BlockSize int
	// TailEnds packs the tail ends of files larger than a block into
	// fragments too (-tailends); mksquashfs's default, and so repart's,
	// is off: only files smaller than a block go into fragments.
	TailEnds bool
	// TempDir is where the image is built before Write copies it (in an
	// anonymous file, released by Close). Required.
	TempDir string
	// Workers is the number of goroutines compressing; 0 means 2.
	// The image does not depend on it.
	Workers int
	// Warn receives notices about skipped content; may be nil.
	Warn func(string)
}

func (p *Params) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}

func (p *Params) workers() int {
	if p.Workers > 0 {
		return p.Workers
	}
	return 2
}

func (p *Params) blockSize() int {
	if p.BlockSize == 0 {
		return DefaultBlockSize
	}
	return p.BlockSize
}

// validate checks p and fills in the defaults.
func (p *Params) validate() error {
	switch p.Compression {
	case "":
		p.Compression = "gzip"
	case "gzip", "xz", "lz4", "zstd":
	case "lzo":
		return errors.New("compression lzo is not supported: there is no maintained pure-Go LZO compressor (use gzip, xz, lz4 or zstd)")
	case "lzma":
		return errors.New("compression lzma is not supported: Linux cannot read lzma squashfs images (use xz)")
	default:
		return fmt.Errorf("unknown compression %q (want gzip, xz, lz4 or zstd)", p.Compression)
	}
	if l := p.CompressionLevel; l != 0 {
		switch p.Compression {
		case "gzip":
			if l < 1 || l > 9 {
				return fmt.Errorf("gzip compression level %d out of range 1-9", l)
			}
		case "zstd":
			if l < 1 || l > 22 {
				return fmt.Errorf("zstd compression level %d out of range 1-22", l)
			}
		default:
			return fmt.Errorf("compression %s takes no compression level (mksquashfs has no -Xcompression-level for it)", p.Compression)
		}
	}
	bs := p.blockSize()
	if bs < minBlockSize || bs > maxBlockSize || bits.OnesCount(uint(bs)) != 1 {
		return fmt.Errorf("block size %d is not a power of two from 4 KiB to 1 MiB", bs)
	}
	if p.TempDir == "" {
		return errors.New("no temporary directory (Params.TempDir)")
	}
	if p.Time.IsZero() {
		p.Time = time.Unix(0, 0)
	}
	if s := p.Time.Unix(); s < 0 || s > 1<<32-1 {
		return fmt.Errorf("time %v outside 1970-2106", p.Time)
	}
	return nil
}
