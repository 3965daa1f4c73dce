package vdisk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// deriveID returns the identifier named purpose for a seed: the first 16
// bytes of HMAC-SHA256(seed, purpose), marked as a random (version 4,
// variant 1) UUID, the way repart derives its UUIDs from its seed. Every
// id of a container is one of these, so the same seed gives the same
// container and different purposes never collide.
func deriveID(seed [16]byte, purpose string) [16]byte {
	m := hmac.New(sha256.New, seed[:])
	m.Write([]byte("gorepart-vdisk:" + purpose))
	var u [16]byte
	copy(u[:], m.Sum(nil))
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// msGUID returns the Microsoft (mixed-endian) encoding of a UUID given in
// textual byte order: the first three fields little-endian, as VHDX, VDI
// and GPT store them.
func msGUID(u [16]byte) [16]byte {
	g := u
	g[0], g[1], g[2], g[3] = u[3], u[2], u[1], u[0]
	g[4], g[5] = u[5], u[4]
	g[6], g[7] = u[7], u[6]
	return g
}

// mustGUID parses a dashed UUID of the specification into textual byte
// order; it is only used for constants.
func mustGUID(s string) [16]byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("vdisk: bad GUID constant " + s)
	}
	var u [16]byte
	copy(u[:], b)
	return u
}
