package repart

import (
	"fmt"
	"sync/atomic"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/swap"
)

// region is the partition's byte range of the image.
func (b *builder) region(p *Placed) *partitionWriter {
	return &partitionWriter{f: b.img, off: int64(p.Offset), size: int64(p.Size), ctx: b.ctx, wb: b.wb}
}

// writePartitions fills every placed, non-deferred new partition: data
// first, then verity hash trees over it, then signatures.
func (b *builder) writePartitions() error {
	return b.writePhases(func(p *Placed) bool { return !p.Dropped && !b.deferred[p.Partition] && !p.Exists })
}

func (b *builder) writePhases(which func(*Placed) bool) error {
	for _, phase := range []func(*Placed) error{b.writeContent, b.writeVerityHash, b.writeVeritySig} {
		for _, p := range b.layout.Partitions {
			if !which(p) {
				continue
			}
			if err := b.cancelled(); err != nil {
				return err
			}
			if err := phase(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) writeContent(p *Placed) error {
	if p.Def.Verity == definitions.VeritySignature || p.Def.Verity == definitions.VerityHash {
		return nil
	}
	var written atomic.Int64
	w := b.region(p)
	w.written = &written
	c := b.content[p.Partition]
	switch {
	case c != nil && c.blocks != nil:
		if p.Copied != nil {
			b.opts.log("Copying in '%s' @ %d (%s) on block level into future partition %d.", c.blocks.Name(), c.offset, FormatBytes(c.size), p.PartNo)
		} else {
			b.opts.log("Copying in '%s' (%s) on block level into future partition %d.", c.blocks.Name(), FormatBytes(c.size), p.PartNo)
		}
		err := b.track(p, "blocks", 0, int64(c.size), &written, func() error {
			err := filecopy.Sparse(w, 0, c.blocks, c.offset, int64(c.size))
			written.Store(int64(c.size))
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
	case c != nil && c.fs != nil:
		b.opts.log("Formatting future partition %d as %s.", p.PartNo, p.Format)
		size := int64(p.Size)
		if c.sized {
			size = int64(c.size)
		}
		sum, err := fstree.Summarize(c.tree)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
		err = b.track(p, p.Format, sum.Files, sum.DataBytes, &written, func() error {
			return c.fs.Write(w, size)
		})
		if err != nil {
			return fmt.Errorf("%s: writing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
	case p.Format == "swap":
		if err := swap.Write(w, int64(p.Size), p.FSUUID(), swap.MangleLabel(p.Label)); err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
	}
	return nil
}

func (b *builder) writeVerityHash(p *Placed) error {
	if p.Def.Verity != definitions.VerityHash {
		return nil
	}
	return b.writeHash(p)
}

func (b *builder) writeVeritySig(p *Placed) error {
	if !p.IsVeritySig() {
		return nil
	}
	return b.writeSignature(p)
}

// writeTable writes the protective MBR and both GPTs. Deferred
// partitions get no entry, as in repart.
func (b *builder) writeTable() error {
	l := b.layout
	ss := l.SectorSize
	t := &gpt.Table{SectorSize: int(ss), TotalSectors: l.TotalSectors, DiskGUID: l.DiskGUID,
		FirstUsable: l.FirstLBA, LastUsable: l.LastLBA}
	for _, p := range l.Partitions {
		if p.Dropped || b.deferred[p.Partition] {
			continue
		}
		t.Entries = append(t.Entries, gpt.Entry{
			Index: p.PartNo, Type: p.Type.UUID, UUID: TableUUID(p.Partition, b.roots),
			FirstLBA: p.Offset / ss, LastLBA: (p.Offset+p.Size)/ss - 1,
			Attributes: p.Attrs, Name: p.Label,
		})
	}
	regions, err := t.Encode()
	if err != nil {
		return fmt.Errorf("encoding partition table: %w", err)
	}
	for _, r := range regions {
		if _, err := b.img.WriteAt(r.Data, r.Offset); err != nil {
			return fmt.Errorf("writing partition table: %w", err)
		}
	}
	return nil
}
