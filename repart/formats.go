package repart

import (
	"encoding/binary"
	"io"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/vfat"
)

// lookupFormat returns the writer of a filesystem format.
func lookupFormat(name string) (fsFormat, bool) {
	switch name {
	case "vfat":
		return fsFormat{minSize: vfatMinSize, write: vfatWrite}, true
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

func vfatMinSize(t *fstree.Tree, p fsParams) (uint64, error) {
	n, err := vfat.MinSize(t, vfatParams(p))
	return uint64(n), err
}

func vfatWrite(w io.WriterAt, size int64, t *fstree.Tree, p fsParams) error {
	return vfat.Write(w, size, t, vfatParams(p))
}
