package nix

import (
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// kernelCheckVerityStore boots Linux on the verity-store image that a Nix
// derivation built with gorepart as its builder (internal/vmcheck): the
// ESP and the erofs store through dm-verity (root hash = data UUID ‖ hash
// UUID) must mount and every file must read back.
func kernelCheckVerityStore(t *testing.T, img string, uuids []string) {
	if len(uuids) != 3 {
		t.Fatalf("want 3 partition UUIDs, got %v", uuids)
	}
	hex := func(u string) string { return strings.ToLower(strings.ReplaceAll(u, "-", "")) }
	roothash := hex(uuids[2]) + hex(uuids[1])
	esp := testutil.DirContents(t, &vmcheck.Partition{PartNo: 1, FSType: "vfat"}, "../testdata/examples/tree/esp")
	store := testutil.DirContents(t, &vmcheck.Partition{PartNo: 3, FSType: "erofs",
		Verity: &vmcheck.Verity{HashPartNo: 2, RootHash: roothash, UUIDFromRootHash: true}}, "../testdata/examples/tree/usr")
	for _, p := range []*vmcheck.Partition{esp, store} {
		// Only the files' contents: the store's modes are the Nix store's.
		p.Symlinks, p.Modes, p.Owners, p.Dirs = nil, nil, nil, nil
	}
	testutil.VMCheck(t, img, &vmcheck.Spec{PartitionCount: 3, Partitions: []*vmcheck.Partition{
		esp, {PartNo: 2, FSType: "none"}, store}})
}
