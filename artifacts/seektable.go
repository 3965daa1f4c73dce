package artifacts

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// seekEntry is one Seek_Table_Entries row, with the checksum present.
type seekEntry struct {
	Compressed, Decompressed, Checksum uint32
}

// encodeSeekTable renders the skippable frame holding the seek table, with
// Checksum_Flag set.
func encodeSeekTable(entries []seekEntry) []byte {
	const entrySize = 12
	body := len(entries)*entrySize + seekTableFooterSize
	b := make([]byte, skippableHeaderSize+body)
	le := binary.LittleEndian
	le.PutUint32(b[0:], skippableMagic)
	le.PutUint32(b[4:], uint32(body))
	o := skippableHeaderSize
	for _, e := range entries {
		le.PutUint32(b[o:], e.Compressed)
		le.PutUint32(b[o+4:], e.Decompressed)
		le.PutUint32(b[o+8:], e.Checksum)
		o += entrySize
	}
	le.PutUint32(b[o:], uint32(len(entries)))
	b[o+4] = checksumFlag
	le.PutUint32(b[o+5:], seekableMagic)
	return b
}

// SeekFrame is one frame of a seekable archive, located in both the
// compressed file and the decompressed data.
type SeekFrame struct {
	CompressedOffset, CompressedSize     int64
	DecompressedOffset, DecompressedSize int64
	Checksum                             uint32
	HasChecksum                          bool
}

// errNoSeekTable is returned when the input does not end with a seek table.
var errNoSeekTable = errors.New("no zstd seek table at end of input")

// parseSeekTable reads the seek table from the last bytes of a file of
// fileSize bytes. tail must hold at least the whole skippable frame; it
// returns how many bytes it needs when tail is too short.
func parseSeekTable(tail []byte, fileSize int64) ([]SeekFrame, int, error) {
	le := binary.LittleEndian
	if len(tail) < skippableHeaderSize+seekTableFooterSize {
		return nil, 0, errNoSeekTable
	}
	foot := tail[len(tail)-seekTableFooterSize:]
	if le.Uint32(foot[5:]) != seekableMagic {
		return nil, 0, errNoSeekTable
	}
	desc := foot[4]
	if desc&reservedBits != 0 {
		return nil, 0, fmt.Errorf("parsing seek table: reserved descriptor bits set (%#x)", desc)
	}
	n := int64(le.Uint32(foot[0:]))
	if n > maxSeekableFrames {
		return nil, 0, fmt.Errorf("parsing seek table: %d frames exceed the limit of %d", n, maxSeekableFrames)
	}
	entrySize := int64(8)
	if desc&checksumFlag != 0 {
		entrySize = 12
	}
	frameLen := skippableHeaderSize + n*entrySize + seekTableFooterSize
	if frameLen > fileSize {
		return nil, 0, fmt.Errorf("parsing seek table: table of %d bytes is larger than the file", frameLen)
	}
	if int64(len(tail)) < frameLen {
		return nil, int(frameLen), nil
	}
	fr := tail[int64(len(tail))-frameLen:]
	if m := le.Uint32(fr[0:]); m != skippableMagic {
		return nil, 0, fmt.Errorf("parsing seek table: skippable magic %#x, want %#x", m, skippableMagic)
	}
	if sz := int64(le.Uint32(fr[4:])); sz != frameLen-skippableHeaderSize {
		return nil, 0, fmt.Errorf("parsing seek table: Frame_Size %d, want %d", sz, frameLen-skippableHeaderSize)
	}
	frames := make([]SeekFrame, n)
	var coff, doff int64
	for i := range frames {
		e := fr[skippableHeaderSize+int64(i)*entrySize:]
		f := SeekFrame{
			CompressedOffset:   coff,
			CompressedSize:     int64(le.Uint32(e[0:])),
			DecompressedOffset: doff,
			DecompressedSize:   int64(le.Uint32(e[4:])),
		}
		if f.DecompressedSize > maxFrameDecompressed {
			return nil, 0, fmt.Errorf("parsing seek table: frame %d decompresses to %d bytes, over the limit", i, f.DecompressedSize)
		}
		if entrySize == 12 {
			f.Checksum, f.HasChecksum = le.Uint32(e[8:]), true
		}
		coff += f.CompressedSize
		doff += f.DecompressedSize
		frames[i] = f
	}
	if coff != fileSize-frameLen {
		return nil, 0, fmt.Errorf("parsing seek table: frames cover %d bytes, file has %d before the table", coff, fileSize-frameLen)
	}
	return frames, 0, nil
}
