package luks

import (
	"fmt"
	"io"
	"math/rand/v2"
)

// writeMetadata writes the HeaderSize bytes of LUKS2 metadata for volume
// key vk to dst: the primary header at 0, the secondary at hdrSize, and the
// keyslots area, filled with random bytes as cryptsetup's format wipes it,
// with keyslot 0's encrypted split key at its start.
func writeMetadata(dst io.WriterAt, p *Params, vk []byte) error {
	ks, material, err := newKeyslot(p, vk)
	if err != nil {
		return err
	}
	dg, err := newDigest(p, vk)
	if err != nil {
		return err
	}
	m := &Metadata{
		Keyslots: map[string]Keyslot{"0": ks},
		Tokens:   map[string]any{},
		Segments: map[string]Segment{"0": {
			Type:       "crypt",
			Offset:     HeaderSize,
			Size:       "dynamic",
			Encryption: cipherSpec,
			SectorSize: p.SectorSize,
		}},
		Digests: map[string]Digest{"0": dg},
		Config:  Config{JSONSize: jsonSize, KeyslotsSize: keyslotsSize},
	}
	if p.Discard {
		m.Config.Flags = []string{"allow-discards"}
	}
	text, err := encodeMetadata(m)
	if err != nil {
		return err
	}
	var areas [2][]byte
	for i := range areas {
		h := binHeader{
			Secondary: i == 1,
			HdrSize:   hdrSize,
			SeqID:     1,
			Label:     p.Label,
			UUID:      uuidString(p.UUID),
			HdrOffset: uint64(i * hdrSize),
		}
		if _, err := io.ReadFull(p.Rand, h.Salt[:]); err != nil {
			return fmt.Errorf("reading header salt: %w", err)
		}
		if areas[i], err = encodeHeader(h, text); err != nil {
			return err
		}
	}
	// The keyslots area filling only has to look random, as cryptsetup's
	// wipe with /dev/urandom does: a ChaCha8 stream seeded from p.Rand
	// gives 16 MiB of it several times faster than crypto/rand.
	var seed [32]byte
	if _, err := io.ReadFull(p.Rand, seed[:]); err != nil {
		return fmt.Errorf("seeding keyslots area filling: %w", err)
	}
	fill := rand.NewChaCha8(seed)
	buf := make([]byte, chunkSize)
	for off := 0; off < HeaderSize; off += chunkSize {
		fill.Read(buf)
		overlay(buf, off, areas[0], 0)
		overlay(buf, off, areas[1], hdrSize)
		overlay(buf, off, material, keyslotsOffset)
		if _, err := dst.WriteAt(buf, int64(off)); err != nil {
			return fmt.Errorf("writing metadata at %d: %w", off, err)
		}
	}
	clear(material)
	return nil
}

// overlay copies the part of src (placed at byte at) that falls into buf
// (placed at byte off).
func overlay(buf []byte, off int, src []byte, at int) {
	lo, hi := max(off, at), min(off+len(buf), at+len(src))
	if lo < hi {
		copy(buf[lo-off:hi-off], src[lo-at:hi-at])
	}
}

// uuidString formats u as cryptsetup stores it (lower case, dashed).
func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
