package vfat

import (
	"fmt"
	"strings"
	"time"
)

// Params is everything Write and MinSize need besides the tree.
type Params struct {
	// SectorSize is the logical sector size of the file system: 512, 1024,
	// 2048 or 4096 (mkfs.vfat -S).
	SectorSize int
	// FATBits forces the FAT width: 12, 16 or 32 (mkfs.vfat -F). 0 chooses
	// as mkfs.fat does for the size (FAT32 from 512 MiB, else FAT12 or
	// FAT16). systemd-repart always passes -F 32.
	FATBits int
	// VolumeID is the volume serial number (mkfs.vfat -i); repart takes
	// the first four bytes of the file system UUID, big-endian.
	VolumeID uint32
	// Label is the volume label as stored: at most 11 characters from the
	// set MangleLabel produces. Empty means none ("NO NAME").
	Label string
	// Time stamps the volume label entry (the build time,
	// SOURCE_DATE_EPOCH). File and directory times come from the tree.
	Time time.Time
	// Warn receives non-fatal warnings; may be nil.
	Warn func(msg string)
}

func (p *Params) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}

func (p *Params) check() error {
	switch p.SectorSize {
	case 512, 1024, 2048, 4096:
	default:
		return fmt.Errorf("vfat: sector size %d: must be 512, 1024, 2048 or 4096", p.SectorSize)
	}
	switch p.FATBits {
	case 0, 12, 16, 32:
	default:
		return fmt.Errorf("vfat: FAT width %d: must be 12, 16 or 32", p.FATBits)
	}
	if _, err := labelField(p.Label); err != nil {
		return err
	}
	return nil
}

// labelInvalid lists the characters mkfs.fat refuses in a label.
const labelInvalid = `*?.,;:/\|+=<>[]"`

// MangleLabel turns a partition label into a FAT volume label the way
// systemd-repart does before calling mkfs.vfat -n: non-ASCII characters
// become '_', the result is cut to 11 characters and uppercased, and the
// characters mkfs.fat refuses (and control characters) become '_'.
func MangleLabel(s string) string {
	var b []byte
	for _, r := range s {
		if len(b) == 11 {
			break
		}
		switch {
		case r > 0x7E || r < 0x20 || strings.ContainsRune(labelInvalid, r):
			b = append(b, '_')
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		default:
			b = append(b, byte(r))
		}
	}
	return string(b)
}

// labelField returns the 11-byte space-padded label field for label, or
// "NO NAME    " when label is empty.
func labelField(label string) ([11]byte, error) {
	var f [11]byte
	if label == "" {
		copy(f[:], noName)
		return f, nil
	}
	if len(label) > 11 {
		return f, fmt.Errorf("vfat: label %q: longer than 11 characters", label)
	}
	if label[0] == ' ' {
		return f, fmt.Errorf("vfat: label %q: starts with a space", label)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c < 0x20 || c > 0x7E || strings.IndexByte(labelInvalid, c) >= 0 || (c >= 'a' && c <= 'z') {
			return f, fmt.Errorf("vfat: label %q: character %q not allowed (use MangleLabel)", label, c)
		}
	}
	for i := range f {
		f[i] = ' '
	}
	copy(f[:], label)
	return f, nil
}
