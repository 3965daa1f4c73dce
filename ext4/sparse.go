package ext4

import (
	"io"

	"github.com/gorepart/gorepart/fstree"
)

// dataSegments returns the blocks of a regular file that hold data; the
// rest are holes. In-memory data is scanned for all-zero blocks (as
// mke2fs -d skips zero blocks); a source file is mapped with fstree's
// DataExtents (SEEK_DATA/SEEK_HOLE) when the tree marks it Sparse (it took
// less space than its size when it was read), and is dense otherwise:
// planning does not stat every source again. (A source that shrank since
// is caught when its data is copied.)
func dataSegments(in *fstree.Inode) ([]seg, error) {
	nblocks := ceilDiv(uint64(in.Size), blockSize)
	if nblocks == 0 {
		return nil, nil
	}
	if !in.HasSource() {
		data := in.Data()
		if int64(len(data)) < in.Size {
			return nil, io.ErrUnexpectedEOF
		}
		return zeroScan(data[:in.Size]), nil
	}
	if !in.Sparse {
		return []seg{{0, nblocks}}, nil
	}
	exts, err := in.DataExtents()
	if err != nil {
		return nil, err
	}
	var segs []seg
	for _, e := range exts {
		s := uint64(e.Offset) / blockSize
		end := ceilDiv(uint64(e.Offset+e.Length), blockSize)
		if k := len(segs) - 1; k >= 0 && segs[k].lblk+segs[k].n >= s {
			segs[k].n = max(segs[k].n, end-segs[k].lblk)
			continue
		}
		segs = append(segs, seg{s, end - s})
	}
	return segs, nil
}

func zeroScan(data []byte) []seg {
	var segs []seg
	for b := 0; b*blockSize < len(data); b++ {
		chunk := data[b*blockSize : min(len(data), (b+1)*blockSize)]
		if allZero(chunk) {
			continue
		}
		if k := len(segs) - 1; k >= 0 && segs[k].lblk+segs[k].n == uint64(b) {
			segs[k].n++
		} else {
			segs = append(segs, seg{uint64(b), 1})
		}
	}
	return segs
}

func allZero(p []byte) bool {
	for len(p) >= 8 {
		if p[0]|p[1]|p[2]|p[3]|p[4]|p[5]|p[6]|p[7] != 0 {
			return false
		}
		p = p[8:]
	}
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}
