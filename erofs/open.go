package erofs

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
)

// Open plans t the way systemd-repart's mkfs.erofs call makes it (spec
// §8.2): -U <fs UUID> [-z<alg>[,level=N]], no label. An uncompressed image
// is sized exactly without reading file data; a compressed one only by
// compressing, so MinSize writes it into a private temporary file that
// Write then copies (holes kept, reflinked where the host can).
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
	return &repartPlan{t: t, p: p, tmpDir: fp.TempDir}, nil
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
	t      *fstree.Tree
	p      Params
	tmpDir string
	size   int64
	// img holds the compressed image MinSize wrote.
	img *os.File
}

func (r *repartPlan) MinSize() (int64, error) {
	if r.size > 0 {
		return r.size, nil
	}
	if r.p.Compression == "" {
		n, err := Size(r.t, r.p)
		if err == nil {
			err = (&plan{p: &r.p}).checkSize(n)
		}
		r.size = n
		return n, err
	}
	f, err := os.CreateTemp(r.tmpDir, ".gorepart-erofs-*")
	if err != nil {
		return 0, fmt.Errorf("creating temporary file: %w", err)
	}
	os.Remove(f.Name()) // anonymous: nothing to clean up after a crash
	n, err := Write(f, r.t, r.p)
	if err != nil {
		f.Close()
		return 0, err
	}
	r.img, r.size = f, n
	return n, nil
}

func (r *repartPlan) Write(dst io.WriterAt, size int64) error {
	if r.img != nil {
		if size < r.size {
			return fmt.Errorf("erofs image of %d bytes does not fit %d bytes", r.size, size)
		}
		return filecopy.Sparse(dst, 0, r.img, 0, r.size)
	}
	p := r.p
	p.MaxSize = size
	_, err := Write(dst, r.t, p)
	return err
}

func (r *repartPlan) Close() error {
	if r.img == nil {
		return nil
	}
	err := r.img.Close()
	r.img = nil
	return err
}
