package vmcheck_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestSelftest proves the check can pass and fail: an image made with
// the standard tools passes; a flipped byte in a verity-protected file,
// a flipped byte in the ext4 superblock, and a spec wrong in ten places
// each fail, for the reasons expected.
func TestSelftest(t *testing.T) {
	if testing.Short() {
		t.Skip("boots a VM four times")
	}
	st := buildSelftest(t)
	t.Run("good", func(t *testing.T) {
		testutil.VMCheck(t, st.image, st.spec)
	})
	t.Run("erofs-verity", func(t *testing.T) {
		testutil.FlipByte(t, st.image, st.marker, 0xff)
		defer testutil.FlipByte(t, st.image, st.marker, 0xff)
		res := testutil.VMCheckFails(t, st.image, st.spec)
		wantFailures(t, res, "p3: veritysetup verify", "guest: p3: ")
	})
	t.Run("ext4-superblock", func(t *testing.T) {
		at := st.offsets[1] + 1024 // s_inodes_count, covered by the metadata checksum
		testutil.FlipByte(t, st.image, at, 0xff)
		defer testutil.FlipByte(t, st.image, at, 0xff)
		res := testutil.VMCheckFails(t, st.image, st.spec)
		wantFailures(t, res, "host: p2: e2fsck", "guest: p2: mount")
	})
	t.Run("spec-mismatch", func(t *testing.T) {
		spec := mismatch(st.spec)
		res := testutil.VMCheckFails(t, st.image, spec)
		wantFailures(t, res,
			`p1: file "efi/boot/bootx64.efi": not listed with that case`,
			`p2: file "etc/os-release": sha256`,
			`p2: symlink "bin/sh" -> "busybox", want "busybox2"`,
			`p2: mode "bin/busybox" is 0755, want 0700`,
			`p2: owner "etc/shadow" is 0:42, want 0:0`,
			`p2: "etc" exists but must be absent`,
			`p3: file "lib/missing": `,
			`p6: dir "a/one.txt": not a directory`,
			`p8: owner "etc/shadow" is 0:42, want 1:1`,
			`host: p9: cryptsetup luksDump --dump-volume-key`)
	})
}

// mismatch is the spec wrong in ten places.
func mismatch(good *vmcheck.Spec) *vmcheck.Spec {
	s := *good
	s.Partitions = nil
	for _, p := range good.Partitions {
		c := *p
		c.Files, c.Symlinks, c.Modes, c.Owners = clone(p.Files), clone(p.Symlinks), clone(p.Modes), clone(p.Owners)
		c.Dirs, c.Absent = append([]string(nil), p.Dirs...), append([]string(nil), p.Absent...)
		s.Partitions = append(s.Partitions, &c)
	}
	ps := s.Partitions
	ps[0].Files["efi/boot/bootx64.efi"] = ps[0].Files["EFI/BOOT/BOOTX64.EFI"]
	ps[1].Files["etc/os-release"] = strings.Repeat("0", 64)
	ps[1].Symlinks["bin/sh"] = "busybox2"
	ps[1].Modes["bin/busybox"] = "0700"
	ps[1].Owners["etc/shadow"] = "0:0"
	ps[1].Absent = append(ps[1].Absent, "etc")
	ps[2].Files["lib/missing"] = ps[2].Files["lib/small.bin"]
	ps[5].Dirs = append(ps[5].Dirs, "a/one.txt")
	ps[7].Owners["etc/shadow"] = "1:1"
	wrongKey := *ps[8].LUKS
	wrongKey.KeyFile += ".wrong"
	os.WriteFile(wrongKey.KeyFile, []byte("not the passphrase"), 0o600)
	ps[8].LUKS = &wrongKey
	return &s
}

func clone(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// wantFailures checks that a failure line contains each of the texts.
func wantFailures(t *testing.T, res *vmcheck.Result, texts ...string) {
	t.Helper()
	fails := strings.Join(res.Failures(), "\n")
	for _, s := range texts {
		if !strings.Contains(fails, s) {
			t.Errorf("no failure mentions %q; failures:\n%s", s, fails)
		}
	}
}
