package luks

import (
	"cmp"
	"crypto/pbkdf2"
	"crypto/subtle"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// afSectors is the size of a key's split material in 512-byte sectors
// (AF_split_sectors).
func afSectors(keyLen, stripes int) int {
	return (keyLen*stripes + keyslotSectorSize - 1) / keyslotSectorSize
}

// newKeyslot returns keyslot 0 guarding volumeKey with passphrase, placed
// at the start of the keyslots area, and its encrypted split key material.
func newKeyslot(p *Params, volumeKey []byte) (Keyslot, []byte, error) {
	kdf, afHashName, err := keyslotKDF(p)
	if err != nil {
		return Keyslot{}, nil, err
	}
	kdf.Salt = make([]byte, saltSize)
	if _, err := io.ReadFull(p.Rand, kdf.Salt); err != nil {
		return Keyslot{}, nil, fmt.Errorf("reading keyslot salt: %w", err)
	}
	split, err := afSplit(volumeKey, afStripes, afHashName, p.Rand)
	if err != nil {
		return Keyslot{}, nil, fmt.Errorf("splitting volume key: %w", err)
	}
	material := make([]byte, afSectors(len(volumeKey), afStripes)*keyslotSectorSize)
	copy(material, split)
	derived, err := deriveKey(kdf, p.Key, VolumeKeySize)
	if err != nil {
		return Keyslot{}, nil, fmt.Errorf("deriving keyslot key: %w", err)
	}
	c, err := newSectorCipher(derived, keyslotSectorSize)
	if err != nil {
		return Keyslot{}, nil, err
	}
	c.encrypt(material, material, 0)
	clear(derived)
	clear(split)
	ks := Keyslot{
		Type:    "luks2",
		KeySize: len(volumeKey),
		AF:      AF{Type: "luks1", Stripes: afStripes, Hash: afHashName},
		Area: Area{
			Type:       "raw",
			Offset:     keyslotsOffset,
			Size:       roundUp(uint64(len(material)), 4096),
			Encryption: cipherSpec,
			KeySize:    VolumeKeySize,
		},
		KDF: kdf,
	}
	return ks, material, nil
}

// newDigest returns the PBKDF2-SHA256 digest of volumeKey for keyslot 0 and
// segment 0.
func newDigest(p *Params, volumeKey []byte) (Digest, error) {
	d := Digest{
		Type:       "pbkdf2",
		Keyslots:   []string{"0"},
		Segments:   []string{"0"},
		Hash:       "sha256",
		Iterations: p.DigestIterations,
		Salt:       make([]byte, saltSize),
	}
	if _, err := io.ReadFull(p.Rand, d.Salt); err != nil {
		return d, fmt.Errorf("reading digest salt: %w", err)
	}
	sum, err := digestOf(d, volumeKey)
	d.Digest = sum
	return d, err
}

// digestOf computes d's digest of a candidate volume key.
func digestOf(d Digest, volumeKey []byte) ([]byte, error) {
	if d.Type != "pbkdf2" {
		return nil, fmt.Errorf("digest type %q not supported", d.Type)
	}
	h, err := pbkdf2Hash(d.Hash)
	if err != nil {
		return nil, err
	}
	sum, err := pbkdf2.Key(h, string(volumeKey), d.Salt, d.Iterations, h().Size())
	if err != nil {
		return nil, fmt.Errorf("computing digest: %w", err)
	}
	return sum, nil
}

// errWrongKey is returned when no keyslot opens with the given passphrase.
var errWrongKey = fmt.Errorf("no keyslot opens with this passphrase")

// checkKeyslots applies cryptsetup's limits to the keyslots before any KDF
// or allocation runs on their values.
func checkKeyslots(m *Metadata) error {
	for id, ks := range m.Keyslots {
		k := ks.KDF
		switch {
		case ks.KeySize <= 0 || ks.KeySize > 512 || ks.AF.Stripes != afStripes:
			return fmt.Errorf("keyslot %s: key size %d, %d stripes", id, ks.KeySize, ks.AF.Stripes)
		case ks.Area.Size > keyslotsSizeMax || ks.Area.Offset > 1<<40:
			return fmt.Errorf("keyslot %s: area of %d bytes at %d", id, ks.Area.Size, ks.Area.Offset)
		case k.Type == "pbkdf2" && (k.Iterations < 1 || k.Iterations > 1<<32-1):
			return fmt.Errorf("keyslot %s: pbkdf2 iterations %d", id, k.Iterations)
		case (k.Type == "argon2i" || k.Type == "argon2id") &&
			(k.Time < 1 || k.Time > 1<<32-1 || k.Memory < 32 || k.Memory > 4<<20 || k.CPUs < 1 || k.CPUs > 4):
			return fmt.Errorf("keyslot %s: %s costs %d/%d/%d outside cryptsetup's limits", id, k.Type, k.Time, k.Memory, k.CPUs)
		}
	}
	for id, d := range m.Digests {
		if d.Iterations < 1 || d.Iterations > 1<<32-1 {
			return fmt.Errorf("digest %s: %d iterations", id, d.Iterations)
		}
	}
	return nil
}

// unlock tries passphrase on every keyslot of m (in numeric order) and
// returns the volume key of the first one whose result a digest confirms.
func unlock(src io.ReaderAt, m *Metadata, passphrase []byte) ([]byte, error) {
	ids := make([]string, 0, len(m.Keyslots))
	for id := range m.Keyslots {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(keyslotNumber(a), keyslotNumber(b)) })
	for _, id := range ids {
		ks := m.Keyslots[id]
		if ks.Type != "luks2" || ks.AF.Type != "luks1" || ks.Area.Type != "raw" || ks.Area.Encryption != cipherSpec {
			continue
		}
		vk, err := openKeyslot(src, ks, passphrase)
		if err != nil {
			return nil, fmt.Errorf("opening keyslot %s: %w", id, err)
		}
		for _, d := range m.Digests {
			if !slices.Contains(d.Keyslots, id) {
				continue
			}
			sum, err := digestOf(d, vk)
			if err != nil {
				return nil, err
			}
			if subtle.ConstantTimeCompare(sum, d.Digest) == 1 {
				return vk, nil
			}
		}
	}
	return nil, errWrongKey
}

// openKeyslot derives the keyslot key, decrypts the split key and merges it.
func openKeyslot(src io.ReaderAt, ks Keyslot, passphrase []byte) ([]byte, error) {
	derived, err := deriveKey(ks.KDF, passphrase, ks.Area.KeySize)
	if err != nil {
		return nil, err
	}
	defer clear(derived)
	if ks.Area.KeySize != VolumeKeySize {
		return nil, fmt.Errorf("keyslot cipher key of %d bytes not supported", ks.Area.KeySize)
	}
	c, err := newSectorCipher(derived, keyslotSectorSize)
	if err != nil {
		return nil, err
	}
	n := afSectors(ks.KeySize, ks.AF.Stripes) * keyslotSectorSize
	if ks.KeySize <= 0 || ks.AF.Stripes <= 0 || uint64(n) > ks.Area.Size {
		return nil, fmt.Errorf("split key of %d bytes does not fit area of %d", n, ks.Area.Size)
	}
	material := make([]byte, n)
	if _, err := src.ReadAt(material, int64(ks.Area.Offset)); err != nil {
		return nil, fmt.Errorf("reading keyslot area: %w", err)
	}
	c.decrypt(material, material, 0)
	return afMerge(material, ks.KeySize, ks.AF.Stripes, ks.AF.Hash)
}

func roundUp(v, to uint64) uint64 { return (v + to - 1) / to * to }

// keyslotNumber orders keyslot ids numerically, odd ones last.
func keyslotNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 1 << 30
	}
	return n
}
