package vmcheck

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// The guest boots fastest from the uncompressed kernel through its PVH
// entry point (qemu -kernel with an ELF that has the Xen PVH note): under
// TCG, the bzImage's own decompressor takes about 13 s of the 25 s a
// check used to take. vmlinux extracts the ELF from the bzImage once and
// keeps it in the cache directory.

// xenElfnotePhys32Entry is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry note.
const xenElfnotePhys32Entry = 18

// vmlinux returns the path of the kernel's uncompressed ELF image with a
// PVH entry point, extracting it into cache (or into work when cache is
// ""), or an error when the bzImage cannot give one.
func (k *kernel) vmlinux(cache, work string) (string, error) {
	st, err := os.Stat(k.image)
	if err != nil {
		return "", err
	}
	dir := cache
	if dir == "" {
		dir = work
	}
	path := filepath.Join(dir, fmt.Sprintf("vmlinux-%s-%d-%d", k.version, st.Size(), st.ModTime().Unix()))
	if hasPVHNote(path) == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "vmlinux-*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	err = extractVmlinux(k.image, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := hasPVHNote(tmp.Name()); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// extractVmlinux decompresses a bzImage's payload (xz with the xz tool,
// which also undoes the kernel's BCJ filter, or gzip).
func extractVmlinux(bzImage string, out io.Writer) error {
	d, err := os.ReadFile(bzImage)
	if err != nil {
		return err
	}
	// The setup header (Documentation/arch/x86/boot.rst): setup_sects
	// at 0x1f1, "HdrS" at 0x202, the version at 0x206, payload_offset
	// and payload_length (protocol 2.08+) at 0x248 and 0x24c.
	le := binary.LittleEndian
	if len(d) < 0x250 || string(d[0x202:0x206]) != "HdrS" || le.Uint16(d[0x206:]) < 0x208 {
		return errors.New("not a bzImage with boot protocol 2.08 or later")
	}
	setup := int(d[0x1f1])
	if setup == 0 {
		setup = 4
	}
	start := (setup+1)*512 + int(le.Uint32(d[0x248:]))
	end := start + int(le.Uint32(d[0x24c:]))
	if end > len(d) || start >= end {
		return errors.New("bzImage payload out of bounds")
	}
	payload := d[start:end]
	switch {
	case bytes.HasPrefix(payload, []byte("\xfd7zXZ\x00")):
		xz, err := exec.LookPath("xz")
		if err != nil {
			return errors.New("xz not found (apt-get install -y xz-utils)")
		}
		var stderr bytes.Buffer
		cmd := exec.Command(xz, "-dc", "--single-stream")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(payload), out, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("xz: %v %s", err, stderr.Bytes())
		}
		return nil
	case bytes.HasPrefix(payload, []byte{0x1f, 0x8b}):
		z, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return err
		}
		z.Multistream(false)
		_, err = io.Copy(out, z)
		return err
	}
	return fmt.Errorf("bzImage payload compressed with an unknown method (% x)", payload[:min(6, len(payload))])
}

// hasPVHNote checks that an ELF kernel has a PVH entry point.
func hasPVHNote(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE {
			continue
		}
		b, err := io.ReadAll(p.Open())
		if err != nil {
			return err
		}
		for len(b) >= 12 {
			nsz, dsz, typ := f.ByteOrder.Uint32(b), f.ByteOrder.Uint32(b[4:]), f.ByteOrder.Uint32(b[8:])
			name := b[12:min(len(b), 12+int(nsz))]
			if bytes.Equal(bytes.TrimRight(name, "\x00"), []byte("Xen")) && typ == xenElfnotePhys32Entry {
				return nil
			}
			next := 12 + (int(nsz)+3)&^3 + (int(dsz)+3)&^3
			if next > len(b) {
				break
			}
			b = b[next:]
		}
	}
	return errors.New("no PVH entry note")
}
