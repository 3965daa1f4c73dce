// Command gorepart-bench measures gorepart against the tools
// systemd-repart runs offline, and against the I/O floor.
//
// It generates the benchmark trees with internal/storegen (cached),
// writes the definitions of its layouts —
//
//	(a) ESP vfat + ext4 root with Minimize=guess
//	(b) erofs /usr with Minimize=best + dm-verity hash partition
//	(c) layout (a) with fixed partition sizes
//	(d) issue #21: ESP vfat + ext4 root of 1 GiB + erofs /usr with
//	    Minimize=best, also made with the bare mkfs tools
//	(e) issue #5: a 400 MiB vfat ESP alone, from a 200 MB ESP-like tree
//	    (no store needed; results in RESULTS-esp.md)
//
// — and builds each of them, side by side and interleaved, with:
//
//   - gorepart (the binary given with -gorepart);
//   - the mkfs tools the way systemd-repart runs them offline (spec
//     §8.1/§8.2/§3.7): stage the tree with cp -a, mkfs.vfat + mmd/mcopy,
//     mkfs.ext4 -d (twice for Minimize=guess, sized from the allocated
//     bytes of a 1 TiB sparse first pass), mkfs.erofs, veritysetup format,
//     each in a temporary file, then a GPT with sfdisk and the files'
//     data copied in with copy_file_range, fsynced;
//   - for layout (d), the bare mkfs tools: mkfs.vfat + mmd/mcopy,
//     mkfs.ext4 -d and mkfs.erofs reading the trees where they are, each
//     into its own file (no staging, table, copy into an image or fsync);
//   - systemd-repart --offline=yes when a version ≥ 254 is on the PATH;
//   - the floor: tar of the tree to /dev/null (as the issue writes it),
//     tar piped so that every byte is read, and dd writing the image size.
//
// Trees: tiny, small, large, and large2x (the large tree with twice its
// store paths, for issue #6's "peak RSS flat when the tree doubles": the
// results then compare gorepart's peak RSS on large and large2x).
//
// Every build runs -runs times (median wall time, largest peak RSS from
// the children's rusage); the markdown table goes to stdout and, unless
// -quick, to -out with a description of the machine. A build that fails
// is reported in its table cell ("unsupported" when gorepart says a
// Format= is not supported yet) instead of stopping the run.
//
// Run it through bench/run, which builds gorepart first (see
// bench/README.md).
package main
