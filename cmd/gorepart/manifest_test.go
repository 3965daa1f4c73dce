package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestEras gives the same partitions in the shapes nixpkgs'
// image.repart produced over the years (docs/spec/nixpkgs-manifest.md)
// and requires the same image from each.
func TestManifestEras(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	var closure []string
	for _, name := range []string{"aaaa-hello-1.0", "bbbb-glibc-2.40", "cccc-nixos-system"} {
		p := filepath.Join(store, name)
		os.MkdirAll(filepath.Join(p, "bin"), 0o755)
		os.WriteFile(filepath.Join(p, "bin", "run"), []byte("#!/bin/sh\necho "+name+"\n"), 0o755)
		closure = append(closure, p)
	}
	closureFile := filepath.Join(dir, "store-paths")
	os.WriteFile(closureFile, []byte(strings.Join(closure, "\n")+"\n"), 0o644)
	esp := filepath.Join(dir, "BOOTX64.EFI")
	os.WriteFile(esp, bytes.Repeat([]byte("efi"), 1000), 0o644)
	defs := filepath.Join(dir, "repart.d")
	os.MkdirAll(defs, 0o755)

	espPart := map[string]any{
		"contents":     map[string]any{"/EFI/BOOT/BOOTX64.EFI": map[string]string{"source": esp}},
		"repartConfig": map[string]any{"Type": "esp", "Format": "vfat", "SizeMinBytes": "96M", "SizeMaxBytes": "96M"},
	}
	storeConfig := map[string]any{"Type": "linux-generic", "Format": "erofs", "Label": "store", "Minimize": "best", "SplitName": "store"}
	build := func(name string, storePart map[string]any) [32]byte {
		storePart["repartConfig"] = storeConfig
		manifest, _ := json.Marshal(map[string]any{"00-esp": espPart, "20-store": storePart})
		path := filepath.Join(dir, name+".json")
		os.WriteFile(path, manifest, 0o644)
		image := filepath.Join(dir, name+".raw")
		var stdout, stderr bytes.Buffer
		args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--sector-size=512",
			"--definitions=" + defs, "--manifest=" + path, image}
		if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string {
			if k == "SOURCE_DATE_EPOCH" {
				return "1"
			}
			return ""
		}); rc != 0 {
			t.Fatalf("%s: exit %d\n%s", name, rc, stderr.String())
		}
		data, _ := os.ReadFile(image)
		return sha256.Sum256(data)
	}
	roots := []string{closure[2]}

	// Store paths land at /<basename>.
	stripped := map[string][32]byte{
		"2024-strip-true":  build("a", map[string]any{"storePaths": roots, "closure": closureFile, "stripNixStorePrefix": true}),
		"2025-prefix-root": build("b", map[string]any{"storePaths": roots, "closure": closureFile, "nixStorePrefix": "/", "stripNixStorePrefix": "_mkMergedOptionModule"}),
		"2025-strip-true":  build("c", map[string]any{"storePaths": roots, "closure": closureFile, "stripNixStorePrefix": true, "nixStorePrefix": "/"}),
	}
	// Store paths land at their own path.
	unstripped := map[string][32]byte{
		"2023-no-closure":   build("d", map[string]any{"storePaths": closure, "stripNixStorePrefix": false}),
		"2024-strip-false":  build("e", map[string]any{"storePaths": roots, "closure": closureFile, "stripNixStorePrefix": false, "nixStorePrefix": store}),
		"2025-prefix-store": build("f", map[string]any{"storePaths": roots, "closure": closureFile, "nixStorePrefix": store, "stripNixStorePrefix": "_mkMergedOptionModule"}),
	}
	for _, group := range []map[string][32]byte{stripped, unstripped} {
		var first [32]byte
		var firstName string
		for name, sum := range group {
			if firstName == "" {
				first, firstName = sum, name
				continue
			}
			if sum != first {
				t.Errorf("%s and %s give different images", firstName, name)
			}
		}
	}
	if stripped["2024-strip-true"] == unstripped["2023-no-closure"] {
		t.Error("stripped and unstripped store paths gave the same image")
	}
}
