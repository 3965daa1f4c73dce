package luks

import (
	"crypto/rand"
	"fmt"
	"io"
)

// Params describes the LUKS2 volume NewWriter formats.
type Params struct {
	// UUID is the LUKS UUID; repart derives it as
	// derive_uuid(partition UUID, "luks-uuid").
	UUID [16]byte
	// Label is the LUKS label (at most 47 bytes); repart's VolumeLabel=,
	// by default "luks-" + the partition label.
	Label string
	// Key is the passphrase of keyslot 0: the key file's bytes. repart
	// enrolls an empty passphrase when it has no key file.
	Key []byte
	// SectorSize is the data segment's encryption sector size: 512, 1024,
	// 2048 or 4096 (repart: the filesystem sector size, 4096 by default).
	// Zero means 4096.
	SectorSize int
	// KDF is repart's EncryptKDF=: KDFArgon2id (also for ""), KDFPBKDF2 or
	// KDFMinimal.
	KDF string
	// Argon2Time, Argon2MemoryKiB and Argon2Lanes are argon2id's costs;
	// zero means DefaultArgon2Time, DefaultArgon2MemoryKiB and
	// DefaultArgon2Lanes.
	Argon2Time, Argon2MemoryKiB, Argon2Lanes int
	// PBKDF2Iterations is the keyslot cost for KDFPBKDF2; zero means
	// DefaultPBKDF2Iterations.
	PBKDF2Iterations int
	// DigestIterations is the cost of the volume key digest; zero means
	// DefaultDigestIterations, or cryptsetup's minimum of 1000 with
	// KDFMinimal.
	DigestIterations int
	// Discard sets the persistent "allow-discards" activation flag
	// (repart: Discard=, following --discard=, on by default).
	Discard bool
	// KeepHoles leaves the sectors no WriteAt touched as they are in dst
	// (holes decrypt to noise) instead of encrypting zeros into them at
	// Close, as repart's full-device encryption does.
	KeepHoles bool
	// Rand supplies the volume key, salts and the keyslot area filling; nil
	// means crypto/rand. Only tests should set it: an encrypted volume is
	// not meant to be reproducible.
	Rand io.Reader
}

// withDefaults returns p with zero fields replaced and checks the rest.
func (p Params) withDefaults() (Params, error) {
	if p.SectorSize == 0 {
		p.SectorSize = 4096
	}
	switch p.SectorSize {
	case 512, 1024, 2048, 4096:
	default:
		return p, fmt.Errorf("sector size %d not supported (512, 1024, 2048 or 4096)", p.SectorSize)
	}
	if len(p.Label) > labelMax {
		return p, fmt.Errorf("label %q longer than %d bytes", p.Label, labelMax)
	}
	if p.Argon2Time == 0 {
		p.Argon2Time = DefaultArgon2Time
	}
	if p.Argon2MemoryKiB == 0 {
		p.Argon2MemoryKiB = DefaultArgon2MemoryKiB
	}
	if p.Argon2Lanes == 0 {
		p.Argon2Lanes = DefaultArgon2Lanes
	}
	// cryptsetup's limits (crypto_backend/pbkdf_check.c).
	if p.Argon2Time < 4 || p.Argon2Lanes < 1 || p.Argon2Lanes > 4 ||
		p.Argon2MemoryKiB < 32 || p.Argon2MemoryKiB > 4<<20 {
		return p, fmt.Errorf("argon2id time %d, memory %d KiB, lanes %d outside cryptsetup's limits (time ≥ 4, 32 KiB..4 GiB, 1..4 lanes)",
			p.Argon2Time, p.Argon2MemoryKiB, p.Argon2Lanes)
	}
	if p.PBKDF2Iterations == 0 {
		p.PBKDF2Iterations = DefaultPBKDF2Iterations
	}
	if p.DigestIterations == 0 {
		p.DigestIterations = DefaultDigestIterations
		if p.KDF == KDFMinimal {
			p.DigestIterations = minIterations
		}
	}
	if p.PBKDF2Iterations < minIterations || p.DigestIterations < minIterations {
		return p, fmt.Errorf("pbkdf2 iterations %d/%d below cryptsetup's minimum %d", p.PBKDF2Iterations, p.DigestIterations, minIterations)
	}
	if _, _, err := keyslotKDF(&p); err != nil {
		return p, err
	}
	if p.Rand == nil {
		p.Rand = rand.Reader
	}
	return p, nil
}
