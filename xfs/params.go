package xfs

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Params are the inputs of an xfs filesystem besides the tree.
type Params struct {
	// Label is the filesystem label, at most 12 bytes (MangleLabel).
	Label string
	// UUID is the filesystem UUID (-m uuid=), in RFC 4122 byte order.
	UUID [16]byte
	// SectorSize is the filesystem sector size (-s size=); 0 leaves it to
	// mkfs.xfs.
	SectorSize int
	// NoDiscard adds -K (repart's --discard=no).
	NoDiscard bool
	// Time is the time of the inodes mkfs.xfs makes that are not in the
	// tree (realtime bitmap and summary, quota inodes).
	Time time.Time
	// SourceDateEpoch, when set, is passed to mkfs.xfs as repart does
	// (xfsprogs 6.18 and later read it).
	SourceDateEpoch *time.Time
	// ExtraArgs are appended after the device, as repart appends
	// $SYSTEMD_REPART_MKFS_OPTIONS_XFS (split on whitespace by the caller).
	ExtraArgs []string
	// TempDir holds the protofile, in-memory file data and temporary
	// images ("" = the system's temporary directory).
	TempDir string
	// Path is the search path for mkfs.xfs and xfs_db ("" =
	// mkfs.DefaultPath).
	Path string
	// Warn receives non-fatal warnings; may be nil.
	Warn func(msg string)
}

// MangleLabel cuts a label to the 12 bytes xfs stores, at a UTF-8
// character boundary, as repart does (spec §4.4).
func MangleLabel(s string) string {
	if len(s) <= maxLabel {
		return s
	}
	n := maxLabel
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (p *Params) check() error {
	if len(p.Label) > maxLabel {
		return fmt.Errorf("label %q: longer than %d bytes", p.Label, maxLabel)
	}
	if ss := p.SectorSize; ss != 0 && (ss < 512 || ss > 32768 || ss&(ss-1) != 0) {
		return fmt.Errorf("sector size %d: not a power of two from 512 to 32768", ss)
	}
	return nil
}

func (p *Params) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}
