package definitions

import "github.com/gorepart/gorepart/fstree"

// Tristate is a boolean that may be unset.
type Tristate int8

const (
	Unset Tristate = iota
	No
	Yes
)

// Position names the place a value came from, for error messages.
type Position struct {
	File string // path of the .conf (or drop-in, or manifest) file
	Line int    // 1-based; 0 when not from a line (manifest fields)
	Key  string
}

func (p Position) String() string {
	if p.Line == 0 {
		if p.Key == "" {
			return p.File
		}
		return p.File + ": " + p.Key
	}
	if p.Key == "" {
		return p.File + ":" + itoa(p.Line)
	}
	return p.File + ":" + itoa(p.Line) + ": " + p.Key + "="
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Verity is the Verity= role of a partition.
type Verity int8

const (
	VerityOff Verity = iota
	VerityData
	VerityHash
	VeritySignature
)

// Minimize is the Minimize= mode.
type Minimize int8

const (
	MinimizeOff Minimize = iota
	MinimizeBest
	MinimizeGuess
)

// Encrypt is the Encrypt= mode.
type Encrypt int8

const (
	EncryptOff Encrypt = iota
	EncryptKeyFile
	EncryptTPM2
	EncryptKeyFileTPM2
)

// Definition is one partition as described by a .conf file, its drop-ins
// and, for image.repart builds, the manifest. Every field holds the parsed,
// validated value; Pos records where each key was last set.
type Definition struct {
	// Path of the main .conf file (the one shown in the report), and
	// Name: its base name without ".conf" (matches SupplementFor= and the
	// manifest's partition names).
	Path    string
	Name    string
	DropIns []string // drop-in paths in the order applied

	Type PartitionType

	Label    *string // nil: unset (default label is derived later)
	LabelPos Position
	// VolumeLabel is LUKS only.
	VolumeLabel *string
	UUID        *[16]byte // nil: unset; all-zero for UUID=null

	Priority      int32
	Weight        uint32 // default 1000
	PaddingWeight uint32 // default 0

	// Sizes in bytes; nil is unset. Already rounded as repart rounds them
	// at parse time (min down, max up, to 4096).
	SizeMin, SizeMax       *uint64
	PaddingMin, PaddingMax *uint64

	FactoryReset bool
	CopyBlocks   string // absolute path, "auto", or ""
	// Format is Format= or, after Load, the format repart implies
	// ("swap", "vfat", "ext4"); "" when none; "empty" is kept as is (see
	// FileSystem).
	Format    string
	FormatPos Position

	Copies         []fstree.Copy // CopyFiles= lines then manifest entries, in order
	ExcludeFiles   []string
	ExcludeTargets []string
	MakeDirs       []string
	MakeSymlinks   []fstree.SymlinkSpec
	Subvolumes     []string
	DefaultSubvol  string

	Encrypt         Encrypt
	Verity          Verity
	VerityMatchKey  string
	VerityDataBlock uint64 // 0 = unset
	VerityHashBlock uint64 // 0 = unset

	Flags          uint64
	FlagsSet       bool
	NoAuto         Tristate
	ReadOnly       Tristate
	GrowFileSystem Tristate

	SplitName            string // default "%t"; "-" disables
	Minimize             Minimize
	MountPoints          []string // PATH[:OPTIONS] as written
	Mounts               []MountPoint
	Compression          string
	CompressionLevel     string
	SupplementFor        string
	AddValidateFS        Tristate
	FileSystemSectorSize uint64 // 0 = unset
	Discard              Tristate

	// Pos maps a key name ("SizeMinBytes") to where it was last set, for
	// errors found after parsing (planning, validation).
	Pos map[string]Position

	// FromManifest is set for a partition that has no .conf file and was
	// rendered from the manifest's repartConfig; Path is then
	// <first definitions dir>/<name>.conf, where nixpkgs would have
	// written it (the manifest path when no directory was given).
	FromManifest bool

	// CopyBlocksFile is the host path CopyBlocks= reads (the value under
	// --root when one is given) and CopyBlocksSize its size in bytes (a
	// regular file, > 0, a multiple of 512). Both empty for "auto".
	CopyBlocksFile string
	CopyBlocksSize uint64

	// SubvolumeFlags holds the FLAGS part of Subvolumes= entries.
	SubvolumeFlags map[string]SubvolumeFlags

	// LUKS and crypttab settings (no offline support is implied by
	// parsing them).
	EncryptedVolume    *EncryptedVolume
	TPM2PCRs           []string // TPM2PCRs= values, in order; empty resets
	KeyFile            string
	Integrity          string // "off" (default) or "inline"
	IntegrityAlgorithm string // "hmac-sha256" by default
	EncryptKDF         string // "" = libcryptsetup default
}

// SubvolumeFlags are the btrfs subvolume flags of Subvolumes=PATH:FLAGS.
type SubvolumeFlags struct {
	ReadOnly  bool // "ro"
	NoDataCOW bool // "nodatacow"
}

// MountPoint is one MountPoint=PATH[:OPTIONS], unescaped and unquoted:
// where the partition goes in the generated fstab, with what options
// (empty when none).
type MountPoint struct {
	Where, Options string
}

// EncryptedVolume is EncryptedVolume=NAME[:KEYFILE[:OPTIONS[:EXTRA]]].
type EncryptedVolume struct {
	Name, KeyFile, Options string
	FixateVolumeKey        bool
}

// PartitionType is a GPT partition type: its UUID (textual byte order) and,
// when it is in the table, its canonical name and designator.
type PartitionType struct {
	UUID [16]byte
	Name string // canonical name ("root-x86-64", "esp"); "" when unknown
	// Designator is the arch-independent role ("root", "root-verity",
	// "usr-verity-sig", "esp", "swap", ...); "" when unknown.
	Designator string
	Arch       string // canonical arch, "" for arch-less types
}
