package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/luks"
)

// TestEncryptKeyFile: Encrypt=key-file makes LUKS2 volumes cryptsetup
// reads (aes-xts-plain64, repart's UUID and label) and opens with the
// key file and not with another key; the filesystem inside passes its
// checker and holds the source files. The sectors a filesystem's writer
// leaves unwritten stay holes (fsformat.Format.HolesUnread): the checkers
// pass on what they decrypt to, noise; a vfat volume is filled as repart
// fills it.
func TestEncryptKeyFile(t *testing.T) {
	cryptsetup := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	e2fsck := testutil.Tool(t, "e2fsck", "e2fsprogs")
	debugfs := testutil.Tool(t, "debugfs", "e2fsprogs")
	fsckErofs := testutil.Tool(t, "fsck.erofs", "erofs-utils")
	fsckVfat := testutil.Tool(t, "fsck.vfat", "dosfstools")
	unsquashfs := testutil.Tool(t, "unsquashfs", "squashfs-tools")
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nEncrypt=key-file\nMinimize=guess\nCopyFiles=/root:/\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "20-usr.conf"), []byte("[Partition]\nType=usr\nFormat=erofs\nEncrypt=key-file\nVolumeLabel=usr-crypt\nMinimize=best\nCopyFiles=/usr:/\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "40-var.conf"), []byte("[Partition]\nType=var\nFormat=squashfs\nEncrypt=key-file\nMinimize=best\nCopyFiles=/usr:/\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "30-srv.conf"), []byte("[Partition]\nType=srv\nFormat=vfat\nEncrypt=key-file\nSizeMinBytes=64M\nSizeMaxBytes=64M\nCopyFiles=/usr:/\n"), 0o644)
	key := filepath.Join(dir, "key")
	os.WriteFile(key, []byte("correct horse battery staple"), 0o600)
	image := filepath.Join(dir, "image.raw")
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty", "--key-file=" + key,
		"--definitions=" + defs, "--copy-source=" + filepath.Join(examples, "tree"), image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "1"}[k] }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	if n := strings.Count(stdout.String(), `"reproducible" : false`); n != 4 {
		t.Errorf("the report marks %d partitions as not reproducible, want the 4 encrypted ones:\n%s", n, stdout.String())
	}
	f, table := openImage(t, image)
	defer f.Close()
	ss := int64(table.SectorSize)
	for i, want := range []struct{ label, fs, file string }{{"luks-root-x86-64", "ext4", "etc/os-release"}, {"usr-crypt", "erofs", "lib/os-release"}, {"luks-srv", "vfat", "lib/os-release"}, {"luks-var", "squashfs", "lib/os-release"}} {
		e := table.Entries[i]
		off, size := int64(e.FirstLBA)*ss, (int64(e.LastLBA)-int64(e.FirstLBA)+1)*ss
		ext, err := filecopy.DataExtents(f, off, size)
		if err != nil {
			t.Fatal(err)
		}
		var data int64
		for _, x := range ext {
			data += x.Length
		}
		// The LUKS2 header takes 16 MiB, of which the keyslot area is written.
		if holes := size - data; want.fs == "vfat" && holes != 0 {
			t.Errorf("vfat: %d bytes of the volume left unwritten, want every sector encrypted", holes)
		} else if want.fs == "ext4" && holes < size/4 {
			t.Errorf("ext4: %d of %d bytes written: the sectors its writer leaves alone were filled", data, size)
		}
		part := filepath.Join(dir, want.fs+".luks")
		copyOut(t, f, off, size, part)
		dump, err := exec.Command(cryptsetup, "luksDump", part).CombinedOutput()
		if err != nil {
			t.Fatalf("luksDump: %v\n%s", err, dump)
		}
		for _, w := range []string{"Version:       \t2", "cipher: aes-xts-plain64", "Label:         \t" + want.label, "sector: 4096 [bytes]"} {
			if !strings.Contains(string(dump), w) {
				t.Errorf("%s: luksDump lacks %q:\n%s", want.fs, w, dump)
			}
		}
		if out, err := exec.Command(cryptsetup, "open", "--test-passphrase", "--key-file="+key, part).CombinedOutput(); err != nil {
			t.Errorf("%s: the key file does not open it: %v\n%s", want.fs, err, out)
		}
		wrong := filepath.Join(dir, "wrong")
		os.WriteFile(wrong, []byte("wrong"), 0o600)
		if err := exec.Command(cryptsetup, "open", "--test-passphrase", "--key-file="+wrong, part).Run(); err == nil {
			t.Errorf("%s: a wrong key opens it", want.fs)
		}
		src, _ := os.Open(part)
		r, err := luks.OpenReader(src, size, []byte("correct horse battery staple"))
		if err != nil {
			t.Fatal(err)
		}
		plain := filepath.Join(dir, want.fs+".img")
		pf, _ := os.Create(plain)
		io.Copy(pf, io.NewSectionReader(r, 0, r.Size()))
		pf.Close()
		src.Close()
		switch want.fs {
		case "vfat":
			if out, err := exec.Command(fsckVfat, "-n", plain).CombinedOutput(); err != nil {
				t.Errorf("fsck.vfat of the decrypted volume: %v\n%s", err, out)
			}
		case "squashfs":
			srcData, _ := os.ReadFile(filepath.Join(examples, "tree", "usr", want.file))
			out := filepath.Join(dir, "sq")
			if o, err := exec.Command(unsquashfs, "-d", out, plain).CombinedOutput(); err != nil {
				t.Errorf("unsquashfs of the decrypted volume: %v\n%s", err, o)
			}
			if got, _ := os.ReadFile(filepath.Join(out, want.file)); !bytes.Equal(got, srcData) {
				t.Errorf("squashfs /%s differs from the source", want.file)
			}
		case "ext4":
			srcData, _ := os.ReadFile(filepath.Join(examples, "tree", "root", want.file))
			if out, err := exec.Command(e2fsck, "-fn", plain).CombinedOutput(); err != nil {
				t.Errorf("e2fsck of the decrypted volume: %v\n%s", err, out)
			}
			got, err := exec.Command(debugfs, "-R", "cat /"+want.file, plain).Output()
			if err != nil || !bytes.Equal(got, srcData) {
				t.Errorf("ext4 /%s differs from the source (%v)", want.file, err)
			}
		default:
			srcData, _ := os.ReadFile(filepath.Join(examples, "tree", "usr", want.file))
			out := filepath.Join(dir, "x")
			if o, err := exec.Command(fsckErofs, "--extract="+out, plain).CombinedOutput(); err != nil {
				t.Errorf("fsck.erofs of the decrypted volume: %v\n%s", err, o)
			}
			got, _ := os.ReadFile(filepath.Join(out, want.file))
			if sha256.Sum256(got) != sha256.Sum256(srcData) {
				t.Errorf("erofs /%s differs from the source: %s", want.file, hex.EncodeToString(got[:min(len(got), 8)]))
			}
		}
	}
}

func copyOut(t *testing.T, f *os.File, off, size int64, path string) {
	t.Helper()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, io.NewSectionReader(f, off, size)); err != nil {
		t.Fatal(err)
	}
}
