// Package definitions reads systemd-repart partition definitions: the
// repart.d ".conf" files with their drop-ins, and the JSON manifest that
// NixOS's image.repart module produces. Load returns one validated
// *Definition per partition, in the order repart uses everywhere (sorted
// by the definition file's base name); the planner (package repart) takes
// it from there. The behaviour follows systemd's src/repart/repart.c
// (partition_read_definition, context_read_definitions) and
// src/shared/conf-parser.c; docs/spec/repart.md §1 and §2 summarise
// them.
//
// # Why not gopkg.in/ini.v1
//
// The reader is our own (ini.go): ini.v1 does not expose line numbers, and
// every message here must name file:line. Its rules also differ from
// systemd's: in systemd a repeated key is applied again (lists append,
// scalars take the last value), an empty assignment resets a list, only
// [Partition] is parsed and other sections are skipped, '#' and ';' start
// a comment only at the beginning of a line (also inside a continued
// line), a line ending in a backslash continues on the next one, keys
// and values are trimmed, and quotes mean nothing at the INI level (each
// key's value syntax handles them: C escapes in CopyFiles=, shell-like
// quoting in ExcludeFiles=, MakeDirectories=, ...).
//
// # What is refused, what is warned about
//
// Where repart warns and ignores a line, Load returns a Warning with
// repart's wording: an unknown key ("Unknown key 'X' in section
// [Partition], ignoring."), a Label= that does not expand within 36 bytes,
// is not UTF-8 or is over 36 UTF-16 units (the previous value is kept), a
// Weight= over 1000000, unknown CopyFiles= options, unknown sections,
// lines without '='; repart's notice about sizes rounded to 4096 is
// reported the same way. Every other invalid value is an *Error naming
// file, line and key — also where repart only logs and skips the line
// (an unparsable UUID=, Flags=, Weight=, boolean, path, or an invalid
// Format=): a builder should not silently drop a line. Validation errors
// (missing Type=, SizeMinBytes= > SizeMaxBytes=, CopyBlocks= with
// Format=, verity siblings, supplements, ...) name the key that causes
// them, where repart names line 1 of the file.
//
// Deliberate differences from repart, besides that strictness: an empty
// CopyFiles=, MakeDirectories=, MakeSymlinks= or Subvolumes= resets the
// list (repart ignores it); CopyBlocks=auto is refused (it reads the
// running system's block devices, which an offline build does not use);
// SYSTEMD_REPART_OVERRIDE_FSTYPE* come from Options.FSTypeOverride, which
// the CLI fills (library code reads no environment); the big-endian mips/mips64 partition types are not in
// the table. differential_test.go runs the installed systemd-repart on
// the same inputs and checks messages, refusals, types, labels and sizes.
//
// As in systemd, an empty .conf file masks the name like a symlink to
// /dev/null does.
//
// # Defaults applied at load time
//
// As partition_read_definition does: Format= is implied ("swap" for swap
// partitions; "vfat" for esp/xbootldr and "ext4" otherwise when the
// partition is populated or encrypted without CopyBlocks=); Format=empty
// keeps Format "empty" (FileSystem() returns "") and sets Label to
// "_empty" when unset, exactly as repart, and NoAuto=yes where the type
// knows the bit; ReadOnly= defaults to yes for verity partitions;
// GrowFileSystem= is forced to yes for types that know it unless
// read-only; SplitName= defaults to "%t" ("-" is kept and means none);
// sizes are rounded at parse (minimums down, maximums up, to 4096).
//
// Specifiers are expanded at parse time in the keys repart expands them
// in (Label, VolumeLabel, CopyFiles, ExcludeFiles, ExcludeFilesTarget,
// CopyBlocks, MakeDirectories, MakeSymlinks paths, Subvolumes,
// DefaultSubvolume); SplitName= is left for the planner, which calls
// Expand with %t %T %U %n.
//
// # API
//
//	Load(Options) ([]*Definition, []Warning, error)   the whole pipeline
//	ParseConf(name, data, arch, Specifiers)            one file, no validation (tests, fuzzing)
//	ParseType, ParseTypeList, TypeByUUID, RemapArch, CanonicalArch, NativeArch
//	ParseUUID, FormatUUID, ParseSize
//	Expand, Specifiers.ApplyOSRelease, ParseOSRelease
//	Definition.FileSystem, NeedsPopulate, AddsValidateFS, DefaultLabelBase
package definitions
