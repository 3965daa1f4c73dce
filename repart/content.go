package repart

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"time"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/minimize"
	"github.com/gorepart/gorepart/verity"
)

// content is what goes into one new partition. Its size is known before
// placement for CopyBlocks= files and Minimize= partitions.
type content struct {
	size  uint64
	sized bool
	// blocks is a CopyBlocks= source or a --copy-from= image, read from
	// offset.
	blocks *os.File
	offset int64
	// fs is a planned filesystem and its tree.
	fs     fsformat.Plan
	format fsformat.Format
	tree   *fstree.Tree
}

func (c *content) close() {
	if c.blocks != nil {
		c.blocks.Close()
	}
	if c.fs != nil {
		c.fs.Close()
	}
	if c.tree != nil {
		c.tree.Close()
	}
}

// builder carries one image build from its content to the table.
type builder struct {
	ctx     context.Context
	opts    *BuildOptions
	parts   []*Partition
	layout  *Layout // nil before placement
	content map[*Partition]*content
	// deferred partitions are placed but not written (--defer-partitions*).
	deferred map[*Partition]bool

	img     *os.File
	wb      *writeback
	cleanup *cleanupList
	// roots are the root hashes of the verity groups written, by
	// VerityMatchKey; splits the split files written.
	roots  map[string][]byte
	splits map[*Partition]string
	// volumeKeyIDs are the volume key ids of the LUKS headers written
	// (luks.Writer.VolumeKeyID), for the crypttab's fixate-volume-key=.
	volumeKeyIDs map[*Partition]string
	// run is set while partitions are written concurrently (runJobs).
	run *jobRun
	// image is the image being built (nil for a dry run); inplace the
	// filesystems written into it while planning (inplace.go).
	image   *image
	inplace map[*Partition]*inPlace
}

func (b *builder) closeContent() {
	for _, c := range b.content {
		c.close()
	}
}

func (b *builder) cancelled() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("build interrupted: %w", err)
	}
	return nil
}

// live reports whether p is in the image: before placement every new
// partition but a supplement (merged into its target) is.
func (b *builder) live(p *Partition) bool {
	if b.layout == nil {
		return p.SupplementFor == nil || p.Exists
	}
	return !b.layout.Find(p).Dropped
}

// errAt is an error about a definition key, "file:line: Key=: msg".
func errAt(p *Partition, key, format string, args ...any) error {
	pos, ok := p.Def.Pos[key]
	if !ok {
		pos = definitions.Position{File: p.Def.Path, Key: key}
	}
	return fmt.Errorf("%s %s", pos.String(), fmt.Sprintf(format, args...))
}

// sibling returns the partition of role sharing p's VerityMatchKey.
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

// sizes are the content sizes known before placement, Place's input.
func (b *builder) sizes() map[*Partition]uint64 {
	m := map[*Partition]uint64{}
	for p, c := range b.content {
		if c.sized {
			m[p] = c.size
		}
	}
	return m
}

// prepare settles the content of every new partition: CopyBlocks= files
// are opened, filesystem trees read and planned, and the content size of
// Minimize= partitions computed (package minimize), hash trees after
// their data partitions. Filesystems sized only by writing them are
// written into the image in place once the others are sized (inplace.go).
func (b *builder) prepare() error {
	b.content = map[*Partition]*content{}
	// The partitions' contents are read and planned concurrently, as they
	// are written (runJobs: log lines in partition order, the first error
	// in partition order).
	var jobs []*job
	for _, p := range b.parts {
		if p.Exists || !b.live(p) {
			continue
		}
		jobs = append(jobs, &job{p: &Placed{Partition: p}, run: func(*job) error { return b.prepareOne(p) }})
	}
	if err := b.runJobs(jobs); err != nil {
		return err
	}
	if err := b.writeInPlace(); err != nil {
		return err
	}
	for _, p := range b.parts {
		if p.Exists || p.Def.Verity != definitions.VerityHash {
			continue
		}
		if p.Def.Minimize != definitions.MinimizeOff {
			if err := b.sizeMinimizedHash(p); err != nil {
				return err
			}
		} else if err := b.sizeHashForMaxData(p); err != nil {
			return err
		}
	}
	return nil
}

// prepareOne opens or plans the content of new partition p.
func (b *builder) prepareOne(p *Partition) error {
	if err := b.cancelled(); err != nil {
		return err
	}
	switch {
	case p.Copied != nil:
		return b.openCopied(p)
	case p.Def.CopyBlocks == "auto":
		return errAt(p, "CopyBlocks", "CopyBlocks=auto needs the host's block devices and is not available for image builds")
	case p.Def.CopyBlocks != "":
		return b.openCopyBlocks(p)
	case p.Format == "swap", p.Format == "":
		return nil
	}
	return b.prepareFilesystem(p)
}

// sizeHashForMaxData gives a hash partition without SizeMinBytes= the
// size of the hash tree of its data partition at SizeMaxBytes=, as repart
// does (calculate_verity_hash_size); the tree is then built over the data
// partition as placed.
func (b *builder) sizeHashForMaxData(h *Partition) error {
	data := b.sibling(h, definitions.VerityData)
	if h.Def.SizeMin != nil || data == nil || data.Def.SizeMax == nil {
		return nil
	}
	vp := b.verityParams(h)
	switch n := verity.RepartMinHashSize(*data.Def.SizeMax, vp.DataBlockSize, vp.HashBlockSize); n {
	case 0:
	case math.MaxUint64:
		return errAt(data, "SizeMaxBytes", "the verity hash tree of %d bytes of data is too large to size", *data.Def.SizeMax)
	default:
		b.content[h] = &content{size: n, sized: true}
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
	c := &content{blocks: f}
	if size := p.Def.CopyBlocksSize; size > 0 {
		c.size, c.sized = size, true
	}
	// A character device (size 0) fills the partition, as in repart.
	b.serially(func() { b.content[p] = c })
	return nil
}

func (b *builder) fsTime() time.Time {
	if b.opts.SourceDateEpoch != nil {
		return *b.opts.SourceDateEpoch
	}
	return b.opts.Now
}

// definition is p's definition with the content of the supplement merged
// into it, if any.
func (b *builder) definition(p *Partition) *definitions.Definition {
	d := p.Def
	q := p.Supplement
	if q == nil || q.Exists || (b.layout != nil && !b.layout.Find(q).Merged) {
		return d
	}
	merged := *d
	merged.Copies = append(slices.Clone(d.Copies), q.Def.Copies...)
	merged.ExcludeFiles = append(slices.Clone(d.ExcludeFiles), q.Def.ExcludeFiles...)
	merged.ExcludeTargets = append(slices.Clone(d.ExcludeTargets), q.Def.ExcludeTargets...)
	merged.MakeDirs = append(slices.Clone(d.MakeDirs), q.Def.MakeDirs...)
	merged.MakeSymlinks = append(slices.Clone(d.MakeSymlinks), q.Def.MakeSymlinks...)
	merged.Subvolumes = slices.Clone(d.Subvolumes)
	merged.SubvolumeFlags = maps.Clone(d.SubvolumeFlags)
	for _, v := range q.Def.Subvolumes {
		if slices.Contains(merged.Subvolumes, v) {
			continue
		}
		merged.Subvolumes = append(merged.Subvolumes, v)
		if f, ok := q.Def.SubvolumeFlags[v]; ok {
			if merged.SubvolumeFlags == nil {
				merged.SubvolumeFlags = map[string]definitions.SubvolumeFlags{}
			}
			merged.SubvolumeFlags[v] = f
		}
	}
	return &merged
}

// subvolumes are Subvolumes= of d with their flags.
func subvolumes(d *definitions.Definition) []fsformat.Subvolume {
	var out []fsformat.Subvolume
	for _, v := range d.Subvolumes {
		f := d.SubvolumeFlags[v]
		out = append(out, fsformat.Subvolume{Path: v, ReadOnly: f.ReadOnly, NoDataCOW: f.NoDataCOW})
	}
	return out
}

// prepareFilesystem reads the partition's content tree, plans its writer
// and, for Minimize=, settles its size.
func (b *builder) prepareFilesystem(p *Partition) error {
	format, ok := lookupFormat(p.Format)
	if !ok {
		return errAt(p, "Format", "%s is not supported yet", p.Format)
	}
	b.serially(func() {
		if old := b.content[p]; old != nil {
			old.close()
			delete(b.content, p)
		}
	})
	d := b.definition(p)
	spill := ""
	if format.Walks {
		spill = b.opts.TempDir
	}
	tree, warnings, err := fstree.Build(fstree.BuildOptions{
		Copies:           d.Copies,
		ExcludeFiles:     d.ExcludeFiles,
		ExcludeTargets:   d.ExcludeTargets,
		MakeDirs:         d.MakeDirs,
		MakeSymlinks:     d.MakeSymlinks,
		CopySource:       b.opts.CopySource,
		RootPartition:    p.Type.Designator == "root",
		OtherMountPoints: b.otherMountPoints(p),
		Owner:            b.opts.Owner,
		Unprivileged:     b.opts.Unprivileged,
		SourceDateEpoch:  b.opts.SourceDateEpoch,
		DefaultTime:      b.opts.Now,
		KeepHardlinks:    b.opts.KeepHardlinks,
		RootXattrs:       b.validateFSXattrs(p),
		SpillDir:         spill,
	})
	if err != nil {
		return fmt.Errorf("%s: reading the files to copy: %w", p.Def.Path, err)
	}
	for _, w := range warnings {
		b.plog(p, "%s: %s", p.Def.Path, w)
	}
	maxSz := MaxSize(p, b.opts.Plan)
	if maxSz == Unlimited {
		maxSz = 0
	}
	plan, err := format.Open(tree, fsformat.Params{
		UUID: p.FSUUID(), Label: p.Label, SectorSize: int(FSSectorSize(p, b.opts.Plan)), Time: b.fsTime(),
		Compression: p.Def.Compression, CompressionLevel: p.Def.CompressionLevel,
		Subvolumes: subvolumes(d), DefaultSubvolume: d.DefaultSubvol,
		Options: b.opts.MkfsOptions[p.Format],
		MaxSize: int64(maxSz), Minimize: p.Def.Minimize != definitions.MinimizeOff,
		NoDiscard: b.opts.NoDiscard, Unprivileged: b.opts.Unprivileged, SourceDateEpoch: b.opts.SourceDateEpoch,
		TempDir: b.opts.TempDir, ToolPath: b.opts.ToolPath,
		Warn: func(s string) { b.plog(p, "%s: %s", p.Def.Path, s) },
	})
	if err != nil {
		tree.Close()
		return fmt.Errorf("%s: %s filesystem: %w", p.Def.Path, p.Format, err)
	}
	c := &content{fs: plan, format: format, tree: tree}
	inPlace := false
	b.serially(func() {
		b.content[p] = c
		inPlace = p.Def.Minimize != definitions.MinimizeOff && b.deferInPlace(p, c)
	})
	if p.Def.Minimize == definitions.MinimizeOff || inPlace {
		return nil
	}
	lim := minimize.Limits{Grain: b.grain(), Floor: MinSize(p, 0, false, b.opts.Plan), Max: maxSz}
	sz, err := minimize.Filesystem(plan, format, p.Def.Minimize, lim)
	if err != nil {
		return fmt.Errorf("%s: sizing %s filesystem: %w", p.Def.Path, p.Format, err)
	}
	b.plog(p, "Minimal partition size of %s filesystem of partition %s is %s", p.Format, p.Def.Path, FormatBytes(sz))
	c.size, c.sized = sz, true
	return nil
}

func (b *builder) grain() uint64 { return newPlanner(b.opts.Plan).grain }

// sizeMinimizedHash sizes a Minimize= hash partition: the hash tree over
// its data partition's content, whose size is known before placement.
func (b *builder) sizeMinimizedHash(h *Partition) error {
	data := b.sibling(h, definitions.VerityData)
	if data == nil {
		return errAt(h, "VerityMatchKey", "no Verity=data partition with VerityMatchKey=%s", h.Def.VerityMatchKey)
	}
	if encrypted(data) {
		return errAt(h, "Minimize", "Minimize= cannot be set for verity hash partitions whose data partition is encrypted")
	}
	dc := b.content[data]
	if dc == nil || !dc.sized {
		return errAt(h, "Minimize", "Minimize= set for verity hash partition but data partition %s does not set CopyBlocks= or Minimize=", data.Def.Path)
	}
	n, err := minimize.VerityHash(dc.size, b.verityParams(h))
	if err != nil {
		return fmt.Errorf("%s: %w", h.Def.Path, err)
	}
	b.opts.log("Minimal partition size of verity hash partition %s is %s", h.Def.Path, FormatBytes(n))
	b.content[h] = &content{size: n, sized: true}
	return nil
}

// checkFits verifies after placement that content fits its partition.
func (b *builder) checkFits() error {
	for _, p := range b.layout.Partitions {
		c := b.content[p.Partition]
		if p.Dropped || c == nil || !c.sized {
			continue
		}
		if c.size > p.Size {
			return fmt.Errorf("%s: content of %d bytes does not fit the partition of %d bytes", p.Def.Path, c.size, p.Size)
		}
	}
	return nil
}

// prepareUnmerged redoes the content of supplements that did not fit
// merged into their targets (Place placed them verbatim) and of those
// targets, which no longer carry the supplement's files.
func (b *builder) prepareUnmerged() error {
	for _, pp := range b.layout.Partitions {
		p := pp.Partition
		if p.SupplementFor == nil || pp.Dropped || p.Exists {
			continue
		}
		for _, q := range []*Partition{p.SupplementFor, p} {
			if _, ok := b.content[q]; ok || (q == p && q.Format != "" && q.Format != "swap" && q.Def.CopyBlocks == "") {
				if err := b.prepareFilesystem(q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
