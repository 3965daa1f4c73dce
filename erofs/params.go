package erofs

import (
	"fmt"
	"time"
)

// Params are the inputs of Write besides the tree.
type Params struct {
	// UUID of the filesystem (repart derives it from the partition UUID).
	UUID [16]byte
	// BuildTime is stored in the superblock; inodes whose mtime equals it
	// use the compact form. The zero Time means the Unix epoch.
	BuildTime time.Time
	// Label is the volume name, at most 16 bytes; repart passes none.
	Label string
	// Compression is "", "lz4", "lz4hc" or "zstd".
	Compression string
	// CompressionLevel: -1 for the algorithm's default; lz4hc 1-12 (levels
	// above 9 use depth 9), zstd 1-22 (mapped to the nearest klauspost
	// encoder level). Ignored by lz4.
	CompressionLevel int
	// MaxSize > 0 bounds the image size in bytes.
	MaxSize int64
	// Warn receives notices about skipped content. May be nil.
	Warn func(string)
	// Workers is the number of goroutines reading and compressing; 0 means 2.
	Workers int
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

func (p *Params) validate() error {
	switch p.Compression {
	case "", "lz4", "lz4hc", "zstd":
	default:
		return fmt.Errorf("unsupported compression %q (want lz4, lz4hc or zstd)", p.Compression)
	}
	if len(p.Label) > 16 {
		return fmt.Errorf("volume name %q longer than 16 bytes", p.Label)
	}
	if p.BuildTime.IsZero() {
		p.BuildTime = time.Unix(0, 0)
	}
	if p.BuildTime.Unix() < 0 {
		return fmt.Errorf("build time %v before 1970", p.BuildTime)
	}
	return nil
}
