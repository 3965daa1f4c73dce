package swap

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMatchesMkswap compares our header page with mkswap's for the same
// size, UUID and label.
func TestMatchesMkswap(t *testing.T) {
	mkswap, err := exec.LookPath("mkswap")
	if err != nil {
		t.Fatalf("mkswap not found: apt-get install util-linux")
	}
	uuid := [16]byte{0xe8, 0x19, 0x06, 0x72, 0xb4, 0x0d, 0x45, 0xe4, 0xa7, 0xcb, 0x19, 0x8b, 0x53, 0x20, 0x75, 0x86}
	for _, tc := range []struct {
		size  int64
		label string
	}{{32 << 20, "label2"}, {10 * PageSize, ""}, {64<<20 + 123, "a-label-longer-than-15"}} {
		dir := t.TempDir()
		ref := filepath.Join(dir, "ref")
		if err := os.WriteFile(ref, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(ref, tc.size); err != nil {
			t.Fatal(err)
		}
		args := []string{"-U", "e8190672-b40d-45e4-a7cb-198b53207586", ref}
		if tc.label != "" {
			args = append([]string{"-L", MangleLabel(tc.label)}, args...)
		}
		if out, err := exec.Command(mkswap, args...).CombinedOutput(); err != nil {
			t.Fatalf("mkswap: %v\n%s", err, out)
		}
		want, _ := os.ReadFile(ref)

		ours := filepath.Join(dir, "ours")
		f, err := os.Create(ours)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(tc.size)
		if err := Write(f, tc.size, uuid, tc.label); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, _ := os.ReadFile(ours)
		if !bytes.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("size %d label %q: first difference at byte %d: %#x vs mkswap %#x", tc.size, tc.label, i, got[i], want[i])
				}
			}
		}
	}
}

func TestTooSmall(t *testing.T) {
	if err := Write(nil, 9*PageSize, [16]byte{}, ""); err == nil {
		t.Fatal("expected an error for a 9-page swap area")
	}
}
