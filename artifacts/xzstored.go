package artifacts

import (
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
)

// On-disk constants of the .xz container (The .xz File Format 1.2.0,
// tukaani.org/xz/xz-file-format.txt) and LZMA2 chunk control bytes
// (liblzma lzma2_encoder.c), for chunks stored without compression.
var (
	xzHeaderMagic = [6]byte{0xfd, '7', 'z', 'X', 'Z', 0x00} // §2.1.1.1
	xzFooterMagic = [2]byte{'Y', 'Z'}                       // §2.1.2.4
)

const (
	xzCheckCRC64     = 0x04 // Stream Flags check type, §2.1.1.2
	xzFilterLZMA2    = 0x21 // Filter ID, §5.3.1
	lzma2StoredReset = 0x01 // uncompressed chunk, dictionary reset
	lzma2Stored      = 0x02 // uncompressed chunk, no reset
	lzma2End         = 0x00 // end of LZMA2 data
	lzma2MaxStored   = 1 << 16
)

var crc64Table = crc64.MakeTable(crc64.ECMA)

// lzma2DictByte is the LZMA2 property byte for the smallest dictionary
// size of the form (2|b&1) << (b/2+11) that is at least dict (§5.3.1).
func lzma2DictByte(dict int) byte {
	for b := 0; b < 40; b++ {
		if (2|b&1)<<(b/2+11) >= dict {
			return byte(b)
		}
	}
	return 40 // 4 GiB - 1
}

func putVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func pad4(b []byte, from int) []byte {
	for (len(b)-from)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// xzStored appends to out a complete .xz stream holding in as one block of
// uncompressed LZMA2 chunks: what xz itself writes for data that does not
// compress, at memory-copy speed.
func xzStored(out, in []byte, dict int) []byte {
	le := binary.LittleEndian
	// Stream Header.
	out = append(out, xzHeaderMagic[:]...)
	flags := []byte{0x00, xzCheckCRC64}
	out = append(out, flags...)
	out = le.AppendUint32(out, crc32.ChecksumIEEE(flags))

	// Block Header: size, flags (one filter, no optional sizes), LZMA2
	// filter flags, padding, CRC32.
	blockStart := len(out)
	hdr := []byte{0, 0x00, xzFilterLZMA2, 1, lzma2DictByte(dict)}
	hdr = pad4(hdr, 0) // with the 4-byte CRC32 the header stays a multiple of 4
	hdr[0] = byte((len(hdr)+4)/4 - 1)
	out = append(out, hdr...)
	out = le.AppendUint32(out, crc32.ChecksumIEEE(hdr))

	// Compressed Data: stored LZMA2 chunks of at most 64 KiB.
	dataStart := len(out)
	for i := 0; i < len(in); i += lzma2MaxStored {
		chunk := in[i:min(i+lzma2MaxStored, len(in))]
		ctl := byte(lzma2Stored)
		if i == 0 {
			ctl = lzma2StoredReset
		}
		out = append(out, ctl, byte((len(chunk)-1)>>8), byte(len(chunk)-1))
		out = append(out, chunk...)
	}
	out = append(out, lzma2End)
	unpadded := uint64(len(out)-blockStart) + 8 // + the CRC64 check
	out = pad4(out, dataStart)
	out = le.AppendUint64(out, crc64.Checksum(in, crc64Table))

	// Index: one record.
	indexStart := len(out)
	out = append(out, 0x00)
	out = putVarint(out, 1)
	out = putVarint(out, unpadded)
	out = putVarint(out, uint64(len(in)))
	out = pad4(out, indexStart)
	out = le.AppendUint32(out, crc32.ChecksumIEEE(out[indexStart:]))
	indexSize := len(out) - indexStart

	// Stream Footer.
	var foot [6]byte
	le.PutUint32(foot[0:], uint32(indexSize/4-1))
	copy(foot[4:], flags)
	out = le.AppendUint32(out, crc32.ChecksumIEEE(foot[:]))
	out = append(out, foot[:]...)
	return append(out, xzFooterMagic[:]...)
}
