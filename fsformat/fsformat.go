package fsformat

import (
	"errors"
	"io"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Params are what systemd-repart would tell a filesystem's mkfs: the
// inputs of every writer besides the tree. Nothing here comes from the
// environment; the caller decides it all.
type Params struct {
	// UUID is the filesystem UUID (repart derives it from the partition
	// UUID, spec §4.3), in RFC 4122 byte order.
	UUID [16]byte
	// Label is the partition label; each format mangles it as repart's
	// mkfs call does (ext4 16 bytes, vfat 11 upper-case characters, ...).
	Label string
	// SectorSize is the filesystem sector size (FileSystemSectorSize=,
	// --sector-size=, or 4096).
	SectorSize int
	// Time is the time of everything the writer creates (SOURCE_DATE_EPOCH
	// or the build's start).
	Time time.Time
	// Compression and CompressionLevel are Compression= and
	// CompressionLevel= as written.
	Compression, CompressionLevel string
	// Subvolumes and DefaultSubvolume are btrfs's Subvolumes= and
	// DefaultSubvolume=.
	Subvolumes       []Subvolume
	DefaultSubvolume string
	// Options are the words of SYSTEMD_REPART_MKFS_OPTIONS_<FORMAT>, for
	// writers that run an external mkfs or map mkfs options onto their own.
	Options []string
	// MaxSize bounds the filesystem (the partition's maximum size); 0 is
	// no bound.
	MaxSize int64
	// Minimize is set when Minimize= sized the filesystem.
	Minimize bool
	// NoDiscard is --discard=no (mkfs.btrfs --nodiscard, mkfs.xfs -K).
	NoDiscard bool
	// Unprivileged is set when the build cannot chown: external tools
	// then run in a user namespace in which the caller is root.
	Unprivileged bool
	// SourceDateEpoch is passed to external mkfs tools, as repart does.
	SourceDateEpoch *time.Time
	// ToolPath is the search path of external tools ("" = their default).
	ToolPath string
	// TempDir is where a plan may keep a private temporary file.
	TempDir string
	// Warn receives non-fatal notices; may be nil.
	Warn func(string)
}

// Subvolume is one Subvolumes= entry.
type Subvolume struct {
	Path      string
	ReadOnly  bool
	NoDataCOW bool
}

// Plan is a tree checked and measured for one format.
type Plan interface {
	MinSize() (int64, error)
	Write(dst io.WriterAt, size int64) error
	Close() error
}

// GuessBase is implemented by plans whose Minimize=guess starting point
// differs from MinSize (the bytes repart's trial mkfs allocates).
type GuessBase interface {
	GuessBytes() (int64, error)
}

// SizedByWriting is implemented by plans whose exact size is known only
// by writing the filesystem (compressed read-only images): their MinSize
// does the whole work and throws the bytes away. WriteMin writes the
// filesystem at offset 0 of dst, never at or past limit (0: no limit but
// Params.MaxSize), and returns its size, which MinSize returns from then
// on. An assembler that can tell where the partition will be calls it
// instead of MinSize, so that the filesystem is made once, in place.
// Not fitting limit (when Params.MaxSize alone would have been met) is
// an error wrapping ErrLimit.
type SizedByWriting interface {
	WriteMin(dst io.WriterAt, limit int64) (int64, error)
}

// ErrLimit is wrapped by the error of WriteMin when the filesystem does
// not fit the limit it was given.
var ErrLimit = errors.New("filesystem larger than the space it was written into")

// Format is one line of the dispatch table.
type Format struct {
	Name string
	// ReadOnly formats cannot grow into extra space: their image is
	// MinSize bytes, Minimize=best applies and their minimum partition
	// size is 1 byte (repart's fstype_is_ro).
	ReadOnly bool
	// Walks is set for writers that list directories as they go and keep
	// nothing per inode: their tree is spilled to a temporary file
	// instead of held in memory.
	Walks bool
	// ShrinkToFit formats are made as small as they can be by Minimize=
	// guess as well as best (repart runs mkfs.btrfs --shrink for both);
	// their filesystem is MinSize bytes in a partition of any size.
	ShrinkToFit bool
	// GuessFactor is the headroom Minimize=guess adds, in halves of the
	// bytes needed: 1 (half again, repart's rule) unless set; xfs gets 2.
	GuessFactor int
	// HolesUnread formats never read a byte of their image that their
	// writer did not write (free blocks, unused inodes and the like are
	// initialised before use), so that they work on a device holding
	// anything there. An encrypted volume of such a filesystem leaves
	// those bytes unwritten (they decrypt to noise), as luksFormat + mkfs
	// and repart's online mode do, instead of encrypting zeros into them
	// as repart's offline reencryption does; the image stays sparse.
	HolesUnread bool
	// Open plans a tree.
	Open func(t *fstree.Tree, p Params) (Plan, error)
}
