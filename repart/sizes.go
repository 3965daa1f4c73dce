package repart

import "github.com/gorepart/gorepart/definitions"

// Size constants of repart (spec §3.2).
const (
	defaultMinSize    = 10 << 20
	hardMinSize       = 4096
	veritySigSize     = 16384
	luks2KeepFree     = 32 << 20
	espMinSize        = 100 << 20
	espMinSize4K      = 260 << 20
	defaultGrain      = 4096
	firstUsableOffset = 1 << 20
)

func roundUp(v, p uint64) uint64 {
	if v == Unlimited {
		return v
	}
	return (v + p - 1) / p * p
}

func roundDown(v, p uint64) uint64 { return v / p * p }

// fsMinSize is the smallest size mkfs accepts for a filesystem, or 0 when
// unknown (minimal_size_by_fs_name).
func fsMinSize(format string) uint64 {
	switch format {
	case "ext2", "ext3", "ext4":
		return 32 << 20
	case "xfs":
		return 300 << 20
	case "btrfs":
		return 256 << 20
	}
	return 0
}

// readOnlyFS reports the formats that cannot grow into extra space.
func readOnlyFS(format string) bool {
	switch format {
	case "erofs", "squashfs", "cramfs", "iso9660", "DM_verity_hash":
		return true
	}
	return false
}

// fsSectorSize is partition_fs_sector_size(): the configured sector size
// of the filesystem, never below the disk's.
func (pl *planner) fsSectorSize(p *slot) uint64 {
	ss := pl.opts.DefaultFSSectorSize
	if p.Def.FileSystemSectorSize != 0 {
		ss = p.Def.FileSystemSectorSize
	}
	return max(ss, pl.opts.SectorSize)
}

func (pl *planner) fstypeMinSize(p *slot) uint64 {
	if (p.Type.Designator == "esp" || p.Type.Designator == "xbootldr") && p.Format == "vfat" {
		if pl.fsSectorSize(p) >= 4096 {
			return espMinSize4K
		}
		return espMinSize
	}
	return fsMinSize(p.Format)
}

func (pl *planner) minSize(p *slot) uint64 {
	if p.Foreign {
		return p.CurrentSize
	}
	if isVeritySigDesignator(p.Type.Designator) {
		return veritySigSize
	}
	g := pl.grain
	sz := uint64(hardMinSize)
	if p.Exists {
		sz = p.CurrentSize
	} else {
		var d uint64
		if p.Def.Encrypt != definitions.EncryptOff {
			d += roundUp(luks2KeepFree, g)
		}
		if p.HasCopySize {
			d += roundUp(p.CopySize, g)
		} else if p.Format != "" || p.Def.Encrypt != definitions.EncryptOff {
			if f := pl.fstypeMinSize(p); f == 0 {
				d += g
			} else {
				d += roundUp(f, g)
			}
		}
		sz = max(sz, d)
	}

	sizeMin := p.Def.SizeMin
	if q := p.suppressing; q != nil && q.Def.SizeMin != nil && (sizeMin == nil || *q.Def.SizeMin > *sizeMin) {
		sizeMin = q.Def.SizeMin
	}
	var m uint64
	switch {
	case sizeMin != nil:
		m = *sizeMin
	case readOnlyFS(p.Format) || p.Def.Verity != definitions.VerityOff:
		m = 1
	default:
		m = defaultMinSize
	}
	return max(roundUp(m, g), sz)
}

func (pl *planner) maxSize(p *slot) uint64 {
	if p.Foreign {
		return p.CurrentSize
	}
	if isVeritySigDesignator(p.Type.Designator) {
		return veritySigSize
	}
	sizeMax := p.Def.SizeMax
	if q := p.suppressing; q != nil && q.Def.SizeMax != nil && (sizeMax == nil || *q.Def.SizeMax < *sizeMax) {
		sizeMax = q.Def.SizeMax
	}
	if sizeMax == nil {
		return Unlimited
	}
	m := roundDown(*sizeMax, pl.grain)
	if p.Exists {
		m = max(m, p.CurrentSize)
	}
	return max(pl.minSize(p), m)
}

func (pl *planner) minPadding(p *slot) uint64 {
	var v uint64
	if !p.Foreign && p.Def.PaddingMin != nil {
		v = *p.Def.PaddingMin
	}
	if q := p.suppressing; q != nil && q.Def.PaddingMin != nil {
		v = max(v, *q.Def.PaddingMin)
	}
	return v
}

func (pl *planner) maxPadding(p *slot) uint64 {
	v := Unlimited
	if !p.Foreign && p.Def.PaddingMax != nil {
		v = *p.Def.PaddingMax
	}
	if q := p.suppressing; q != nil && q.Def.PaddingMax != nil {
		v = min(v, *q.Def.PaddingMax)
	}
	return v
}

// minSizeWithPadding is the space a new partition needs at least,
// including its padding, aligned so the next partition starts on a grain.
func (pl *planner) minSizeWithPadding(p *slot) uint64 {
	sz := pl.minSize(p) + pl.minPadding(p)
	if p.Exists {
		return roundUp(p.Offset+sz, pl.grain) - p.Offset
	}
	return roundUp(sz, pl.grain)
}
