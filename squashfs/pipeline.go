package squashfs

import (
	"encoding/binary"
	"sync"
)

// The data pipeline: the reader numbers its items, workers compress
// blocks and fragment blocks in parallel, and the writer stores them in
// number order. Each block's compressed form depends on its bytes alone,
// so the data area does not depend on the number of workers or on
// scheduling. The items in flight are bounded (slots), and so is memory.

// pipeline runs reader → workers → writer and hands each file's data
// location to the metadata walk (results) in file order.
type pipeline struct {
	pl      *Plan
	w       *dataWriter
	bs      int
	pool    sync.Pool
	slots   chan struct{}
	todo    chan *item
	done    chan *item
	results chan fileData
	stop    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	err     error
	wg      sync.WaitGroup
}

func newPipeline(pl *Plan, w *dataWriter) *pipeline {
	n := pl.p.workers()
	pp := &pipeline{pl: pl, w: w, bs: pl.p.blockSize(),
		slots:   make(chan struct{}, 4*n+8),
		todo:    make(chan *item, 4*n+8),
		done:    make(chan *item, 4*n+8),
		results: make(chan fileData, 64),
		stop:    make(chan struct{})}
	pp.pool.New = func() any { b := make([]byte, pp.bs); return &b }
	return pp
}

// fail records the first error and stops every stage.
func (pp *pipeline) fail(err error) {
	pp.mu.Lock()
	if pp.err == nil {
		pp.err = err
	}
	pp.mu.Unlock()
	pp.once.Do(func() { close(pp.stop) })
}

func (pp *pipeline) error() error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.err
}

// start launches the stages; results is closed when the writer is done.
func (pp *pipeline) start() {
	seq := 0
	r := &reader{pl: pp.pl, bs: pp.bs,
		getBuf: func() *[]byte { return pp.pool.Get().(*[]byte) },
		putBuf: func(b *[]byte) { pp.pool.Put(b) },
		send: func(it *item) error {
			select {
			case pp.slots <- struct{}{}:
			case <-pp.stop:
				return errStopped
			}
			it.seq = seq
			seq++
			select {
			case pp.todo <- it:
				return nil
			case <-pp.stop:
				return errStopped
			}
		}}
	pp.wg.Add(1)
	go func() {
		defer pp.wg.Done()
		defer close(pp.todo)
		if err := r.run(); err != nil {
			pp.fail(err)
		}
	}()
	var workers sync.WaitGroup
	for i := 0; i < pp.pl.p.workers(); i++ {
		c, err := pp.pl.comp.newCodec()
		if err != nil {
			pp.fail(err)
			break
		}
		workers.Add(1)
		go func() {
			defer workers.Done()
			pp.work(c)
		}()
	}
	go func() {
		workers.Wait()
		close(pp.done)
	}()
	pp.wg.Add(1)
	go func() {
		defer pp.wg.Done()
		defer close(pp.results)
		if err := pp.write(); err != nil {
			pp.fail(err)
		}
	}()
}

// wait waits for the stages to end and returns the first error.
func (pp *pipeline) wait() error {
	pp.wg.Wait()
	for range pp.done {
	}
	return pp.error()
}

// work compresses blocks: all-zero blocks become holes, blocks that do
// not shrink are stored as they are. Fragment blocks are never holes.
func (pp *pipeline) work(c codec) {
	for it := range pp.todo {
		if it.kind != itemEnd {
			if it.kind == itemBlock && allZero(it.data) {
				it.zero = true
			} else if out, err := c.compress(it.data); err != nil {
				pp.fail(err)
			} else if out != nil {
				it.out = append([]byte(nil), out...)
			}
		}
		select {
		case pp.done <- it:
		case <-pp.stop:
		}
	}
}

// write stores the items in sequence order.
func (pp *pipeline) write() error {
	pending := make(map[int]*item)
	next := 0
	var cur fileData
	inFile := false
	for {
		it, ok := pending[next]
		if ok {
			delete(pending, next)
		} else {
			select {
			case it, ok = <-pp.done:
				if !ok {
					if err := pp.error(); err != nil {
						return err
					}
					return nil
				}
			case <-pp.stop:
				return errStopped
			}
			if it.seq != next {
				pending[it.seq] = it
				continue
			}
		}
		next++
		<-pp.slots
		switch it.kind {
		case itemBlock:
			if !inFile {
				cur.start, inFile = pp.w.pos(), true
			}
			size, err := pp.w.block(it)
			if err != nil {
				return err
			}
			if it.zero {
				cur.sparse += int64(len(it.data))
			}
			cur.blocks = append(cur.blocks, size)
		case itemFrag:
			if err := pp.w.frag(it); err != nil {
				return err
			}
		case itemEnd:
			d := pp.w.finish(it.end, cur)
			cur, inFile = fileData{}, false
			select {
			case pp.results <- d:
			case <-pp.stop:
				return errStopped
			}
		}
		if it.buf != nil {
			pp.pool.Put(it.buf)
		}
	}
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
