package xfs

import (
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

// Open plans t for mkfs.xfs as systemd-repart runs it, through a
// prototype file (see doc.go).
func Open(t *fstree.Tree, fp fsformat.Params) (fsformat.Plan, error) {
	pl, err := NewPlan(t, Params{
		Label: MangleLabel(fp.Label), UUID: fp.UUID, SectorSize: fp.SectorSize, NoDiscard: fp.NoDiscard,
		Time: fp.Time, SourceDateEpoch: fp.SourceDateEpoch, ExtraArgs: fp.Options, TempDir: fp.TempDir,
		Path: fp.ToolPath, Warn: fp.Warn,
	})
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// GuessBytes is the base of Minimize=guess: the bytes repart's trial
// mkfs.xfs allocates (fsformat.GuessBase).
func (pl *Plan) GuessBytes() (int64, error) { return pl.RepartTrialBytes() }
