package btrfs

import (
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t for mkfs.btrfs as systemd-repart runs it. A tree with
// nothing in it (no entries, no attributes on its root) is made without
// -r, as repart makes a btrfs it does not populate.
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	var subs []Subvolume
	for _, s := range fp.Subvolumes {
		subs = append(subs, Subvolume{Path: s.Path, ReadOnly: s.ReadOnly, NoDataCOW: s.NoDataCOW})
	}
	if t != nil && t.Root != nil && len(t.Root.Entries) == 0 && len(t.Root.Xattrs) == 0 && t.Root.Mode == 0o755 &&
		t.Root.UID == 0 && t.Root.GID == 0 {
		if es, err := t.Root.List(); err == nil && len(es) == 0 {
			t = nil
		}
	}
	pl, err := NewPlan(t, Params{
		Label: MangleLabel(fp.Label), UUID: fp.UUID, SectorSize: fp.SectorSize, NoDiscard: fp.NoDiscard,
		Compression: fp.Compression, CompressionLevel: fp.CompressionLevel,
		Subvolumes: subs, DefaultSubvolume: fp.DefaultSubvolume, Minimize: fp.Minimize,
		ExtraArgs: fp.Options, SourceDateEpoch: fp.SourceDateEpoch, TempDir: fp.TempDir, Path: fp.ToolPath,
		Unprivileged: fp.Unprivileged, Warn: fp.Warn,
	})
	if err != nil {
		return nil, err
	}
	return pl, nil
}
