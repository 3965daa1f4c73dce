// Package sysupdate implements the MatchPattern= language of
// systemd-sysupdate's transfer files (sysupdate.d(5); systemd
// src/sysupdate/sysupdate-pattern.c) and reads the Source/Target sections
// of *.transfer files, so that release artifacts can be checked against
// the patterns that will fetch them.
//
// A pattern is literal text with field markers: @v version (required),
// @u partition UUID, @f partition flags (hex), @t mtime (µs since the
// epoch), @m mode (octal, at most 0775), @s size, @d tries done, @l tries
// left, @a no-auto, @r read-only, @g grow-fs (booleans), @h SHA-256 (hex),
// and @@ for a literal "@". "/" separates directory levels. Two markers
// must be separated by literal text, each marker may appear once, and
// only printable ASCII other than $ * ? [ ] ! \ | is allowed.
//
// Matching follows sysupdate exactly, including its quirks: a field
// extends to the first occurrence of the literal that follows it (not the
// last), and text left over after the pattern's final literal does not
// prevent a match (so "a_@v.raw" matches "a_1.raw.xz"). Format is the
// inverse and renders an Instance into a name.
//
// ParseTransfer reads only what matching needs ([Source] and [Target]
// Type=, Path=, MatchPattern=); it refuses specifiers other than "%%".
package sysupdate
