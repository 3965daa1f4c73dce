package repart

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/luks"
	"github.com/gorepart/gorepart/swap"
)

// region is the partition's byte range of the image.
func (b *builder) region(p *Placed) *partitionWriter {
	return &partitionWriter{f: b.img, off: int64(p.Offset), size: int64(p.Size), ctx: b.ctx, wb: b.wb}
}

// writePartitions fills every placed, non-deferred new partition: data
// first, then verity hash trees over it, then signatures.
func (b *builder) writePartitions() error {
	if err := b.settleInPlace(); err != nil {
		return err
	}
	return b.writePhases(func(p *Placed) bool { return !p.Dropped && !b.deferred[p.Partition] && !p.Exists })
}

// writePhases writes the partitions which selects: their content and
// hash trees concurrently (runJobs; a hash tree once its data partition
// is written), then the signatures, which need every root hash.
func (b *builder) writePhases(which func(*Placed) bool) error {
	var jobs []*job
	data := map[*Partition]*job{}
	for _, p := range b.layout.Partitions {
		if !which(p) || p.Def.Verity == definitions.VeritySignature || p.Def.Verity == definitions.VerityHash {
			continue
		}
		j := &job{p: p, run: func(*job) error { return b.writeContent(p) }}
		jobs = append(jobs, j)
		data[p.Partition] = j
	}
	for _, p := range b.layout.Partitions {
		if !which(p) || p.Def.Verity != definitions.VerityHash {
			continue
		}
		j := &job{p: p, run: func(j *job) (err error) {
			j.root, err = b.writeHash(p)
			return err
		}}
		if d := data[b.sibling(p.Partition, definitions.VerityData)]; d != nil {
			j.deps = []*job{d}
		}
		jobs = append(jobs, j)
	}
	if err := b.cancelled(); err != nil {
		return err
	}
	err := b.runJobs(jobs)
	for _, j := range jobs {
		if j.root != nil {
			b.roots[j.p.Def.VerityMatchKey] = j.root
		}
	}
	if err != nil {
		return err
	}
	for _, p := range b.layout.Partitions {
		if !which(p) || !p.IsVeritySig() {
			continue
		}
		if err := b.cancelled(); err != nil {
			return err
		}
		if err := b.writeSignature(p); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) writeContent(p *Placed) error {
	if b.writtenInPlace(p.Partition) {
		return nil
	}
	var written atomic.Int64
	region := b.region(p)
	region.written = &written
	var dst io.WriterAt = region
	size := int64(p.Size)
	var lw *luks.Writer
	if encrypted(p.Partition) {
		var err error
		if lw, err = b.luksWriter(p, region); err != nil {
			return err
		}
		dst, size = lw, plainSize(p)
		b.serially(func() { b.recordVolumeKeyID(p.Partition, lw) })
	}
	if err := b.writePlain(p, dst, size, &written); err != nil {
		return err
	}
	if lw != nil {
		if err := lw.Close(); err != nil {
			return fmt.Errorf("%s: encrypting: %w", p.Def.Path, err)
		}
	}
	return nil
}

// writePlain writes p's content into dst, the partition or, encrypted,
// its LUKS2 volume, of size bytes.
func (b *builder) writePlain(p *Placed, dst io.WriterAt, size int64, written *atomic.Int64) error {
	c := b.content[p.Partition]
	switch {
	case c != nil && c.blocks != nil:
		n := size // a character device fills the partition
		if c.sized {
			n = int64(c.size)
		}
		if p.Copied != nil {
			b.plog(p.Partition, "Copying in '%s' @ %d (%s) on block level into future partition %d.", c.blocks.Name(), c.offset, FormatBytes(uint64(n)), p.PartNo)
		} else {
			b.plog(p.Partition, "Copying in '%s' (%s) on block level into future partition %d.", c.blocks.Name(), FormatBytes(uint64(n)), p.PartNo)
		}
		blocks := func() (int64, int64) { return 0, n }
		err := b.track(p, "blocks", blocks, written, func() error {
			var err error
			if c.sized {
				err = filecopy.Sparse(dst, 0, c.blocks, c.offset, n)
			} else {
				err = copyStream(dst, c.blocks, n)
			}
			written.Store(n)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
	case c != nil && c.fs != nil:
		b.plog(p.Partition, "Formatting future partition %d as %s.", p.PartNo, p.Format)
		if c.sized {
			size = int64(c.size)
		}
		err := b.track(p, p.Format, treeTotals(c.tree), written, func() error {
			return c.fs.Write(dst, size)
		})
		if err != nil {
			return fmt.Errorf("%s: writing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
	case p.Format == "swap":
		uuid, label, err := b.swapOptions(p)
		if err != nil {
			return err
		}
		if err := swap.Write(dst, size, uuid, label); err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
	}
	return nil
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

// swapOptions are the UUID and label of a swap partition, with -U and -L
// of SYSTEMD_REPART_MKFS_OPTIONS_SWAP applied as mkswap would.
func (b *builder) swapOptions(p *Placed) (UUID, string, error) {
	uuid, label := p.FSUUID(), swap.MangleLabel(p.Label)
	opts, err := fsformat.ParseMkfsOptions(b.opts.MkfsOptions["swap"], "LUp")
	if err != nil {
		return uuid, label, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_SWAP: %w", err)
	}
	warn := fsformat.Params{Warn: func(s string) { b.plog(p.Partition, "%s: %s", p.Def.Path, s) }}
	for _, o := range opts {
		switch o.Flag {
		case "-L":
			label = swap.MangleLabel(o.Value)
		case "-U":
			if uuid, err = fsformat.ParseUUID(o.Value); err != nil {
				return uuid, label, fmt.Errorf("SYSTEMD_REPART_MKFS_OPTIONS_SWAP: %s: %w", o, err)
			}
		default:
			warn.NotApplied("swap", o)
		}
	}
	return uuid, label, nil
}

// copyStream copies n bytes read from a stream (a character device) to dst.
func copyStream(dst io.WriterAt, src io.Reader, n int64) error {
	got, err := io.CopyBuffer(io.NewOffsetWriter(dst, 0), io.LimitReader(src, n), make([]byte, 1<<20))
	if err == nil && got != n {
		err = fmt.Errorf("the source ended after %d of %d bytes", got, n)
	}
	return err
}
