package ext4

import (
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/gorepart/gorepart/fstree"
)

const (
	seekData = 3 // SEEK_DATA
	seekHole = 4 // SEEK_HOLE
)

// dataSegments returns the blocks of a regular file that hold data. Holes
// of the source stay holes: in-memory data is scanned for all-zero blocks,
// a source file that takes less space than its size is mapped with
// SEEK_DATA/SEEK_HOLE.
func dataSegments(in *fstree.Inode) ([]seg, error) {
	nblocks := ceilDiv(uint64(in.Size), blockSize)
	if nblocks == 0 {
		return nil, nil
	}
	if in.Source == "" {
		if int64(len(in.Data)) < in.Size {
			return nil, io.ErrUnexpectedEOF
		}
		return zeroScan(in.Data[:in.Size]), nil
	}
	st, err := os.Stat(in.Source)
	if err != nil {
		return nil, err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || sys.Blocks*512 >= in.Size {
		return []seg{{0, nblocks}}, nil
	}
	f, err := os.Open(in.Source)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var segs []seg
	var off int64
	for off < in.Size {
		d, err := f.Seek(off, seekData)
		if err != nil {
			if errors.Is(err, syscall.ENXIO) {
				break // only a hole follows
			}
			return []seg{{0, nblocks}}, nil // no SEEK_DATA: treat as dense
		}
		if d >= in.Size {
			break
		}
		h, err := f.Seek(d, seekHole)
		if err != nil {
			return nil, err
		}
		h = min(h, in.Size)
		s := uint64(d) / blockSize
		e := ceilDiv(uint64(h), blockSize)
		if k := len(segs) - 1; k >= 0 && segs[k].lblk+segs[k].n >= s {
			segs[k].n = e - segs[k].lblk
		} else {
			segs = append(segs, seg{s, e - s})
		}
		off = h
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
