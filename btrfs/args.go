package btrfs

import (
	"fmt"
	"strconv"

	"github.com/gorepart/gorepart/internal/mkfs"
)

// args is the argument list repart 262 gives mkfs.btrfs (mkfs-util.c
// make_filesystem, repart.c finalize_extra_mkfs_options), without argv[0]:
//
//	-L LABEL -U UUID [--nodiscard] [-r ROOT] [--compress ALG[:LEVEL]]
//	--sectorsize=N NODE [EXTRA...] [--subvol [default][-ro]:PATH]...
//	[--inode-flags nodatacow:PATH]... [--shrink]
//
// root is "" when nothing is copied; then repart passes neither the
// compression nor the subvolume options nor --shrink.
func args(p *Params, root, node string) []string {
	a := []string{"-L", p.Label, "-U", mkfs.UUIDString(p.UUID)}
	if p.NoDiscard {
		a = append(a, "--nodiscard")
	}
	if root != "" {
		a = append(a, "-r", root)
		if p.Compression != "" {
			c := p.Compression
			if p.CompressionLevel != "" {
				c += ":" + p.CompressionLevel
			}
			a = append(a, "--compress", c)
		}
	}
	a = append(a, "--sectorsize="+strconv.Itoa(max(p.SectorSize, minSectorSize)), node)
	a = append(a, p.ExtraArgs...)
	if root == "" {
		return a
	}
	for _, s := range p.Subvolumes {
		a = append(a, "--subvol", subvolArg(s, s.Path == p.DefaultSubvolume))
	}
	for _, s := range p.Subvolumes {
		if s.NoDataCOW {
			a = append(a, "--inode-flags", "nodatacow:"+s.Path)
		}
	}
	if p.Minimize {
		a = append(a, "--shrink")
	}
	return a
}

// subvolArg is repart's --subvol value: "default", "ro" or "default-ro"
// and a colon before the path when there is a flag, the bare path
// otherwise (systemd's strextend_with_separator adds no separator to an
// empty string).
func subvolArg(s Subvolume, isDefault bool) string {
	flag := ""
	if isDefault {
		flag = "default"
	}
	if s.ReadOnly {
		if flag != "" {
			flag += "-"
		}
		flag += "ro"
	}
	if flag == "" {
		return s.Path
	}
	return flag + ":" + s.Path
}

// env is mkfs.btrfs's environment. libblkid reads its device cache from
// BLKID_FILE and its configuration (which may name another cache) from
// BLKID_CONF: /dev/null for both gives it an empty cache, so what earlier
// blkid runs on this host remembered cannot make mkfs.btrfs refuse the
// UUID.
func env(p *Params) []string {
	return mkfs.Env(p.Path, p.SourceDateEpoch, "BLKID_FILE=/dev/null", "BLKID_CONF=/dev/null")
}

// checkVersion refuses what the installed btrfs-progs cannot do rather
// than leaving it out.
func checkVersion(p *Params, v mkfs.Version, populated bool) error {
	if !populated {
		return nil
	}
	need := func(what string, release int) error {
		if v.Release() >= release {
			return nil
		}
		return fmt.Errorf("%s needs btrfs-progs %d.%d or later, mkfs.btrfs is %s", what, release/1000, release%1000, v)
	}
	if len(p.Subvolumes) > 0 {
		if err := need("Subvolumes= (mkfs.btrfs --subvol)", releaseSubvol); err != nil {
			return err
		}
	}
	if p.Compression != "" {
		if err := need("Compression= (mkfs.btrfs --compress)", releaseCompress); err != nil {
			return err
		}
	}
	for _, s := range p.Subvolumes {
		if s.NoDataCOW {
			return need("Subvolumes= with nodatacow (mkfs.btrfs --inode-flags)", releaseInodeFlags)
		}
	}
	return nil
}
