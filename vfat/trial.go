package vfat

import "github.com/gorepart/gorepart/fstree"

// trialSize is the sparse file systemd-repart formats to measure a
// writable file system for Minimize=guess (spec §3.7).
const trialSize = 1 << 40

// hostBlock is the allocation unit of the file system holding repart's
// trial file (/var/tmp: ext4, xfs, btrfs and tmpfs all use 4 KiB).
const hostBlock = 4096

// RepartTrialBytes returns the number of allocated bytes systemd-repart
// measures for Minimize=guess of a vfat partition holding t (spec §3.7
// step 2): it formats a sparse 1 TiB file with "mkfs.vfat -F 32 -S
// SECTORSIZE", copies the tree in with mtools and counts the non-hole
// bytes. mkfs.fat writes the reserved sectors, both FATs in full and the
// first root directory cluster; mtools writes each file's bytes (whole host
// blocks) and every new directory cluster in full. repart then adds half
// and applies the partition minimum (minimize.Guess); using this count
// instead of MinSize gives the partition size repart chooses: exactly for
// trees of large files, a few percent less where mtools spends a whole
// extra cluster on some small files (measured: -4.4% on a 40 MB ESP tree
// with 4096-byte sectors, -0.1% with 512). The trial's FATs dominate small
// trees: 32 MiB at 4096-byte sectors, 256 MiB at 512.
func RepartTrialBytes(t *fstree.Tree, p Params) (int64, error) {
	p.FATBits = 32
	if err := p.check(); err != nil {
		return 0, err
	}
	label, _ := labelField(p.Label)
	c, err := analyze(t, string(label[:]) != noName)
	if err != nil {
		return 0, err
	}
	g, err := newGeometry(trialSize, p.SectorSize, 32)
	if err != nil {
		return 0, err
	}
	cb := g.clusterBytes()
	roundUp := func(n int64) int64 { return cdiv(n, hostBlock) * hostBlock }
	n := roundUp(int64(g.dataStart())*int64(g.sectorSize) + cb)
	n += (clustersOf(c.root, cb) - 1) * cb
	var walk func(d *node)
	walk = func(d *node) {
		for _, k := range d.kids {
			if k.node.dir {
				n += clustersOf(k.node, cb) * cb
				walk(k.node)
			} else {
				n += roundUp(k.node.inode.Size)
			}
		}
	}
	walk(c.root)
	return n, nil
}
