package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// TestQuick is the smoke test of bench/run -quick: the tiny tree, one
// run of layouts a, b, c, d; then layout e alone, in another cache: it
// must not generate the store. Every
// mkfs-tool build must succeed (it checks the replayed repart pipelines),
// gorepart's cells must be a time or "unsupported", and nothing may be
// written besides the cache.
func TestQuick(t *testing.T) {
	for tool, pkg := range map[string]string{
		"mkfs.vfat": "dosfstools", "mcopy": "mtools", "mmd": "mtools",
		"mkfs.ext4": "e2fsprogs", "mkfs.erofs": "erofs-utils", "veritysetup": "cryptsetup-bin",
		"sfdisk": "fdisk", "tar": "tar", "dd": "coreutils", "cp": "coreutils",
	} {
		testutil.Tool(t, tool, pkg)
	}
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "gorepart")
	build := exec.Command("go", "build", "-o", bin, "./cmd/gorepart")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	results := filepath.Join(repo, "bench", "RESULTS.md")
	before, _ := os.ReadFile(results)
	cache, espCache := t.TempDir(), t.TempDir()
	var stdout, stderr bytes.Buffer
	if rc := run([]string{"-quick", "-layouts=a,b,c,d", "-cache=" + cache, "-repo=" + repo, "-gorepart=" + bin}, &stdout, &stderr); rc != 0 {
		t.Fatalf("exit status %d\n%s", rc, stderr.String())
	}
	if rc := run([]string{"-quick", "-layouts=e", "-cache=" + espCache, "-repo=" + repo, "-gorepart=" + bin}, &stdout, &stderr); rc != 0 {
		t.Fatalf("-layouts=e: exit status %d\n%s", rc, stderr.String())
	}
	out := stdout.String()
	for _, l := range layouts {
		i := strings.Index(out, "layout ("+l.id+")")
		if i < 0 {
			t.Fatalf("no layout (%s) in the output:\n%s", l.id, out)
		}
		section := out[i:]
		for _, line := range strings.Split(section, "\n") {
			switch {
			case strings.HasPrefix(line, "| "+bTools+" |"):
				if strings.Contains(line, "failed") || !strings.Contains(line, " | 1 | ") {
					t.Errorf("layout (%s): the mkfs tools failed on the tiny tree: %s\n%s", l.id, line, stderr.String())
				}
			case strings.HasPrefix(line, "| "+bGorepart+" |"):
				if strings.Contains(line, "failed") {
					t.Errorf("layout (%s): gorepart failed: %s\n%s", l.id, line, stderr.String())
				}
			}
		}
	}
	if after, _ := os.ReadFile(results); !bytes.Equal(before, after) {
		t.Error("-quick changed bench/RESULTS.md")
	}
	for _, c := range []string{cache, espCache} {
		ents, err := os.ReadDir(filepath.Join(c, "work"))
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 0 {
			t.Errorf("work files left behind: %v", ents)
		}
	}
	ents, err := os.ReadDir(espCache)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "esp-200" && e.Name() != "work" {
			t.Errorf("-layouts=e made %s in its cache: only esp-200 and work expected", e.Name())
		}
	}
}
