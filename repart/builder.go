package repart

import (
	"context"
	"fmt"
	"os"

	"github.com/gorepart/gorepart/definitions"
)

// builder carries one image build from preparation to the table.
type builder struct {
	ctx     context.Context
	opts    *BuildOptions
	parts   []*Partition
	layout  *Layout
	img     *os.File
	wb      *writeback
	cleanup *cleanupList

	// content of each partition whose bytes come from a file (CopyBlocks=,
	// a minimized filesystem, a minimized verity hash tree).
	files map[*Partition]*os.File
	// trees and planned writers of filesystem partitions.
	fs map[*Partition]*fsContent
}

func (b *builder) closeSources() {
	for _, f := range b.files {
		f.Close()
	}
	for _, fc := range b.fs {
		fc.tree.Close()
	}
}

func (b *builder) cancelled() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("build interrupted: %w", err)
	}
	return nil
}

// errAt is an error about a definition key, "file:line: Key=: msg".
func errAt(p *Partition, key, format string, args ...any) error {
	pos, ok := p.Def.Pos[key]
	if !ok {
		pos = definitions.Position{File: p.Def.Path, Key: key}
	}
	return fmt.Errorf("%s %s", pos.String(), fmt.Sprintf(format, args...))
}

// siblings returns the verity partitions sharing p's VerityMatchKey.
func (b *builder) sibling(p *Partition, role definitions.Verity) *Partition {
	if p.Def.VerityMatchKey == "" {
		return nil
	}
	for _, q := range b.parts {
		if q.Def.VerityMatchKey == p.Def.VerityMatchKey && q.Def.Verity == role {
			return q
		}
	}
	return nil
}

// prepare settles the content size of every partition whose size is
// known before placement: CopyBlocks= files, minimized filesystems and
// minimized verity hash trees (spec §3.7). Filesystem trees are read here.
func (b *builder) prepare() error {
	b.files = map[*Partition]*os.File{}
	b.fs = map[*Partition]*fsContent{}
	for _, p := range b.parts {
		if p.Dropped || p.Exists || p.suppressed() {
			continue
		}
		if err := b.cancelled(); err != nil {
			return err
		}
		switch {
		case p.Def.CopyBlocks == "auto":
			return errAt(p, "CopyBlocks", "CopyBlocks=auto needs the host's block devices and is not available for image builds")
		case p.Def.CopyBlocks != "":
			if err := b.openCopyBlocks(p); err != nil {
				return err
			}
		case p.Format == "swap", p.Format == "":
		default:
			if err := b.prepareFilesystem(p); err != nil {
				return err
			}
		}
	}
	// Hash trees come after their data partitions are settled.
	for _, p := range b.parts {
		if p.Dropped || p.Exists || p.Def.Verity != definitions.VerityHash || p.Def.Minimize == definitions.MinimizeOff {
			continue
		}
		if err := b.prepareMinimizedHash(p); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) openCopyBlocks(p *Partition) error {
	path := p.Def.CopyBlocksFile // resolved under --root by the definitions
	if path == "" {
		path = p.Def.CopyBlocks
	}
	f, err := os.Open(path)
	if err != nil {
		return errAt(p, "CopyBlocks", "opening %s: %v", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return errAt(p, "CopyBlocks", "%v", err)
	}
	size := uint64(st.Size())
	if st.Mode().IsRegular() && (size == 0 || size%512 != 0) {
		f.Close()
		return errAt(p, "CopyBlocks", "%s is %d bytes, not a positive multiple of 512", p.Def.CopyBlocks, size)
	}
	b.files[p] = f
	p.CopySize, p.HasCopySize = size, true
	return nil
}

// checkFits verifies after placement that content fits its partition.
func (b *builder) checkFits() error {
	for _, p := range b.parts {
		if p.Dropped {
			continue
		}
		if p.HasCopySize && p.CopySize > p.Size {
			return fmt.Errorf("%s: content of %d bytes does not fit the partition of %d bytes", p.Def.Path, p.CopySize, p.Size)
		}
	}
	return nil
}

// prepareUnmerged redoes the content of supplements that did not fit
// merged into their targets (Place placed them verbatim) and of those
// targets, which no longer carry the supplement's files.
func (b *builder) prepareUnmerged() error {
	for _, p := range b.parts {
		if p.supplementFor == nil || p.Dropped || p.Exists {
			continue
		}
		for _, q := range []*Partition{p.supplementFor, p} {
			if _, ok := b.fs[q]; ok || (q == p && q.Format != "" && q.Format != "swap" && q.Def.CopyBlocks == "") {
				if err := b.prepareFilesystem(q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
