package ext4

import (
	"fmt"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t the way systemd-repart's mkfs.ext4 call makes it (spec
// §8.2): -L <label cut to 16 bytes> -U <fs UUID> -E hash_seed=<fs UUID>,
// MKE2FS_DEVICE_SECTSIZE=<sector size>. The planning pass walks the tree
// once; MinSize and Write share it.
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	p := Params{Label: MangleLabel(fp.Label), UUID: fp.UUID, HashSeed: fp.UUID, Time: fp.Time,
		Warn: fp.Warn, SectorSize: fp.SectorSize}
	if err := applyMkfsOptions(&p, fp); err != nil {
		return nil, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_EXT4: %w", err)
	}
	pl, err := NewPlan(t, p)
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// applyMkfsOptions applies the mkfs.ext4 options that map onto Params (the
// later one wins, as mkfs.ext4 reads them after repart's): -L label, -U
// UUID; options that repeat what the writer does anyway (-b 4096, -I 256,
// -m 0, -T default, -q, -F) are accepted; a different block or inode size
// is refused, and other options are not applied (a warning says so).
func applyMkfsOptions(p *Params, fp fsformat.Params) error {
	opts, err := fsformat.ParseMkfsOptions(fp.Options, "LUbImTEOGNJ")
	if err != nil {
		return err
	}
	for _, o := range opts {
		switch {
		case o.Flag == "-L":
			p.Label = MangleLabel(o.Value)
		case o.Flag == "-U":
			u, err := fsformat.ParseUUID(o.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
			p.UUID = u
		case o.Flag == "-b" && o.Value == "4096", o.Flag == "-I" && o.Value == "256", o.Flag == "-m" && o.Value == "0",
			o.Flag == "-T" && o.Value == "default", o.Flag == "-q", o.Flag == "-F":
		case o.Flag == "-b", o.Flag == "-I":
			return fmt.Errorf("%s: the ext4 writer makes 4096-byte blocks and 256-byte inodes only", o)
		default:
			fp.NotApplied("ext4", o)
		}
	}
	return nil
}

// Close releases nothing: the tree is the caller's.
func (p *Plan) Close() error { return nil }
