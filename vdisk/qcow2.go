package vdisk

import (
	"encoding/binary"
	"fmt"
	"os"
)

// A qcow2 image as written here, in 64 KiB clusters:
//
//	cluster 0          header, no header extensions
//	clusters 1..       L1 table
//	then, per 512 MiB of the image that holds data, its data clusters in
//	guest order followed by their L2 table
//	then               refcount blocks, refcount table
//
// Every cluster of the file is referenced exactly once and clusters are
// never left free, so the refcount blocks just count 0..end-1 as 1.
// Guest clusters of zeros are unallocated (L2 entry 0): without a backing
// file they read as zeros.
func writeQcow2(dst, src *os.File, size int64, p Params) (int64, error) {
	const cluster = qcowClusterSize
	l2Cover := int64(cluster) * qcowL2Entries
	l1Size := (size + l2Cover - 1) / l2Cover
	if l1Size*8 > qcowMaxL1Bytes {
		return 0, fmt.Errorf("image size %d needs an L1 table larger than qemu's limit of %d bytes", size, qcowMaxL1Bytes)
	}
	l1Clusters := (l1Size*8 + cluster - 1) / cluster
	l1 := make([]uint64, l1Size)
	o := &out{f: dst, off: (1 + l1Clusters) * cluster}

	l2 := make([]uint64, qcowL2Entries)
	region := int64(-1) // L1 index of the L2 table being filled
	flush := func() error {
		if region < 0 {
			return nil
		}
		l1[region] = uint64(o.off) | qcowOflagCopied
		err := o.write(beUint64s(l2))
		clear(l2)
		region = -1
		return err
	}
	err := newScanner(src, size, cluster, p).each(func(first int64, data []byte) error {
		for len(data) > 0 {
			if r := first / qcowL2Entries; r != region {
				if err := flush(); err != nil {
					return err
				}
				region = r
			}
			n := min(int64(len(data))/cluster, (region+1)*qcowL2Entries-first)
			for i := range n {
				l2[(first+i)%qcowL2Entries] = uint64(o.off+i*cluster) | qcowOflagCopied
			}
			if err := o.write(data[:n*cluster]); err != nil {
				return err
			}
			first += n
			data = data[n*cluster:]
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}

	used := o.off / cluster
	blocks, tableClusters := qcowRefcountSizes(used)
	total := used + blocks + tableClusters
	table := make([]uint64, tableClusters*cluster/8)
	block := make([]uint16, qcowRefblockCount)
	for b := range blocks {
		for i := range block {
			block[i] = 0
			if b*qcowRefblockCount+int64(i) < total {
				block[i] = 1
			}
		}
		table[b] = uint64(o.off)
		if err := o.write(beUint16s(block)); err != nil {
			return 0, err
		}
	}
	tableOffset := o.off
	if err := o.write(beUint64s(table)); err != nil {
		return 0, err
	}
	if err := o.at(beUint64s(l1), cluster); err != nil {
		return 0, err
	}
	h := qcowHeader(size, l1Size, cluster, tableOffset, tableClusters)
	if err := o.at(h, 0); err != nil {
		return 0, err
	}
	return total * cluster, nil
}

// qcowRefcountSizes returns how many refcount blocks and refcount table
// clusters cover used clusters plus themselves: the least fixed point,
// reached from below.
func qcowRefcountSizes(used int64) (blocks, tableClusters int64) {
	blocks, tableClusters = 1, 1
	for {
		total := used + blocks + tableClusters
		b := (total + qcowRefblockCount - 1) / qcowRefblockCount
		t := (b*8 + qcowClusterSize - 1) / qcowClusterSize
		if b == blocks && t == tableClusters {
			return blocks, tableClusters
		}
		blocks, tableClusters = b, t
	}
}

// qcowHeader encodes the version 3 header (qcow2.txt "Header"): no
// backing file, no encryption, no snapshots, no feature bits (lazy
// refcounts off, image clean), zlib compression type; the header
// extension area that follows is empty (an end marker of zeros).
func qcowHeader(size, l1Size, l1Offset, refTable, refClusters int64) []byte {
	h := make([]byte, qcowHeaderLength+8)
	be := binary.BigEndian
	copy(h[0:], qcowMagic)
	be.PutUint32(h[4:], qcowVersion)
	be.PutUint32(h[20:], qcowClusterBits)
	be.PutUint64(h[24:], uint64(size))
	be.PutUint32(h[36:], uint32(l1Size))
	be.PutUint64(h[40:], uint64(l1Offset))
	be.PutUint64(h[48:], uint64(refTable))
	be.PutUint32(h[56:], uint32(refClusters))
	be.PutUint32(h[96:], qcowRefcountOrder)
	be.PutUint32(h[100:], qcowHeaderLength)
	return h
}

func beUint64s(v []uint64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint64(b[8*i:], x)
	}
	return b
}

func beUint16s(v []uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint16(b[2*i:], x)
	}
	return b
}
