package luks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Header is a parsed LUKS2 header: the binary fields of the header in use
// and its JSON metadata.
type Header struct {
	UUID      string
	Label     string
	Subsystem string
	SeqID     uint64
	Metadata  *Metadata
}

// ReadHeader reads the primary and the secondary header of src, verifies
// their checksums and returns the valid one with the higher seqid, as
// cryptsetup does.
func ReadHeader(src io.ReaderAt) (*Header, error) {
	var best *Header
	var firstErr error
	for _, off := range []int64{0, hdrSize} {
		h, err := readHeaderAt(src, off)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("reading header at %d: %w", off, err)
			}
			continue
		}
		if best == nil || h.SeqID > best.SeqID {
			best = h
		}
	}
	if best == nil {
		return nil, firstErr
	}
	return best, nil
}

// readHeaderAt reads and checks one header area at off.
func readHeaderAt(src io.ReaderAt, off int64) (*Header, error) {
	var bin [binHeaderSize]byte
	if n, err := src.ReadAt(bin[:], off); n < binHeaderSize {
		return nil, fmt.Errorf("short read: %w", err)
	}
	size := binary.BigEndian.Uint64(bin[offHdrSize:])
	if size < hdrSize || size > 4<<20 {
		return nil, fmt.Errorf("hdr_size %d out of range", size)
	}
	area := make([]byte, size)
	if n, err := src.ReadAt(area, off); uint64(n) < size {
		return nil, fmt.Errorf("short read of %d header bytes: %w", size, err)
	}
	bh, text, err := decodeHeader(area)
	if err != nil {
		return nil, err
	}
	if bh.HdrOffset != uint64(off) {
		return nil, fmt.Errorf("header claims offset %d", bh.HdrOffset)
	}
	m, err := decodeMetadata(text)
	if err != nil {
		return nil, err
	}
	return &Header{UUID: bh.UUID, Label: bh.Label, Subsystem: bh.Subsystem, SeqID: bh.SeqID, Metadata: m}, nil
}

// Reader decrypts the data segment of a LUKS2 volume.
type Reader struct {
	src       io.ReaderAt
	c         *sectorCipher
	offset    int64
	size      int64
	ivTweak   uint64 // added to sector numbers for IVs, in sectors of the segment
	header    *Header
	volumeKey []byte
}

// OpenReader reads the header of the LUKS2 volume src of size bytes,
// unlocks a keyslot with passphrase and returns a reader of the plaintext
// of segment 0 (aes-xts-plain64 only).
func OpenReader(src io.ReaderAt, size int64, passphrase []byte) (*Reader, error) {
	h, err := ReadHeader(src)
	if err != nil {
		return nil, err
	}
	r, err := segmentOf(h, size)
	if err != nil {
		return nil, fmt.Errorf("opening LUKS2 volume: %w", err)
	}
	if err := checkKeyslots(h.Metadata); err != nil {
		return nil, fmt.Errorf("opening LUKS2 volume: %w", err)
	}
	vk, err := unlock(src, h.Metadata, passphrase)
	if err != nil {
		return nil, fmt.Errorf("opening LUKS2 volume: %w", err)
	}
	if r.c, err = newSectorCipher(vk, int(r.c.sectorSize)); err != nil {
		return nil, err
	}
	r.src, r.volumeKey = src, vk
	return r, nil
}

// segmentOf checks segment 0 of h against a device of size bytes and
// returns a Reader without source and key.
func segmentOf(h *Header, size int64) (*Reader, error) {
	seg, ok := h.Metadata.Segments["0"]
	if !ok || seg.Type != "crypt" {
		return nil, errors.New("no crypt segment 0")
	}
	if seg.Encryption != cipherSpec {
		return nil, fmt.Errorf("segment encryption %q not supported", seg.Encryption)
	}
	ss := int64(seg.SectorSize)
	if ss < 512 || ss > 4096 || ss&(ss-1) != 0 {
		return nil, fmt.Errorf("segment sector size %d", ss)
	}
	off := int64(seg.Offset)
	segSize := size - off
	if seg.Size != "dynamic" {
		n, err := strconv.ParseInt(seg.Size, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("segment size %q: %w", seg.Size, err)
		}
		segSize = n
	}
	if off < 0 || segSize < 0 || off > size || segSize > size-off || segSize%ss != 0 {
		return nil, fmt.Errorf("segment of %d bytes at %d does not fit %d bytes in whole sectors", segSize, seg.Offset, size)
	}
	// iv_tweak counts 512-byte units (dm-crypt's iv_offset), added to the
	// 512-byte count of the sector's first byte; multiples of the sector
	// size are supported.
	if seg.IVTweak%uint64(ss/512) != 0 {
		return nil, fmt.Errorf("iv_tweak %d not a multiple of the sector size", seg.IVTweak)
	}
	return &Reader{
		c:       &sectorCipher{sectorSize: int(ss)},
		offset:  off,
		size:    segSize,
		ivTweak: seg.IVTweak / uint64(ss/512),
		header:  h,
	}, nil
}

// Size is the size of the decrypted segment.
func (r *Reader) Size() int64 { return r.size }

// Header returns the header the reader was opened with.
func (r *Reader) Header() *Header { return r.header }

// VolumeKey returns the unlocked volume key.
func (r *Reader) VolumeKey() []byte { return r.volumeKey }

// ReadAt decrypts len(b) bytes of the segment at off.
func (r *Reader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("luks: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(b)
	if int64(want) > r.size-off {
		b = b[:r.size-off]
	}
	ss := int64(r.c.sectorSize)
	buf := make([]byte, 0, min(1<<20, (int64(len(b))/ss+2)*ss))
	done := 0
	for done < len(b) {
		pos := off + int64(done)
		first := pos / ss
		end := min(off+int64(len(b)), (first+int64(cap(buf))/ss)*ss)
		last := (end + ss - 1) / ss
		buf = buf[:(last-first)*ss]
		if _, err := r.src.ReadAt(buf, r.offset+first*ss); err != nil {
			return done, fmt.Errorf("reading ciphertext: %w", err)
		}
		r.c.decrypt(buf, buf, uint64(first)+r.ivTweak)
		done += copy(b[done:], buf[pos-first*ss:])
	}
	if done < want {
		return done, io.EOF
	}
	return done, nil
}
