package btrfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestUUIDIndependentOfHost: btrfs-progs before 6.6 refuses a -U UUID
// that libblkid finds on the host, in its cache or on a block device. An
// image with the UUID is first made known to the host (blkid on the file,
// which root's blkid caches; then a loop device of it), plain mkfs.btrfs
// is shown to refuse the UUID, and the plan still builds.
func TestUUIDIndependentOfHost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: unprivileged blkid keeps no cache, and loop devices need root")
	}
	v := installed(t)
	blkid := testutil.Tool(t, "blkid", "util-linux")
	p := params(t)
	first := build(t, smallTree(), p, 300<<20)
	kept := filepath.Join(t.TempDir(), "known.img") // outlives build's directory
	if err := os.Rename(first, kept); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(kept)
		exec.Command(blkid, "-g").Run() // drop the cache entry of the removed file
	})
	out, err := exec.Command(blkid, kept).CombinedOutput()
	if err != nil || !strings.Contains(string(out), mkfs.UUIDString(testUUID)) {
		t.Fatalf("blkid %s: %v\n%s", kept, err, out)
	}
	plain := func() error {
		f := filepath.Join(t.TempDir(), "plain.img")
		os.WriteFile(f, nil, 0o644)
		os.Truncate(f, 300<<20)
		c := exec.Command(testutil.Tool(t, "mkfs.btrfs", "btrfs-progs"), "-U", mkfs.UUIDString(testUUID), f)
		c.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		b, err := c.CombinedOutput()
		if err != nil && !strings.Contains(string(b), "non-unique UUID") {
			t.Fatalf("plain mkfs.btrfs: %v\n%s", err, b)
		}
		return err
	}
	if v.Release() < releaseUUIDNotProbed {
		if plain() == nil {
			t.Fatal("plain mkfs.btrfs accepted a UUID in the blkid cache: the test no longer sets the trap")
		}
	}
	check(t, build(t, smallTree(), p, 300<<20))

	loop, err := exec.Command("losetup", "-r", "-f", "--show", kept).Output()
	if err != nil {
		t.Logf("no loop device (%v): the block-device case is not tested", err)
		return
	}
	dev := strings.TrimSpace(string(loop))
	defer exec.Command("losetup", "-d", dev).Run()
	if v.Release() < releaseUUIDNotProbed {
		if plain() == nil {
			t.Fatal("plain mkfs.btrfs accepted a UUID of a loop device")
		}
	}
	check(t, build(t, smallTree(), p, 300<<20))
}
