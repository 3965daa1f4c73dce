package erofs

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t the way systemd-repart's mkfs.erofs call makes it (spec
// §8.2): -U <fs UUID> [-z<alg>[,level=N]], no label. An uncompressed image
// is sized exactly without reading file data; a compressed one only by
// compressing. Its plan implements fsformat.SizedByWriting: an assembler
// that knows where the partition goes has it compress once, writing the
// image in place; else MinSize compresses without writing and Write
// compresses again (nothing is kept in between: no temporary file).
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	level := -1
	if fp.CompressionLevel != "" {
		n, err := strconv.Atoi(fp.CompressionLevel)
		if err != nil {
			return nil, fmt.Errorf("CompressionLevel=%s: not a number", fp.CompressionLevel)
		}
		level = n
	}
	p := Params{UUID: fp.UUID, BuildTime: fp.Time, Compression: fp.Compression, CompressionLevel: level,
		MaxSize: fp.MaxSize, Warn: fp.Warn}
	if err := applyMkfsOptions(&p, fp); err != nil {
		return nil, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_EROFS: %w", err)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	r := &repartPlan{t: t, p: p}
	if p.Compression != "" {
		return &compressedPlan{r}, nil
	}
	return r, nil
}

// applyMkfsOptions applies the mkfs.erofs options that map onto Params (the
// later one wins, as mkfs.erofs reads them after repart's): -z ALG[,LEVEL]
// or -zALG,level=N compression, -L label, -U UUID; -q is accepted; other
// options are not applied (a warning says so; -T among them: mkfs.erofs
// gives every file that time, gorepart keeps the tree's times).
func applyMkfsOptions(p *Params, fp fsformat.Params) error {
	opts, err := fsformat.ParseMkfsOptions(fp.Options, "zLUTEC")
	if err != nil {
		return err
	}
	for _, o := range opts {
		switch o.Flag {
		case "-z":
			alg, lvl, _ := strings.Cut(o.Value, ",")
			p.Compression, p.CompressionLevel = alg, -1
			if lvl != "" {
				n, err := strconv.Atoi(strings.TrimPrefix(lvl, "level="))
				if err != nil {
					return fmt.Errorf("%s: bad level", o)
				}
				p.CompressionLevel = n
			}
		case "-L":
			p.Label = o.Value
		case "-U":
			u, err := fsformat.ParseUUID(o.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
			p.UUID = u
		case "--quiet", "-q":
		default:
			fp.NotApplied("erofs", o)
		}
	}
	return nil
}

type repartPlan struct {
	t    *fstree.Tree
	p    Params
	size int64 // once known
	// pl is the uncompressed image MinSize planned, which Write then
	// writes rather than planning it again.
	pl *plan
}

func (r *repartPlan) MinSize() (int64, error) {
	if r.size > 0 {
		return r.size, nil
	}
	if r.p.Compression != "" {
		n, err := Size(r.t, r.p)
		if err != nil {
			return 0, err
		}
		r.size = n
		return n, nil
	}
	p := r.p
	if err := p.validate(); err != nil {
		return 0, err
	}
	pl, err := newPlan(r.t, &p)
	if err != nil {
		return 0, fmt.Errorf("planning erofs image: %w", err)
	}
	n, err := pl.layoutMeta(pl.dataEnd)
	if err != nil {
		return 0, err
	}
	r.size, r.pl = n, pl
	return n, nil
}

// compressedPlan is the plan of a compressed image, sized only by
// compressing (fsformat.SizedByWriting).
type compressedPlan struct{ *repartPlan }

// WriteMin writes the image at offset 0 of dst, within limit bytes (and
// Params.MaxSize), and returns its size. Not fitting limit is an error
// wrapping fsformat.ErrLimit.
func (r compressedPlan) WriteMin(dst io.WriterAt, limit int64) (int64, error) {
	p := r.p
	if limit > 0 && (p.MaxSize == 0 || limit < p.MaxSize) {
		p.MaxSize = limit
	}
	n, err := Write(dst, r.t, p)
	var tl *TooLargeError
	if errors.As(err, &tl) && (r.p.MaxSize == 0 || tl.Max < r.p.MaxSize) {
		return 0, fmt.Errorf("%w: %w", fsformat.ErrLimit, err)
	}
	if err != nil {
		return 0, err
	}
	r.size = n
	return n, nil
}

func (r *repartPlan) Write(dst io.WriterAt, size int64) error {
	if pl := r.pl; pl != nil {
		r.pl = nil
		pl.p.MaxSize = size
		_, err := pl.write(dst)
		return err
	}
	p := r.p
	p.MaxSize = size
	_, err := Write(dst, r.t, p)
	return err
}

func (r *repartPlan) Close() error {
	r.pl = nil
	return nil
}
