package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// faultRun runs this test binary as gorepart in a fresh output directory
// and TMPDIR, and checks that the build failed with one clear line
// containing want, leaving no file behind in either directory.
type faultEnv struct {
	dir, out, tmp, defs string
}

func newFaultEnv(t *testing.T, conf string) *faultEnv {
	t.Helper()
	dir := t.TempDir()
	e := &faultEnv{dir: dir, out: filepath.Join(dir, "out"), tmp: filepath.Join(dir, "tmp"), defs: filepath.Join(dir, "repart.d")}
	for _, d := range []string{e.out, e.tmp, e.defs} {
		os.MkdirAll(d, 0o777)
		os.Chmod(d, 0o777)
	}
	os.Chmod(dir, 0o755)
	if err := os.WriteFile(filepath.Join(e.defs, "10-root.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *faultEnv) command(t *testing.T, extra ...string) *exec.Cmd {
	self, _ := os.Executable()
	args := append([]string{"--empty=create", "--size=auto", "--dry-run=no", "--definitions=" + e.defs}, extra...)
	args = append(args, filepath.Join(e.out, "image.raw"))
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "GOREPART_RUN_MAIN=1", "TMPDIR="+e.tmp, "SOURCE_DATE_EPOCH=1")
	return cmd
}

func (e *faultEnv) checkFailed(t *testing.T, err error, stderr []byte, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("build succeeded, want a failure mentioning %q", want)
	}
	lines := strings.Split(strings.TrimSpace(string(stderr)), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, want) {
		t.Errorf("last line %q does not mention %q\n%s", last, want, stderr)
	}
	for _, d := range []string{e.out, e.tmp} {
		if left, _ := os.ReadDir(d); len(left) > 0 {
			t.Errorf("%s not empty after a failed build: %v", d, left)
		}
	}
}

// TestFaultDiskFull: the output directory is a 16 MiB tmpfs and the root
// filesystem holds 32 MiB of incompressible data.
func TestFaultDiskFull(t *testing.T) {
	src := t.TempDir()
	data := make([]byte, 32<<20)
	rand.Read(data)
	os.WriteFile(filepath.Join(src, "big"), data, 0o644)
	e := newFaultEnv(t, "[Partition]\nType=root\nFormat=ext4\nCopyFiles=/big:/big\nSizeMinBytes=64M\n")
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", e.out).CombinedOutput(); err != nil {
		t.Fatalf("mounting a small tmpfs (needs root): %v\n%s", err, out)
	}
	defer exec.Command("umount", e.out).Run()
	var stderr bytes.Buffer
	cmd := e.command(t, "--copy-source="+src)
	cmd.Stderr = &stderr
	e.checkFailed(t, cmd.Run(), stderr.Bytes(), "no space left on device")
}

// TestFaultSourceShrinks: a sysfs file reports 4096 bytes but reads far
// fewer, like a file truncated while gorepart reads it.
func TestFaultSourceShrinks(t *testing.T) {
	const src = "/sys/kernel/mm/transparent_hugepage/enabled" // in --copy-source=/sys/kernel/mm
	if st, err := os.Stat(src); err != nil || st.Size() != 4096 {
		t.Fatalf("%s: %v (size %v): this test needs a sysfs file whose size is larger than its content", src, err, st)
	}
	e := newFaultEnv(t, "[Partition]\nType=root\nFormat=ext4\nCopyFiles=/transparent_hugepage/enabled:/enabled\n")
	var stderr bytes.Buffer
	cmd := e.command(t, "--copy-source=/sys/kernel/mm")
	cmd.Stderr = &stderr
	e.checkFailed(t, cmd.Run(), stderr.Bytes(), src)
}

// TestFaultUnreadableSource: as an unprivileged user, a source file
// without read permission.
func TestFaultUnreadableSource(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatalf("this test switches to uid 65534 and needs to start as root")
	}
	src := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(src, 0o755)
	for d := filepath.Dir(src); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // let uid 65534 reach the sources and the binary
	}
	os.WriteFile(filepath.Join(src, "secret"), []byte("no"), 0o000)
	os.WriteFile(filepath.Join(src, "public"), []byte("yes"), 0o644)
	e := newFaultEnv(t, "[Partition]\nType=root\nFormat=ext4\nCopyFiles=/:/\n")
	self, _ := os.Executable()
	exe := filepath.Join(e.dir, "gorepart")
	data, _ := os.ReadFile(self)
	os.WriteFile(exe, data, 0o755)
	var stderr bytes.Buffer
	cmd := e.command(t, "--copy-source="+src)
	cmd.Path, cmd.Args[0] = exe, exe
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	e.checkFailed(t, cmd.Run(), stderr.Bytes(), "secret")
}

// TestFaultInterrupted: SIGINT and SIGTERM in the middle of writing.
func TestFaultInterrupted(t *testing.T) {
	src := t.TempDir()
	data := make([]byte, 64<<20)
	rand.Read(data)
	for i := 0; i < 6; i++ {
		os.WriteFile(filepath.Join(src, "f"+string(rune('a'+i))), data, 0o644)
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		e := newFaultEnv(t, "[Partition]\nType=root\nFormat=ext4\nMinimize=guess\nCopyFiles=/:/\n")
		var stderr bytes.Buffer
		cmd := e.command(t, "--copy-source="+src)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the image is being written, then interrupt.
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if entries, _ := os.ReadDir(e.out); len(entries) > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cmd.Process.Signal(sig)
		e.checkFailed(t, cmd.Wait(), stderr.Bytes(), "interrupt")
	}
}
