package artifacts

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// chunkEncoder compresses one chunk of input; it must be safe for
// concurrent use and deterministic.
type chunkEncoder func(dst, src []byte) ([]byte, error)

// chunkResult is one compressed chunk, delivered in input order.
type chunkResult struct {
	out  []byte
	n    int // input bytes
	err  error
	done func() // returns out's buffer to the pool
}

// maxInFlight bounds the memory of chunks being compressed or waiting to
// be written.
const maxInFlight = 2 << 30

// compressChunks splits [0, size) of src into chunks of chunkSize bytes,
// compresses them with up to workers goroutines and calls emit with each
// result in input order. A chunk that is all zeros and full-sized is
// encoded once; later ones reuse that output.
func compressChunks(src io.ReaderAt, size int64, chunkSize, workers int, enc chunkEncoder, emit func(out []byte, n int) error) error {
	nchunks := int((size + int64(chunkSize) - 1) / int64(chunkSize))
	if nchunks == 0 {
		return nil
	}
	// Each chunk in flight holds its input and output: keep them within
	// maxInFlight (xz -9 has 192 MiB chunks).
	window := max(1, min(workers+1, int(maxInFlight/(2*int64(chunkSize)))))
	workers = max(1, min(workers, window, nchunks))
	if int64(chunkSize) > size {
		chunkSize = int(size) // one short chunk: no buffer larger than the input
	}
	zeros := make([]byte, chunkSize)
	isHole := newHoleFinder(src)
	var zeroOnce sync.Once
	var zeroOut []byte
	var zeroErr error

	inPool := sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}
	// Room for incompressible input: zstd and xz add well under 1/128.
	outPool := sync.Pool{New: func() any { b := make([]byte, 0, chunkSize+chunkSize/128+4096); return &b }}

	type job struct {
		index int
		res   chan chunkResult
	}
	jobs := make(chan job)
	order := make(chan chan chunkResult, window)
	stop := make(chan struct{})

	work := func(j job) chunkResult {
		off := int64(j.index) * int64(chunkSize)
		n := chunkSize
		if rest := size - off; rest < int64(n) {
			n = int(rest)
		}
		inp := inPool.Get().(*[]byte)
		defer inPool.Put(inp)
		in := (*inp)[:n]
		hole := isHole(off, int64(n))
		switch {
		case hole && n == chunkSize: // the cached zero chunk, below
		case hole:
			clear(in)
		default:
			if _, err := src.ReadAt(in, off); err != nil && err != io.EOF {
				return chunkResult{err: fmt.Errorf("reading input at offset %d: %w", off, err)}
			}
		}
		if n == chunkSize && (hole || bytes.Equal(in, zeros)) {
			zeroOnce.Do(func() { zeroOut, zeroErr = enc(nil, zeros) })
			return chunkResult{out: zeroOut, n: n, err: zeroErr, done: func() {}}
		}
		outp := outPool.Get().(*[]byte)
		out, err := enc((*outp)[:0], in)
		if err != nil {
			outPool.Put(outp)
			return chunkResult{err: fmt.Errorf("compressing input at offset %d: %w", off, err)}
		}
		return chunkResult{out: out, n: n, done: func() { *outp = out[:0]; outPool.Put(outp) }}
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.res <- work(j)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for i := range nchunks {
			res := make(chan chunkResult, 1)
			select {
			case order <- res:
			case <-stop:
				return
			}
			select {
			case jobs <- job{i, res}:
			case <-stop:
				return
			}
		}
	}()

	var err error
	for res := range order {
		r := <-res
		if r.err == nil {
			r.err = emit(r.out, r.n)
			r.done()
		}
		if r.err != nil {
			err = r.err
			break
		}
	}
	if err != nil {
		close(stop)
		for res := range order {
			// Drain: the dispatcher queued res before sending its job; a
			// job that was never sent leaves res empty.
			select {
			case r := <-res:
				if r.done != nil {
					r.done()
				}
			default:
			}
		}
	}
	wg.Wait()
	return err
}
