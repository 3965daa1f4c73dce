package definitions

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gorepart/gorepart/fstree"
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
	root  string
	warns []Warning
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
	}
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
	if up {
		n = roundUp4096(n)
	} else {
		n = roundDown4096(n)
	}
	*dst = &n
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

// expandPath expands specifiers in a path and checks it is absolute and
// normalized, as specifier_printf + path_simplify_and_warn do.
func (p *keyParser) expandPath(v string, pos Position, keepSlash bool) (string, error) {
	r, err := expandMax(v, p.sp, nil, pathMax)
	if err != nil {
		return "", &Error{Pos: pos, Msg: "cannot expand specifiers in " + quote(v), Err: err}
	}
	s, err := simplifyAbsPath(r, keepSlash)
	if err != nil {
		return "", &Error{Pos: pos, Msg: "invalid path", Err: err}
	}
	return s, nil
}

func (p *keyParser) keyFormat(v string, pos Position) error {
	if !filenameValid(v) {
		return &Error{Pos: pos, Msg: "file system type is not valid: " + quote(v)}
	}
	p.d.Format = v
	p.d.FormatPos = pos
	return nil
}

// keyCopyFiles parses SRC[:DST[:OPTS]] as config_parse_copy_files:
// ':'-separated, C escapes decoded, separators not coalesced. An empty
// value resets the list (repart would warn and ignore it).
func (p *keyParser) keyCopyFiles(v string, pos Position) error {
	if v == "" {
		p.d.Copies = nil
		return nil
	}
	x := &extractor{s: v}
	fl := extractCUnescape | extractDontCoalesce
	src, _, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "source path in", v, err)
	}
	dst, ok, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "target path in", v, err)
	}
	if !ok {
		dst = src
	}
	opts, _, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "options in", v, err)
	}
	if x.rest() != "" {
		return &Error{Pos: pos, Msg: "too many ':'-separated fields (SRC[:DST[:OPTIONS]]) in " + quote(v) + " (write a ':' in a path as \\x3a)"}
	}
	c := fstree.Copy{Origin: pos.File + ":" + itoa(pos.Line)}
	ox := &extractor{s: opts}
	for opts != "" {
		w, ok, err := ox.next(",", extractDontCoalesce|extractUnescapeSeparators)
		if err != nil {
			return invalid(pos, "options", opts, err)
		}
		if !ok {
			break
		}
		switch {
		case w == "":
		case w == "fsverity=copy":
			c.FSVerity = true
		case w == "fsverity=off":
			c.FSVerity = false
		case strings.HasPrefix(w, "fsverity="):
			p.warn(pos, "fsverity= expects either 'off' or 'copy'.")
		default:
			p.warn(pos, "Encountered unknown option '"+w+"', ignoring.")
		}
	}
	if c.Source, err = p.expandPath(src, pos, false); err != nil {
		return err
	}
	if c.Target, err = p.expandPath(dst, pos, false); err != nil {
		return err
	}
	p.d.Copies = append(p.d.Copies, c)
	return nil
}

func (p *keyParser) keyExcludeFiles(v string, pos Position) error {
	dst := &p.d.ExcludeFiles
	if pos.Key == "ExcludeFilesTarget" {
		dst = &p.d.ExcludeTargets
	}
	if v == "" {
		*dst = nil
		return nil
	}
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		s, err := p.expandPath(w, pos, true)
		if err != nil {
			return err
		}
		*dst = append(*dst, s)
	}
	return nil
}

func (p *keyParser) keyMakeDirectories(v string, pos Position) error {
	if v == "" {
		p.d.MakeDirs = nil
		return nil
	}
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		s, err := p.expandPath(w, pos, false)
		if err != nil {
			return err
		}
		if !contains(p.d.MakeDirs, s) {
			p.d.MakeDirs = append(p.d.MakeDirs, s)
		}
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (p *keyParser) keyMakeSymlinks(v string, pos Position) error {
	if v == "" {
		p.d.MakeSymlinks = nil
		return nil
	}
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		x := &extractor{s: w}
		fl := extractUnquote | extractDontCoalesce
		path, ok1, err1 := x.next(":", fl)
		target, ok2, err2 := x.next(":", fl)
		if err1 != nil || err2 != nil {
			return invalid(pos, "symlink", w, errSyntax)
		}
		if !ok1 || !ok2 {
			return &Error{Pos: pos, Msg: "missing symlink path or target (PATH:TARGET) in " + quote(w)}
		}
		s, err := p.expandPath(path, pos, false)
		if err != nil {
			return err
		}
		p.d.MakeSymlinks = append(p.d.MakeSymlinks, fstree.SymlinkSpec{Path: s, Target: target})
	}
	return nil
}

func (p *keyParser) keySubvolumes(v string, pos Position) error {
	if v == "" {
		p.d.Subvolumes, p.d.SubvolumeFlags = nil, nil
		return nil
	}
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		x := &extractor{s: w}
		fl := extractUnquote | extractDontCoalesce
		path, _, err1 := x.next(":", fl)
		flags, hasFlags, err2 := x.next(":", fl)
		if err1 != nil || err2 != nil {
			return invalid(pos, "subvolume", w, errSyntax)
		}
		s, err := p.expandPath(path, pos, false)
		if err != nil {
			return err
		}
		if !contains(p.d.Subvolumes, s) {
			p.d.Subvolumes = append(p.d.Subvolumes, s)
		}
		if !hasFlags {
			continue
		}
		var f SubvolumeFlags
		for _, fw := range strings.Split(flags, ",") {
			switch fw {
			case "ro":
				f.ReadOnly = true
			case "nodatacow":
				f.NoDataCOW = true
			default:
				return &Error{Pos: pos, Msg: "unknown subvolume flag " + quote(fw) + " (known: ro, nodatacow)"}
			}
		}
		if p.d.SubvolumeFlags == nil {
			p.d.SubvolumeFlags = map[string]SubvolumeFlags{}
		}
		p.d.SubvolumeFlags[s] = f
	}
	return nil
}

func (p *keyParser) keyDefaultSubvolume(v string, pos Position) error {
	if v == "" {
		p.d.DefaultSubvol = ""
		return nil
	}
	s, err := p.expandPath(v, pos, false)
	if err != nil {
		return err
	}
	p.d.DefaultSubvol = s
	return nil
}

// enumOrBool parses a string-table value that also accepts booleans
// (DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN): yes maps to yesValue, no to
// the first entry. An empty value gives the first entry.
func enumOrBool(v string, names []string, yesIndex int, allowBool bool) (int, bool) {
	if v == "" {
		return 0, true
	}
	for i, n := range names {
		if v == n {
			return i, true
		}
	}
	if allowBool {
		if b, err := parseBool(v); err == nil {
			if b {
				return yesIndex, true
			}
			return 0, true
		}
	}
	return 0, false
}

func (p *keyParser) keyEncrypt(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "key-file", "tpm2", "key-file+tpm2"}, 1, true)
	if !ok {
		return invalid(pos, "encryption mode (off, key-file, tpm2, key-file+tpm2 or a boolean)", v, nil)
	}
	p.d.Encrypt = Encrypt(i)
	return nil
}

func (p *keyParser) keyVerity(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "data", "hash", "signature"}, 0, false)
	if !ok {
		return invalid(pos, "verity mode (off, data, hash, signature)", v, nil)
	}
	p.d.Verity = Verity(i)
	return nil
}

func (p *keyParser) keyMinimize(v string, pos Position) error {
	i, ok := enumOrBool(v, []string{"off", "best", "guess"}, 1, true)
	if !ok {
		return invalid(pos, "minimize mode (off, best, guess or a boolean)", v, nil)
	}
	p.d.Minimize = Minimize(i)
	return nil
}

func (p *keyParser) keyIntegrity(v string, pos Position) error {
	names := []string{"off", "inline"}
	i, ok := enumOrBool(v, names, 1, true)
	if !ok {
		return invalid(pos, "integrity mode (off, inline or a boolean)", v, nil)
	}
	p.d.Integrity = names[i]
	return nil
}

func (p *keyParser) keyIntegrityAlgorithm(v string, pos Position) error {
	switch v {
	case "":
		p.d.IntegrityAlgorithm = "hmac-sha256"
	case "hmac-sha1", "hmac-sha256", "hmac-sha512":
		p.d.IntegrityAlgorithm = v
	default:
		return invalid(pos, "integrity algorithm (hmac-sha1, hmac-sha256, hmac-sha512)", v, nil)
	}
	return nil
}

func (p *keyParser) keyEncryptKDF(v string, pos Position) error {
	switch v {
	case "", "argon2id", "pbkdf2", "minimal":
		p.d.EncryptKDF = v
	default:
		return invalid(pos, "key derivation function (argon2id, pbkdf2, minimal)", v, nil)
	}
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

func (p *keyParser) keyTristate(v string, pos Position) error {
	t := Unset
	if v != "" {
		b, err := parseBool(v)
		if err != nil {
			return invalid(pos, "boolean", v, nil)
		}
		t = No
		if b {
			t = Yes
		}
	}
	switch pos.Key {
	case "ReadOnly":
		p.d.ReadOnly = t
	case "NoAuto":
		p.d.NoAuto = t
	case "GrowFileSystem":
		p.d.GrowFileSystem = t
	case "AddValidateFS":
		p.d.AddValidateFS = t
	case "Discard":
		p.d.Discard = t
	}
	return nil
}

// colonFields splits v into at most n ':'-separated fields with
// EXTRACT_CUNESCAPE|EXTRACT_DONT_COALESCE_SEPARATORS|EXTRACT_UNQUOTE and
// refuses leftovers.
func colonFields(v string, n int, pos Position) ([]string, error) {
	x := &extractor{s: v}
	var out []string
	for len(out) < n {
		w, ok, err := x.next(":", extractCUnescape|extractDontCoalesce|extractUnquote)
		if err != nil {
			return nil, invalid(pos, "value", v, err)
		}
		if !ok {
			break
		}
		out = append(out, w)
	}
	if x.rest() != "" {
		return nil, &Error{Pos: pos, Msg: "too many ':'-separated fields in " + quote(v)}
	}
	return out, nil
}

func (p *keyParser) keyMountPoint(v string, pos Position) error {
	if v == "" {
		p.d.MountPoints = nil
		return nil
	}
	f, err := colonFields(v, 2, pos)
	if err != nil {
		return err
	}
	where, err := simplifyAbsPath(f[0], false)
	if err != nil {
		return &Error{Pos: pos, Msg: "invalid mount point", Err: err}
	}
	if len(f) > 1 && f[1] != "" {
		where += ":" + f[1]
	}
	p.d.MountPoints = append(p.d.MountPoints, where)
	return nil
}

func (p *keyParser) keyEncryptedVolume(v string, pos Position) error {
	if v == "" {
		p.d.EncryptedVolume = nil
		return nil
	}
	f, err := colonFields(v, 4, pos)
	if err != nil {
		return err
	}
	for len(f) < 4 {
		f = append(f, "")
	}
	if !filenameValid(f[0]) {
		return &Error{Pos: pos, Msg: "volume name " + quote(f[0]) + " is not valid"}
	}
	ev := &EncryptedVolume{Name: f[0], KeyFile: f[1], Options: f[2]}
	if f[3] != "" {
		for _, w := range strings.Split(f[3], ",") {
			if w == "fixate-volume-key" {
				ev.FixateVolumeKey = true
			} else {
				p.warn(pos, "Unknown extra option '"+w+"', ignoring")
			}
		}
	}
	p.d.EncryptedVolume = ev
	return nil
}

func (p *keyParser) keyTPM2PCRs(v string, pos Position) error {
	if v == "" {
		p.d.TPM2PCRs = nil
		return nil
	}
	for _, item := range strings.Split(strings.ReplaceAll(v, ",", "+"), "+") {
		name, _, _ := strings.Cut(item, ":")
		if name == "" {
			return invalid(pos, "PCR list", v, nil)
		}
	}
	p.d.TPM2PCRs = append(p.d.TPM2PCRs, v)
	return nil
}
