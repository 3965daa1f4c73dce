// Package artifacts turns a built image into release artifacts: compressed
// copies named as nixpkgs names them, a SHA256SUMS manifest, and a lint of
// the definitions of an A/B (systemd-sysupdate) layout.
//
// Compress writes three formats, all produced by independent workers over
// fixed-size chunks of the input, so the output depends only on the input
// and the level, never on the number of workers:
//
//   - "zstd": a sequence of zstd frames (8 MiB of input each) that any
//     zstd decoder reads as one stream (RFC 8878 §3.1: concatenated frames).
//   - "zstd-seekable": zstd frames of 2 MiB of input each, followed by the
//     seek table of the zstd seekable format (facebook/zstd
//     contrib/seekable_format/zstd_seekable_compression_format.md), in a
//     skippable frame that plain decoders ignore. The table carries the
//     per-frame checksums (the low 32 bits of XXH64, taken from each frame's
//     own content checksum). OpenSeekable reads it back with random access.
//   - "xz": a sequence of .xz streams, one per chunk of three times the
//     dictionary size (as xz -T does), which xz -d reads as one file. A
//     chunk that zstd's fastest level cannot shrink by 1/64 (already
//     compressed data) is stored in uncompressed LZMA2 chunks, as xz does
//     for incompressible input, instead of running the pure-Go LZMA
//     encoder over it.
//
// It refuses unknown formats and levels outside the format's range (zstd
// 1–22, xz 0–9); level 0 for zstd means the nixpkgs default, 3.
//
// WriteSHA256Sums writes the sha256sum(1) text format. Lint checks the
// A/B conventions of systemd-sysupdate layouts and only reports; it never
// refuses a build.
package artifacts
