package repart

import (
	"sync/atomic"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Progress reports the writing of one partition: periodically while it
// runs (Done false) and once at the end (Done true).
type Progress struct {
	PartNo  int
	Label   string
	File    string // the definition's path
	What    string // "ext4", "vfat", "erofs", "swap", "blocks", "verity hash", ...
	Files   int64  // files in the partition's tree, when it has one
	Bytes   int64  // bytes written so far
	Total   int64  // bytes expected (the data size), 0 when unknown
	Elapsed time.Duration
	Done    bool
}

// phase tells o.Phase that the build enters a phase.
func (o *BuildOptions) phase(phase, object string) {
	if o.Phase != nil {
		o.Phase(phase, object)
	}
}

// progressInterval is how often a running partition is reported.
const progressInterval = 200 * time.Millisecond

// track reports p's progress while fn runs, from the bytes written through
// the partition's writer; it reports the final state after fn returns.
// totals, when not nil, counts the files and bytes to write (walking a
// tree): it runs beside fn, so that it does not delay the writing, and
// until it has returned the reports have no totals.
func (b *builder) track(p *Placed, what string, totals func() (files, total int64), counter *atomic.Int64, fn func() error) error {
	if b.opts.Progress == nil {
		return fn()
	}
	report := func(pr Progress) { b.progress(p.Partition, pr) }
	clock := b.opts.Clock
	if clock == nil {
		clock = time.Now
	}
	start := clock()
	var files, total atomic.Int64
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		if totals != nil {
			f, t := totals()
			files.Store(f)
			total.Store(t)
		}
	}()
	snapshot := func(done bool) Progress {
		return Progress{PartNo: p.PartNo, Label: p.Label, File: p.Def.Path, What: what, Files: files.Load(), Bytes: counter.Load(),
			Total: total.Load(), Elapsed: clock().Sub(start), Done: done}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				report(snapshot(false))
			}
		}
	}()
	err := fn()
	close(stop)
	<-finished
	<-counted
	if err == nil {
		report(snapshot(true))
	}
	return err
}

// treeTotals counts the regular files of t and their bytes, for progress
// reports; a tree that cannot be listed counts nothing (its writer
// fails on it anyway).
func treeTotals(t *fstree.Tree) func() (int64, int64) {
	return func() (int64, int64) {
		sum, err := fstree.Summarize(t)
		if err != nil {
			return 0, 0
		}
		return sum.Files, sum.DataBytes
	}
}
