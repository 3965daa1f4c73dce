// Package swap writes a Linux swap area header (version 1, "SWAPSPACE2"),
// as mkswap -L LABEL -U UUID does: one page holding the header and the
// signature; the rest of the area is left as it is (zero in a new image).
//
// It refuses areas smaller than 10 pages, as mkswap does.
package swap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// On-disk layout (linux/include/linux/swap.h, union swap_header).
const (
	PageSize     = 4096 // x86-64/arm64 page size, what mkswap uses there
	headerOffset = 1024 // after the boot bits
	labelLen     = 16
	minPages     = 10
	signature    = "SWAPSPACE2"
)

// MangleLabel truncates a label to what the header holds: 15 bytes and a
// NUL, cut at a UTF-8 character boundary (spec §4.4).
func MangleLabel(s string) string {
	if len(s) < labelLen {
		return s
	}
	n := labelLen - 1
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Write writes the header of a swap area of size bytes at offset 0 of w.
func Write(w io.WriterAt, size int64, uuid [16]byte, label string) error {
	pages := size / PageSize
	if pages < minPages {
		return fmt.Errorf("swap area of %d bytes is too small: need at least %d pages of %d bytes", size, minPages, PageSize)
	}
	if pages-1 > 0xFFFFFFFF {
		return fmt.Errorf("swap area of %d bytes is too large", size)
	}
	page := make([]byte, PageSize)
	h := page[headerOffset:]
	le := binary.LittleEndian
	le.PutUint32(h[0:], 1)                      // version
	le.PutUint32(h[4:], uint32(pages-1))        // last_page
	le.PutUint32(h[8:], 0)                      // nr_badpages
	copy(h[12:28], uuid[:])                     // sws_uuid
	copy(h[28:28+labelLen], MangleLabel(label)) // sws_volume
	copy(page[PageSize-len(signature):], signature)
	if _, err := w.WriteAt(page, 0); err != nil {
		return fmt.Errorf("writing swap header: %w", err)
	}
	return nil
}
