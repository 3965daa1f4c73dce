package definitions

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// readOnlyFS are the file systems repart's fstype_is_ro() names.
var readOnlyFS = map[string]bool{"erofs": true, "squashfs": true, "cramfs": true, "iso9660": true}

// rootOptionFS are the file systems whose mkfs can populate from a
// directory (mkfs_supports_root_option); others need root in repart.
var rootOptionFS = map[string]bool{"ext2": true, "ext3": true, "ext4": true, "btrfs": true, "vfat": true, "xfs": true,
	"erofs": true, "squashfs": true, "cramfs": true, "iso9660": true}

// FileSystem is the file system to create: Format= with "empty" mapped to
// "" (no file system).
func (d *Definition) FileSystem() string {
	if d.Format == "empty" {
		return ""
	}
	return d.Format
}

// AddsValidateFS is AddValidateFS= with repart's default: yes iff a file
// system other than swap or vfat is made.
func (d *Definition) AddsValidateFS() bool {
	if d.AddValidateFS != Unset {
		return d.AddValidateFS == Yes
	}
	fs := d.FileSystem()
	return fs != "" && fs != "swap" && fs != "vfat"
}

// NeedsPopulate is repart's partition_needs_populate for the definition
// alone (the planner adds a supplement's needs).
func (d *Definition) NeedsPopulate() bool {
	return len(d.Copies) > 0 || len(d.MakeDirs) > 0 || len(d.MakeSymlinks) > 0 || d.AddsValidateFS()
}

// DefaultLabelBase is the base of the default partition label: the
// canonical type name, or "linux" for a type not in the table. (Format=
// empty partitions get Label "_empty" at load time, as repart sets it.)
func (d *Definition) DefaultLabelBase() string {
	if d.Type.Name != "" {
		return d.Type.Name
	}
	return "linux"
}

func (d *Definition) pos(key string) Position {
	if p, ok := d.Pos[key]; ok {
		return p
	}
	return Position{File: d.Path, Key: key}
}

func refuse(d *Definition, key, format string, args ...any) error {
	return &Error{Pos: d.pos(key), Msg: fmt.Sprintf(format, args...)}
}

// finalize applies repart's per-partition checks and defaults in the order
// of partition_read_definition.
func finalize(d *Definition, root string) ([]Warning, error) {
	var warns []Warning
	if d.SizeMin != nil && d.SizeMax != nil && *d.SizeMin > *d.SizeMax {
		return nil, refuse(d, "SizeMinBytes", "SizeMinBytes= (%d) is larger than SizeMaxBytes= (%d, set at %s), refusing",
			*d.SizeMin, *d.SizeMax, d.pos("SizeMaxBytes").lineString())
	}
	if d.PaddingMin != nil && d.PaddingMax != nil && *d.PaddingMin > *d.PaddingMax {
		return nil, refuse(d, "PaddingMinBytes", "PaddingMinBytes= (%d) is larger than PaddingMaxBytes= (%d, set at %s), refusing",
			*d.PaddingMin, *d.PaddingMax, d.pos("PaddingMaxBytes").lineString())
	}
	if d.Type.UUID == ([16]byte{}) {
		where := "the file"
		if len(d.DropIns) > 0 {
			where = "the file or its drop-ins"
		}
		return nil, &Error{Pos: Position{File: d.Path}, Msg: "Type= not defined: no Type= line in " + where + ", refusing"}
	}
	if (d.Verity == VerityHash || d.Verity == VeritySignature) && d.Encrypt != EncryptOff {
		return nil, refuse(d, "Encrypt", "encrypting verity hash and signature partitions is not supported, refusing")
	}
	copyBlocks := d.CopyBlocks != ""
	if copyBlocks && (d.Format != "" || d.NeedsPopulate()) {
		return nil, refuse(d, "CopyBlocks", "CopyBlocks= cannot be combined with Format=/CopyFiles=/MakeDirectories=/MakeSymlinks=, refusing")
	}
	if d.NeedsPopulate() && d.Format == "swap" {
		return nil, refuse(d, populateKey(d), "a Format=swap partition cannot be populated with CopyFiles=/MakeDirectories=/MakeSymlinks=, refusing")
	}
	if d.Format == "" {
		switch {
		case d.Type.Designator == DesignatorSwap:
			d.Format = "swap"
		case d.NeedsPopulate() || (d.Encrypt != EncryptOff && !copyBlocks):
			d.Format = "ext4"
			if d.Type.Designator == DesignatorESP || d.Type.Designator == DesignatorXBOOTLDR {
				d.Format = "vfat"
			}
		}
	}
	if d.Format == "empty" {
		if d.NoAuto == Unset && d.Type.KnowsNoAuto() {
			d.NoAuto = Yes
		}
		if d.Label == nil {
			l := "_empty"
			d.Label = &l
		}
	}
	fs := d.FileSystem()
	if d.Minimize != MinimizeOff && fs == "" && d.Verity != VerityHash {
		return nil, refuse(d, "Minimize", "Minimize= needs Format= (a file system) or Verity=hash, refusing")
	}
	if d.Minimize == MinimizeBest && fs != "" && !readOnlyFS[fs] && fs != "btrfs" && d.Verity != VerityHash {
		return nil, refuse(d, "Minimize", "Minimize=best can only be used with read-only file systems (erofs, squashfs), btrfs, or Verity=hash; %s is writable (use Minimize=guess)", fs)
	}
	if d.NeedsPopulate() && !rootOptionFS[fs] {
		if fs == "" {
			return nil, refuse(d, populateKey(d), "a Format=empty partition cannot be populated, refusing")
		}
		if fs == "swap" {
			return nil, refuse(d, populateKey(d), "a swap partition cannot be populated with CopyFiles=/MakeDirectories=/MakeSymlinks=, refusing")
		}
		return nil, refuse(d, populateKey(d), "populating %s file systems needs root in repart (its mkfs has no option to copy a directory), refusing", fs)
	}
	if fs != "" && readOnlyFS[fs] && !d.NeedsPopulate() {
		return nil, refuse(d, "Format", "cannot make a %s file system without source files (CopyFiles=/MakeDirectories=/MakeSymlinks=), refusing", fs)
	}
	if d.Verity != VerityOff && d.VerityMatchKey == "" {
		return nil, refuse(d, "Verity", "VerityMatchKey= must be set when Verity=%s, refusing", d.Verity)
	}
	if d.Verity == VerityOff && d.VerityMatchKey != "" {
		return nil, refuse(d, "VerityMatchKey", "VerityMatchKey= can only be set together with Verity=data, hash or signature, refusing")
	}
	if d.Verity == VerityHash || d.Verity == VeritySignature {
		if fs != "" || d.NeedsPopulate() {
			key := "Format"
			if _, ok := d.Pos["Format"]; !ok {
				key = populateKey(d)
			}
			return nil, refuse(d, key, "CopyFiles=/Format=/MakeDirectories=/MakeSymlinks= cannot be used with Verity=%s, refusing", d.Verity)
		}
	}
	if d.Verity == VeritySignature && (d.SizeMin != nil || d.SizeMax != nil) {
		key := "SizeMinBytes"
		if d.SizeMin == nil {
			key = "SizeMaxBytes"
		}
		return nil, refuse(d, key, "SizeMinBytes=/SizeMaxBytes= cannot be used with Verity=signature (its size is fixed), refusing")
	}
	if d.Integrity == "inline" && d.Encrypt == EncryptOff {
		return nil, refuse(d, "Integrity", "Integrity=inline requires Encrypt=, refusing")
	}
	if d.DefaultSubvol != "" && !slices.Contains(d.Subvolumes, d.DefaultSubvol) {
		return nil, refuse(d, "DefaultSubvolume", "DefaultSubvolume= must be one of the paths in Subvolumes=, refusing")
	}
	if d.SupplementFor != "" {
		if !filenameValid(d.SupplementFor) {
			return nil, refuse(d, "SupplementFor", "SupplementFor= is not a valid file name: %s", quote(d.SupplementFor))
		}
		if copyBlocks || d.Encrypt != EncryptOff || d.Verity != VerityOff {
			return nil, refuse(d, "SupplementFor", "SupplementFor= cannot be combined with CopyBlocks=/Encrypt=/Verity=, refusing")
		}
	}
	if d.Encrypt == EncryptOff && d.Discard == Yes {
		warns = append(warns, Warning{Pos: d.pos("Discard"), Msg: "Discard=yes has no effect with Encrypt=off."})
	}
	if d.Encrypt == EncryptOff && d.EncryptKDF != "" {
		warns = append(warns, Warning{Pos: d.pos("EncryptKDF"), Msg: "EncryptKDF= has no effect with Encrypt=off."})
	}
	if d.Encrypt != EncryptOff && d.Integrity == "inline" && d.Discard == Yes {
		return nil, refuse(d, "Discard", "Integrity=inline is incompatible with Discard=yes, refusing")
	}
	if (d.Type.IsVerityHash() || d.Type.IsVeritySig() || d.Verity == VerityData || d.Verity == VeritySignature) && d.ReadOnly == Unset {
		d.ReadOnly = Yes
	}
	// As repart: growfs is forced on for types that know it unless the
	// partition is read-only (even over an explicit GrowFileSystem=no).
	if d.Type.KnowsGrowFS() && d.ReadOnly != Yes {
		d.GrowFileSystem = Yes
	}
	if d.SplitName == "" {
		d.SplitName = "%t"
	}
	if d.CopyBlocks == "auto" {
		// repart resolves "auto" to the running system's block device
		// backing the partition's mount point; an offline build has none.
		return nil, refuse(d, "CopyBlocks", "CopyBlocks=auto copies from the running system's block devices, which an offline image build does not use; give an image file path, refusing")
	}
	if copyBlocks {
		if err := statCopyBlocks(d, root); err != nil {
			return nil, err
		}
	}
	return warns, nil
}

// populateKey names the key that makes a partition populated, for errors.
func populateKey(d *Definition) string {
	for _, k := range []string{"CopyFiles", "MakeDirectories", "MakeSymlinks", "AddValidateFS"} {
		if _, ok := d.Pos[k]; ok {
			return k
		}
	}
	return "Format"
}

func (p Position) lineString() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + itoa(p.Line)
}

// statCopyBlocks checks the CopyBlocks= source: resolved under root; a
// regular file or block device, not empty, a multiple of 512 bytes, or a
// character device (/dev/urandom), which fills the partition
// (CopyBlocksSize 0), as context_open_copy_block_paths accepts them.
func statCopyBlocks(d *Definition, root string) error {
	p := d.CopyBlocks
	if root != "" {
		p = filepath.Join(root, p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return &Error{Pos: d.pos("CopyBlocks"), Msg: "cannot open CopyBlocks= source", Err: err}
	}
	var size int64
	switch m := st.Mode(); {
	case m.IsRegular():
		size = st.Size()
	case m&os.ModeDevice != 0 && m&os.ModeCharDevice != 0:
		d.CopyBlocksFile = p
		return nil
	case m&os.ModeDevice != 0:
		f, err := os.Open(p)
		if err != nil {
			return &Error{Pos: d.pos("CopyBlocks"), Msg: "cannot open CopyBlocks= source", Err: err}
		}
		size, err = f.Seek(0, io.SeekEnd)
		f.Close()
		if err != nil {
			return &Error{Pos: d.pos("CopyBlocks"), Msg: "cannot size CopyBlocks= block device", Err: err}
		}
	default:
		return refuse(d, "CopyBlocks", "CopyBlocks= source %s is not a regular file, block device or character device, refusing", quote(p))
	}
	if size == 0 {
		return refuse(d, "CopyBlocks", "CopyBlocks= source %s is empty", quote(p))
	}
	if size%512 != 0 {
		return refuse(d, "CopyBlocks", "CopyBlocks= source %s is %d bytes, not a multiple of 512", quote(p), size)
	}
	d.CopyBlocksFile = p
	d.CopyBlocksSize = uint64(size)
	return nil
}

// hasFileSystem is gpt_partition_type_has_filesystem.
func (t PartitionType) hasFileSystem() bool {
	switch t.Designator {
	case DesignatorRoot, DesignatorUsr, DesignatorHome, DesignatorSrv, DesignatorESP, DesignatorXBOOTLDR, DesignatorTmp, DesignatorVar:
		return true
	}
	return false
}

// overrideFSType is partition_finalize_fstype: the per-designator
// override replaces the format last, with repart's notice (which names
// line 1 of the definition).
func overrideFSType(d *Definition, o map[string]string) []Warning {
	if !d.Type.hasFileSystem() {
		return nil
	}
	v := o[strings.ToUpper(strings.ReplaceAll(d.Type.Designator, "-", "_"))]
	if v == "" || v == d.Format {
		return nil
	}
	w := Warning{Pos: Position{File: d.Path, Line: 1},
		Msg: fmt.Sprintf("Overriding defined file system type '%s' for '%s' partition with '%s'.", d.Format, d.Type.Designator, v)}
	d.Format = v
	return []Warning{w}
}
