package ext4

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestReproducibleFromSources builds the same content twice from source
// directories created in opposite orders under different umasks (with
// explicit modes) and checks that the images are byte-identical.
func TestReproducibleFromSources(t *testing.T) {
	type item struct {
		path string
		dir  bool
		mode os.FileMode
	}
	var items []item
	for d := 0; d < 5; d++ {
		items = append(items, item{fmt.Sprintf("d%d", d), true, 0755})
		for f := 0; f < 40; f++ {
			items = append(items, item{fmt.Sprintf("d%d/f%02d", d, f), false, 0644})
		}
	}
	make1 := func(reverse bool, umask int) string {
		old := syscall.Umask(umask)
		defer syscall.Umask(old)
		root := t.TempDir()
		if err := os.Chmod(root, 0755); err != nil {
			t.Fatal(err)
		}
		order := append([]item(nil), items...)
		if reverse { // parents first, children in reverse
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
			for _, it := range items {
				if it.dir {
					os.Mkdir(filepath.Join(root, it.path), it.mode)
				}
			}
		}
		for _, it := range order {
			p := filepath.Join(root, it.path)
			if it.dir {
				os.Mkdir(p, it.mode)
			} else if err := os.WriteFile(p, []byte(it.path), it.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, it.mode); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	epoch := time.Unix(1700000000, 0)
	image := func(src string) [32]byte {
		tree, _, err := fstree.Build(fstree.BuildOptions{
			Copies:          []fstree.Copy{{Source: src, Target: "/", HostPath: true}},
			Owner:           fstree.OwnerRoot,
			SourceDateEpoch: &epoch,
			DefaultTime:     epoch,
		})
		if err != nil {
			t.Fatal(err)
		}
		return hashImage(t, writeImage(t, tree, 0, testParams()))
	}
	a := image(make1(false, 022))
	b := image(make1(true, 077))
	if a != b {
		t.Fatal("images of the same content differ")
	}
}
