package repart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/definitions"
)

// SplitSpecifiers are the system specifiers available in SplitName=.
type SplitSpecifiers = definitions.Specifiers

// splitName resolves SplitName= for p: %t type name (or UUID), %T type
// UUID and %U partition UUID as 32 hex digits, %n the 0-based partition
// number, plus the system specifiers (spec §7).
func splitName(p *Placed, uuid UUID, sp definitions.Specifiers) (string, bool, error) {
	format := p.Def.SplitName
	if format == "" {
		format = "%t"
	}
	if format == "-" {
		return "", false, nil
	}
	hex := func(u UUID) string { return strings.ReplaceAll(formatUUID(u), "-", "") }
	s, err := definitions.Expand(format, sp, map[rune]string{
		't': typeString(p.Type), 'T': hex(p.Type.UUID), 'U': hex(uuid), 'n': strconv.Itoa(p.PartNo),
	})
	if err != nil {
		return "", false, errAt(p.Partition, "SplitName", "%v", err)
	}
	return s, true, nil
}

// splitPath is <image dir>/<image base without .raw>.<name>[.raw]. Split
// files are raw: next to a VM disk image (c not raw) they are named
// <image base without its extension>.<name>.raw.
func splitPath(image, name string, c Container) string {
	dir, base := filepath.Split(image)
	ext := ""
	switch {
	case !c.raw():
		base, ext = strings.TrimSuffix(base, filepath.Ext(base)), ".raw"
	case strings.HasSuffix(base, ".raw"):
		base, ext = strings.TrimSuffix(base, ".raw"), ".raw"
	}
	return dir + base + "." + name + ext
}

// writeSplitFiles writes one file per partition with a SplitName=: the
// partition's bytes (holes kept), or only the JSON of a signature.
func (b *builder) writeSplitFiles() error {
	seen := map[string]*Placed{}
	for _, p := range b.layout.Partitions {
		if p.Dropped || b.deferred[p.Partition] || p.Foreign {
			continue
		}
		name, ok, err := splitName(p, TableUUID(p.Partition, b.roots), b.opts.Specifiers)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		path := splitPath(b.opts.Image, name, b.opts.Container)
		if q, dup := seen[path]; dup {
			return fmt.Errorf("%s and %s both split to %s; give them different SplitName=", q.Def.Path, p.Def.Path, path)
		}
		seen[path] = p
		if err := b.writeSplitFile(p, path); err != nil {
			return err
		}
		b.splits[p.Partition] = path
	}
	return nil
}

func (b *builder) writeSplitFile(p *Placed, path string) error {
	mode := b.opts.Mode
	if mode == 0 {
		mode = 0o644
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("split file %s already exists, refusing to overwrite it", path)
		}
		return fmt.Errorf("creating split file: %w", err)
	}
	b.cleanup.add(func() { os.Remove(path) })
	defer f.Close()
	if p.IsVeritySig() {
		buf := make([]byte, p.Size)
		if _, err := b.img.ReadAt(buf, int64(p.Offset)); err != nil && err != io.EOF {
			return fmt.Errorf("reading signature partition: %w", err)
		}
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			buf = buf[:i]
		}
		_, err = f.Write(buf)
	} else {
		if err = f.Truncate(int64(p.Size)); err == nil {
			err = copyFileInto(f, 0, b.img, int64(p.Offset), int64(p.Size))
		}
	}
	if err != nil {
		return fmt.Errorf("writing split file %s: %w", path, err)
	}
	return f.Close()
}
