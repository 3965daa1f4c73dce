package testutil

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// DiskPart is one partition of a test disk: its content comes from File
// (an image file, copied in) or from Write (given the partition to write
// into, Size bytes).
type DiskPart struct {
	Type  string // GPT type GUID
	UUID  string // optional
	Name  string // optional
	Size  int64  // bytes; 0 with File: the file's size (rounded up to MiB)
	File  string
	Write func(w io.WriterAt) error
}

const mib = 1 << 20

// Disk writes a GPT disk image at path with sfdisk: the partitions back
// to back from 1 MiB, each rounded up to a MiB, and a MiB at the end for
// the backup table. It returns each partition's byte offset.
func Disk(t testing.TB, path string, parts []DiskPart) []int64 {
	t.Helper()
	sfdisk := Tool(t, "sfdisk", "fdisk")
	var script strings.Builder
	script.WriteString("label: gpt\n")
	offs := make([]int64, len(parts))
	off := int64(mib)
	for i, p := range parts {
		size := p.Size
		if size == 0 && p.File != "" {
			st, err := os.Stat(p.File)
			if err != nil {
				t.Fatal(err)
			}
			size = st.Size()
		}
		size = (size + mib - 1) &^ (mib - 1)
		fmt.Fprintf(&script, "start=%d, size=%d, type=%s", off/512, size/512, p.Type)
		if p.UUID != "" {
			fmt.Fprintf(&script, ", uuid=%s", p.UUID)
		}
		if p.Name != "" {
			fmt.Fprintf(&script, ", name=%q", p.Name)
		}
		script.WriteString("\n")
		offs[i] = off
		off += size
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(off + mib); err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		w := io.NewOffsetWriter(f, offs[i])
		switch {
		case p.Write != nil:
			err = p.Write(w)
		case p.File != "":
			err = copyFileTo(w, p.File)
		}
		if err != nil {
			t.Fatalf("writing partition %d: %v", i+1, err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sfdisk, "--quiet", "--no-reread", "--no-tell-kernel", path)
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s\n%s", err, out, script.String())
	}
	return offs
}

// copyFileTo copies a file to the start of w, leaving zero blocks out.
func copyFileTo(w io.WriterAt, path string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	buf := make([]byte, mib)
	var off int64
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 && !allZero(buf[:n]) {
			if _, werr := w.WriteAt(buf[:n], off); werr != nil {
				return werr
			}
		}
		off += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
