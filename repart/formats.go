package repart

import (
	"encoding/binary"
	"io"

	"fmt"
	"strconv"

	"github.com/gorepart/gorepart/erofs"
	"github.com/gorepart/gorepart/ext4"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/vfat"
)

// lookupFormat returns the writer of a filesystem format.
func lookupFormat(name string) (fsFormat, bool) {
	switch name {
	case "vfat":
		return fsFormat{minSize: vfatMinSize, write: vfatWrite}, true
	case "ext4":
		return fsFormat{minSize: ext4MinSize, write: ext4Write, walks: true}, true
	case "erofs":
		return fsFormat{readOnly: true, writeRO: erofsWrite, walks: true}, true
	}
	return fsFormat{}, false
}

// vfatParams: repart runs mkfs.vfat -F 32 -S <sector size> -i <first 4
// bytes of the fs UUID> -n <mangled label> (spec §8.2).
func vfatParams(p fsParams) vfat.Params {
	return vfat.Params{
		SectorSize: int(p.SectorSize), FATBits: 32,
		VolumeID: binary.BigEndian.Uint32(p.UUID[:4]), Label: vfat.MangleLabel(p.Label),
		Time: p.Time, Warn: p.Warn,
	}
}

// vfatMinSize is what Minimize=guess grows by half: the bytes repart's
// trial (mkfs.vfat in a 1 TiB file, then mtools) allocates, so the same
// definitions give repart's partition size; never less than the exact
// minimum.
func vfatMinSize(fc *fsContent) (uint64, error) {
	t, p := fc.tree, fc.params
	exact, err := vfat.MinSize(t, vfatParams(p))
	if err != nil {
		return 0, err
	}
	trial, err := vfat.RepartTrialBytes(t, vfatParams(p))
	if err != nil {
		return 0, err
	}
	return uint64(max(exact, trial)), nil
}

func vfatWrite(w io.WriterAt, size int64, fc *fsContent) error {
	return vfat.Write(w, size, fc.tree, vfatParams(fc.params))
}

// ext4Params: repart runs mkfs.ext4 -L <label cut to 16 bytes> -U <fs
// UUID> -E hash_seed=<fs UUID> (spec §8.2).
func ext4Params(p fsParams) ext4.Params {
	return ext4.Params{Label: ext4.MangleLabel(p.Label), UUID: p.UUID, HashSeed: p.UUID, Time: p.Time, Warn: p.Warn,
		SectorSize: int(p.SectorSize)}
}

// ext4Plan plans fc's tree once for sizing and writing.
func ext4Plan(fc *fsContent) (*ext4.Plan, error) {
	if pl, ok := fc.plan.(*ext4.Plan); ok {
		return pl, nil
	}
	pl, err := ext4.NewPlan(fc.tree, ext4Params(fc.params))
	if err != nil {
		return nil, err
	}
	fc.plan = pl
	return pl, nil
}

func ext4MinSize(fc *fsContent) (uint64, error) {
	pl, err := ext4Plan(fc)
	if err != nil {
		return 0, err
	}
	n, err := pl.MinSize()
	return uint64(n), err
}

func ext4Write(w io.WriterAt, size int64, fc *fsContent) error {
	pl, err := ext4Plan(fc)
	if err != nil {
		return err
	}
	fc.plan = nil // written once
	return pl.Write(w, size)
}

// erofsWrite: repart runs mkfs.erofs -U <fs UUID> [-z<alg>[,level=N]] and
// passes no label (spec §8.2).
func erofsWrite(w io.WriterAt, t *fstree.Tree, p fsParams, maxSize int64) (int64, error) {
	level := -1
	if p.CompressionLevel != "" {
		n, err := strconv.Atoi(p.CompressionLevel)
		if err != nil {
			return 0, fmt.Errorf("CompressionLevel=%s: not a number", p.CompressionLevel)
		}
		level = n
	}
	return erofs.Write(w, t, erofs.Params{
		UUID: p.UUID, BuildTime: p.Time, Compression: p.Compression, CompressionLevel: level,
		MaxSize: maxSize, Warn: p.Warn,
	})
}
