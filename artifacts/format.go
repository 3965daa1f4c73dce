package artifacts

// On-disk constants of the zstd seekable format, version 0.1.0
// (facebook/zstd contrib/seekable_format/zstd_seekable_compression_format.md)
// and of zstd frames (RFC 8878 §3.1.1, §3.1.2).
const (
	// skippableMagic is the magic of the skippable frame holding the seek
	// table (any of 0x184D2A50–0x184D2A5F is a skippable frame).
	skippableMagic = 0x184D2A5E
	// seekableMagic ends the file: the last 4 bytes of a seekable archive.
	seekableMagic = 0x8F92EAB1
	// seekTableFooterSize is Number_Of_Frames (4), Seek_Table_Descriptor
	// (1) and Seekable_Magic_Number (4).
	seekTableFooterSize = 9
	// skippableHeaderSize is Skippable_Magic_Number (4) and Frame_Size (4).
	skippableHeaderSize = 8
	// checksumFlag is bit 7 of Seek_Table_Descriptor: every entry carries
	// the low 32 bits of the XXH64 of the frame's decompressed data.
	checksumFlag = 0x80
	// reservedBits (bits 6–2) must be zero.
	reservedBits = 0x7c
	// maxSeekableFrames and maxFrameDecompressed are the limits of the
	// reference implementation (ZSTD_SEEKABLE_MAXFRAMES,
	// ZSTD_SEEKABLE_MAX_FRAME_DECOMPRESSED_SIZE).
	maxSeekableFrames    = 0x8000000
	maxFrameDecompressed = 0x40000000

	// zstdFrameChecksumSize is the Content_Checksum at the end of a zstd
	// frame: the low 32 bits of XXH64 of the content, little-endian — the
	// same value as a seek table entry's Checksum.
	zstdFrameChecksumSize = 4
)

// Chunk sizes: input bytes per independently compressed unit.
const (
	// seekableFrameSize is the frame size nixpkgs uses for zstd-seekable.
	seekableFrameSize = 2 << 20
	// zstdChunk is the input per frame of plain zstd output: large
	// enough that the frame boundaries cost little ratio, small enough
	// that workers+1 chunks in flight stay modest in memory.
	zstdChunk = 8 << 20
	// xzMinChunk is xz -T's minimum block size; chunks are otherwise three
	// times the dictionary, as xz -T chooses.
	xzMinChunk = 1 << 20
)

// xzDictSize is the LZMA2 dictionary size of xz's presets -0 … -9
// (xz(1), "Compression presets").
var xzDictSize = [10]int{
	256 << 10, 1 << 20, 2 << 20, 4 << 20, 4 << 20,
	8 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20,
}
