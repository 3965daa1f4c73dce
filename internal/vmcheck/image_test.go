package vmcheck_test

import (
	"bytes"
	"crypto/aes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/gorepart/gorepart/internal/golden"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
	"golang.org/x/crypto/xts"
)

// The self-test image, made with the standard tools (not gorepart):
//
//	1 esp         vfat (mkfs.vfat -F 32, mcopy)               40 MiB
//	2 root        ext4 (mkfs.ext4 -d, owners set with debugfs) 32 MiB
//	3 usr         erofs, uncompressed, dm-verity data        16 MiB
//	4 usr-verity  veritysetup format hash (superblock)          1 MiB
//	5 extra       erofs, lz4hc                                  8 MiB
//	6 sq          squashfs (mksquashfs -all-root)
//	7 bt          btrfs (mkfs.btrfs --rootdir)                128 MiB
//	8 xf          xfs (mkfs.xfs -p protofile)                 300 MiB
//	9 home        LUKS2 (cryptsetup luksFormat, 4096-byte sectors) with ext4 inside
//
// usr and usr-verity have the UUIDs the Discoverable Partitions
// Specification derives from the root hash.
type selftest struct {
	image   string
	spec    *vmcheck.Spec
	offsets []int64
	marker  int64 // offset in the image of a byte of usr's payload.bin
}

const marker = "VMCHECKMARKER-verity-target-0123456789"

// tool runs a program and fails the test on error.
func tool(t *testing.T, dir string, env []string, name, pkg string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testutil.Tool(t, name, pkg), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// blob is size deterministic pseudo-random bytes.
func blob(size int64, seed int64) []byte {
	return golden.Blob(golden.BlobSpec{Size: size, Seed: seed})
}

// put writes the files (path → content; a "->" prefix makes a symlink)
// below dir with mode 0644, then applies modes.
func put(t *testing.T, dir string, files map[string]string, modes map[string]os.FileMode) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(c, "->"); ok {
			err = os.Symlink(target, full)
		} else if c == "/" {
			err = os.MkdirAll(full, 0o755)
		} else {
			err = os.WriteFile(full, []byte(c), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for p, m := range modes {
		if err := os.Chmod(filepath.Join(dir, p), m); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func buildSelftest(t *testing.T) *selftest {
	w := t.TempDir()
	mk := func(name string, size int64) string {
		p := filepath.Join(w, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const mib = 1 << 20

	esp := map[string]string{
		"EFI/BOOT/BOOTX64.EFI":                      string(blob(150000, 1)),
		"EFI/BOOT/LongFileName-With.Mixed.Case.bin": string(blob(4096, 2)),
		"loader/loader.conf":                        "timeout 3\ndefault debian.conf\n",
		"loader/entries/debian.conf":                "title Debian\nlinux /vmlinuz\n",
	}
	put(t, filepath.Join(w, "esp"), esp, nil)
	espImg := mk("esp.img", 40*mib)
	tool(t, w, nil, "mkfs.vfat", "dosfstools", "-F", "32", "-n", "ESP", "-i", "12345678", espImg)
	tool(t, filepath.Join(w, "esp"), []string{"MTOOLS_SKIP_CHECK=1"}, "mcopy", "mtools", "-s", "-p", "-Q", "-i", espImg, "EFI", "loader", "::/")

	root := map[string]string{
		"bin/busybox": string(blob(300000, 3)), "bin/sh": "->busybox", "lib": "->../usr/lib",
		"etc/os-release": "ID=vmcheck\n", "etc/big.bin": string(blob(3000000, 4)), "etc/shadow": "secret\n",
		"bin/su-test": "#!/bin/sh\n", "tmp": "/", "usr": "/", "var/empty": "/",
	}
	put(t, filepath.Join(w, "root"), root, map[string]os.FileMode{"bin/busybox": 0o755, "etc/shadow": 0o640,
		"bin/su-test": 0o755 | os.ModeSetuid, "tmp": 0o777 | os.ModeSticky})
	rootImg := mk("root.img", 32*mib)
	tool(t, w, nil, "mkfs.ext4", "e2fsprogs", "-q", "-F", "-L", "root", "-U", "11111111-2222-3333-4444-555555555555",
		"-E", "root_owner=0:0", "-d", filepath.Join(w, "root"), rootImg)
	tool(t, w, nil, "debugfs", "e2fsprogs", "-w", "-R", "sif /etc/shadow uid 0", rootImg)
	tool(t, w, nil, "debugfs", "e2fsprogs", "-w", "-R", "sif /etc/shadow gid 42", rootImg)
	tool(t, w, nil, "debugfs", "e2fsprogs", "-w", "-R", "sif /bin/busybox uid 0", rootImg)
	tool(t, w, nil, "debugfs", "e2fsprogs", "-w", "-R", "sif /bin/busybox gid 0", rootImg)

	usr := map[string]string{
		"lib/payload.bin": marker + string(blob(200000, 5)), "lib/small.bin": string(blob(1000, 6)),
		"share/doc/README": "hello from usr\n", "bin/payload-link": "->../lib/payload.bin", "bin/tool": string(blob(70000, 7)),
	}
	put(t, filepath.Join(w, "usr"), usr, map[string]os.FileMode{"bin/tool": 0o755})
	usrImg := filepath.Join(w, "usr.erofs")
	tool(t, w, nil, "mkfs.erofs", "erofs-utils", "-T1700000000", "--all-root", "-U22222222-3333-4444-5555-666666666666", usrImg, filepath.Join(w, "usr"))
	usrData, err := os.ReadFile(usrImg)
	if err != nil {
		t.Fatal(err)
	}
	markerOff := int64(bytes.Index(usrData, []byte(marker)))
	if markerOff < 0 {
		t.Fatal("marker not in usr.erofs")
	}
	os.Truncate(usrImg, 16*mib)
	const salt = "0011223344556677889900112233445566778899001122334455667788990011"
	out := tool(t, w, nil, "veritysetup", "cryptsetup-bin", "format", "--data-block-size=4096", "--hash-block-size=4096", "--salt="+salt,
		usrImg, filepath.Join(w, "usr.verity"))
	m := regexp.MustCompile(`Root hash:\s+([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("veritysetup format: no root hash\n%s", out)
	}
	roothash := m[1]
	uuid := func(h string) string {
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	}

	extra := map[string]string{"data/random.bin": string(blob(50000, 8)), "first": "->data/text1.txt"}
	for i := 1; i <= 3; i++ {
		extra[fmt.Sprintf("data/text%d.txt", i)] = strings.Repeat(fmt.Sprintf("extra line %d %0200d\n", i, 0), 1400)
	}
	put(t, filepath.Join(w, "extra"), extra, nil)
	extraImg := filepath.Join(w, "extra.erofs")
	tool(t, w, nil, "mkfs.erofs", "erofs-utils", "-zlz4hc", "-T1700000000", "--all-root", extraImg, filepath.Join(w, "extra"))

	sq := map[string]string{"a/one.txt": "one\n", "a/big.bin": string(blob(400000, 9)), "link": "->a/one.txt", "empty": "/"}
	put(t, filepath.Join(w, "sq"), sq, map[string]os.FileMode{"a/big.bin": 0o600})
	sqImg := filepath.Join(w, "sq.img")
	tool(t, w, nil, "mksquashfs", "squashfs-tools", filepath.Join(w, "sq"), sqImg, "-all-root", "-noappend", "-quiet", "-no-progress")

	bt := map[string]string{"x/y/z.bin": string(blob(1<<20+17, 10)), "x/small": "small\n", "l": "->x/y/z.bin"}
	put(t, filepath.Join(w, "bt"), bt, map[string]os.FileMode{"x/small": 0o640})
	btImg := mk("bt.img", 128*mib)
	tool(t, w, nil, "mkfs.btrfs", "btrfs-progs", "-q", "-f", "--rootdir", filepath.Join(w, "bt"), btImg)

	xf := map[string]string{"etc/shadow": "xfs secret\n", "bin/tool": string(blob(500000, 11))}
	put(t, filepath.Join(w, "xf"), xf, nil)
	proto := fmt.Sprintf("/dev/null\n0 0\nd--755 0 0\netc d--755 0 0\nshadow ---640 0 42 %s\n$\nbin d--755 0 0\ntool -u-755 0 0 %s\nsh l--777 0 0 tool\n$\n$\n",
		filepath.Join(w, "xf/etc/shadow"), filepath.Join(w, "xf/bin/tool"))
	os.WriteFile(filepath.Join(w, "proto"), []byte(proto), 0o644)
	xfImg := mk("xf.img", 300*mib)
	tool(t, w, nil, "mkfs.xfs", "xfsprogs", "-q", "-f", "-p", filepath.Join(w, "proto"), xfImg)

	home := map[string]string{"user/notes.txt": "encrypted notes\n", "user/data.bin": string(blob(2000000, 12))}
	put(t, filepath.Join(w, "home"), home, nil)
	luksImg := luksImage(t, w, filepath.Join(w, "home"))

	parts := []testutil.DiskPart{
		{Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", UUID: "AAAAAAAA-0000-0000-0000-000000000001", Name: "esp", File: espImg},
		{Type: "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", UUID: "AAAAAAAA-0000-0000-0000-000000000002", Name: "root-x86-64", File: rootImg},
		{Type: "8484680C-9521-48C6-9C11-B0720656F69E", UUID: uuid(roothash[:32]), Name: "usr-x86-64", File: usrImg},
		{Type: "77FF5F63-E7B6-4633-ACF4-1565B864C0E6", UUID: uuid(roothash[32:]), Name: "usr-x86-64-verity", File: filepath.Join(w, "usr.verity")},
		{Type: linuxGeneric, Name: "extra", File: extraImg},
		{Type: linuxGeneric, Name: "sq", File: sqImg},
		{Type: linuxGeneric, Name: "bt", File: btImg},
		{Type: linuxGeneric, Name: "xf", File: xfImg},
		{Type: "933AC7E1-2EB4-4F13-B844-0E14E2AEF915", Name: "home", File: luksImg},
	}
	st := &selftest{image: filepath.Join(w, "good.raw")}
	st.offsets = testutil.Disk(t, st.image, parts)
	st.marker = st.offsets[2] + markerOff + 100

	files := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for p, c := range m {
			if !strings.HasPrefix(c, "->") && c != "/" {
				out[p] = sum(c)
			}
		}
		return out
	}
	btOwners := map[string]string{}
	for _, p := range []string{"x/small", "x/y/z.bin"} {
		fi, err := os.Lstat(filepath.Join(w, "bt", p))
		if err != nil {
			t.Fatal(err)
		}
		s := fi.Sys().(*syscall.Stat_t)
		btOwners[p] = fmt.Sprintf("%d:%d", s.Uid, s.Gid)
	}
	st.spec = &vmcheck.Spec{PartitionCount: 9, Partitions: []*vmcheck.Partition{
		{PartNo: 1, FSType: "vfat", Type: parts[0].Type, Name: "esp", Files: files(esp), Dirs: []string{"EFI", "EFI/BOOT", "loader/entries"}},
		{PartNo: 2, FSType: "ext4", Type: parts[1].Type, Name: "root-x86-64", UUID: parts[1].UUID, Files: files(root),
			Symlinks: map[string]string{"bin/sh": "busybox", "lib": "../usr/lib"},
			Modes:    map[string]string{"bin/busybox": "0755", "etc/shadow": "0640", "bin/su-test": "4755", "tmp": "1777"},
			Owners:   map[string]string{"etc/shadow": "0:42", "bin/busybox": "0:0"},
			Dirs:     []string{"usr", "var/empty", "tmp"}, Absent: []string{"boot"}},
		{PartNo: 3, FSType: "erofs", Type: parts[2].Type, Files: files(usr),
			Verity:   &vmcheck.Verity{HashPartNo: 4, RootHash: roothash, DataBlockSize: 4096, HashBlockSize: 4096, Salt: salt, UUIDFromRootHash: true},
			Symlinks: map[string]string{"bin/payload-link": "../lib/payload.bin"}, Modes: map[string]string{"bin/tool": "0755"},
			Owners: map[string]string{"lib/payload.bin": "0:0"}},
		{PartNo: 4, FSType: "none", Type: parts[3].Type, Name: "usr-x86-64-verity"},
		{PartNo: 5, FSType: "erofs", Name: "extra", Files: files(extra), Symlinks: map[string]string{"first": "data/text1.txt"}},
		{PartNo: 6, FSType: "squashfs", Name: "sq", Files: files(sq), Symlinks: map[string]string{"link": "a/one.txt"},
			Modes: map[string]string{"a/big.bin": "0600"}, Owners: map[string]string{"a/big.bin": "0:0"}, Dirs: []string{"empty"}},
		{PartNo: 7, FSType: "btrfs", Name: "bt", Files: files(bt), Symlinks: map[string]string{"l": "x/y/z.bin"},
			Modes: map[string]string{"x/small": "0640"}, Owners: btOwners},
		{PartNo: 8, FSType: "xfs", Name: "xf", Files: files(xf), Symlinks: map[string]string{"bin/sh": "tool"},
			Modes: map[string]string{"etc/shadow": "0640", "bin/tool": "4755"}, Owners: map[string]string{"etc/shadow": "0:42"}},
		{PartNo: 9, FSType: "ext4", Name: "home", Files: files(home), LUKS: &vmcheck.LUKS{KeyFile: filepath.Join(w, "key")}},
	}}
	return st
}

const linuxGeneric = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"

// luksImage makes a LUKS2 container (cryptsetup luksFormat, 4096-byte
// sectors, a fast PBKDF) holding an ext4 filesystem of dir, encrypted
// with the volume key cryptsetup gives back (aes-xts-plain64, IVs
// counted in 512-byte sectors from the segment's start, as LUKS2 does).
func luksImage(t *testing.T, w, dir string) string {
	const mib = 1 << 20
	key := filepath.Join(w, "key")
	os.WriteFile(key, []byte("vmcheck passphrase"), 0o600)
	img := filepath.Join(w, "luks.img")
	os.WriteFile(img, nil, 0o644)
	os.Truncate(img, 32*mib)
	tool(t, w, nil, "cryptsetup", "cryptsetup-bin", "luksFormat", "--batch-mode", "--disable-locks", "--type", "luks2",
		"--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000", "--sector-size", "4096", "--key-file", key, img)
	vk := filepath.Join(w, "vk")
	tool(t, w, nil, "cryptsetup", "cryptsetup-bin", "luksDump", "--batch-mode", "--disable-locks", "--dump-volume-key",
		"--volume-key-file", vk, "--key-file", key, img)
	volumeKey, err := os.ReadFile(vk)
	if err != nil {
		t.Fatal(err)
	}
	inner := filepath.Join(w, "inner.img")
	os.WriteFile(inner, nil, 0o644)
	os.Truncate(inner, 16*mib)
	// 4096-byte blocks: a filesystem's blocks cannot be smaller than the
	// device's sectors.
	tool(t, w, nil, "mkfs.ext4", "e2fsprogs", "-q", "-F", "-b", "4096", "-E", "root_owner=0:0", "-d", dir, inner)
	plain, err := os.ReadFile(inner)
	if err != nil {
		t.Fatal(err)
	}
	c, err := xts.NewCipher(aes.NewCipher, volumeKey)
	if err != nil {
		t.Fatal(err)
	}
	enc := make([]byte, len(plain))
	for off := 0; off < len(plain); off += 4096 {
		c.Encrypt(enc[off:off+4096], plain[off:off+4096], uint64(off/512))
	}
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(enc, 16*mib); err != nil { // the segment offset luksFormat chose
		t.Fatal(err)
	}
	return img
}
