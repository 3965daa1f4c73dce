package squashfs

import (
	"fmt"
	"strconv"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t the way systemd-repart's mksquashfs call makes it (spec
// §8.2): mksquashfs ROOT NODE -noappend [-comp ALG [-Xcompression-level
// L]]; squashfs has no UUID and repart passes no label.
// SYSTEMD_REPART_MKFS_OPTIONS_SQUASHFS may set -b BLOCKSIZE and -tailends
// (-no-tailends, -noappend and -quiet are accepted); other options are not
// applied (a warning says so).
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	p := Params{Time: fp.Time, Compression: fp.Compression, TempDir: fp.TempDir, Warn: fp.Warn}
	if fp.CompressionLevel != "" {
		n, err := strconv.Atoi(fp.CompressionLevel)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("CompressionLevel=%s: not a level mksquashfs takes", fp.CompressionLevel)
		}
		p.CompressionLevel = n
	}
	opts, err := fsformat.ParseMkfsOptions(fp.Options, "b")
	if err != nil {
		return nil, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_SQUASHFS: %w", err)
	}
	for _, o := range opts {
		switch o.Flag {
		case "-b":
			n, err := parseBlockSize(o.Value)
			if err != nil {
				return nil, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_SQUASHFS: %s: %w", o, err)
			}
			p.BlockSize = n
		case "-tailends":
			p.TailEnds = true
		case "-no-tailends":
			p.TailEnds = false
		case "-noappend", "-quiet", "-no-progress":
		default:
			fp.NotApplied("squashfs", o)
		}
	}
	pl, err := NewPlan(t, p)
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// parseBlockSize reads mksquashfs's -b value: bytes, or with a K or M
// suffix.
func parseBlockSize(v string) (int, error) {
	mult := 1
	switch {
	case len(v) > 1 && (v[len(v)-1] == 'K' || v[len(v)-1] == 'k'):
		mult, v = 1<<10, v[:len(v)-1]
	case len(v) > 1 && (v[len(v)-1] == 'M' || v[len(v)-1] == 'm'):
		mult, v = 1<<20, v[:len(v)-1]
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("not a block size")
	}
	return n * mult, nil
}
