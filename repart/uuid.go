package repart

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// UUID is 16 bytes in textual (RFC 4122, big-endian) order. GPT's mixed
// endian encoding is applied only when the table is written.
type UUID = [16]byte

// setV4 marks a hash-derived id as a random (version 4, variant 1) UUID,
// as systemd's id128_make_v4_uuid does.
func setV4(u UUID) UUID {
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// DeriveUUID is repart's derive_uuid(): the first 16 bytes of
// HMAC-SHA256(key, token), marked v4 (spec §4.1).
func DeriveUUID(key UUID, token string) UUID {
	var u UUID
	copy(u[:], hmacSHA256(key[:], []byte(token)))
	return setV4(u)
}

// partitionUUID derives the UUID of the k-th partition (0-based, counted
// among earlier partitions of the same type) from the seed (spec §4.2).
func partitionUUID(seed, typ UUID, k uint64) UUID {
	msg := typ[:]
	if k > 0 {
		msg = binary.LittleEndian.AppendUint64(append([]byte(nil), typ[:]...), k)
	}
	var u UUID
	copy(u[:], hmacSHA256(seed[:], msg))
	return setV4(u)
}

// collisionUUID is the j-th replacement for a seed-derived partition UUID
// that another partition already has: HMAC-SHA256(seed, type || LE64(k)
// || LE64(j)), marked v4. (repart 262 takes a random UUID instead.)
func collisionUUID(seed, typ UUID, k, j uint64) UUID {
	msg := binary.LittleEndian.AppendUint64(append([]byte(nil), typ[:]...), k)
	msg = binary.LittleEndian.AppendUint64(msg, j)
	var u UUID
	copy(u[:], hmacSHA256(seed[:], msg))
	return setV4(u)
}

// VeritySalt is the 32-byte salt of every verity hash partition of a run.
func VeritySalt(seed UUID) []byte {
	return hmacSHA256(seed[:], []byte("verity-salt"))
}

// VerityUUID is the superblock UUID of every verity hash partition of a run.
func VerityUUID(seed UUID) UUID { return DeriveUUID(seed, "verity-uuid") }

// FSUUID is the filesystem UUID of a partition whose UUID (before any
// roothash replacement) is p.
func FSUUID(p UUID) UUID { return DeriveUUID(p, "file-system-uuid") }

// DiskGUID is the GPT disk GUID for a seed.
func DiskGUID(seed UUID) UUID { return DeriveUUID(seed, "disk-uuid") }

// formatUUID is the dashed lowercase form.
func formatUUID(u UUID) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(b)
}

// FormatUUID is the dashed lowercase form of u.
func FormatUUID(u UUID) string { return formatUUID(u) }
