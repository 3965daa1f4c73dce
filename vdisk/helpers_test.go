package vdisk

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
)

// piece is data of a test image: n bytes at off (see fillPattern)
// unless zero is set, in which case zeros are written (a written, not a
// hole, range of zeros).
type piece struct {
	off, n int64
	zero   bool
}

// shape is a test image: its size and its data.
type shape struct {
	name   string
	size   int64
	pieces []piece
}

// testShapes are the images every container is checked on: holes, data
// crossing cluster and table boundaries, written zeros, data in the last
// sector, sizes that are not a multiple of any cluster.
func testShapes() []shape {
	return []shape{
		{"holes", 8 * miB, []piece{
			{0, 4 * kiB, false},
			{miB + 123*sectorSize, 200 * kiB, false},
			{3 * miB, miB, true},
			{8*miB - 4*kiB, 4 * kiB, false},
		}},
		{"odd-size", 5*miB + 7*sectorSize, []piece{
			{64 * kiB, 512, false},
			{5*miB + 6*sectorSize, sectorSize, false},
		}},
		{"empty", 3 * miB, nil},
		{"full", 3*miB + 64*kiB, []piece{{0, 3*miB + 64*kiB, false}}},
		{"tables", 600 * miB, []piece{
			{32*miB - 8*kiB, 16 * kiB, false},    // vmdk grain table boundary
			{512*miB - 64*kiB, 128 * kiB, false}, // qcow2 L2 table boundary
			{600*miB - 2*miB, 2 * miB, false},
		}},
	}
}

// vhdxBitmapShape crosses VHDX's first chunk (128 blocks of 32 MiB), where
// a sector bitmap entry sits between the payload entries of the BAT.
func vhdxBitmapShape() shape {
	return shape{"vhdx-chunk", 4*giB + 64*miB, []piece{
		{4*giB - miB, 2 * miB, false},
		{4*giB + 64*miB - 4*kiB, 4 * kiB, false},
	}}
}

// makeRaw creates the sparse raw image of s in dir.
func makeRaw(t testing.TB, dir string, s shape) string {
	t.Helper()
	path := filepath.Join(dir, s.name+".raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(s.size); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.pieces {
		if err := writePiece(f, p); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func writePiece(f *os.File, p piece) error {
	const chunk = 8 * miB
	buf := make([]byte, min(p.n, chunk))
	for done := int64(0); done < p.n; {
		b := buf[:min(p.n-done, chunk)]
		if !p.zero {
			fillPattern(b, p.off+done)
		}
		if _, err := f.WriteAt(b, p.off+done); err != nil {
			return err
		}
		done += int64(len(b))
	}
	return nil
}

// fillPattern fills b, to be written at off, with bytes that are never all
// zero in any sector and differ from one sector of the image to another:
// a fixed random pattern with each 512-byte sector's offset stamped at
// its start, so data written to the wrong place is noticed.
func fillPattern(b []byte, off int64) {
	pattern := make([]byte, 64*kiB)
	rand.NewChaCha8([32]byte{1}).Read(pattern)
	for i := 0; i < len(b); i += len(pattern) {
		copy(b[i:], pattern)
	}
	for i := (sectorSize - off%sectorSize) % sectorSize; i+8 <= int64(len(b)); i += sectorSize {
		binary.LittleEndian.PutUint64(b[i:], uint64(off+i)|1<<63)
	}
}

// convert writes the container of raw for p into dir and returns its path.
func convert(t testing.TB, dir, raw string, p Params) string {
	t.Helper()
	src, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSuffix(filepath.Base(raw), ".raw") + "-" + p.Format + p.Subformat + Extension(p.Format)
	path := filepath.Join(dir, name)
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := Write(dst, src, st.Size(), p); err != nil {
		t.Fatalf("Write(%s %s): %v", p.Format, p.Subformat, err)
	}
	return path
}

// testParams are fixed parameters for reproducible test containers.
func testParams(format, sub string) Params {
	return Params{
		Format:    format,
		Subformat: sub,
		Time:      time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Seed:      [16]byte{0x67, 0x6f, 0x72, 0x65, 0x70, 0x61, 0x72, 0x74},
		Name:      "test.vmdk",
	}
}

// qemuImg runs qemu-img and returns its output; a non-zero exit fails the
// test with the output.
func qemuImg(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(testutil.Tool(t, "qemu-img", "qemu-utils"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("qemu-img %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// qemuCompareWindow compares n bytes at off of the raw image and of the
// container, reading both through qemu's raw driver with an offset.
func qemuCompareWindow(t testing.TB, raw, format, path string, off, n int64) {
	t.Helper()
	window := fmt.Sprintf("driver=raw,offset=%d,size=%d,", off, n)
	out := qemuImg(t, "compare", "--image-opts",
		window+"file.driver=file,file.filename="+raw,
		window+"file.driver="+format+",file.file.driver=file,file.file.filename="+path)
	if !strings.Contains(out, "Images are identical.") {
		t.Fatalf("qemu-img compare of %d bytes at %d of %s and %s:\n%s", n, off, raw, path, out)
	}
}

// qemuVirtualSize is the virtual size qemu-img info reports.
func qemuVirtualSize(t testing.TB, format, path string) int64 {
	t.Helper()
	var info struct {
		VirtualSize int64 `json:"virtual-size"`
	}
	out := qemuImg(t, "info", "--output=json", "-f", format, path)
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("qemu-img info: %v\n%s", err, out)
	}
	return info.VirtualSize
}

// qemuCheck runs qemu-img check, which must find nothing to report (no
// errors, no leaks: exit status 0).
func qemuCheck(t testing.TB, format, path string) {
	t.Helper()
	out := qemuImg(t, "check", "-f", format, path)
	if !strings.Contains(out, "No errors were found on the image.") {
		t.Fatalf("qemu-img check %s:\n%s", path, out)
	}
}

// qemuCompare runs qemu-img compare of the raw image and the container:
// the guest-visible bytes must be identical.
func qemuCompare(t testing.TB, raw, format, path string) {
	t.Helper()
	out := qemuImg(t, "compare", "-f", "raw", "-F", format, raw, path)
	if !strings.Contains(out, "Images are identical.") {
		t.Fatalf("qemu-img compare %s %s:\n%s", raw, path, out)
	}
}

// disk is a container opened by one of the test readers.
type disk interface {
	Size() int64
	ReadAt(p []byte, off int64) (int, error)
}

// sameContent compares every byte of d with the raw image; ranges that
// are holes of the raw file are known to be zeros without reading them.
func sameContent(t testing.TB, d disk, raw string) {
	t.Helper()
	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if d.Size() != st.Size() {
		t.Fatalf("virtual size %d, raw image is %d bytes", d.Size(), st.Size())
	}
	const chunk = miB
	want := make([]byte, chunk)
	got := make([]byte, chunk)
	for off := int64(0); off < st.Size(); off += chunk {
		n := min(chunk, st.Size()-off)
		start, _, err := dataExtent(f, off, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		if start >= off+n {
			clear(want[:n])
		} else if _, err := f.ReadAt(want[:n], off); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ReadAt(got[:n], off); err != nil {
			t.Fatalf("reading container at %d: %v", off, err)
		}
		if !bytes.Equal(got[:n], want[:n]) {
			i := 0
			for got[i] == want[i] {
				i++
			}
			t.Fatalf("container differs from the raw image at byte %d: %#x, want %#x", off+int64(i), got[i], want[i])
		}
	}
}

// readSparse reads len(p) bytes at off of f, taking holes as zeros
// without reading them (reading a hole makes the kernel fill pages).
func readSparse(f *os.File, p []byte, off int64) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end := off + int64(len(p))
	if end > st.Size() {
		return fmt.Errorf("reading %d bytes at %d: past the end (%d)", len(p), off, st.Size())
	}
	clear(p)
	for pos := off; pos < end; {
		start, stop, err := dataExtent(f, pos, end)
		if err != nil {
			return err
		}
		if start >= end {
			break
		}
		if err := readFull(f, p[start-off:stop-off], start); err != nil {
			return err
		}
		pos = stop
	}
	return nil
}

// readBlocks is the ReadAt of a container of blocks of bs bytes: it
// splits p at block boundaries, zeroes each piece and has read fill it
// (b, the block's number and the offset in it) where the block holds
// data.
func readBlocks(p []byte, off, bs int64, read func(b []byte, blk, in int64) error) (int, error) {
	for done := 0; done < len(p); {
		pos := off + int64(done)
		blk, in := pos/bs, pos%bs
		n := int(min(int64(len(p)-done), bs-in))
		b := p[done : done+n]
		clear(b)
		if err := read(b, blk, in); err != nil {
			return done, err
		}
		done += n
	}
	return len(p), nil
}

// readFull reads len(p) bytes at off of f; reading past the end is an
// error, as a container that points past its end is broken.
func readFull(f *os.File, p []byte, off int64) error {
	n, err := f.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil {
		err = errors.New("short read")
	}
	return fmt.Errorf("reading %d bytes at %d: %w", len(p), off, err)
}
