package boottest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// TestWriteInitrd writes an initrd with a dynamically linked program and
// lists it with gzip and cpio: /init, the console, busybox and sh, the
// modules in order, the program and every library ldd names for it.
func TestWriteInitrd(t *testing.T) {
	cpio := testutil.Tool(t, "cpio", "cpio")
	gz := testutil.Tool(t, "gzip", "gzip")
	testutil.Tool(t, "ldd", "libc-bin")
	prog := testutil.Tool(t, "ls", "coreutils")
	dir := t.TempDir()
	fake := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	libs, err := sharedLibraries(prog)
	if err != nil || len(libs) == 0 {
		t.Fatalf("ldd %s: %v %v", prog, libs, err)
	}
	var buf bytes.Buffer
	p := InitrdParams{Init: []byte("#!/bin/sh\n"), Busybox: fake("busybox"),
		Modules: []string{fake("b-mod.ko"), fake("a_mod.ko")}, Programs: []string{prog}}
	if err := WriteInitrd(&buf, p); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := WriteInitrd(&again, p); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("two initrds of the same inputs differ (%v)", err)
	}

	unzip := exec.Command(gz, "-dc")
	unzip.Stdin = &buf
	archive, err := unzip.Output()
	if err != nil {
		t.Fatalf("gzip -d: %v", err)
	}
	list := exec.Command(cpio, "-it", "--quiet")
	list.Stdin = bytes.NewReader(archive)
	out, err := list.Output()
	if err != nil {
		t.Fatalf("cpio -t: %v", err)
	}
	names := strings.Fields(string(out))
	want := []string{"init", "dev/console", "bin/busybox", "bin/sh", "bin/ls",
		"lib/modules/00-b_mod.ko", "lib/modules/01-a_mod.ko"}
	for _, l := range libs {
		want = append(want, strings.TrimPrefix(l, "/"))
	}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("initrd lacks %s; it has %v", w, names)
		}
	}
}
