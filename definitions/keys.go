package definitions

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// gptLabelMax is GPT_LABEL_MAX: 36 UTF-16 code units, and also the byte
// limit specifier_printf applies to Label= (which is why a 35-unit label
// with multi-byte characters is refused, as repart refuses it).
const gptLabelMax = 36

// pathMax is the limit specifier_printf applies to paths (PATH_MAX-1).
const pathMax = 4095

// keyParser parses [Partition] assignments into one Definition.
type keyParser struct {
	d     *Definition
	arch  string // --architecture, "" for native
	sp    Specifiers
	warns []Warning
	// fsOverride is SYSTEMD_REPART_OVERRIDE_FSTYPE ("" when unset).
	fsOverride string
	// fsys holds the files (the host's unless Options.FS).
	fsys fileSystem
}

func newDefinition(path, name string) *Definition {
	return &Definition{Path: path, Name: name, Weight: 1000, Pos: map[string]Position{},
		Integrity: "off", IntegrityAlgorithm: "hmac-sha256"}
}

type keyFunc func(p *keyParser, v string, pos Position) error

var keyTable map[string]keyFunc

func init() {
	keyTable = map[string]keyFunc{
		"Type":                     (*keyParser).keyType,
		"Label":                    (*keyParser).keyLabel,
		"VolumeLabel":              (*keyParser).keyLabel,
		"UUID":                     (*keyParser).keyUUID,
		"Priority":                 (*keyParser).keyPriority,
		"Weight":                   (*keyParser).keyWeight,
		"PaddingWeight":            (*keyParser).keyWeight,
		"SizeMinBytes":             (*keyParser).keySize,
		"SizeMaxBytes":             (*keyParser).keySize,
		"PaddingMinBytes":          (*keyParser).keySize,
		"PaddingMaxBytes":          (*keyParser).keySize,
		"FactoryReset":             (*keyParser).keyFactoryReset,
		"CopyBlocks":               (*keyParser).keyCopyBlocks,
		"Format":                   (*keyParser).keyFormat,
		"CopyFiles":                (*keyParser).keyCopyFiles,
		"ExcludeFiles":             (*keyParser).keyExcludeFiles,
		"ExcludeFilesTarget":       (*keyParser).keyExcludeFiles,
		"MakeDirectories":          (*keyParser).keyMakeDirectories,
		"MakeSymlinks":             (*keyParser).keyMakeSymlinks,
		"Subvolumes":               (*keyParser).keySubvolumes,
		"DefaultSubvolume":         (*keyParser).keyDefaultSubvolume,
		"Encrypt":                  (*keyParser).keyEncrypt,
		"Verity":                   (*keyParser).keyVerity,
		"VerityMatchKey":           (*keyParser).keyString,
		"VerityDataBlockSizeBytes": (*keyParser).keyBlockSize,
		"VerityHashBlockSizeBytes": (*keyParser).keyBlockSize,
		"Flags":                    (*keyParser).keyFlags,
		"ReadOnly":                 (*keyParser).keyTristate,
		"NoAuto":                   (*keyParser).keyTristate,
		"GrowFileSystem":           (*keyParser).keyTristate,
		"AddValidateFS":            (*keyParser).keyTristate,
		"Discard":                  (*keyParser).keyTristate,
		"SplitName":                (*keyParser).keyString,
		"SupplementFor":            (*keyParser).keyString,
		"Minimize":                 (*keyParser).keyMinimize,
		"MountPoint":               (*keyParser).keyMountPoint,
		"EncryptedVolume":          (*keyParser).keyEncryptedVolume,
		"TPM2PCRs":                 (*keyParser).keyTPM2PCRs,
		"KeyFile":                  (*keyParser).keyString,
		"Integrity":                (*keyParser).keyIntegrity,
		"IntegrityAlgorithm":       (*keyParser).keyIntegrityAlgorithm,
		"EncryptKDF":               (*keyParser).keyEncryptKDF,
		"Compression":              (*keyParser).keySafeString,
		"CompressionLevel":         (*keyParser).keySafeString,
		"FileSystemSectorSize":     (*keyParser).keyFSSectorSize,
		"BlockDeviceReplace":       (*keyParser).keyOnline,
		"VolumeName":               (*keyParser).keyOnline,
	}
}

// keyOnline refuses the keys of repart's online mode: BlockDeviceReplace=
// moves a mounted btrfs onto the new partition (repart refuses it with
// --offline=yes, and gorepart only builds offline), and VolumeName= names
// the dm-crypt device of such a replacement (repart requires
// BlockDeviceReplace= for it). An empty value resets, as in repart.
func (p *keyParser) keyOnline(v string, pos Position) error {
	if v == "" {
		return nil
	}
	if pos.Key == "VolumeName" {
		return &Error{Pos: pos, Msg: "VolumeName= requires BlockDeviceReplace=, which needs repart's online mode (a mounted btrfs on a block device); gorepart builds images offline"}
	}
	return &Error{Pos: pos, Msg: "BlockDeviceReplace= is incompatible with --offline=yes: it moves a mounted btrfs onto the new partition on a block device; gorepart builds images offline"}
}

// set applies one assignment. Unknown keys are warned about (keys starting
// with "X-" silently ignored), as conf-parser does.
func (p *keyParser) set(key, value string, pos Position) error {
	pos.Key = key
	f, ok := keyTable[key]
	if !ok {
		if !strings.HasPrefix(key, "X-") {
			p.warn(pos, "Unknown key '"+key+"' in section [Partition], ignoring.")
		}
		return nil
	}
	if err := f(p, value, pos); err != nil {
		return err
	}
	p.d.Pos[key] = pos
	return nil
}

func (p *keyParser) warn(pos Position, msg string) {
	p.warns = append(p.warns, Warning{Pos: pos, Msg: msg})
}

func invalid(pos Position, what, v string, err error) error {
	return &Error{Pos: pos, Msg: "invalid " + what + " " + quote(v), Err: err}
}

func (p *keyParser) keyType(v string, pos Position) error {
	t, err := ParseType(v, p.arch)
	if err != nil {
		return &Error{Pos: pos, Msg: "cannot parse partition type", Err: err}
	}
	p.d.Type = t
	return nil
}

// keyLabel follows config_parse_label: problems are warnings and the
// previous value is kept. The messages are repart's (it says "Label=" for
// VolumeLabel= too).
func (p *keyParser) keyLabel(v string, pos Position) error {
	r, err := expandMax(v, p.sp, nil, gptLabelMax)
	if err != nil {
		p.warn(pos, "Failed to expand specifiers in Label=, ignoring: "+v)
		return nil
	}
	if !utf8.ValidString(r) {
		p.warn(pos, "Partition label not valid UTF-8, ignoring: "+v)
		return nil
	}
	if utf16Len(r) > gptLabelMax {
		p.warn(pos, fmt.Sprintf("Partition label too long for GPT table, ignoring: \"%s\" (from \"%s\")", r, v))
		return nil
	}
	if pos.Key == "Label" {
		p.d.Label = &r
		p.d.LabelPos = pos
	} else {
		p.d.VolumeLabel = &r
	}
	return nil
}

func (p *keyParser) keyUUID(v string, pos Position) error {
	switch v {
	case "":
		p.d.UUID = nil
	case "null":
		p.d.UUID = new([16]byte)
	default:
		u, err := ParseUUID(v)
		if err != nil {
			return invalid(pos, "UUID", v, nil)
		}
		p.d.UUID = &u
	}
	return nil
}

func (p *keyParser) keyPriority(v string, pos Position) error {
	n, err := parseInt32(v)
	if err != nil {
		return invalid(pos, "priority", v, nil)
	}
	p.d.Priority = n
	return nil
}

func (p *keyParser) keyWeight(v string, pos Position) error {
	n, err := parseUint(v, 32)
	if err != nil {
		return invalid(pos, "weight", v, nil)
	}
	if n > 1000*1000 {
		// repart's message, including its extra zero.
		p.warn(pos, fmt.Sprintf("Weight needs to be in range 0…10000000, ignoring: %d", n))
		return nil
	}
	if pos.Key == "Weight" {
		p.d.Weight = uint32(n)
	} else {
		p.d.PaddingWeight = uint32(n)
	}
	return nil
}

// keySize parses the four size keys, rounding minimums down and maximums
// up to 4096 as config_parse_size4096 does.
func (p *keyParser) keySize(v string, pos Position) error {
	n, err := parseSize(v)
	if err != nil {
		return invalid(pos, "size", v, nil)
	}
	var dst **uint64
	up := false
	switch pos.Key {
	case "SizeMinBytes":
		dst = &p.d.SizeMin
	case "SizeMaxBytes":
		dst, up = &p.d.SizeMax, true
	case "PaddingMinBytes":
		dst = &p.d.PaddingMin
	case "PaddingMaxBytes":
		dst, up = &p.d.PaddingMax, true
	}
	r := roundDown4096(n)
	if up {
		r = roundUp4096(n)
	}
	if r != n {
		// repart logs this at notice level; it is reported the same way.
		p.warn(pos, fmt.Sprintf("Rounded %s= size %d → %d, a multiple of 4096.", pos.Key, n, r))
	}
	*dst = &r
	return nil
}

func (p *keyParser) keyFactoryReset(v string, pos Position) error {
	b, err := parseBool(v)
	if err != nil {
		return invalid(pos, "boolean", v, nil)
	}
	p.d.FactoryReset = b
	return nil
}

func (p *keyParser) keyCopyBlocks(v string, pos Position) error {
	switch v {
	case "", "auto":
		p.d.CopyBlocks = v
		return nil
	}
	r, err := p.expandPath(v, pos, false)
	if err != nil {
		return err
	}
	p.d.CopyBlocks = r
	return nil
}

func (p *keyParser) keyFormat(v string, pos Position) error {
	if p.fsOverride != "" && v != p.fsOverride {
		p.warn(pos, "Overriding defined file system type '"+v+"' with '"+p.fsOverride+"'.")
		v = p.fsOverride
	}
	if !filenameValid(v) {
		return &Error{Pos: pos, Msg: "file system type is not valid: " + quote(v)}
	}
	p.d.Format = v
	p.d.FormatPos = pos
	return nil
}

// keyString handles the plain string keys; an empty value unsets.
func (p *keyParser) keyString(v string, pos Position) error {
	switch pos.Key {
	case "VerityMatchKey":
		p.d.VerityMatchKey = v
	case "SplitName":
		p.d.SplitName = v
	case "SupplementFor":
		p.d.SupplementFor = v
	case "KeyFile":
		p.d.KeyFile = v
	}
	return nil
}

// keySafeString is CONFIG_PARSE_STRING_SAFE_AND_ASCII.
func (p *keyParser) keySafeString(v string, pos Position) error {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			return &Error{Pos: pos, Msg: "value contains unsafe or non-ASCII characters: " + quote(v)}
		}
	}
	if pos.Key == "Compression" {
		p.d.Compression = v
	} else {
		p.d.CompressionLevel = v
	}
	return nil
}

func (p *keyParser) keyBlockSize(v string, pos Position) error {
	n, err := parseSize(v)
	if err != nil {
		return invalid(pos, "size", v, nil)
	}
	if n < 512 || n > 4096 || !isPowerOf2(n) {
		return &Error{Pos: pos, Msg: "block size must be a power of 2 between 512 and 4096, not " + quote(v)}
	}
	if pos.Key == "VerityDataBlockSizeBytes" {
		p.d.VerityDataBlock = n
	} else {
		p.d.VerityHashBlock = n
	}
	return nil
}

func (p *keyParser) keyFSSectorSize(v string, pos Position) error {
	if v == "" {
		p.d.FileSystemSectorSize = 0
		return nil
	}
	n, err := parseSize(v)
	if err != nil {
		return invalid(pos, "size", v, nil)
	}
	if !isPowerOf2(n) {
		return &Error{Pos: pos, Msg: "sector size must be a power of 2, not " + quote(v)}
	}
	p.d.FileSystemSectorSize = n
	return nil
}

func (p *keyParser) keyFlags(v string, pos Position) error {
	n, err := parseUint(v, 64)
	if err != nil {
		return invalid(pos, "flags value (decimal, 0x hex or 0b binary)", v, nil)
	}
	p.d.Flags, p.d.FlagsSet = n, true
	return nil
}
