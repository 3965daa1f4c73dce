package artifacts

import (
	"fmt"
	"io"
	"runtime"
	"strings"
)

// Algorithm names accepted by Compress (the values of --compress=).
const (
	Zstd         = "zstd"
	ZstdSeekable = "zstd-seekable"
	Xz           = "xz"
)

// DefaultLevel is the level nixpkgs' image.repart uses for both zstd and
// xz (compression.level).
const DefaultLevel = 3

// Params selects the format and its cost.
type Params struct {
	// Algorithm is Zstd, ZstdSeekable or Xz.
	Algorithm string
	// Level is the compression level as the zstd and xz tools number them
	// (zstd 1–22, xz 0–9). 0 selects DefaultLevel for zstd; for xz, 0 is
	// a real level, so callers pass DefaultLevel explicitly.
	Level int
	// Workers is the number of chunks compressed at once (the value of
	// NIX_BUILD_CORES). Zero or less means runtime.GOMAXPROCS(0), as
	// NIX_BUILD_CORES=0 means "all cores".
	Workers int
}

// Algorithms lists the accepted Params.Algorithm values.
func Algorithms() []string { return []string{Zstd, ZstdSeekable, Xz} }

// Extension is the file name suffix nixpkgs appends for the algorithm:
// ".zst" for both zstd flavours, ".xz" for xz.
func Extension(algorithm string) (string, error) {
	switch algorithm {
	case Zstd, ZstdSeekable:
		return ".zst", nil
	case Xz:
		return ".xz", nil
	}
	return "", fmt.Errorf("unknown compression %q (want one of %s)", algorithm, strings.Join(Algorithms(), ", "))
}

// CompressedName is the artifact name nixpkgs gives a compressed image:
// "<name>.raw" becomes "<name>.raw.zst" or "<name>.raw.xz" (the suffix is
// appended to any name).
func CompressedName(name, algorithm string) (string, error) {
	ext, err := Extension(algorithm)
	if err != nil {
		return "", err
	}
	return name + ext, nil
}

// Validate checks the algorithm and level and fills in defaults.
func (p Params) Validate() (Params, error) {
	switch p.Algorithm {
	case Zstd, ZstdSeekable:
		if p.Level == 0 {
			p.Level = DefaultLevel
		}
		if p.Level < 1 || p.Level > 22 {
			return p, fmt.Errorf("zstd compression level %d out of range 1–22", p.Level)
		}
	case Xz:
		if p.Level < 0 || p.Level > 9 {
			return p, fmt.Errorf("xz compression level %d out of range 0–9", p.Level)
		}
	default:
		_, err := Extension(p.Algorithm)
		return p, err
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	return p, nil
}

// Compress reads size bytes of src from offset 0 and writes them to dst in
// the format p selects. Holes of a sparse src read as zeros (an *os.File's
// holes are found with SEEK_DATA and not read at all); chunks that are
// entirely zero are compressed once and the result reused. dst receives the
// output strictly in order; nothing is written after an error.
func Compress(dst io.Writer, src io.ReaderAt, size int64, p Params) error {
	p, err := p.Validate()
	if err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("compressing: negative size %d", size)
	}
	switch p.Algorithm {
	case Zstd:
		return compressZstd(dst, src, size, p, zstdChunk, false)
	case ZstdSeekable:
		return compressZstd(dst, src, size, p, seekableFrameSize, true)
	default:
		return compressXz(dst, src, size, p)
	}
}
