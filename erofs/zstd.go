package erofs

import (
	"github.com/klauspost/compress/zstd"
)

// zstdDestSize finds the longest prefix of src whose zstd frame fits in
// limit bytes by a secant search over the prefix length (zstd has no
// destination-size mode), to within 64 bytes of input.
type zstdDestSize struct {
	enc   *zstd.Encoder
	buf   []byte
	out   []byte // the best frame so far
	lastN int
}

func newZstd(level int) (*zstdDestSize, error) {
	lvl := zstd.SpeedDefault
	if level > 0 {
		lvl = zstd.EncoderLevelFromZstd(level)
	}
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(lvl),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false),
		zstd.WithSingleSegment(true),
		zstd.WithWindowSize(1<<(zstdWindowLog+10)),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, err
	}
	return &zstdDestSize{enc: enc}, nil
}

func (c *zstdDestSize) try(src []byte) []byte {
	c.buf = c.enc.EncodeAll(src, c.buf[:0])
	return c.buf
}

func (c *zstdDestSize) destSize(src []byte, limit int) (int, []byte, error) {
	lo, hi := 0, len(src)+1 // the frame of src[:lo] fits, that of src[:hi] does not
	loOut := c.out[:0]
	n := min(len(src), max(c.lastN, 2*limit))
	for i := 0; i < 20 && hi-lo > 64; i++ {
		out := c.try(src[:n])
		var guess int
		if len(out) <= limit {
			lo, loOut = n, append(loOut[:0], out...)
			if n == len(src) {
				break
			}
			guess = n + (limit-len(out))*n/len(out) + 64
		} else {
			hi = n
			guess = n * limit / len(out)
		}
		if guess-lo < 32 || hi-guess < 32 {
			guess = lo + (hi-lo)/2
		}
		n = min(guess, len(src))
	}
	c.lastN, c.out = lo, loOut
	return lo, loOut, nil
}

func (c *zstdDestSize) reset() { c.lastN = 0 }
