package luks

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/erofs"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/vfat"
)

// TestWritersThroughLuks writes vfat (512-byte sectors, so FAT and
// directory updates are partial LUKS sectors, and 4096) and erofs through
// the Writer and checks the decrypted filesystems with fsck.vfat -n and
// fsck.erofs --extract. erofs is also written with KeepHoles: it writes
// every block it uses. vfat is not: it leaves the unused end of the FATs
// unwritten, which fsck.vfat then reads as noise ("Cluster … out of
// range"), so it needs the zero fill.
func TestWritersThroughLuks(t *testing.T) {
	fsckVfat := testutil.Tool(t, "fsck.vfat", "dosfstools")
	fsckErofs := testutil.Tool(t, "fsck.erofs", "erofs-utils")
	tree := sourceTree(t, testSource(t))
	type format struct {
		name  string
		holes bool // also checked with KeepHoles
		write func(w *Writer) error
		check func(img string) ([]byte, error)
	}
	vfatFormat := func(ss int) format {
		return format{
			name: "vfat" + map[int]string{512: "512", 4096: "4096"}[ss],
			write: func(w *Writer) error {
				return vfat.Write(w, w.DataSize(), tree, vfat.Params{SectorSize: ss, FATBits: 32, VolumeID: 0x70e624a3, Label: "ESP", Time: testEpoch})
			},
			check: func(img string) ([]byte, error) {
				out, err := exec.Command(fsckVfat, "-n", img).CombinedOutput()
				if err == nil && bytes.Contains(out, []byte("Free cluster summary wrong")) {
					return out, os.ErrInvalid
				}
				return out, err
			},
		}
	}
	formats := []format{
		vfatFormat(512),
		vfatFormat(4096),
		{
			name:  "erofs",
			holes: true,
			write: func(w *Writer) error {
				_, err := erofs.Write(w, tree, erofs.Params{BuildTime: testEpoch, MaxSize: w.DataSize()})
				return err
			},
			check: func(img string) ([]byte, error) {
				return exec.Command(fsckErofs, "--extract="+filepath.Join(filepath.Dir(img), "x"), img).CombinedOutput()
			},
		},
	}
	for _, f := range formats {
		for _, keep := range []bool{false, true} {
			if keep && !f.holes {
				continue
			}
			const size = 72 << 20
			img := createFile(t, "img", size)
			p := fastParams("k")
			p.KeepHoles = keep
			w, err := NewWriter(img, size, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.write(w); err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			dec := decryptFile(t, img.Name(), []byte("k"))
			if out, err := f.check(dec); err != nil {
				t.Errorf("%s, KeepHoles %v: %v\n%s", f.name, keep, err, out)
			}
		}
	}
}
