package btrfs

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Params are the inputs of a btrfs filesystem besides the tree, named
// after the definition keys and options of systemd-repart they come from.
type Params struct {
	// Label is the filesystem label, passed as is (repart does not
	// shorten btrfs labels); at most 255 bytes.
	Label string
	// UUID is the filesystem UUID (-U), in RFC 4122 byte order.
	UUID [16]byte
	// SectorSize is the filesystem sector size; mkfs gets
	// --sectorsize=max(SectorSize, 4096). 0 means 4096.
	SectorSize int
	// NoDiscard adds --nodiscard (repart's --discard=no).
	NoDiscard bool
	// Compression and CompressionLevel are Compression= and
	// CompressionLevel=: --compress ALG[:LEVEL] (btrfs-progs 6.13).
	Compression, CompressionLevel string
	// Subvolumes are Subvolumes= in order (the definition's, then a
	// suppressed supplement's); each must name a directory of the tree.
	Subvolumes []Subvolume
	// DefaultSubvolume is DefaultSubvolume=, one of Subvolumes' paths.
	DefaultSubvolume string
	// Minimize is set for Minimize=guess and Minimize=best, which repart
	// treats alike for btrfs: mkfs.btrfs --shrink makes the smallest
	// filesystem, MinSize bytes, and Write writes that whatever size it
	// is given (the partition may be larger; the filesystem is not
	// grown, as with repart).
	Minimize bool
	// ExtraArgs are appended after the device, before the subvolume
	// options, as repart appends $SYSTEMD_REPART_MKFS_OPTIONS_BTRFS (split
	// on whitespace by the caller).
	ExtraArgs []string
	// SourceDateEpoch, when set, is passed to mkfs.btrfs as repart does
	// (btrfs-progs does not read it).
	SourceDateEpoch *time.Time
	// TempDir holds the staging tree and the temporary images ("" = the
	// system's temporary directory).
	TempDir string
	// Path is the search path for mkfs.btrfs ("" = mkfs.DefaultPath).
	Path string
	// Unprivileged is set when the caller is not root: the staging tree
	// cannot be chowned and mkfs.btrfs runs in a user namespace in which
	// the caller is root (see doc.go).
	Unprivileged bool
	// Warn receives non-fatal warnings; may be nil.
	Warn func(msg string)
}

// Subvolume is one Subvolumes= entry: PATH[:ro,nodatacow].
type Subvolume struct {
	Path      string // absolute path in the filesystem
	ReadOnly  bool   // "ro"
	NoDataCOW bool   // "nodatacow"
}

// MangleLabel returns the label repart gives mkfs.btrfs: the partition
// label unchanged (spec §4.4).
func MangleLabel(s string) string { return s }

func (p *Params) check() error {
	if len(p.Label) > maxLabel {
		return fmt.Errorf("label %q: longer than %d bytes", p.Label, maxLabel)
	}
	if ss := p.SectorSize; ss != 0 && (ss < 512 || ss&(ss-1) != 0) {
		return fmt.Errorf("sector size %d: not a power of two of at least 512", ss)
	}
	seen := map[string]bool{}
	for _, s := range p.Subvolumes {
		if !path.IsAbs(s.Path) || path.Clean(s.Path) != s.Path || s.Path == "/" {
			return fmt.Errorf("subvolume %q: not a clean absolute path below /", s.Path)
		}
		if seen[s.Path] {
			return fmt.Errorf("subvolume %s: listed twice", s.Path)
		}
		seen[s.Path] = true
	}
	if p.DefaultSubvolume != "" && !seen[p.DefaultSubvolume] {
		return fmt.Errorf("DefaultSubvolume=%s is not one of the paths in Subvolumes=", p.DefaultSubvolume)
	}
	if p.CompressionLevel != "" && p.Compression == "" {
		return fmt.Errorf("CompressionLevel=%s without Compression=", p.CompressionLevel)
	}
	if strings.ContainsAny(p.Compression+p.CompressionLevel, ": \t\n") {
		return fmt.Errorf("compression %q level %q: invalid", p.Compression, p.CompressionLevel)
	}
	return nil
}

func (p *Params) warn(format string, args ...any) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf(format, args...))
	}
}
