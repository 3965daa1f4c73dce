package luks

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// binHeader is the binary part of one LUKS2 header (struct luks2_hdr_disk).
type binHeader struct {
	Secondary bool
	HdrSize   uint64
	SeqID     uint64
	Label     string
	Salt      [hdrSaltSize]byte
	UUID      string // textual, lower case, as cryptsetup stores it
	Subsystem string
	HdrOffset uint64
}

// encodeHeader returns one complete header area (hdr_size bytes): the binary
// header followed by the JSON text padded with NULs, with the SHA-256
// checksum computed over both while the checksum field is zero.
func encodeHeader(h binHeader, jsonText []byte) ([]byte, error) {
	if h.HdrSize != hdrSize {
		return nil, fmt.Errorf("encoding header: hdr_size %d, want %d", h.HdrSize, hdrSize)
	}
	if len(jsonText) >= jsonSize {
		return nil, fmt.Errorf("encoding header: JSON metadata of %d bytes does not fit %d", len(jsonText), jsonSize)
	}
	b := make([]byte, hdrSize)
	magic := magicPrimary
	if h.Secondary {
		magic = magicSecondary
	}
	copy(b[offMagic:], magic)
	binary.BigEndian.PutUint16(b[offVersion:], 2)
	binary.BigEndian.PutUint64(b[offHdrSize:], h.HdrSize)
	binary.BigEndian.PutUint64(b[offSeqID:], h.SeqID)
	if err := putString(b[offLabel:offCsumAlg], h.Label); err != nil {
		return nil, fmt.Errorf("encoding label: %w", err)
	}
	copy(b[offCsumAlg:offSalt], csumAlg)
	copy(b[offSalt:offUUID], h.Salt[:])
	if err := putString(b[offUUID:offSubsystem], h.UUID); err != nil {
		return nil, fmt.Errorf("encoding UUID: %w", err)
	}
	if err := putString(b[offSubsystem:offHdrOffset], h.Subsystem); err != nil {
		return nil, fmt.Errorf("encoding subsystem: %w", err)
	}
	binary.BigEndian.PutUint64(b[offHdrOffset:], h.HdrOffset)
	copy(b[binHeaderSize:], jsonText)
	sum := sha256.Sum256(b)
	copy(b[offCsum:], sum[:])
	return b, nil
}

// putString stores s NUL-terminated in field, which must leave room for
// the NUL.
func putString(field []byte, s string) error {
	if len(s) >= len(field) {
		return fmt.Errorf("%q is longer than %d bytes", s, len(field)-1)
	}
	if bytes.IndexByte([]byte(s), 0) >= 0 {
		return fmt.Errorf("%q contains a NUL byte", s)
	}
	copy(field, s)
	return nil
}

// errChecksum marks a header whose checksum does not match.
var errChecksum = errors.New("header checksum mismatch")

// decodeHeader parses one header area (at least hdr_size bytes as claimed by
// the header) and verifies its checksum. It returns the binary header and
// the JSON text without its NUL padding.
func decodeHeader(b []byte) (binHeader, []byte, error) {
	var h binHeader
	if len(b) < binHeaderSize {
		return h, nil, fmt.Errorf("decoding header: %d bytes, want %d", len(b), binHeaderSize)
	}
	switch string(b[offMagic:offVersion]) {
	case magicPrimary:
	case magicSecondary:
		h.Secondary = true
	default:
		return h, nil, errors.New("decoding header: no LUKS magic")
	}
	if v := binary.BigEndian.Uint16(b[offVersion:]); v != 2 {
		return h, nil, fmt.Errorf("decoding header: LUKS version %d, want 2", v)
	}
	h.HdrSize = binary.BigEndian.Uint64(b[offHdrSize:])
	if h.HdrSize < hdrSize || h.HdrSize > 4<<20 || h.HdrSize%4096 != 0 || uint64(len(b)) < h.HdrSize {
		return h, nil, fmt.Errorf("decoding header: hdr_size %d unusable with %d bytes", h.HdrSize, len(b))
	}
	if alg := cString(b[offCsumAlg:offSalt]); alg != csumAlg {
		return h, nil, fmt.Errorf("decoding header: checksum algorithm %q not supported", alg)
	}
	area := append([]byte(nil), b[:h.HdrSize]...)
	want := append([]byte(nil), area[offCsum:offCsum+sha256.Size]...)
	clear(area[offCsum : offCsum+64])
	if got := sha256.Sum256(area); !bytes.Equal(got[:], want) {
		return h, nil, errChecksum
	}
	h.SeqID = binary.BigEndian.Uint64(b[offSeqID:])
	h.Label = cString(b[offLabel:offCsumAlg])
	copy(h.Salt[:], b[offSalt:offUUID])
	h.UUID = cString(b[offUUID:offSubsystem])
	h.Subsystem = cString(b[offSubsystem:offHdrOffset])
	h.HdrOffset = binary.BigEndian.Uint64(b[offHdrOffset:])
	jsonText := area[binHeaderSize:]
	if i := bytes.IndexByte(jsonText, 0); i >= 0 {
		jsonText = jsonText[:i]
	}
	return h, jsonText, nil
}

// cString returns the NUL-terminated string at the start of b.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
