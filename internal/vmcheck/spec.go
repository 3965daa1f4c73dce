package vmcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Spec says what a disk image must hold: the SPEC.json format (see the
// package documentation).
type Spec struct {
	// PartitionCount, when not 0, is the exact number of GPT entries in
	// use.
	PartitionCount int `json:"partition_count,omitempty"`
	// SectorSize is the image's logical sector size, 512 (default) or
	// 4096; the guest's disk gets the same.
	SectorSize int          `json:"sector_size,omitempty"`
	Partitions []*Partition `json:"partitions"`
}

// Partition is what one GPT partition must hold. Paths are relative to
// the filesystem's root; a leading "/" is ignored.
type Partition struct {
	PartNo int `json:"partno"` // GPT partition number, from 1
	// FSType is vfat, ext4, erofs, squashfs, btrfs, xfs, or none (only
	// the GPT entry is checked, e.g. a verity hash partition).
	FSType string `json:"fstype"`
	Type   string `json:"type,omitempty"` // GPT type GUID (any case)
	UUID   string `json:"uuid,omitempty"` // GPT partition UUID (any case)
	Name   string `json:"name,omitempty"` // GPT partition name, exact
	// MountOptions are added to "ro" (default for vfat: utf8).
	MountOptions string            `json:"mount_options,omitempty"`
	Files        map[string]string `json:"files,omitempty"`    // regular file (not a symlink) → sha256 hex
	Symlinks     map[string]string `json:"symlinks,omitempty"` // symlink → exact target
	Modes        map[string]string `json:"modes,omitempty"`    // octal permission bits incl. suid/sgid/sticky (lstat)
	Owners       map[string]string `json:"owners,omitempty"`   // "uid:gid" (lstat)
	Dirs         []string          `json:"dirs,omitempty"`     // directories (not symlinks)
	Absent       []string          `json:"absent,omitempty"`   // must not exist
	// ExactCase (vfat only, default true): the last component of every
	// Files path must be listed in its directory with exactly that case.
	ExactCase *bool   `json:"exact_case,omitempty"`
	Verity    *Verity `json:"verity,omitempty"` // the partition is dm-verity data
	LUKS      *LUKS   `json:"luks,omitempty"`   // the partition is LUKS2, the filesystem inside
	// WriteTest (ext4): after the read-only checks the guest mounts the
	// filesystem read-write (through dm-crypt for LUKS), writes new
	// files and directories, unmounts it, mounts it read-only again and
	// checks the new files and the tree. The disk is a qemu snapshot:
	// the image file does not change.
	WriteTest bool `json:"write_test,omitempty"`
}

// Verity describes a dm-verity data partition and its hash partition.
// Values left 0 or "" are read from the superblock (or defaulted).
type Verity struct {
	HashPartNo    int    `json:"hash_partno"`
	RootHash      string `json:"roothash"`
	DataBlockSize int    `json:"data_block_size,omitempty"` // checked against the superblock
	HashBlockSize int    `json:"hash_block_size,omitempty"` // checked against the superblock
	HashAlgorithm string `json:"hash_algorithm,omitempty"`  // default: superblock, else sha256
	Salt          string `json:"salt,omitempty"`            // hex; "-" = none; required without a superblock
	DataBlocks    int64  `json:"data_blocks,omitempty"`     // default: superblock, else partition size / data block size
	HashOffset    int64  `json:"hash_offset,omitempty"`     // byte offset of the verity area in the hash partition
	Superblock    *bool  `json:"superblock,omitempty"`      // default true: the hash area starts with a veritysetup superblock
	// UUIDFromRootHash: data PARTUUID = roothash[0:32], hash PARTUUID =
	// roothash[32:64] (the Discoverable Partitions convention).
	UUIDFromRootHash bool `json:"uuid_from_roothash,omitempty"`
}

// LUKS describes a LUKS2 partition to open with dm-crypt.
type LUKS struct {
	// KeyFile unlocks a keyslot (cryptsetup --key-file); LoadSpec makes
	// a relative path relative to the spec file.
	KeyFile string `json:"key_file"`
}

var fsTypes = map[string]bool{"vfat": true, "ext4": true, "erofs": true, "squashfs": true, "btrfs": true, "xfs": true, "none": true}

var (
	guidRE   = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	sha256RE = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)
	modeRE   = regexp.MustCompile(`^[0-7]{1,5}$`)
	ownerRE  = regexp.MustCompile(`^[0-9]+:[0-9]+$`)
	hexRE    = regexp.MustCompile(`^[0-9A-Fa-f]+$`)
)

// LoadSpec reads a SPEC.json file; unknown keys are an error. A LUKS key
// file named relative to it is made relative to its directory.
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSpec(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, p := range s.Partitions {
		if p.LUKS != nil && !filepath.IsAbs(p.LUKS.KeyFile) {
			p.LUKS.KeyFile = filepath.Join(filepath.Dir(path), p.LUKS.KeyFile)
		}
	}
	return s, nil
}

// ParseSpec decodes and validates a spec.
func ParseSpec(data []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parsing spec: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate reports the first problem of the spec.
func (s *Spec) Validate() error {
	if len(s.Partitions) == 0 {
		return fmt.Errorf("spec: no partitions")
	}
	if s.SectorSize != 0 && s.SectorSize != 512 && s.SectorSize != 4096 {
		return fmt.Errorf("spec: sector_size %d (512 or 4096)", s.SectorSize)
	}
	seen := map[int]bool{}
	for i, p := range s.Partitions {
		if p == nil {
			return fmt.Errorf("spec: partitions[%d] is null", i)
		}
		if err := p.validate(); err != nil {
			return fmt.Errorf("spec: partitions[%d]: %w", i, err)
		}
		if seen[p.PartNo] {
			return fmt.Errorf("spec: duplicate partno %d", p.PartNo)
		}
		seen[p.PartNo] = true
	}
	return nil
}

func (p *Partition) validate() error {
	if p.PartNo < 1 {
		return fmt.Errorf("bad partno %d", p.PartNo)
	}
	if !fsTypes[p.FSType] {
		return fmt.Errorf("bad fstype %q", p.FSType)
	}
	if p.Type != "" && !guidRE.MatchString(p.Type) {
		return fmt.Errorf("bad type GUID %q", p.Type)
	}
	if p.UUID != "" && !guidRE.MatchString(p.UUID) {
		return fmt.Errorf("bad uuid %q", p.UUID)
	}
	for _, k := range sortedKeys(p.Files) {
		if !sha256RE.MatchString(p.Files[k]) {
			return fmt.Errorf("bad sha256 for %s", k)
		}
	}
	for _, k := range sortedKeys(p.Modes) {
		if !modeRE.MatchString(p.Modes[k]) {
			return fmt.Errorf("bad mode for %s", k)
		}
	}
	for _, k := range sortedKeys(p.Owners) {
		if !ownerRE.MatchString(p.Owners[k]) {
			return fmt.Errorf("bad owner for %s", k)
		}
	}
	if p.FSType == "none" && (p.Verity != nil || p.LUKS != nil) {
		return fmt.Errorf("verity or luks on fstype none")
	}
	if p.Verity != nil && p.LUKS != nil {
		return fmt.Errorf("both verity and luks")
	}
	if p.WriteTest && (p.FSType != "ext4" || p.Verity != nil) {
		return fmt.Errorf("write_test on %s: only ext4 without verity is written to", p.FSType)
	}
	if v := p.Verity; v != nil {
		if v.HashPartNo < 1 || v.HashPartNo == p.PartNo {
			return fmt.Errorf("verity.hash_partno %d", v.HashPartNo)
		}
		if !hexRE.MatchString(v.RootHash) {
			return fmt.Errorf("verity.roothash missing or not hex")
		}
		if v.Salt != "" && v.Salt != "-" && !hexRE.MatchString(v.Salt) {
			return fmt.Errorf("verity.salt not hex")
		}
		if v.Superblock != nil && !*v.Superblock && v.Salt == "" {
			return fmt.Errorf("verity.salt required without a superblock")
		}
		if v.HashOffset < 0 || v.DataBlocks < 0 || v.DataBlockSize < 0 || v.HashBlockSize < 0 {
			return fmt.Errorf("negative verity size")
		}
	}
	if p.LUKS != nil && p.LUKS.KeyFile == "" {
		return fmt.Errorf("luks.key_file missing")
	}
	return nil
}

// cleanPath drops a leading slash.
func cleanPath(p string) string { return strings.TrimLeft(p, "/") }

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
