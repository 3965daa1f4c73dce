package ext4

import (
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t the way systemd-repart's mkfs.ext4 call makes it (spec
// §8.2): -L <label cut to 16 bytes> -U <fs UUID> -E hash_seed=<fs UUID>,
// MKE2FS_DEVICE_SECTSIZE=<sector size>. The planning pass walks the tree
// once; MinSize and Write share it.
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	pl, err := NewPlan(t, Params{Label: MangleLabel(fp.Label), UUID: fp.UUID, HashSeed: fp.UUID, Time: fp.Time,
		Warn: fp.Warn, SectorSize: fp.SectorSize})
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// Close releases nothing: the tree is the caller's.
func (p *Plan) Close() error { return nil }
