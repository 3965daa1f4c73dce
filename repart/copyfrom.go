package repart

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/definitions"
)

// Copied is a partition of a --copy-from= image, to be copied block by
// block into a new partition (repart's context_copy_from_one()). Def is
// the definition repart makes up for it: its type, UUID, label (nil when
// the source has none), GPT flags as they are, a fixed size of Size
// bytes, the source's padding after it as fixed padding (none for the
// partition ending last), Weight=1000 and SplitName=%t; Def.Path is the
// image.
type Copied struct {
	Def          *definitions.Definition
	Image        string
	Offset, Size uint64 // the source range in Image, in bytes
}

// ReadCopyFrom reads the GPT of every --copy-from= image, in order, and
// returns their partitions in the order repart lists them: the partitions
// of the last image first (each image's are inserted at the head of the
// list), each image's in partition-number order. exclude, when set, drops
// the types --include-partitions=/--exclude-partitions= leave out.
func ReadCopyFrom(images []string, exclude func(definitions.PartitionType) bool) ([]*Copied, error) {
	var all []*Copied
	for _, img := range images {
		parts, err := readCopyFromOne(img, exclude)
		if err != nil {
			return nil, err
		}
		all = append(parts, all...)
	}
	return all, nil
}

func readCopyFromOne(image string, exclude func(definitions.PartitionType) bool) ([]*Copied, error) {
	abs, err := filepath.Abs(image)
	if err != nil {
		return nil, fmt.Errorf("--copy-from=%s: %w", image, err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("--copy-from=%s: %w", image, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--copy-from=%s: %w", image, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("--copy-from=%s: not a regular file (block devices are not read)", image)
	}
	ss, err := probeSectorSize(f)
	if err != nil {
		return nil, fmt.Errorf("--copy-from=%s: probing the sector size: %w", image, err)
	}
	label, t, err := probeLabel(f, st.Size(), ss)
	if err != nil {
		return nil, fmt.Errorf("--copy-from=%s: reading the disk label: %w", image, err)
	}
	if label != labelGPT {
		return nil, fmt.Errorf("cannot copy from disk %s with no GPT disk label", abs)
	}
	sectors := uint64(ss)
	var out []*Copied
	for _, e := range t.Entries {
		typ := definitions.TypeByUUID(e.Type)
		if exclude != nil && exclude(typ) {
			continue
		}
		start, end := e.FirstLBA*sectors, (e.LastLBA+1)*sectors
		if e.LastLBA < e.FirstLBA || end > uint64(st.Size()) {
			return nil, fmt.Errorf("--copy-from=%s: partition %d (LBA %d-%d) is not inside the image", image, e.Index+1, e.FirstLBA, e.LastLBA)
		}
		size := end - start
		uuid := e.UUID
		d := &definitions.Definition{
			Path: abs, Type: typ, UUID: &uuid, Weight: 1000, SplitName: "%t",
			SizeMin: &size, SizeMax: &size, Flags: e.Attributes, FlagsSet: true,
		}
		if e.Name != "" {
			name := e.Name
			d.Label = &name
		}
		// The gap up to the next partition starting after this one, or
		// none for the one ending last (determine_current_padding with a
		// grain of 1; the new image's grain rounds it later).
		last, next := true, uint64(0)
		for _, q := range t.Entries {
			if s := q.FirstLBA * sectors; s >= end && (last || s < next) {
				last, next = false, s
			}
		}
		if !last {
			pad := next - end
			d.PaddingMin, d.PaddingMax = &pad, &pad
		}
		out = append(out, &Copied{Def: d, Image: abs, Offset: start, Size: size})
	}
	return out, nil
}

// openCopied opens the source of a --copy-from= partition.
func (b *builder) openCopied(p *Partition) error {
	c := p.Copied
	f, err := os.Open(c.Image)
	if err != nil {
		return fmt.Errorf("--copy-from=%s: %w", c.Image, err)
	}
	b.serially(func() { b.content[p] = &content{blocks: f, offset: int64(c.Offset), size: c.Size, sized: true} })
	return nil
}
