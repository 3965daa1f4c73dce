package vmcheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gorepart/gorepart/internal/initramfs"
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
func writeInitramfs(path, agent string, k *kernel, mods []initramfs.Module, j *job.Job) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := bufio.NewWriterSize(f, 1<<20)
	w := initramfs.NewWriter(b)
	for _, d := range []string{"dev", "proc", "sys", "mnt", "tmp", "mods"} {
		w.Add(d, fs.ModeDir|0o755, nil)
	}
	w.Char("dev/console", 0o600, 5, 1)
	a, err := os.ReadFile(agent)
	if err != nil {
		return err
	}
	w.Add("init", 0o755, a)
	for _, m := range mods {
		data, err := readModule(filepath.Join(k.modules, m.Path))
		if err != nil {
			return fmt.Errorf("reading module %s: %w", m.Path, err)
		}
		name := filepath.Base(m.Path)
		name = name[:strings.Index(name, ".ko")] + ".ko"
		w.Add("mods/"+name, 0o644, data)
		j.Modules = append(j.Modules, job.Module{File: name, Optional: m.Optional})
	}
	js, err := json.Marshal(j)
	if err != nil {
		return err
	}
	w.Add("job.json", 0o644, js)
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing initramfs: %w", err)
	}
	if err := b.Flush(); err != nil {
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
