package vfat

import (
	"encoding/binary"
	"io"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t the way systemd-repart's mkfs.vfat call makes it (spec
// §8.2): -F 32, -S <sector size>, -i <the first four bytes of the
// filesystem UUID, big-endian>, -n <the mangled partition label>.
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	p := Params{
		SectorSize: fp.SectorSize, FATBits: 32,
		VolumeID: binary.BigEndian.Uint32(fp.UUID[:4]), Label: MangleLabel(fp.Label),
		Time: fp.Time, Warn: fp.Warn,
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &repartPlan{t: t, p: p}, nil
}

type repartPlan struct {
	t *fstree.Tree
	p Params
}

func (r *repartPlan) MinSize() (int64, error) { return MinSize(r.t, r.p) }

// GuessBytes is what Minimize=guess grows by half: the bytes repart's
// trial (mkfs.vfat in a 1 TiB file, then mtools) allocates, so the same
// definitions give repart's partition size; never less than the exact
// minimum.
func (r *repartPlan) GuessBytes() (int64, error) {
	exact, err := MinSize(r.t, r.p)
	if err != nil {
		return 0, err
	}
	trial, err := RepartTrialBytes(r.t, r.p)
	if err != nil {
		return 0, err
	}
	return max(exact, trial), nil
}

func (r *repartPlan) Write(dst io.WriterAt, size int64) error { return Write(dst, size, r.t, r.p) }

func (r *repartPlan) Close() error { return nil }
