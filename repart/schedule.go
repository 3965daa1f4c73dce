package repart

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// maxParallelWriters bounds the partitions written at the same time
// whatever the cores: each writer holds its own buffers (ext4's job
// queue, vfat's write-behind buffers, erofs's compression segments; 40
// to 70 MiB at their peak, flat in the tree), and the image must stay
// under 256 MiB of peak RSS.
const maxParallelWriters = 3

// parallelWriters is how many partitions are written at the same time:
// one per core, at most maxParallelWriters.
func parallelWriters() int {
	return max(1, min(runtime.GOMAXPROCS(0), maxParallelWriters))
}

// job is the writing of one partition in one phase: its content, or its
// verity hash tree, which waits for the data partition's content (deps).
type job struct {
	p    *Placed
	run  func(*job) error
	deps []*job
	// root is the root hash a hash job computed; the caller records it
	// once every job is done, so that jobs never share the map.
	root []byte

	err               error
	started, finished bool
	// held is the output made while an earlier job was still running.
	held []func()
}

// jobRun is a set of jobs being run: their order, and the output of the
// jobs, which it passes on in that order (see emit).
type jobRun struct {
	jobs []*job
	of   map[*Partition]*job
	mu   sync.Mutex
	head int // the first unfinished job
	// kdf is held while a job derives a LUKS2 key (luksWriter), so that
	// their memory does not add up.
	kdf sync.Mutex
}

// runJobs runs jobs, up to parallelWriters at a time, each once its
// dependencies are done, starting them in list order. Every job writes
// bytes of its own partition only, so the image does not depend on the
// schedule. Log lines and progress reports of a job are passed on while
// every job before it has finished and held until then otherwise (see
// emit), so they come out in list order too. When a job fails no further
// job starts and the running ones are cancelled; the error returned is
// that of the first job in list order that failed other than by being
// cancelled.
func (b *builder) runJobs(jobs []*job) error {
	if len(jobs) == 0 {
		return nil
	}
	run := &jobRun{jobs: jobs, of: map[*Partition]*job{}}
	for _, j := range jobs {
		run.of[j.p.Partition] = j
	}
	parent := b.ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// Partition windows made from now on (region) stop when ctx ends.
	b.ctx, b.run = ctx, run
	defer func() { b.ctx, b.run = parent, nil }()

	limit := parallelWriters()
	done := make(chan *job)
	running, failed := 0, false
	for {
		for _, j := range jobs {
			if failed || running >= limit {
				break
			}
			if j.started || !j.ready() {
				continue
			}
			j.started = true
			running++
			go func() {
				j.err = j.run(j)
				done <- j
			}()
		}
		if running == 0 {
			break
		}
		j := <-done
		running--
		run.finish(j)
		if j.err != nil && !failed {
			failed = true
			cancel()
		}
	}
	run.flush()
	var first error
	for _, j := range jobs {
		if j.err == nil {
			continue
		}
		if first == nil {
			first = j.err
		}
		if parent.Err() != nil || !errors.Is(j.err, context.Canceled) {
			return j.err
		}
	}
	return first
}

// ready reports whether every job j waits for finished without error.
func (j *job) ready() bool {
	for _, d := range j.deps {
		if !d.finished || d.err != nil {
			return false
		}
	}
	return true
}

// emit passes out on for p's job: at once while it is the first
// unfinished job, else held until it is. A progress update of a job
// that is not first (keep false) is dropped: the terminal shows the
// first job's progress, and every job's final line in order.
func (r *jobRun) emit(p *Partition, keep bool, out func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.of[p]
	if j == nil || r.head >= len(r.jobs) || r.jobs[r.head] == j {
		out()
		return
	}
	if keep {
		j.held = append(j.held, out)
	}
}

// finish marks j finished and passes on what the jobs that are now
// first held.
func (r *jobRun) finish(j *job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j.finished = true
	for r.head < len(r.jobs) {
		h := r.jobs[r.head]
		for _, out := range h.held {
			out()
		}
		h.held = nil
		if !h.finished {
			break
		}
		r.head++
	}
}

// flush passes on whatever is still held (jobs never started after a
// failure hold nothing; cancelled ones may).
func (r *jobRun) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		for _, out := range j.held {
			out()
		}
		j.held = nil
	}
	r.head = len(r.jobs)
}

// serially runs f while no other job runs a function given to serially:
// jobs record what they made in the builder's maps this way.
func (b *builder) serially(f func()) {
	if b.run == nil {
		f()
		return
	}
	b.run.mu.Lock()
	defer b.run.mu.Unlock()
	f()
}

// plog logs a line about partition p: while partitions are being written
// concurrently, in the order of the partitions.
func (b *builder) plog(p *Partition, format string, args ...any) {
	if b.opts.Log == nil {
		return
	}
	if b.run == nil {
		b.opts.log(format, args...)
		return
	}
	b.run.emit(p, true, func() { b.opts.log(format, args...) })
}

// progress reports pr about partition p (see emit).
func (b *builder) progress(p *Partition, pr Progress) {
	if b.run == nil {
		b.opts.Progress(pr)
		return
	}
	b.run.emit(p, pr.Done, func() { b.opts.Progress(pr) })
}
