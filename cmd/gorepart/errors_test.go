package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusals: every input systemd-repart refuses is refused with one
// line naming the file (and line and key where there is one), a non-zero
// exit status, and no image or temporary file left behind.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		setup func(t *testing.T, dir string)
		want  []string // substrings of the one error line
	}{
		{name: "missing Type=",
			files: map[string]string{"10-a.conf": "[Partition]\nSizeMinBytes=10M\n"},
			want:  []string{"10-a.conf", "Type="}},
		{name: "SizeMinBytes above SizeMaxBytes",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nSizeMinBytes=20M\nSizeMaxBytes=10M\n"},
			want:  []string{"10-a.conf"}},
		{name: "does not fit --size",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nSizeMinBytes=200M\n"},
			args:  []string{"--size=100M"},
			want:  []string{"fit"}},
		{name: "missing CopyBlocks= file",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nCopyBlocks=/nonexistent/blob.img\n"},
			want:  []string{"10-a.conf:3", "CopyBlocks"}},
		{name: "CopyBlocks= with Format=",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nCopyBlocks=/dev/null\nFormat=ext4\n"},
			want:  []string{"10-a.conf", "CopyBlocks"}},
		{name: "verity data without hash",
			files: map[string]string{"10-a.conf": "[Partition]\nType=usr\nCopyBlocks=@BLOB@\nVerity=data\nVerityMatchKey=usr\n"},
			want:  []string{"10-a.conf", "Verity"}},
		{name: "two verity data partitions for one key",
			files: map[string]string{
				"10-a.conf": "[Partition]\nType=usr\nCopyBlocks=@BLOB@\nVerity=data\nVerityMatchKey=usr\n",
				"11-b.conf": "[Partition]\nType=usr\nCopyBlocks=@BLOB@\nVerity=data\nVerityMatchKey=usr\n",
				"12-h.conf": "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\n"},
			want: []string{".conf", "Verity"}},
		{name: "populated swap",
			files: map[string]string{"10-a.conf": "[Partition]\nType=swap\nCopyFiles=/etc:/etc\n"},
			want:  []string{"10-a.conf", "swap"}},
		// As in repart 262, the user.validatefs xattrs count as content
		// (partition_needs_populate), so only AddValidateFS=no leaves an
		// erofs without sources.
		{name: "read-only filesystem without sources",
			files: map[string]string{"10-a.conf": "[Partition]\nType=usr\nFormat=erofs\nAddValidateFS=no\n"},
			want:  []string{"10-a.conf", "erofs"}},
		// Never plaintext where encryption was asked: a TPM2 cannot be
		// enrolled offline.
		{name: "Encrypt=tpm2",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nFormat=ext4\nEncrypt=tpm2\n"},
			want:  []string{"10-a.conf:4", "Encrypt=", "TPM2"}},
		{name: "Integrity=inline",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nFormat=ext4\nEncrypt=key-file\nIntegrity=inline\n"},
			want:  []string{"10-a.conf:5", "Integrity="}},
		{name: "Encrypt= in a drop-in",
			files: map[string]string{"10-a.conf": "[Partition]\nType=home\nFormat=ext4\n",
				"10-a.conf.d/luks.conf": "[Partition]\nEncrypt=tpm2\n"},
			want: []string{"luks.conf:2", "Encrypt="}},
		{name: "fsverity=copy",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nFormat=ext4\nCopyFiles=/etc/hostname:/h:fsverity=copy\n"},
			want:  []string{"10-a.conf:4", "CopyFiles=", "fsverity"}},
		{name: "Compression= on ext4",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nFormat=ext4\nCopyFiles=/etc/hostname:/h\nCompression=zstd\n"},
			want:  []string{"10-a.conf:5", "Compression=", "ext4"}},
		{name: "Subvolumes= on ext4",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\nFormat=ext4\nMakeDirectories=/a\nSubvolumes=/a\n"},
			want:  []string{"10-a.conf:5", "Subvolumes=", "btrfs"}},
		{name: "existing output with --empty=create",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\n"},
			setup: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, "image.raw"), []byte("keep me"), 0o644)
			},
			want: []string{"image.raw", "exists"}},
		{name: "manifest not JSON",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\n", "manifest.json": "{not json"},
			args:  []string{"--manifest=@DIR@/manifest.json"},
			want:  []string{"manifest.json"}},
		{name: "manifest partition without .conf or repartConfig",
			files: map[string]string{"10-a.conf": "[Partition]\nType=linux-generic\n", "manifest.json": `{"20-b": {"contents": {}}}`},
			args:  []string{"--manifest=@DIR@/manifest.json"},
			want:  []string{"manifest.json", "20-b"}},
		{name: "manifest closure file missing",
			files: map[string]string{"manifest.json": `{"20-b": {"closure": "/nonexistent/store-paths", "storePaths": ["/nix/store/x"], "repartConfig": {"Type": "linux-generic", "Format": "ext4"}}}`},
			args:  []string{"--manifest=@DIR@/manifest.json"},
			want:  []string{"manifest.json", "closure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			defs := filepath.Join(dir, "repart.d")
			os.Mkdir(defs, 0o755)
			blob := filepath.Join(dir, "blob.img")
			os.WriteFile(blob, bytes.Repeat([]byte{1}, 1<<20), 0o644)
			for name, text := range tc.files {
				text = strings.ReplaceAll(text, "@BLOB@", blob)
				where := defs
				if name == "manifest.json" {
					where = dir
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(where, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(where, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			before := listDir(t, dir)
			args := []string{"gorepart", "--empty=create", "--dry-run=no", "--json=pretty", "--definitions=" + defs}
			if !containsPrefix(tc.args, "--size") {
				args = append(args, "--size=auto")
			}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "@DIR@", dir))
			}
			args = append(args, filepath.Join(dir, "image.raw"))
			var stdout, stderr bytes.Buffer
			rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" })
			if rc == 0 {
				t.Fatalf("exit status 0, want failure; stderr:\n%s", stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			last := lines[len(lines)-1]
			t.Log(last)
			for _, w := range tc.want {
				if !strings.Contains(last, w) {
					t.Errorf("error line %q does not mention %q", last, w)
				}
			}
			if after := listDir(t, dir); after != before {
				t.Errorf("files changed by a failed run:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

func containsPrefix(l []string, prefix string) bool {
	for _, s := range l {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// listDir lists every file under dir with its size.
func listDir(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(dir, path)
			b.WriteString(rel + " ")
		}
		return nil
	})
	return b.String()
}

// TestImageInMissingDirectory: an image path whose directory does not
// exist is refused naming the image, not a definition or a temporary file.
func TestImageInMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nCopyFiles=/etc/hostname:/h\n"), 0o644)
	image := filepath.Join(dir, "missing", "image.raw")
	var stdout, stderr bytes.Buffer
	rc := run(context.Background(), []string{"gorepart", "--empty=create", "--size=auto", "--definitions=" + defs, image},
		nil, &stdout, &stderr, func(string) string { return "" })
	msg := strings.TrimSpace(stderr.String())
	if rc == 0 || !strings.Contains(msg, "cannot create image "+image) || strings.Contains(msg, ".conf") {
		t.Errorf("exit %d, stderr %q: want the image named, no definition blamed", rc, msg)
	}
}

// TestLogNamesNoTemporaryFile: the log of a build with minimized,
// spilled and verity partitions names partitions, never gorepart's
// temporary or spill files.
func TestLogNamesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	rc := run(context.Background(), []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--verbose",
		"--definitions=../../testdata/examples/repart.d", "--copy-source=../../testdata/examples/tree",
		"--image-id=example", "--image-version=1", filepath.Join(dir, "image.raw")},
		nil, &stdout, &stderr, func(string) string { return "" })
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, stderr.String())
	}
	for _, bad := range []string{".gorepart", "spill", ".tmp"} {
		if strings.Contains(stderr.String(), bad) {
			t.Errorf("log mentions %q:\n%s", bad, stderr.String())
		}
	}
}
