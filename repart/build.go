package repart

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/verity"
)

// BuildOptions are the inputs of an image build besides the definitions.
type BuildOptions struct {
	Plan Options
	// Image is the output path, as the user gave it (report nodes and
	// split paths are formed from it).
	Image string
	// Empty is --empty=: refuse ("" too, repart's default: build upon the
	// image's GPT, refuse an image without one), allow (build upon a GPT,
	// start from scratch without a label), require (start from scratch,
	// refuse any label), force (start from scratch whatever is there) or
	// create (a new file). A refused label is a *LabelConflict.
	Empty string
	// Mode is the permission of the image and split files (0 means
	// 0644); the CLI passes 0666 minus the umask, as open(2) would.
	Mode os.FileMode
	// DryRun plans and reports without writing anything.
	DryRun bool
	Split  bool
	// Defer lists the types of --defer-partitions=; DeferEmpty and
	// DeferFactoryReset are the --defer-partitions-empty= and
	// --defer-partitions-factory-reset= switches.
	Defer             []definitions.PartitionType
	DeferEmpty        bool
	DeferFactoryReset bool

	// CopyFrom are the --copy-from= images: their partitions are copied
	// in before the definitions' (ReadCopyFrom). ExcludeType, when set,
	// says which partition types --include-partitions= and
	// --exclude-partitions= leave out of them.
	CopyFrom    []string
	ExcludeType func(definitions.PartitionType) bool
	// COW is --cow=: nil (auto) leaves the NOCOW attribute of a newly
	// created image to its directory, false sets it, true clears it. An
	// existing image keeps its attribute.
	COW *bool
	// NoDiscard is --discard=no: the image grows by allocation rather
	// than truncation; building upon an existing table, the gaps after
	// new partitions are not cleared (discarded); LUKS2 volumes do not
	// allow discards unless Discard=yes.
	NoDiscard bool
	// FactoryReset is --factory-reset=yes: the existing partitions of
	// FactoryReset=yes definitions are removed and made anew.
	FactoryReset bool

	// GenerateFstab and GenerateCrypttab are the paths (under the copy
	// source, as the CLI joins them) of the fstab and crypttab to write,
	// "" for none; AppendFstab says how the fstab joins an existing one.
	GenerateFstab, GenerateCrypttab string
	AppendFstab                     AppendFstab

	// MkfsOptions are the words of SYSTEMD_REPART_MKFS_OPTIONS_<FORMAT>,
	// by format name ("btrfs"), for the writers that take them.
	MkfsOptions map[string][]string
	// KeyFile is the content of --key-file=: the passphrase of every
	// encrypted partition (over KeyFile=); nil when not given.
	KeyFile []byte
	// ToolPath is where external mkfs tools are looked up ($PATH).
	ToolPath string

	// Content tree inputs.
	CopySource      string
	Owner           fstree.OwnerPolicy
	Unprivileged    bool
	KeepHardlinks   bool
	SourceDateEpoch *time.Time
	Now             time.Time // used for created nodes when SourceDateEpoch is nil

	// Specifiers are the system specifiers for SplitName=.
	Specifiers definitions.Specifiers

	// Verity signing: PEM key and certificate, and signatures made
	// elsewhere (--join-signature=).
	PrivateKey, Certificate []byte
	JoinSignatures          []verity.JoinSignature

	// Container is the VM disk format of the image (--image-format=);
	// split files stay raw.
	Container Container

	// ElTorito, when set, adds an ISO 9660 + El Torito header that boots
	// the ESP from optical media (--el-torito=yes).
	ElTorito *ElTorito

	// Then, when set, runs after the non-deferred partitions are written
	// and before the deferred ones are filled, in the same build.
	Then Then

	// TempDir holds intermediate files (minimized filesystems); "" means
	// the image's directory.
	TempDir string
	// Log receives notes, one line each; may be nil.
	Log func(string)
	// Phase, when set, is told when the build enters one of repart's
	// progress phases ("acquiring_partition_labels", "placing",
	// "wiping_partition", "adjusting_partition", "writing_table"; the
	// Varlink interface's names), object naming the definition if any.
	Phase func(phase, object string)
	// Progress, when set, is told how the writing of each partition
	// goes; Clock is the time source for it (nil: time.Now).
	Progress func(Progress)
	Clock    func() time.Time
}

// Result is what a build made.
type Result struct {
	Layout *Layout
	Rows   []ReportRow
	// SplitFiles are the split files written, in partition list order.
	SplitFiles []string
}

func (o *BuildOptions) log(format string, args ...any) {
	if o.Log != nil {
		o.Log(fmt.Sprintf(format, args...))
	}
}

// Build plans the image for defs and, unless DryRun or an existing table
// it builds upon needs no change, writes it: content of every partition,
// the GPT, split files. The image appears under its name only when
// everything succeeded; on any error (or ctx cancelled) no output or
// temporary file is left behind.
func Build(ctx context.Context, defs []*definitions.Definition, o BuildOptions) (res *Result, err error) {
	if o.Empty == "" {
		o.Empty = "refuse"
	}
	if err := CheckSupported(defs); err != nil {
		return nil, err
	}
	if err := checkOutput(o); err != nil {
		return nil, err
	}
	if err := checkContainer(&o); err != nil {
		return nil, err
	}
	old, err := loadExisting(&o)
	if err != nil {
		return nil, err
	}
	if o.FactoryReset && old.table != nil {
		if old.entries, err = factoryResetEntries(defs, &o, old.entries); err != nil {
			return nil, err
		}
	}
	var cleanup cleanupList
	defer func() {
		if err != nil {
			cleanup.run()
		}
	}()
	dir := filepath.Dir(o.Image)
	if o.TempDir == "" {
		// Absolute: external mkfs tools run in directories of their own.
		if o.TempDir, err = filepath.Abs(dir); err != nil {
			return nil, err
		}
	}
	var img *image // nil: nothing is written
	if !o.DryRun {
		img = &image{o: &o, old: old, cleanup: &cleanup}
		defer func() { img.wb.stop() }()
	}
	b, err := plan(ctx, defs, &o, old.entries, img)
	if b != nil {
		defer b.closeContent()
	}
	if err != nil {
		return nil, err
	}
	b.cleanup = &cleanup
	layout := b.layout
	var eltorito []byte
	if o.ElTorito != nil && !o.DryRun {
		if eltorito, err = b.encodeElTorito(); err != nil {
			return nil, err
		}
	}
	if old.table != nil && !changed(layout, old.size) {
		// Nothing to add or grow: repart leaves the image alone, but for
		// the El Torito header, which it writes again.
		o.log("No changes.")
		if img != nil {
			img.discard()
		}
		if err := writeCrypttab(&o, b.parts, nil, true); err != nil {
			return nil, err
		}
		if eltorito != nil {
			if err := rewriteElTorito(o.Image, eltorito); err != nil {
				return nil, err
			}
		}
		return &Result{Layout: layout, Rows: Report(layout, b.outcome(), o.Image, false)}, nil
	}
	if o.DryRun {
		o.log("Refusing to repartition, please re-run with --dry-run=no.")
		return &Result{Layout: layout, Rows: Report(layout, b.outcome(), o.Image, false)}, nil
	}

	tmp, err := img.open()
	if err != nil {
		return nil, err
	}
	mode := img.mode()
	if err := img.fit(layout.Size); err != nil {
		return nil, err
	}
	if err := sizeImage(tmp, &o, layout.Size, old.size); err != nil {
		return nil, err
	}
	o.log("Applying changes to %s.", o.Image)
	if o.Empty != "create" {
		// From scratch the new file is the wiped disk.
		if old.table == nil {
			o.phase("wiping_disk", "")
		}
		for _, p := range layout.Partitions {
			if !p.Dropped && !p.Exists && !b.deferred[p.Partition] {
				o.phase("wiping_partition", p.Def.Path)
			}
		}
	}
	if old.table != nil {
		if err := zeroNew(tmp, layout, !o.NoDiscard); err != nil {
			return nil, fmt.Errorf("clearing new partitions: %w", err)
		}
	}
	b.img, b.wb = tmp, img.wb

	if err := b.writePartitions(); err != nil {
		return nil, err
	}
	if o.Then != nil {
		if err := b.runThen(); err != nil {
			return nil, err
		}
	}
	for _, p := range layout.Partitions {
		if !p.Dropped && !b.deferred[p.Partition] {
			o.phase("adjusting_partition", p.Def.Path)
		}
	}
	o.phase("writing_table", "")
	if err := b.writeTable(); err != nil {
		return nil, err
	}
	if eltorito != nil {
		if err := writeElTorito(tmp, eltorito); err != nil {
			return nil, err
		}
	}
	if o.Split {
		if err := b.writeSplitFiles(); err != nil {
			return nil, err
		}
	}
	if err := b.cancelled(); err != nil {
		return nil, err
	}
	img.wb.stop() // before the image file is closed
	if !o.Container.raw() {
		c, err := b.writeContainer(tmp, mode)
		if err != nil {
			return nil, err
		}
		tmp.Close()
		os.Remove(tmp.Name())
		tmp = c
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("syncing image: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("closing image: %w", err)
	}
	if err := commitOutput(tmp.Name(), o); err != nil {
		return nil, err
	}
	if err := writeCrypttab(&o, b.parts, b.volumeKeyIDs, true); err != nil {
		return nil, err
	}
	out := &Result{Layout: layout, Rows: Report(layout, b.outcome(), o.Image, o.Split)}
	for _, p := range layout.Partitions {
		if sp := b.splits[p.Partition]; sp != "" {
			out.SplitFiles = append(out.SplitFiles, sp)
		}
	}
	return out, nil
}

// plan is the planning half of a build, which the size-only path (no
// image) shares: identify the partitions, read and size their content as
// the build will write it, place them. img, when not nil, is the image
// being built: filesystems sized by writing them are written into it in
// place (inplace.go). The builder it returns holds the content (its
// closeContent releases it), also when it fails.
func plan(ctx context.Context, defs []*definitions.Definition, o *BuildOptions, existing []Existing, img *image) (*builder, error) {
	copied, err := ReadCopyFrom(o.CopyFrom, o.ExcludeType)
	if err != nil {
		return nil, err
	}
	parts, warnings, err := identify(copied, defs, o.Plan.Seed, existing)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		o.log("%s", w)
	}
	for _, p := range parts {
		if !p.Foreign {
			o.phase("acquiring_partition_labels", p.Def.Path)
		}
	}
	b := &builder{opts: o, parts: parts, ctx: ctx, deferred: deferredParts(parts, o),
		roots: map[string][]byte{}, splits: map[*Partition]string{}, image: img}
	// The fstab and crypttab are written before the content is read, so
	// CopyFiles= can copy them.
	if err := writeFstab(o, parts); err != nil {
		return b, err
	}
	if err := writeCrypttab(o, parts, nil, false); err != nil {
		return b, err
	}
	if err := b.prepare(); err != nil {
		return b, err
	}
	o.phase("placing", "")
	layout, err := Place(parts, b.sizes(), o.Plan)
	if err != nil {
		return b, err
	}
	for _, n := range layout.Notes {
		o.log("%s", n)
	}
	b.layout = layout
	if o.ElTorito != nil {
		if err := checkElTorito(layout); err != nil {
			return b, err
		}
	}
	if err := b.prepareUnmerged(); err != nil {
		return b, err
	}
	return b, b.checkFits()
}

// MinimalSize is what repart prints without an image: the size of the
// image a build of defs would make with --size=auto, its content read and
// sized the way the build does it (one code path). Temporary files go to
// o.TempDir (the system's when empty).
func MinimalSize(ctx context.Context, defs []*definitions.Definition, o BuildOptions) (uint64, error) {
	if err := CheckSupported(defs); err != nil {
		return 0, err
	}
	o.Plan.AutoSize = true
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	b, err := plan(ctx, defs, &o, nil, nil)
	if b != nil {
		defer b.closeContent()
	}
	if err != nil {
		return 0, err
	}
	return b.layout.Size, nil
}

func (b *builder) outcome() Outcome {
	return Outcome{Roots: b.roots, Splits: b.splits, Deferred: b.deferred}
}

// deferredParts are the partitions --defer-partitions* name.
func deferredParts(parts []*Partition, o *BuildOptions) map[*Partition]bool {
	m := map[*Partition]bool{}
	for _, p := range parts {
		for _, t := range o.Defer {
			if t.UUID == p.Type.UUID {
				m[p] = true
			}
		}
		if o.DeferEmpty && p.Label == "_empty" {
			m[p] = true
		}
		if o.DeferFactoryReset && p.Def.FactoryReset {
			m[p] = true
		}
	}
	return m
}

// checkOutput applies --empty= to the output path before anything is
// read: create needs a new file, every other mode an existing one.
func checkOutput(o BuildOptions) error {
	if o.Image == "" {
		return errors.New("no image path given")
	}
	_, err := os.Lstat(o.Image)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", o.Image, err)
	}
	if !exists {
		// The image, its temporary files and split files are made next
		// to it: say so now rather than when the first of them fails.
		dir := filepath.Dir(o.Image)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			if err == nil {
				err = fmt.Errorf("%s is not a directory", dir)
			}
			return fmt.Errorf("cannot create image %s: %w", o.Image, err)
		}
	}
	switch o.Empty {
	case "create":
		if exists {
			return fmt.Errorf("%s already exists, refusing to overwrite it with --empty=create (use --empty=force)", o.Image)
		}
	case "force", "require", "allow", "refuse":
		if !exists {
			return fmt.Errorf("%s does not exist; use --empty=create to create a new image", o.Image)
		}
	default:
		return fmt.Errorf("invalid --empty= mode %q", o.Empty)
	}
	return nil
}

// existingImage is what a build on an existing file starts from.
type existingImage struct {
	// table is the GPT built upon; nil when starting from scratch.
	table   *gpt.Table
	entries []Existing
	size    uint64 // of the file (0 with --empty=create)
}

// loadExisting applies --empty= to an existing image (every mode but
// create) and sets the planning inputs it fixes. The image is then named
// by its resolved absolute path, as systemd-repart names it. The image
// size is kept (repart grows a file to --size= but never shrinks it);
// from scratch the sector size is the probed one (refuse/allow) or 512;
// on an existing GPT also the disk GUID and first LBA are kept.
func loadExisting(o *BuildOptions) (existingImage, error) {
	if o.Empty == "create" {
		return existingImage{}, nil
	}
	s, err := inspectImage(o.Image, o.Empty, int(o.Plan.SectorSize))
	if err != nil {
		return existingImage{}, err
	}
	o.Image = s.node
	o.Plan.Size = max(o.Plan.Size, uint64(s.size))
	o.Plan.SectorSize = uint64(s.sectorSize)
	t := s.table
	if t == nil {
		return existingImage{size: uint64(s.size)}, nil
	}
	ss := uint64(t.SectorSize)
	if guid := UUID(t.DiskGUID); guid != (UUID{}) { // a null one is derived anew
		o.Plan.DiskGUID = &guid
	}
	o.Plan.FirstLBA = t.FirstUsable
	img := existingImage{table: t, size: uint64(s.size)}
	for _, e := range t.Entries {
		img.entries = append(img.entries, Existing{
			PartNo: e.Index, Type: e.Type, UUID: e.UUID, Label: e.Name, Attrs: e.Attributes,
			Offset: e.FirstLBA * ss, Size: (e.LastLBA - e.FirstLBA + 1) * ss,
		})
	}
	return img, nil
}

// changed reports whether the layout adds or resizes a partition of the
// existing table, or grows the image from its size (repart's
// context_changed; repart grows the file to --size= before, moving the
// table to its end).
func changed(l *Layout, size uint64) bool {
	if l.Size != size {
		return true
	}
	for _, p := range l.Partitions {
		if !p.Dropped && (!p.Exists || p.Size != p.CurrentSize) {
			return true
		}
	}
	return false
}

// copyExisting copies the image being built upon into the temporary file
// (holes kept, reflinked where the filesystem can).
func copyExisting(dst *os.File, path string) error {
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	if err := dst.Truncate(st.Size()); err != nil {
		return err
	}
	if err := copyFileInto(dst, 0, src, 0, st.Size()); err != nil {
		return fmt.Errorf("copying %s: %w", path, err)
	}
	return nil
}

// commitOutput renames the finished temporary image to its name; with
// --empty=create it refuses to replace a file that appeared meanwhile.
func commitOutput(tmp string, o BuildOptions) error {
	if o.Empty == "create" {
		if err := renameNoReplace(tmp, o.Image); err != nil {
			return fmt.Errorf("creating %s: %w", o.Image, err)
		}
		return nil
	}
	if err := os.Rename(tmp, o.Image); err != nil {
		return fmt.Errorf("replacing %s: %w", o.Image, err)
	}
	return nil
}
