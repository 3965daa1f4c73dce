package artifacts

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// newZstdEncoder returns an encoder for EncodeAll from level workers at once.
func newZstdEncoder(level, workers int) (*zstd.Encoder, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
		zstd.WithEncoderConcurrency(workers),
		zstd.WithEncoderCRC(true),
		zstd.WithZeroFrames(true))
	if err != nil {
		return nil, fmt.Errorf("creating zstd encoder: %w", err)
	}
	return enc, nil
}

// compressZstd writes one zstd frame per chunk; with seekable it records
// each frame and appends the seek table.
func compressZstd(dst io.Writer, src io.ReaderAt, size int64, p Params, chunk int, seekable bool) error {
	enc, err := newZstdEncoder(p.Level, p.Workers)
	if err != nil {
		return err
	}
	defer enc.Close()
	var table []seekEntry
	encode := func(out, in []byte) ([]byte, error) { return enc.EncodeAll(in, out), nil }
	emit := func(out []byte, n int) error {
		if seekable {
			if len(out) < zstdFrameChecksumSize {
				return fmt.Errorf("writing seek table: frame of %d bytes has no checksum", len(out))
			}
			table = append(table, seekEntry{
				Compressed:   uint32(len(out)),
				Decompressed: uint32(n),
				Checksum:     binary.LittleEndian.Uint32(out[len(out)-zstdFrameChecksumSize:]),
			})
		}
		if _, err := dst.Write(out); err != nil {
			return fmt.Errorf("writing compressed output: %w", err)
		}
		return nil
	}
	if err := compressChunks(src, size, chunk, p.Workers, encode, emit); err != nil {
		return err
	}
	if !seekable {
		if size == 0 {
			// An empty input still needs one (empty) frame to be a valid
			// .zst file.
			if _, err := dst.Write(enc.EncodeAll(nil, nil)); err != nil {
				return fmt.Errorf("writing compressed output: %w", err)
			}
		}
		return nil
	}
	if len(table) > maxSeekableFrames {
		return fmt.Errorf("writing seek table: %d frames exceed the format's limit of %d", len(table), maxSeekableFrames)
	}
	if _, err := dst.Write(encodeSeekTable(table)); err != nil {
		return fmt.Errorf("writing seek table: %w", err)
	}
	return nil
}
