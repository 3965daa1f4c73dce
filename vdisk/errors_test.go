package vdisk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefused checks that what Write cannot do right is refused with an
// error naming the reason.
func TestRefused(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		size  int64
		p     Params
		error string
	}{
		{"unknown format", 4 * miB, Params{Format: "qed"}, `unknown disk image format "qed"`},
		{"unknown subformat", 4 * miB, Params{Format: "vpc", Subformat: "differencing"}, `unknown subformat "differencing"`},
		{"subformat of qcow2", 4 * miB, Params{Format: "qcow2", Subformat: "dynamic"}, "has no subformats"},
		{"vhdx fixed", 4 * miB, Params{Format: "vhdx", Subformat: "fixed"}, `unknown subformat "fixed"`},
		{"sector size", 4 * miB, Params{Format: "qcow2", SectorSize: 1024}, "sector size 1024"},
		{"odd size", 4*miB + 100, Params{Format: "vdi"}, "not a positive multiple of the sector size 512"},
		{"4096 sectors", 4*miB + 512, Params{Format: "vhdx", SectorSize: 4096}, "multiple of the sector size 4096"},
		{"fixed VHD not MiB", 4*miB + 512, Params{Format: "vpc", Subformat: "fixed"}, "image is 4194816 bytes; make it 5242880 bytes"},
		{"VHD too large", 2041 * giB, Params{Format: "vpc"}, "exceeds the VHD limit"},
		{"vmdk name", 4 * miB, Params{Format: "vmdk", Name: `a"b.vmdk`}, "cannot be recorded in a vmdk descriptor"},
		{"vmdk path", 4 * miB, Params{Format: "vmdk", Subformat: "streamOptimized", Name: "x/b.vmdk"}, "cannot be recorded in a vmdk descriptor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := makeRaw(t, dir, shape{"r", c.size, nil})
			src, err := os.Open(raw)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			err = Write(dst, src, c.size, c.p)
			if err == nil || !strings.Contains(err.Error(), c.error) {
				t.Fatalf("Write: %v, want an error containing %q", err, c.error)
			}
		})
	}
}

// TestSizeMismatch refuses a raw image that is not of the size given.
func TestSizeMismatch(t *testing.T) {
	dir := t.TempDir()
	raw := makeRaw(t, dir, shape{"r", 4 * miB, nil})
	src, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := Write(dst, src, 8*miB, Params{Format: "qcow2"}); err == nil || !strings.Contains(err.Error(), "is 4194304 bytes, not 8388608") {
		t.Fatalf("Write: %v", err)
	}
}

// TestProgress sees the whole image reported and a callback error stop
// the write with that error.
func TestProgress(t *testing.T) {
	dir := t.TempDir()
	s := testShapes()[0]
	raw := makeRaw(t, dir, s)
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var last int64
			p := testParams(format, "")
			p.Progress = func(done int64) error {
				if done < last || done > s.size {
					t.Errorf("progress %d after %d", done, last)
				}
				last = done
				return nil
			}
			convert(t, t.TempDir(), raw, p)
			if last != s.size {
				t.Errorf("last progress %d, want %d", last, s.size)
			}
			stop := os.ErrDeadlineExceeded
			p.Progress = func(int64) error { return stop }
			src, _ := os.Open(raw)
			defer src.Close()
			dst, _ := os.Create(filepath.Join(t.TempDir(), "out"))
			defer dst.Close()
			if err := Write(dst, src, s.size, p); err == nil || !strings.Contains(err.Error(), stop.Error()) {
				t.Fatalf("Write with a failing progress callback: %v", err)
			}
		})
	}
}
