package vfat

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

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
	if err := applyMkfsOptions(&p, fp); err != nil {
		return nil, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_VFAT: %w", err)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &repartPlan{t: t, p: p}, nil
}

// applyMkfsOptions applies the mkfs.vfat options that map onto Params, as
// mkfs.vfat takes them after repart's own (the later one wins): -S sector
// size, -F FAT width, -i volume ID (hex), -n label. Others are not applied
// (a warning says so).
func applyMkfsOptions(p *Params, fp fsformat.Params) error {
	opts, err := fsformat.ParseMkfsOptions(fp.Options, "SFin")
	if err != nil {
		return err
	}
	for _, o := range opts {
		switch o.Flag {
		case "-S", "-F":
			n, err := strconv.Atoi(o.Value)
			if err != nil {
				return fmt.Errorf("%s: not a number", o)
			}
			if o.Flag == "-S" {
				p.SectorSize = n
			} else {
				p.FATBits = n
			}
		case "-i":
			id, err := strconv.ParseUint(o.Value, 16, 32)
			if err != nil {
				return fmt.Errorf("%s: not a 32-bit hexadecimal volume ID", o)
			}
			p.VolumeID = uint32(id)
		case "-n":
			p.Label = MangleLabel(o.Value)
		default:
			fp.NotApplied("vfat", o)
		}
	}
	return nil
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
