package nix

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fileHashes maps every regular file below dir to its sha256.
func fileHashes(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kernelCheckVerityStore boots Linux on the verity-store image that a Nix
// derivation built with gorepart as its builder: the ESP and the erofs
// store through dm-verity (root hash = data UUID ‖ hash UUID) must mount
// and every file must read back.
func kernelCheckVerityStore(t *testing.T, img string, uuids []string) {
	check, err := filepath.Abs("../../shared/tools/kernel-check")
	if err != nil {
		t.Fatal(err)
	}
	if len(uuids) != 3 {
		t.Fatalf("want 3 partition UUIDs, got %v", uuids)
	}
	hex := func(u string) string { return strings.ToLower(strings.ReplaceAll(u, "-", "")) }
	roothash := hex(uuids[2]) + hex(uuids[1])
	spec := map[string]any{"partition_count": 3, "partitions": []map[string]any{
		{"partno": 1, "fstype": "vfat", "files": fileHashes(t, "../testdata/examples/tree/esp")},
		{"partno": 2, "fstype": "none"},
		{"partno": 3, "fstype": "erofs", "files": fileHashes(t, "../testdata/examples/tree/usr"),
			"verity": map[string]any{"hash_partno": 2, "roothash": roothash, "uuid_from_roothash": true}},
	}}
	data, _ := json.Marshal(spec)
	specPath := filepath.Join(t.TempDir(), "spec.json")
	os.WriteFile(specPath, data, 0o644)
	cmd := exec.Command(check, img, specPath)
	cmd.Env = append(os.Environ(), "KC_TIMEOUT=300")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "kernel-check: PASS") {
		t.Fatalf("kernel-check on the Nix-built image: %v\n%s", err, tail(out))
	}
}
