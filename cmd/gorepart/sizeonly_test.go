package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/repart"
)

// TestSizeOnlyMatchesBuild: without an image argument the printed minimal
// size is the size a build of the same definitions makes — content read
// and minimized as the build does (it ignored the content before).
func TestSizeOnlyMatchesBuild(t *testing.T) {
	big := t.TempDir()
	data := make([]byte, 24<<20)
	for i := range data {
		data[i] = byte(i*2654435761>>13) | 1
	}
	if err := os.WriteFile(filepath.Join(big, "blob"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	guess := t.TempDir()
	os.WriteFile(filepath.Join(guess, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nMinimize=guess\nCopyFiles="+big+":/data\n"), 0o644)
	erofs := t.TempDir()
	os.WriteFile(filepath.Join(erofs, "10-usr.conf"), []byte("[Partition]\nType=usr\nFormat=erofs\nMinimize=best\nCopyFiles="+big+":/\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"example", []string{"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + filepath.Join(examples, "tree")}},
		{"ext4 Minimize=guess", []string{"--definitions=" + guess}},
		{"erofs Minimize=best", []string{"--definitions=" + erofs}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "1"}[k] }
			var stdout, stderr bytes.Buffer
			args := append([]string{"gorepart", "--size=auto", "--image-id=x", "--image-version=1"}, tc.args...)
			if rc := run(context.Background(), append(args, "-"), nil, &stdout, &stderr, env); rc != 0 {
				t.Fatalf("size only: exit %d\n%s", rc, stderr.String())
			}
			printed := strings.TrimSpace(stdout.String())
			image := filepath.Join(t.TempDir(), "image.raw")
			stderr.Reset()
			args = append(args, "--empty=create", "--dry-run=no", "--json=off", "--quiet", image)
			if rc := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr, env); rc != 0 {
				t.Fatalf("build: exit %d\n%s", rc, stderr.String())
			}
			st, err := os.Stat(image)
			if err != nil {
				t.Fatal(err)
			}
			want := "Automatically determined minimal disk image size as " + repart.FormatBytes(uint64(st.Size())) + "."
			if printed != want {
				t.Errorf("printed %q, the build made %d bytes (%q)", printed, st.Size(), want)
			}
		})
	}
}
