package erofs

import (
	"testing"
	"unsafe"
)

// TestNodeSize keeps the per-inode plan small: a node is all the memory
// an inode without xattrs costs (hardlinks, xattrs and compressed indexes
// aside).
func TestNodeSize(t *testing.T) {
	if s := unsafe.Sizeof(node{}); s > 48 {
		t.Fatalf("node is %d bytes, want at most 48", s)
	}
}
