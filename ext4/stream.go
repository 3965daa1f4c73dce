package ext4

import "io"

// stream collects blocks written in ascending order into large writes.
type stream struct {
	dst   io.WriterAt
	buf   []byte
	start uint64 // block of buf[0]
	n     int    // blocks pending
	// scratch is one block for encoders of the stream's user.
	scratch []byte
}

const streamBlocks = 256 // 1 MiB per write

func newStream(dst io.WriterAt) *stream {
	return &stream{dst: dst, buf: make([]byte, streamBlocks*blockSize), scratch: make([]byte, blockSize)}
}

// space returns a zeroed buffer for up to n blocks starting at blk (at least
// one block); the caller fills it and the stream writes it later.
func (s *stream) space(blk uint64, n uint64) ([]byte, error) {
	if s.n > 0 && (s.start+uint64(s.n) != blk || s.n == streamBlocks) {
		if err := s.flush(); err != nil {
			return nil, err
		}
	}
	if s.n == 0 {
		s.start = blk
	}
	k := min(n, uint64(streamBlocks-s.n))
	p := s.buf[s.n*blockSize : (s.n+int(k))*blockSize]
	clear(p)
	s.n += int(k)
	return p, nil
}

func (s *stream) put(blk uint64, b []byte) error {
	p, err := s.space(blk, 1)
	if err != nil {
		return err
	}
	copy(p, b)
	return nil
}

func (s *stream) flush() error {
	if s.n == 0 {
		return nil
	}
	_, err := s.dst.WriteAt(s.buf[:s.n*blockSize], int64(s.start)*blockSize)
	s.n = 0
	return err
}
