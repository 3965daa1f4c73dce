package artifacts

import (
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// compressXz writes one .xz stream per chunk; xz -d reads concatenated
// streams as one file (xz file format 1.2.1, §2).
func compressXz(dst io.Writer, src io.ReaderAt, size int64, p Params) error {
	dict := xzDictSize[p.Level]
	chunk := max(3*dict, xzMinChunk)
	if int64(dict) > size {
		// A dictionary larger than the input finds nothing more; keep
		// small inputs from allocating 64 MiB at -9.
		dict = max(int(size), 4096)
	}
	cfg := xz.WriterConfig{DictCap: dict, CheckSum: xz.CRC64}
	if err := cfg.Verify(); err != nil {
		return fmt.Errorf("configuring xz: %w", err)
	}
	// Chunks that zstd's fastest level cannot shrink by 1/64 are stored:
	// LZMA gains nothing there and takes seconds per MiB in pure Go.
	probe, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(p.Workers), zstd.WithEncoderCRC(false))
	if err != nil {
		return fmt.Errorf("creating zstd encoder: %w", err)
	}
	defer probe.Close()
	encode := func(out, in []byte) ([]byte, error) {
		if len(in) >= xzMinChunk && incompressible(probe, in) {
			return xzStored(out, in, dict), nil
		}
		buf := bytes.NewBuffer(out)
		w, err := cfg.NewWriter(buf)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(in); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	emit := func(out []byte, _ int) error {
		if _, err := dst.Write(out); err != nil {
			return fmt.Errorf("writing compressed output: %w", err)
		}
		return nil
	}
	if size == 0 {
		out, err := encode(nil, nil)
		if err != nil {
			return fmt.Errorf("compressing: %w", err)
		}
		return emit(out, 0)
	}
	return compressChunks(src, size, chunk, p.Workers, encode, emit)
}

// incompressible reports whether zstd's fastest level saves less than 1/64
// of in.
func incompressible(enc *zstd.Encoder, in []byte) bool {
	out := enc.EncodeAll(in, make([]byte, 0, len(in)+len(in)/128+1024))
	return len(out) > len(in)-len(in)/64
}
