package storegen

import "fmt"

// Stats are the totals of a generated tree.
type Stats struct {
	Files, Bytes, Symlinks, Hardlinks, Dirs, EmptyDirs, Paths, Binaries, BinaryBytes, TextBytes int64
}

// Summary is gen-store.py's summary line, which the benchmark results
// quote.
func (s Stats) Summary(p Params) string {
	return fmt.Sprintf("scale=%s seed=%d paths=%d files=%d (+%d hardlinks) symlinks=%d dirs=%d empty_dirs=%d "+
		"bytes=%d (%.1f MiB) binaries=%d (%.1f MiB) text=%.1f MiB",
		p.Scale, p.Seed, s.Paths, s.Files, s.Hardlinks, s.Symlinks, s.Dirs, s.EmptyDirs,
		s.Bytes, float64(s.Bytes)/(1<<20), s.Binaries, float64(s.BinaryBytes)/(1<<20), float64(s.TextBytes)/(1<<20))
}
