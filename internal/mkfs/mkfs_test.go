package mkfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	tool := Tool{Name: "mkfs.fake", Debian: "fakeprogs", Nix: "fake-progs"}
	_, err := Find(tool, dir+":relative")
	var me *MissingError
	if !errors.As(err, &me) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want a MissingError", err)
	}
	want := "mkfs.fake not found in " + dir + ":relative: install fakeprogs (Debian: apt-get install fakeprogs; Nix: pkgs.fake-progs)"
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err, want)
	}
	p := filepath.Join(dir, "mkfs.fake")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o644)
	if _, err := Find(tool, dir); err == nil {
		t.Error("found a file that is not executable")
	}
	os.Chmod(p, 0o755)
	if got, err := Find(tool, "relative:"+dir); err != nil || got != p {
		t.Errorf("Find = %q, %v", got, err)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{
		"mkfs.btrfs, part of btrfs-progs v6.2":                   {6, 2, 0},
		"mkfs.btrfs, part of btrfs-progs v6.17.1\n+EXPERIMENTAL": {6, 17, 1},
		"mkfs.xfs version 6.1.0":                                 {6, 1, 0},
	} {
		got, err := ParseVersion(in)
		if err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseVersion("no digits"); err == nil {
		t.Error("no error without a number")
	}
	if v := (Version{6, 12, 0}); v.Release() != 6_012 || !v.AtLeast(6, 2) || v.AtLeast(6, 13) {
		t.Errorf("Release/AtLeast of %v", v)
	}
}

// TestRun: the program sees only the explicit environment, its standard
// output goes where asked, and a failure carries the end of its error
// output.
func TestRun(t *testing.T) {
	sh := testutil.Tool(t, "sh", "dash")
	sde := time.Unix(1700000000, 0)
	var out bytes.Buffer
	c := Cmd{Path: sh, Args: []string{"-c", "env | sort"}, Env: Env("/bin:/usr/bin", &sde, "X=1"), Stdout: &out}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out.String())
	got = slices.DeleteFunc(got, func(s string) bool {
		return strings.HasPrefix(s, "PWD=") || strings.HasPrefix(s, "SHLVL=") || strings.HasPrefix(s, "_=")
	})
	want := []string{"LC_ALL=C", "PATH=/bin:/usr/bin", "SOURCE_DATE_EPOCH=1700000000", "TZ=UTC", "X=1"}
	if !slices.Equal(got, want) {
		t.Errorf("environment %q, want %q", got, want)
	}
	c = Cmd{Path: sh, Args: []string{"-c", "yes noise | head -c 100000 >&2; echo the reason >&2; exit 3"}, Env: Env("", nil)}
	err := c.Run()
	if err == nil || !strings.HasPrefix(err.Error(), "running sh: exit status 3: ") || !strings.HasSuffix(err.Error(), "the reason") || len(err.Error()) > stderrKeep+100 {
		t.Errorf("error %.200q...", err)
	}
}

// TestUserNS: in the user namespace the caller is root.
func TestUserNS(t *testing.T) {
	sh := testutil.Tool(t, "sh", "dash")
	var out bytes.Buffer
	c := Cmd{Path: sh, Args: []string{"-c", "id -u; id -g"}, Env: Env("/usr/bin:/bin", nil), Stdout: &out, UserNS: true}
	if err := c.Run(); err != nil {
		t.Skipf("no user namespaces here: %v", err)
	}
	if got := strings.Fields(out.String()); !slices.Equal(got, []string{"0", "0"}) {
		t.Errorf("id in the namespace: %q", got)
	}
}

// TestHidePartitions: the program sees no block devices; the caller's
// view is unchanged.
func TestHidePartitions(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mount namespaces need root")
	}
	sh := testutil.Tool(t, "sh", "dash")
	var out bytes.Buffer
	c := Cmd{Path: sh, Args: []string{"-c", "cat /proc/partitions; ls /sys/block"}, Env: Env("/usr/bin:/bin", nil), Stdout: &out, HidePartitions: true}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("the program saw devices: %q", out.String())
	}
	if es, err := os.ReadDir("/sys/block"); err != nil || len(es) == 0 {
		t.Errorf("the caller's /sys/block changed: %v %v", es, err)
	}
}

// TestProgramVersion reads the first release number a program prints,
// and says which program printed none.
func TestProgramVersion(t *testing.T) {
	sh := testutil.Tool(t, "sh", "dash")
	v, err := ProgramVersion(sh, Env("", nil), "-c", "echo 'mkfs.fake, part of fake-progs v6.17.1'; echo '+ZSTD 2.0'")
	if err != nil || v != (Version{6, 17, 1}) {
		t.Errorf("got %v, %v; want 6.17.1", v, err)
	}
	if _, err := ProgramVersion(sh, Env("", nil), "-c", "echo none"); err == nil || !strings.Contains(err.Error(), "reading the version of "+sh) {
		t.Errorf("got %v, want an error naming %s", err, sh)
	}
}
