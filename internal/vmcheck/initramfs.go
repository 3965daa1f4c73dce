package vmcheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// agentPackage is the guest agent, built for the guest (static, no cgo).
const agentPackage = "github.com/gorepart/gorepart/internal/vmcheck/guest"

// buildAgent builds the guest agent into dir/init with the go command,
// in the module that holds the working directory.
func buildAgent(ctx context.Context, dir string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", &MissingError{What: "the go command (to build the guest agent)", Package: "golang-go"}
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "init")
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", out, agentPackage)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the guest agent: %v\n%s", err, b)
	}
	return out, nil
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/gorepart/gorepart\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("building the guest agent: run inside the gorepart module (no go.mod above %s)", dir)
		}
		dir = parent
	}
}

// writeInitramfs writes the guest's initramfs, an uncompressed newc cpio
// archive: the agent as /init, /dev/console, the modules in /mods, and
// /job.json (whose module list it fills in).
func writeInitramfs(path, agent string, k *kernel, mods []modFile, j *job.Job) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := &cpioWriter{w: bufio.NewWriterSize(f, 1<<20)}
	for _, d := range []string{"dev", "proc", "sys", "mnt", "tmp", "mods"} {
		w.dir(d)
	}
	w.node("dev/console", 0o020600, 5, 1)
	a, err := os.ReadFile(agent)
	if err != nil {
		return err
	}
	w.file("init", 0o100755, a)
	for _, m := range mods {
		data, err := readModule(filepath.Join(k.modules, m.path))
		if err != nil {
			return fmt.Errorf("reading module %s: %w", m.path, err)
		}
		name := filepath.Base(m.path)
		name = name[:strings.Index(name, ".ko")] + ".ko"
		w.file("mods/"+name, 0o100644, data)
		j.Modules = append(j.Modules, job.Module{File: name, Optional: m.optional})
	}
	js, err := json.Marshal(j)
	if err != nil {
		return err
	}
	w.file("job.json", 0o100644, js)
	w.trailer()
	if w.err != nil {
		return fmt.Errorf("writing initramfs: %w", w.err)
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// readModule reads a module file, decompressing .ko.gz, .ko.xz and
// .ko.zst.
func readModule(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader
	switch {
	case strings.HasSuffix(path, ".ko"):
		return data, nil
	case strings.HasSuffix(path, ".gz"):
		r, err = gzip.NewReader(bytes.NewReader(data))
	case strings.HasSuffix(path, ".xz"):
		r, err = xz.NewReader(bytes.NewReader(data))
	case strings.HasSuffix(path, ".zst"):
		var d *zstd.Decoder
		if d, err = zstd.NewReader(bytes.NewReader(data)); err == nil {
			defer d.Close()
			r = d
		}
	default:
		return nil, fmt.Errorf("unknown module compression")
	}
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// cpioWriter writes a newc ("070701") archive, as the kernel unpacks
// into its initial rootfs (Documentation/driver-api/early-userspace/
// buffer-format.rst). All entries belong to root, mtime 0.
type cpioWriter struct {
	w   *bufio.Writer
	ino int
	err error
}

func (c *cpioWriter) entry(name string, mode uint32, rdevMajor, rdevMinor int, data []byte) {
	if c.err != nil {
		return
	}
	c.ino++
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdevMajor, rdevMinor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write([]byte(name + "\x00"))
	c.pad(len(hdr) + len(name) + 1)
	c.write(data)
	c.pad(len(data))
}

func (c *cpioWriter) write(b []byte) {
	if c.err == nil {
		_, c.err = c.w.Write(b)
	}
}

func (c *cpioWriter) pad(n int) {
	if r := n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

func (c *cpioWriter) dir(name string)                      { c.entry(name, 0o040755, 0, 0, nil) }
func (c *cpioWriter) file(name string, m uint32, b []byte) { c.entry(name, m, 0, 0, b) }
func (c *cpioWriter) node(name string, m uint32, maj, min int) {
	c.entry(name, m, maj, min, nil)
}
func (c *cpioWriter) trailer() { c.entry("TRAILER!!!", 0, 0, 0, nil) }
