package vfat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestRepartTrialBytes repeats systemd-repart's Minimize=guess measurement
// for real (mkfs.vfat on a sparse 1 TiB file, mmd + mcopy per directory,
// SEEK_DATA/SEEK_HOLE walk) and compares it with RepartTrialBytes. mtools
// sometimes writes a whole extra cluster for a file (it depends on how the
// files are batched), which the model leaves out: the two agree within a
// few percent, exactly when a tree holds only large files.
func TestRepartTrialBytes(t *testing.T) {
	mkfs := testutil.Tool(t, "mkfs.vfat", "dosfstools")
	mcopy := testutil.Tool(t, "mcopy", "mtools")
	mmd := testutil.Tool(t, "mmd", "mtools")
	for _, ss := range []int{4096, 512} {
		t.Run(fmt.Sprint(ss), func(t *testing.T) {
			src := t.TempDir()
			makeESP(t, src, 40<<20, nil)
			tr := dirTree(t, src, time.Unix(1700000000, 0))
			p := Params{SectorSize: ss, Label: "ESP", VolumeID: 1}
			want, err := RepartTrialBytes(tr, p)
			if err != nil {
				t.Fatal(err)
			}
			img := filepath.Join(t.TempDir(), "trial.img")
			if err := os.WriteFile(img, nil, 0600); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(img, trialSize); err != nil {
				t.Fatal(err)
			}
			run := func(name string, args ...string) {
				cmd := exec.Command(name, args...)
				cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "TZ=UTC")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %v: %v\n%s", name, args, err, out)
				}
			}
			run(mkfs, "-i", "00000001", "-n", "ESP", "-F", "32", "-S", fmt.Sprint(ss), img)
			var populate func(dir, target string)
			populate = func(dir, target string) {
				ents, _ := os.ReadDir(dir)
				sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
				var batch []string
				flush := func() {
					if len(batch) > 0 {
						run(mcopy, append(append([]string{"-p", "-Q", "-m", "-i", img}, batch...), "::"+target+"/")...)
						batch = nil
					}
				}
				for _, e := range ents {
					if e.IsDir() {
						flush()
						run(mmd, "-i", img, "::"+target+"/"+e.Name())
						populate(filepath.Join(dir, e.Name()), target+"/"+e.Name())
					} else {
						batch = append(batch, filepath.Join(dir, e.Name()))
					}
				}
				flush()
			}
			populate(src, "")
			got := allocated(t, img)
			t.Logf("repart measures %d bytes, RepartTrialBytes says %d (%+d)", got, want, want-got)
			if d := float64(want-got) / float64(got); d < -0.1 || d > 0.1 {
				t.Fatalf("repart would measure %d bytes, RepartTrialBytes says %d (%+.1f%%)", got, want, 100*d)
			}
		})
	}
}

// allocated sums the data extents of a sparse file as repart does.
func allocated(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	var sum, off int64
	for {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if err != nil {
			break // ENXIO: no more data
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			t.Fatal(err)
		}
		sum += hole - data
		off = hole
	}
	return sum
}
