package boottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/initramfs"
)

// image is the built example and what gorepart reported about it.
type image struct {
	path, usrHash string
	report        []reportEntry
	data, hash    string // the /usr partition and its hash partition, extracted
}

type reportEntry struct {
	Type     string  `json:"type"`
	Label    string  `json:"label"`
	Offset   int64   `json:"offset"`
	RawSize  int64   `json:"raw_size"`
	RootHash *string `json:"roothash"`
}

// buildImage builds gorepart and runs it on the example definitions, with
// ../bootable/repart.d's ESP in place of the shared one, deferred and
// filled with systemd-boot, loader.conf and the UKI made by --then.
func (h *host) buildImage(t *testing.T) *image {
	// go test caches a result by the files the test opens; gorepart and
	// mkuki read these in other processes.
	for _, p := range []string{"../../scripts/mkuki", examples + "/repart.d", examples + "/bootable/repart.d",
		examples + "/bootable/repart.d/11-usr-verity.conf.d"} {
		if err := readAll(p); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gorepart")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/gorepart")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}

	mods, err := initramfs.ModuleOrder(h.modDir, modules...)
	if err != nil {
		t.Fatal(err)
	}
	var initrd bytes.Buffer
	if err := WriteInitrd(&initrd, InitrdParams{Init: initScript, Busybox: h.busybox, Modules: mods, Programs: []string{h.dmsetup}}); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	initrdPath := write("initrd.cpio.gz", initrd.Bytes())
	loaderConf := write("loader.conf", []byte("timeout 0\neditor no\n"))
	osrel, err := filepath.Abs(filepath.Join(examples, "tree/usr/lib/os-release"))
	if err != nil {
		t.Fatal(err)
	}
	mkuki, err := filepath.Abs("../../scripts/mkuki")
	if err != nil {
		t.Fatal(err)
	}
	cmdline, uki := filepath.Join(dir, "cmdline"), filepath.Join(dir, "example_1.efi")
	then := fmt.Sprintf(`printf 'usrhash=%%s console=ttyS0 quiet panic=-1' "$USRHASH" >%s && %s %s %s %s %s %s %s`,
		shq(cmdline), shq(mkuki), shq(h.stub), shq(h.kernel), shq(initrdPath), shq(cmdline), shq(osrel), shq(uki))

	img := filepath.Join(dir, "example.raw")
	cmd := exec.Command(bin, "--empty=create", "--size=auto", "--dry-run=no",
		"--seed="+seed, "--sector-size=512", "--architecture=x86-64",
		"--definitions="+filepath.Join(examples, "bootable/repart.d"),
		"--definitions="+filepath.Join(examples, "repart.d"),
		"--copy-source="+filepath.Join(examples, "tree"),
		"--image-id=example", "--image-version=1",
		"--el-torito=yes", "--json=short",
		"--defer-partitions=esp", "--then="+then,
		"--then-copy="+h.sdboot+":/EFI/BOOT/BOOTX64.EFI",
		"--then-copy="+h.sdboot+":/EFI/systemd/systemd-bootx64.efi",
		"--then-copy="+loaderConf+":/loader/loader.conf",
		"--then-copy="+uki+":/EFI/Linux/example_1.efi",
		img)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", epoch))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gorepart: %v\n%s", err, stderr.Bytes())
	}
	im := &image{path: img}
	if err := json.Unmarshal(stdout.Bytes(), &im.report); err != nil {
		t.Fatalf("reading gorepart's report: %v\n%s", err, stdout.Bytes())
	}
	for _, e := range im.report {
		if e.Type == "usr-x86-64" && e.RootHash != nil {
			im.usrHash = *e.RootHash
		}
	}
	if len(im.usrHash) != 64 {
		t.Fatalf("no usr root hash in the report:\n%s", stdout.Bytes())
	}
	checkUKI(t, uki, im.usrHash, epoch)
	im.data, im.hash = im.extractUsr(t, im.path, dir)
	if out, err := exec.Command(h.veritysetup, "verify", im.data, im.hash, im.usrHash).CombinedOutput(); err != nil {
		t.Fatalf("veritysetup verify of /usr: %v\n%s", err, out)
	}
	if dst := os.Getenv("GOREPART_BOOT_KEEP"); dst != "" {
		b, err := os.ReadFile(img)
		if err == nil {
			err = os.WriteFile(dst, b, 0o644)
		}
		if err != nil {
			t.Fatalf("keeping the image: %v", err)
		}
	}
	return im
}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// flipUsrByte copies the image to dst with one byte of random.bin's data
// flipped inside the /usr partition (erofs keeps the incompressible file
// uncompressed, so its bytes are found in the partition).
func (im *image) flipUsrByte(t *testing.T, dst string) {
	b, err := os.ReadFile(im.path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(examples, "tree/usr/share/doc/gorepart/random.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var usr *reportEntry
	for i, e := range im.report {
		if e.Type == "usr-x86-64" && e.RootHash != nil {
			usr = &im.report[i]
		}
	}
	part := b[usr.Offset : usr.Offset+usr.RawSize]
	at := bytes.Index(part, file[100000:100064])
	if at < 0 {
		t.Fatal("random.bin's data not found in the /usr partition")
	}
	part[at] ^= 0x01
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// extractUsr copies the /usr partition of the image at path and its hash
// partition (as gorepart reported them) to files in dir.
func (im *image) extractUsr(t *testing.T, path, dir string) (data, hash string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range im.report {
		var dst *string
		switch {
		case e.RootHash == nil:
			continue
		case e.Type == "usr-x86-64":
			dst = &data
		case e.Type == "usr-x86-64-verity":
			dst = &hash
		default:
			continue
		}
		*dst = filepath.Join(dir, e.Type+".img")
		if err := os.WriteFile(*dst, b[e.Offset:e.Offset+e.RawSize], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if data == "" || hash == "" {
		t.Fatal("no /usr verity pair in the report")
	}
	return data, hash
}

// readAll reads a file, or the files of a directory.
func readAll(p string) error {
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		_, err = os.ReadFile(p)
		return err
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Type().IsRegular() {
			if _, err := os.ReadFile(filepath.Join(p, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
