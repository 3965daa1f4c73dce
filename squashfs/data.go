package squashfs

import (
	"encoding/binary"
	"errors"
)

// errStopped ends a stage of the pipeline after another one failed.
var errStopped = errors.New("stopped")

// dataWriter lays out the data area: blocks and fragment blocks one
// after the other from the end of the superblock (and compressor
// options), as the pipeline hands them over in order. It remembers where
// every distinct file went, so that a duplicate gets the same blocks,
// and the fragment table.
type dataWriter struct {
	out   *countWriter
	frags []byte // fragment table entries
	files []distinct
	arena []uint32 // block size words of the distinct files
}

// distinct is where a distinct file's data went.
type distinct struct {
	start         int64
	first, blocks uint32 // its size words: arena[first:first+blocks]
	frag, fragOff uint32
	sparse        int64
}

func (w *dataWriter) pos() int64 { return w.out.n }

// block stores a data block and returns its size word (0 for a hole).
func (w *dataWriter) block(it *item) (uint32, error) {
	if it.zero {
		return 0, nil
	}
	data, word := it.out, uint32(len(it.out))
	if data == nil {
		data, word = it.data, uint32(len(it.data))|dataUncompressed
	}
	_, err := w.out.Write(data)
	return word, err
}

// frag stores a fragment block and its fragment table entry.
func (w *dataWriter) frag(it *item) error {
	le := binary.LittleEndian
	start := w.out.n
	word, err := w.block(it)
	if err != nil {
		return err
	}
	w.frags = le.AppendUint64(w.frags, uint64(start))
	w.frags = le.AppendUint32(w.frags, word)
	w.frags = le.AppendUint32(w.frags, 0)
	return nil
}

// finish completes a file's location: a duplicate takes the one of the
// file it repeats, a new file is remembered.
func (w *dataWriter) finish(e fileEnd, cur fileData) fileData {
	if e.dupOf >= 0 {
		f := w.files[e.dupOf]
		return fileData{size: e.size, start: f.start, frag: f.frag, fragOff: f.fragOff, sparse: f.sparse,
			blocks: w.arena[f.first : f.first+f.blocks : f.first+f.blocks]}
	}
	cur.size, cur.frag, cur.fragOff = e.size, e.frag, e.fragOff
	if e.blocks == 0 {
		cur.start = 0
	}
	if e.size > 0 {
		w.files = append(w.files, distinct{start: cur.start, first: uint32(len(w.arena)), blocks: uint32(len(cur.blocks)),
			frag: cur.frag, fragOff: cur.fragOff, sparse: cur.sparse})
		w.arena = append(w.arena, cur.blocks...)
	}
	return cur
}
