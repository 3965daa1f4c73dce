package luks

import (
	"bytes"
	"crypto/aes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/ext4"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"golang.org/x/crypto/xts"
	"golang.org/x/sys/unix"
)

// testSource makes a small directory tree with files of a few sizes.
func testSource(t testing.TB) string {
	t.Helper()
	src := t.TempDir()
	rng := newTestRand(9)
	for i, size := range []int{0, 1, 4095, 4097, 100000, 3 << 20} {
		dir := filepath.Join(src, "d", string(rune('a'+i)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, size)
		rng.Read(b)
		if err := os.WriteFile(filepath.Join(dir, "f"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// testEpoch is SOURCE_DATE_EPOCH of sourceTree, and the time of the
// filesystems written from it.
var testEpoch = time.Unix(1700000000, 0)

// sourceTree is src copied as repart copies a directory: owned by root,
// times clamped to testEpoch.
func sourceTree(t testing.TB, src string) *fstree.Tree {
	t.Helper()
	epoch := testEpoch
	tree, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: src, Target: "/", HostPath: true}},
		Owner:           fstree.OwnerRoot,
		SourceDateEpoch: &epoch,
		DefaultTime:     testEpoch,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// copyData writes the data regions of the file plain through w in pieces
// of an odd size, so that most writes start and end inside a sector and
// the holes are never written.
func copyData(t testing.TB, plain string, w io.WriterAt) {
	t.Helper()
	f, err := os.Open(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	fd := int(f.Fd())
	buf := make([]byte, 1<<20+1234)
	for off := int64(0); off < st.Size(); {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		for pos := data; pos < hole; {
			n, err := f.ReadAt(buf[:min(int64(len(buf)), hole-pos)], pos)
			if err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if _, err := w.WriteAt(buf[:n], pos); err != nil {
				t.Fatal(err)
			}
			pos += int64(n)
		}
		off = hole
	}
}

// decryptFile decrypts the whole segment of the volume img with our reader
// into a new file and returns its path.
func decryptFile(t testing.TB, img string, key []byte) string {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := OpenReader(f, st.Size(), key)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, r.Size())
	if _, err := r.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "decrypted")
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// e2fsck runs e2fsck -fn on the first size bytes of img.
func e2fsck(t testing.TB, img string) {
	t.Helper()
	run(t, testutil.Tool(t, "e2fsck", "e2fsprogs"), "-fn", img)
}

// TestExt4ThroughWriter is the round trip repart does offline: mkfs.ext4
// into a plain file of DataSize bytes, the file written through the Writer
// (holes skipped), and the plaintext recovered three ways: by our reader,
// and with the volume key cryptsetup unlocked by x/crypto/xts and by
// OpenSSL. All must equal the plain image, and e2fsck must pass.
func TestExt4ThroughWriter(t *testing.T) {
	cs := testutil.Tool(t, "cryptsetup", "cryptsetup-bin")
	mkfs := testutil.Tool(t, "mkfs.ext4", "e2fsprogs")
	const size = 72 << 20
	key := []byte("ext4 key")
	img := createFile(t, "img", size)
	w, err := NewWriter(img, size, fastParams(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(plain, w.DataSize()); err != nil {
		t.Fatal(err)
	}
	// repart's mkfs.ext4 call (spec §8.2), without discard on a file.
	run(t, mkfs, "-q", "-F", "-L", "data", "-U", "70e624a3-caca-4b82-b656-2e7168b70ff1", "-I", "256", "-m", "0",
		"-E", "nodiscard,lazy_itable_init=1", "-b", "4096", "-T", "default", "-d", testSource(t), plain)
	copyData(t, plain, w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}

	dec := decryptFile(t, img.Name(), key)
	got, _ := os.ReadFile(dec)
	if !bytes.Equal(got[:len(want)], want) || !allZero(got[len(want):]) {
		t.Fatal("our reader: plaintext differs from the ext4 image (or the tail is not zero)")
	}
	e2fsck(t, dec)

	vk := dumpVolumeKey(t, cs, img.Name(), key)
	if w.VolumeKeyID("root") != volumeKeyID(vk, "root", "b4d1501b-4385-4f47-b089-298643f4fd9a") {
		t.Fatal("VolumeKeyID does not use the volume key cryptsetup unlocks")
	}
	ref, err := xts.NewCipher(aes.NewCipher, vk)
	if err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, size-HeaderSize)
	if _, err := img.ReadAt(ct, HeaderSize); err != nil {
		t.Fatal(err)
	}
	pt := make([]byte, len(ct))
	for i := 0; i < len(ct); i += 4096 {
		ref.Decrypt(pt[i:i+4096], ct[i:i+4096], uint64(i/512))
	}
	if !bytes.Equal(pt[:len(want)], want) {
		t.Fatal("x/crypto/xts with cryptsetup's volume key: plaintext differs from the ext4 image")
	}
	if !bytes.Equal(opensslDecrypt(t, vk, ct, 4096), pt) {
		t.Fatal("OpenSSL decrypts the segment differently")
	}
}

// TestOwnExt4KeepHoles writes gorepart's own ext4 through the Writer with
// KeepHoles: the sectors the ext4 writer never writes decrypt to noise,
// and e2fsck must still pass, i.e. the filesystem does not rely on
// unwritten blocks reading as zeros for what e2fsck checks.
func TestOwnExt4KeepHoles(t *testing.T) {
	tree := sourceTree(t, testSource(t))
	for _, keep := range []bool{false, true} {
		const size = 72 << 20
		img := createFile(t, "img", size)
		p := fastParams("k")
		p.KeepHoles = keep
		w, err := NewWriter(img, size, p)
		if err != nil {
			t.Fatal(err)
		}
		ep := ext4.Params{Label: "root", Time: testEpoch}
		if err := ext4.Write(w, w.DataSize(), tree, ep); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		e2fsck(t, decryptFile(t, img.Name(), []byte("k")))
	}
}
