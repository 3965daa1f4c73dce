package ext4

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Params are the inputs of the ext4 writer besides the tree. They match
// systemd-repart's mkfs.ext4 call (spec §8.2): -L Label -U UUID
// -E hash_seed=HashSeed, with E2FSPROGS_FAKE_TIME=Time.
type Params struct {
	// Label is the volume label, at most 16 bytes (see MangleLabel).
	Label string
	// UUID is the filesystem UUID (s_uuid), in RFC 4122 byte order.
	UUID [16]byte
	// HashSeed seeds directory hashing (s_hash_seed); repart passes the
	// filesystem UUID.
	HashSeed [16]byte
	// Time is the creation time: superblock mkfs/write/check times and the
	// times of inodes that have no source (lost+found, journal).
	Time time.Time
	// SectorSize is the sector size of the device (repart's
	// MKE2FS_DEVICE_SECTSIZE). With 4 KiB blocks it changes nothing on
	// disk; it must be 0 or a power of two from 512 to 4096.
	SectorSize int
	// Warn receives non-fatal warnings; may be nil.
	Warn func(msg string)
}

// MangleLabel truncates a label to the 16 bytes ext4 stores, at a UTF-8
// character boundary (spec §4.4).
func MangleLabel(s string) string {
	if len(s) <= 16 {
		return s
	}
	n := 16
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (p *Params) check() error {
	if len(p.Label) > 16 {
		return fmt.Errorf("label %q: longer than 16 bytes", p.Label)
	}
	if ss := p.SectorSize; ss != 0 && (ss < 512 || ss > blockSize || ss&(ss-1) != 0) {
		return fmt.Errorf("sector size %d: not a power of two from 512 to %d", ss, blockSize)
	}
	return nil
}

func (p *Params) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}
