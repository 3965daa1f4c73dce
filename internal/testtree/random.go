package testtree

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// Name draws a file name not in taken and adds it there: mostly short
// ones, some of 255 bytes, some with punctuation or outside ASCII.
func Name(r *rand.Rand, taken map[string]bool) string {
	for {
		var n string
		switch r.Intn(10) {
		case 0:
			n = strings.Repeat(string(rune('a'+r.Intn(26))), 255)
		case 1:
			n = fmt.Sprintf("%c-%d", " !#+-,.0Aa~"[r.Intn(11)], r.Intn(100))
		case 2:
			n = "ünï" + fmt.Sprint(r.Intn(1000))
		default:
			n = fmt.Sprintf("f%d", r.Intn(100000))
		}
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
}

// Content draws size bytes of file data: random, text made of words
// (compressible), zeros, or blocks of block bytes each random or zero
// (holes in the middle and at the end).
func Content(r *rand.Rand, size, block int, words []string) []byte {
	b := make([]byte, size)
	switch r.Intn(4) {
	case 0:
		r.Read(b)
	case 1:
		var buf bytes.Buffer
		for buf.Len() < size {
			buf.WriteString(words[r.Intn(len(words))])
		}
		copy(b, buf.Bytes())
	case 2:
	case 3:
		for i := 0; i < size; i += block {
			if r.Intn(2) == 0 {
				r.Read(b[i:min(i+block, size)])
			}
		}
	}
	return b
}

// Add appends an entry name for in to the directory d.
func Add(d *fstree.Inode, name string, in *fstree.Inode) {
	d.Entries = append(d.Entries, &fstree.Entry{Name: name, Inode: in})
}

// Sort orders the entries of d and of every directory below it by name,
// as fstree.Tree requires.
func Sort(d *fstree.Inode) {
	slices.SortFunc(d.Entries, func(a, b *fstree.Entry) int { return strings.Compare(a.Name, b.Name) })
	for _, e := range d.Entries {
		if e.Inode.Kind == fstree.Dir {
			Sort(e.Inode)
		}
	}
}
