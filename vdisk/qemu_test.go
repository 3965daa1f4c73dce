package vdisk

import (
	"os"
	"testing"
)

// variant is one container Write makes, with how qemu-img names it,
// whether qemu-img check supports it, and the test reader that opens it.
type variant struct {
	format, sub string
	sectorSize  int
	qemu        string // qemu-img -f name; "" when qemu cannot read it right
	check       bool
	open        func(*os.File) (disk, error)
}

func variants() []variant {
	return []variant{
		{"raw", "", 0, "raw", false, func(f *os.File) (disk, error) { return openRawDisk(f) }},
		{"qcow2", "", 0, "qcow2", true, func(f *os.File) (disk, error) { return openQcow2(f) }},
		{"vmdk", "monolithicSparse", 0, "vmdk", true, func(f *os.File) (disk, error) { return openVMDK(f) }},
		{"vmdk", "streamOptimized", 0, "vmdk", true, func(f *os.File) (disk, error) { return openVMDK(f) }},
		{"vhdx", "", 0, "vhdx", true, func(f *os.File) (disk, error) { return openVHDX(f) }},
		// qemu refuses VHDX files with 4096-byte logical sectors
		// ("Operation not supported"): only the test reader reads it.
		{"vhdx", "", 4096, "", false, func(f *os.File) (disk, error) { return openVHDX(f) }},
		{"vpc", "dynamic", 0, "vpc", false, func(f *os.File) (disk, error) { return openVHD(f) }},
		{"vpc", "fixed", 0, "vpc", false, func(f *os.File) (disk, error) { return openVHD(f) }},
		{"vdi", "", 0, "vdi", true, func(f *os.File) (disk, error) { return openVDI(f) }},
	}
}

// accepts reports whether the variant takes an image of size bytes.
func (v variant) accepts(size int64) bool {
	if v.format == "vpc" && v.sub == "fixed" && size%miB != 0 {
		return false
	}
	return v.sectorSize == 0 || size%int64(v.sectorSize) == 0
}

// openDisk opens a container with a test reader, for the rest of the test.
func openDisk(t testing.TB, path string, open func(*os.File) (disk, error)) disk {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	d, err := open(f)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return d
}

type rawDisk struct {
	*os.File
	size int64
}

func openRawDisk(f *os.File) (*rawDisk, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return &rawDisk{f, st.Size()}, nil
}

func (r *rawDisk) Size() int64 { return r.size }

func (r *rawDisk) ReadAt(p []byte, off int64) (int, error) {
	return len(p), readSparse(r.File, p, off)
}

// TestContainers writes every container of every test shape and checks
// it with qemu-img (check where qemu has one, compare against the raw
// image, info's virtual size) and with this package's readers.
func TestContainers(t *testing.T) {
	dir := t.TempDir()
	for _, s := range append(testShapes(), vhdxBitmapShape()) {
		raw := makeRaw(t, dir, s)
		for _, v := range variants() {
			if !v.accepts(s.size) || (s.name == "vhdx-chunk" && v.format != "vhdx") {
				continue
			}
			name := s.name + "/" + v.format + v.sub
			if v.sectorSize != 0 {
				name += "-4096"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := testParams(v.format, v.sub)
				p.SectorSize = v.sectorSize
				sub := t.TempDir()
				path := convert(t, sub, raw, p)
				sameContent(t, openDisk(t, path, v.open), raw)
				if v.qemu != "" {
					if v.check {
						qemuCheck(t, v.qemu, path)
					}
					if s.size <= 64*miB {
						qemuCompare(t, raw, v.qemu, path)
					} else {
						// qemu reads every zero of a format without block
						// status: compare the parts around the data.
						for _, pc := range s.pieces {
							start := max(pc.off-2*miB, 0)
							qemuCompareWindow(t, raw, v.qemu, path, start, min(pc.off+pc.n+2*miB, s.size)-start)
						}
					}
					if got := qemuVirtualSize(t, v.qemu, path); got != s.size {
						t.Errorf("qemu-img info: virtual size %d, want %d", got, s.size)
					}
				}
			})
		}
	}
}
