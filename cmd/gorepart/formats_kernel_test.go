package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestKernelCheckFormats builds an image with the formats beyond the
// example's — an encrypted ext4 root (LUKS2), xfs, btrfs, squashfs — and has Linux
// open the LUKS2 volume with dm-crypt and mount every filesystem in qemu,
// hashing every file against the source (internal/vmcheck); the encrypted
// ext4 is also mounted read-write and written to.
func TestKernelCheckFormats(t *testing.T) {
	testutil.Tool(t, "mkfs.xfs", "xfsprogs")
	testutil.Tool(t, "mkfs.btrfs", "btrfs-progs")
	tree := filepath.Join(repoDir(t), "testdata", "examples", "tree")
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	for name, conf := range map[string]string{
		"10-root.conf": "[Partition]\nType=root\nFormat=ext4\nEncrypt=key-file\nCopyFiles=/root:/\nSizeMinBytes=64M\n",
		"20-home.conf": "[Partition]\nType=home\nFormat=xfs\nMinimize=guess\nCopyFiles=/root:/\n",
		// btrfs-progs before 6.11 cannot set the root directory's
		// user.validatefs.* attributes (gorepart refuses rather than
		// dropping them).
		"30-srv.conf": "[Partition]\nType=srv\nFormat=btrfs\nMinimize=best\nAddValidateFS=no\nCopyFiles=/usr:/\n",
		"40-usr.conf": "[Partition]\nType=usr\nFormat=squashfs\nMinimize=best\nCompression=xz\nCopyFiles=/usr:/\n",
	} {
		os.WriteFile(filepath.Join(defs, name), []byte(conf), 0o644)
	}
	key := filepath.Join(dir, "key")
	os.WriteFile(key, []byte("a key file\n"), 0o600)
	image := filepath.Join(dir, "formats.raw")
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=short", "--owner=root",
		"--key-file=" + key, "--definitions=" + defs, "--copy-source=" + tree, image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string {
		return map[string]string{"SOURCE_DATE_EPOCH": "1700000000", "PATH": os.Getenv("PATH")}[k]
	}); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	var rows []struct {
		Type   string `json:"type"`
		UUID   string `json:"uuid"`
		PartNo int    `json:"partno"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	spec := &vmcheck.Spec{PartitionCount: len(rows)}
	for _, r := range rows {
		p := &vmcheck.Partition{PartNo: r.PartNo + 1, UUID: strings.ToUpper(r.UUID)}
		switch r.Type {
		case "root-x86-64":
			// Written to as well: the sectors the ext4 writer left alone
			// in the LUKS2 volume decrypt to noise (HolesUnread).
			p.FSType, p.LUKS, p.WriteTest = "ext4", &vmcheck.LUKS{KeyFile: key}, true
			testutil.DirContents(t, p, filepath.Join(tree, "root"))
		case "home":
			p.FSType = "xfs"
			testutil.DirContents(t, p, filepath.Join(tree, "root"))
		case "srv":
			p.FSType = "btrfs"
			testutil.DirContents(t, p, filepath.Join(tree, "usr"))
		case "usr-x86-64":
			p.FSType = "squashfs"
			testutil.DirContents(t, p, filepath.Join(tree, "usr"))
		}
		spec.Partitions = append(spec.Partitions, p)
	}
	res := testutil.VMCheck(t, image, spec)
	for _, want := range []string{"mounted read-write, wrote 1000 files", "remounted read-only: the 1000 new files read back"} {
		found := false
		for _, l := range res.Lines {
			found = found || (l.Kind == "PASS" && strings.Contains(l.Text, want))
		}
		if !found {
			t.Errorf("vmcheck did not report %q:\n%s", want, res)
		}
	}
}
