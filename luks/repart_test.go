package luks

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRepartReference runs the real systemd-repart 262 (path in
// GOREPART_REFERENCE_REPART; skipped without it) to make an encrypted ext4
// partition offline, and checks the layout rule the Writer follows: data
// segment at HeaderSize, dynamic, and an ext4 of exactly partition size less
// KeepFree in it; our reader must open it with the key file and e2fsck must
// pass on the plaintext.
func TestRepartReference(t *testing.T) {
	repart := os.Getenv("GOREPART_REFERENCE_REPART")
	if repart == "" {
		t.Skip("GOREPART_REFERENCE_REPART not set")
	}
	dir := t.TempDir()
	defs := filepath.Join(dir, "defs")
	os.Mkdir(defs, 0o755)
	conf := "[Partition]\nType=linux-generic\nLabel=data\nFormat=ext4\nEncrypt=key-file\nEncryptKDF=minimal\nSizeMinBytes=80M\nSizeMaxBytes=80M\n"
	if err := os.WriteFile(filepath.Join(defs, "10-data.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	key := []byte("repart key\n")
	img := filepath.Join(dir, "img")
	cmd := exec.Command(repart, "--empty=create", "--size=auto", "--offline=yes", "--seed=750b6cd5c4ae4012a15e7be3c29e6a47",
		"--definitions="+defs, "--key-file="+writeKeyFile(t, key), "--json=short", img)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	var parts []struct {
		Offset  int64 `json:"offset"`
		RawSize int64 `json:"raw_size"`
	}
	if err := json.Unmarshal(out, &parts); err != nil || len(parts) != 1 {
		t.Fatalf("repart JSON %s: %v", out, err)
	}
	p := parts[0]
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	part := io.NewSectionReader(f, p.Offset, p.RawSize)
	r, err := OpenReader(part, p.RawSize, key)
	if err != nil {
		t.Fatal(err)
	}
	seg := r.Header().Metadata.Segments["0"]
	if seg.Offset != HeaderSize || seg.Size != "dynamic" || seg.SectorSize != 4096 || r.Size() != p.RawSize-HeaderSize {
		t.Fatalf("segment %+v, size %d of partition %d", seg, r.Size(), p.RawSize)
	}
	if r.Header().Label != "luks-data" {
		t.Fatalf("label %q", r.Header().Label)
	}
	sb := make([]byte, 1024)
	if _, err := r.ReadAt(sb, 1024); err != nil {
		t.Fatal(err)
	}
	blocks := int64(binary.LittleEndian.Uint32(sb[4:])) | int64(binary.LittleEndian.Uint32(sb[0x150:]))<<32
	if binary.LittleEndian.Uint16(sb[0x38:]) != 0xef53 || blocks*4096 != p.RawSize-KeepFree {
		t.Fatalf("ext4 of %d blocks in a partition of %d bytes, want partition - KeepFree", blocks, p.RawSize)
	}
	plain := make([]byte, r.Size())
	if _, err := r.ReadAt(plain, 0); err != nil {
		t.Fatal(err)
	}
	dec := filepath.Join(dir, "dec")
	if err := os.WriteFile(dec, plain[:blocks*4096], 0o600); err != nil {
		t.Fatal(err)
	}
	e2fsck(t, dec)
}
