package btrfs

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestNotReproducible measures what differs between two builds of the
// same tree with the same Params and SOURCE_DATE_EPOCH (doc.go lists it):
// the filesystem UUID and label are ours, but mkfs.btrfs draws the device
// and chunk tree UUIDs at random and stamps times. The test fails if the
// two images ever come out identical, so that doc.go gets updated.
func TestNotReproducible(t *testing.T) {
	p := params(t)
	sde := time.Unix(1700000000, 0)
	p.SourceDateEpoch = &sde
	p.Minimize = true
	tr := smallTree()
	a := build(t, tr, p, 0)
	time.Sleep(1100 * time.Millisecond) // another second for every clock read
	b := build(t, tr, p, 0)
	diff, _, err := testtree.DiffFiles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if diff == 0 {
		t.Fatal("two builds are byte-identical: mkfs.btrfs became reproducible, update doc.go")
	}
	sa, sb := super(t, a), super(t, b)
	var fields []string
	for k, v := range sa {
		if sb[k] != v {
			fields = append(fields, k)
		}
	}
	t.Logf("%d bytes differ; superblock fields that differ: %v", diff, fields)
	for _, k := range []string{"fsid", "label", "metadata_uuid"} {
		if sa[k] != sb[k] {
			t.Errorf("%s differs: %s, %s", k, sa[k], sb[k])
		}
	}
	if sa["dev_item.uuid"] == sb["dev_item.uuid"] {
		t.Error("the device UUID is no longer random: update doc.go")
	}
}

// super returns the fields of dump-super, the device line left out.
func super(t *testing.T, img string) map[string]string {
	out, err := exec.Command(testutil.Tool(t, "btrfs", "btrfs-progs"), "inspect-internal", "dump-super", img).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(bytes.TrimSpace(out)), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && !strings.HasPrefix(l, "superblock:") {
			m[f[0]] = strings.Join(f[1:], " ")
		}
	}
	return m
}
