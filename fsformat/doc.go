// Package fsformat is the one contract every filesystem writer of
// gorepart implements, and the only thing the image assembler knows about
// filesystems.
//
// A writer package (vfat, ext4, erofs, ...) exports
//
//	func Open(t *fstree.Tree, p fsformat.Params) (fsformat.Plan, error)
//
// which checks and measures the tree for that format (what systemd-repart
// would pass to its mkfs is in Params; each package maps it onto its own
// options: label mangling, volume IDs, ...). The Plan then gives
//
//   - MinSize: the exact smallest size in bytes Write accepts for the tree.
//     For a read-only format (Format.ReadOnly) it is the image size
//     itself. Minimize= uses it (package minimize).
//   - Write: the filesystem, into an io.WriterAt of exactly size bytes
//     (a window of the image: offset 0 is the partition's first byte). It
//     never writes at or past size; read-only formats write MinSize bytes
//     and leave the rest as it is. Same tree and Params, same bytes.
//   - Close: releases what the plan holds (a spilled tree is the caller's;
//     a private temporary file is the plan's).
//
// The assembler looks formats up by name in its dispatch table (one line
// per format, repart/formats.go); adding a format is one package with an
// Open function plus that line. A Plan may implement GuessBase when the
// base of Minimize=guess is not its exact minimum (vfat sizes the way
// repart's trial mkfs allocates).
//
// A Plan whose exact size is known only by writing the filesystem (a
// compressed read-only image) implements SizedByWriting: the assembler
// then writes it once, in place, while it is still laying out the image,
// rather than having MinSize do the whole work for nothing and Write do
// it again.
//
// Destinations: dst may implement filecopy.FileAt, in which case file data
// may be copied with copy_file_range; writers must not assume it (an
// encrypting window does not offer it).
package fsformat
