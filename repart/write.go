package repart

import (
	"fmt"
	"sync/atomic"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/swap"
)

// region is the partition's byte range of the image.
func (b *builder) region(p *Partition) *partitionWriter {
	return &partitionWriter{f: b.img, off: int64(p.Offset), size: int64(p.Size), ctx: b.ctx, wb: b.wb}
}

// writePartitions fills every placed, non-deferred partition: data
// first, then verity hash trees over it, then signatures.
func (b *builder) writePartitions() error {
	for _, phase := range []func(*Partition) (bool, error){b.writeContent, b.writeVerityHash, b.writeVeritySig} {
		for _, p := range b.parts {
			if p.Dropped || p.Deferred || p.Exists {
				continue
			}
			if err := b.cancelled(); err != nil {
				return err
			}
			if _, err := phase(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) writeContent(p *Partition) (bool, error) {
	if p.Def.Verity == definitions.VeritySignature || (p.Def.Verity == definitions.VerityHash && !p.HasCopySize) {
		return false, nil
	}
	var written atomic.Int64
	w := b.region(p)
	w.written = &written
	if f, ok := b.files[p]; ok {
		if p.Def.CopyBlocks != "" {
			b.opts.log("Copying in '%s' (%s) on block level into future partition %d.", f.Name(), FormatBytes(p.CopySize), p.PartNo)
		} else {
			b.opts.log("Copying in the minimized content of %s (%s) into future partition %d.", p.Def.Path, FormatBytes(p.CopySize), p.PartNo)
		}
		err := b.track(p, "blocks", 0, int64(p.CopySize), &written, func() error {
			err := copyFileInto(b.img, int64(p.Offset), f, 0, int64(p.CopySize))
			written.Store(int64(p.CopySize))
			return err
		})
		if err != nil {
			return false, fmt.Errorf("%s: %w", p.Def.Path, err)
		}
		return true, nil
	}
	if fc, ok := b.fs[p]; ok {
		b.opts.log("Formatting future partition %d as %s.", p.PartNo, p.Format)
		size := int64(p.Size)
		if p.HasCopySize {
			size = int64(p.CopySize)
		}
		sum, err := fstree.Summarize(fc.tree)
		if err != nil {
			return false, fmt.Errorf("%s: %w", p.Def.Path, err)
		}
		err = b.track(p, p.Format, sum.Files, sum.DataBytes, &written, func() error {
			if fc.format.readOnly {
				// Not minimized: written straight into the partition,
				// which bounds it.
				_, err := fc.format.writeRO(w, fc.tree, fc.params, size)
				return err
			}
			return fc.format.write(w, size, fc)
		})
		if err != nil {
			return false, fmt.Errorf("%s: writing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
		return true, nil
	}
	if p.Format == "swap" {
		if err := swap.Write(w, int64(p.Size), p.FSUUID(), swap.MangleLabel(p.Label)); err != nil {
			return false, fmt.Errorf("%s: %w", p.Def.Path, err)
		}
		return true, nil
	}
	return false, nil
}

func (b *builder) writeVerityHash(p *Partition) (bool, error) {
	if p.Def.Verity != definitions.VerityHash || p.HasCopySize {
		return false, nil
	}
	return true, b.writeHash(p)
}

func (b *builder) writeVeritySig(p *Partition) (bool, error) {
	if !p.IsVeritySig() {
		return false, nil
	}
	return true, b.writeSignature(p)
}

// writeTable writes the protective MBR and both GPTs. Deferred
// partitions get no entry, as in repart.
func (b *builder) writeTable() error {
	l := b.layout
	ss := l.SectorSize
	t := &gpt.Table{SectorSize: int(ss), TotalSectors: l.TotalSectors, DiskGUID: l.DiskGUID,
		FirstUsable: l.FirstLBA, LastUsable: l.LastLBA}
	for _, p := range l.Partitions {
		if p.Dropped || p.Deferred {
			continue
		}
		t.Entries = append(t.Entries, gpt.Entry{
			Index: p.PartNo, Type: p.Type.UUID, UUID: p.UUID,
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
