package vdisk

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// writeVMDKStream writes a streamOptimized VMDK (VMware "Virtual Disk
// Format 1.1", "Stream-Optimized Compressed Sparse Extents"), the disk of
// an OVA: header (grain directory "at end"), descriptor, then every grain
// of 64 KiB that holds data as a grain marker and its zlib stream, each
// grain table after the grains it maps (marker first), the grain
// directory, a footer (the header with the directory's offset) and the
// end-of-stream marker. Empty grain tables are not written (directory
// entry 0). Grains are compressed on all cores, written in order.
func writeVMDKStream(dst, src *os.File, size int64, p Params) (int64, error) {
	if err := vmdkCheckName(p.Name); err != nil {
		return 0, err
	}
	l := newVMDKLayout(size)
	l.rgdOffset, l.gdOffset = 0, 0
	l.grainOffset = (vmdkDescOffset + vmdkDescSectors + vmdkGrainSectors - 1) / vmdkGrainSectors * vmdkGrainSectors
	o := &out{f: dst, off: l.grainOffset * sectorSize}
	gd := make([]byte, l.gdSectors*sectorSize)
	gt := make([]byte, vmdkGTSectors*sectorSize)
	table := int64(-1)
	flush := func() error {
		if table < 0 {
			return nil
		}
		if err := o.write(vmdkMarker(vmdkGTSectors, vmdkMarkerGT)); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(gd[4*table:], uint32(o.off/sectorSize))
		err := o.write(gt)
		clear(gt)
		table = -1
		return err
	}
	z := newGrainCompressor()
	err := newScanner(src, size, vmdkGrainSize, p).each(func(first int64, data []byte) error {
		grains, err := z.compress(first, data)
		if err != nil {
			return err
		}
		for i, g := range grains {
			n := first + int64(i)
			if t := n / vmdkGTEs; t != table {
				if err := flush(); err != nil {
					return err
				}
				table = t
			}
			binary.LittleEndian.PutUint32(gt[4*(n%vmdkGTEs):], uint32(o.off/sectorSize))
			if err := o.write(g); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	if err := o.write(vmdkMarker(uint64(l.gdSectors), vmdkMarkerGD)); err != nil {
		return 0, err
	}
	gdOffset := o.off / sectorSize
	const flags = vmdkFlagNLTest | vmdkFlagCompressed | vmdkFlagMarkers
	tail := [][]byte{
		gd,
		vmdkMarker(1, vmdkMarkerFooter),
		vmdkHeader(l, vmdkVersionStream, flags, uint64(gdOffset), vmdkCompressDeflate),
		vmdkMarker(0, vmdkMarkerEOS),
	}
	for _, b := range tail {
		if err := o.write(b); err != nil {
			return 0, err
		}
	}
	if err := o.at(vmdkHeader(l, vmdkVersionStream, flags, vmdkGDAtEnd, vmdkCompressDeflate), 0); err != nil {
		return 0, err
	}
	if err := o.at([]byte(vmdkDescriptor("streamOptimized", size, p)), vmdkDescOffset*sectorSize); err != nil {
		return 0, err
	}
	return o.off, nil
}

// vmdkMarker is a metadata marker sector: the number of sectors of
// metadata that follow, a zero size, the marker type.
func vmdkMarker(sectors uint64, typ uint32) []byte {
	m := make([]byte, sectorSize)
	binary.LittleEndian.PutUint64(m[0:], sectors)
	binary.LittleEndian.PutUint32(m[12:], typ)
	return m
}

// grainCompressor turns runs of grains into grain markers with their
// zlib streams, padded to whole sectors, using one worker per core.
type grainCompressor struct {
	workers int
	pool    sync.Pool
}

func newGrainCompressor() *grainCompressor {
	return &grainCompressor{workers: runtime.GOMAXPROCS(0)}
}

func (z *grainCompressor) compress(first int64, data []byte) ([][]byte, error) {
	n := len(data) / vmdkGrainSize
	res := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range min(z.workers, n) {
		wg.Go(func() {
			for i := w; i < n; i += z.workers {
				res[i], errs[i] = z.grain(uint64(first+int64(i))*vmdkGrainSectors, data[i*vmdkGrainSize:(i+1)*vmdkGrainSize])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// grain encodes one grain marker: the grain's first sector, the length of
// the compressed data, the data, zeros to the next sector.
func (z *grainCompressor) grain(lba uint64, data []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(12 + len(data)/2)
	b.Write(make([]byte, 12))
	w, _ := z.pool.Get().(*zlib.Writer)
	if w == nil {
		w = zlib.NewWriter(&b)
	} else {
		w.Reset(&b)
	}
	defer z.pool.Put(w)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	g := b.Bytes()
	binary.LittleEndian.PutUint64(g[0:], lba)
	binary.LittleEndian.PutUint32(g[8:], uint32(len(g)-12))
	pad := (sectorSize - len(g)%sectorSize) % sectorSize
	return append(g, make([]byte, pad)...), nil
}
