package repart

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/minimize"
)

// fsParams is what every filesystem writer is given.
type fsParams struct {
	UUID             UUID
	Label            string
	SectorSize       uint64
	Time             time.Time
	Compression      string
	CompressionLevel string
	Warn             func(string)
}

// fsFormat adapts one filesystem writer package.
type fsFormat struct {
	// readOnly formats are written once into a file whose size is the
	// partition's content size (Minimize=best or not).
	readOnly bool
	// minSize is the exact smallest filesystem holding the tree
	// (writable formats, for Minimize=guess).
	minSize func(fc *fsContent) (uint64, error)
	// write makes a filesystem of exactly size bytes (writable formats).
	write func(w io.WriterAt, size int64, fc *fsContent) error
	// writeRO writes a read-only filesystem and returns its size; it
	// fails past maxSize (0: no limit).
	writeRO func(w io.WriterAt, t *fstree.Tree, p fsParams, maxSize int64) (int64, error)
	// walks is set for writers that list directories as they go and keep
	// nothing per inode: their tree is spilled to a temporary file rather
	// than held in memory, so memory does not grow with the tree.
	walks bool
}

// fsContent is a filesystem partition's tree and parameters.
type fsContent struct {
	format fsFormat
	tree   *fstree.Tree
	params fsParams
	// plan is what a writer learned about the tree while sizing it, for
	// writing it (ext4: *ext4.Plan), or nil.
	plan any
}

func (b *builder) fsTime() time.Time {
	if b.opts.SourceDateEpoch != nil {
		return *b.opts.SourceDateEpoch
	}
	return b.opts.Now
}

// prepareFilesystem reads the partition's content tree and, for
// Minimize=, settles its size.
func (b *builder) prepareFilesystem(p *Partition) error {
	format, ok := lookupFormat(p.Format)
	if !ok {
		return errAt(p, "Format", "%s is not supported yet", p.Format)
	}
	d := p.Def
	if q := p.suppressing; q != nil {
		// A supplement merged into this partition adds its content.
		merged := *d
		merged.Copies = append(slices.Clone(d.Copies), q.Def.Copies...)
		merged.ExcludeFiles = append(slices.Clone(d.ExcludeFiles), q.Def.ExcludeFiles...)
		merged.ExcludeTargets = append(slices.Clone(d.ExcludeTargets), q.Def.ExcludeTargets...)
		merged.MakeDirs = append(slices.Clone(d.MakeDirs), q.Def.MakeDirs...)
		merged.MakeSymlinks = append(slices.Clone(d.MakeSymlinks), q.Def.MakeSymlinks...)
		d = &merged
	}
	spill := ""
	if format.walks {
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
		b.opts.log("%s: %s", p.Def.Path, w)
	}
	fc := &fsContent{format: format, tree: tree, params: fsParams{
		UUID: p.FSUUID(), Label: p.Label, SectorSize: FSSectorSize(p, b.opts.Plan), Time: b.fsTime(),
		Compression: p.Def.Compression, CompressionLevel: p.Def.CompressionLevel,
		Warn: func(s string) { b.opts.log("%s: %s", p.Def.Path, s) },
	}}
	b.fs[p] = fc

	switch {
	case format.readOnly && p.Def.Minimize != definitions.MinimizeOff:
		return b.writeReadOnlyToFile(p, fc)
	case p.Def.Minimize == definitions.MinimizeGuess:
		need, err := format.minSize(fc)
		if err != nil {
			return fmt.Errorf("%s: sizing %s filesystem: %w", p.Def.Path, p.Format, err)
		}
		maxSz := MaxSize(p, b.opts.Plan)
		if maxSz == Unlimited {
			maxSz = 0
		}
		sz, err := minimize.Guess(need, b.grain(), MinSize(p, b.opts.Plan), maxSz)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Def.Path, err)
		}
		b.opts.log("Minimal partition size of %s filesystem of partition %s is %s", p.Format, p.Def.Path, FormatBytes(sz))
		p.CopySize, p.HasCopySize = sz, true
	}
	return nil
}

func (b *builder) grain() uint64 { return newPlanner(b.opts.Plan).grain }

// writeReadOnlyToFile writes a minimized read-only filesystem into a
// temporary file that becomes the partition's block source.
func (b *builder) writeReadOnlyToFile(p *Partition, fc *fsContent) error {
	f, err := os.CreateTemp(b.opts.TempDir, ".gorepart-"+p.Def.Name+"-*")
	if err != nil {
		return fmt.Errorf("%s: %w", p.Def.Path, err)
	}
	os.Remove(f.Name()) // anonymous: nothing to clean up after a crash
	maxSz := MaxSize(p, b.opts.Plan)
	if maxSz == Unlimited {
		maxSz = 0
	}
	n, err := fc.format.writeRO(f, fc.tree, fc.params, int64(maxSz))
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: writing %s filesystem: %w", p.Def.Path, p.Format, err)
	}
	b.opts.log("Minimal partition size of %s filesystem of partition %s is %s", p.Format, p.Def.Path, FormatBytes(uint64(n)))
	b.files[p] = f
	p.CopySize, p.HasCopySize = uint64(n), true
	return nil
}
