package repart

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testBuilder(lines *[]string) *builder {
	return &builder{ctx: context.Background(), opts: &BuildOptions{
		Log:      func(s string) { *lines = append(*lines, s) },
		Progress: func(p Progress) { *lines = append(*lines, fmt.Sprintf("progress %d done=%v", p.PartNo, p.Done)) },
	}}
}

func testJobs(n int) []*job {
	var jobs []*job
	for i := 0; i < n; i++ {
		jobs = append(jobs, &job{p: &Placed{Partition: &Partition{}, PartNo: i}})
	}
	return jobs
}

// TestJobsOutputInOrder: a job finishing before an earlier one still
// logs after it, and a job's intermediate progress is shown only while
// it is the first unfinished one.
func TestJobsOutputInOrder(t *testing.T) {
	if parallelWriters() < 2 {
		t.Skip("one core: jobs run one after another")
	}
	var lines []string
	b := testBuilder(&lines)
	jobs := testJobs(3)
	oneDone := make(chan struct{})
	for i, j := range jobs {
		j.run = func(*job) error {
			b.plog(j.p.Partition, "start %d", i)
			b.progress(j.p.Partition, Progress{PartNo: i})
			if i == 0 {
				<-oneDone // job 1 finishes first
			}
			b.plog(j.p.Partition, "end %d", i)
			b.progress(j.p.Partition, Progress{PartNo: i, Done: true})
			if i == 1 {
				close(oneDone)
			}
			return nil
		}
	}
	if err := b.runJobs(jobs); err != nil {
		t.Fatal(err)
	}
	// Job 2 starts when job 1 has ended: whether job 0 has too (and its
	// intermediate progress is shown) depends on timing.
	lines = slices.DeleteFunc(lines, func(l string) bool { return l == "progress 2 done=false" })
	want := []string{"start 0", "progress 0 done=false", "end 0", "progress 0 done=true",
		"start 1", "end 1", "progress 1 done=true", "start 2", "end 2", "progress 2 done=true"}
	if !slices.Equal(lines, want) {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestJobsDependenciesAndLimit(t *testing.T) {
	var lines []string
	b := testBuilder(&lines)
	jobs := testJobs(6)
	var running, most atomic.Int32
	var dataDone atomic.Bool
	for i, j := range jobs {
		j.run = func(*job) error {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			if i == 0 {
				dataDone.Store(true)
			}
			if i == 5 && !dataDone.Load() {
				t.Error("job 5 ran before the job it waits for")
			}
			running.Add(-1)
			return nil
		}
	}
	jobs[5].deps = []*job{jobs[0]}
	if err := b.runJobs(jobs); err != nil {
		t.Fatal(err)
	}
	if m := int(most.Load()); m > parallelWriters() || m > maxParallelWriters {
		t.Errorf("%d jobs ran at once, limit %d", m, parallelWriters())
	}
}

// TestJobsFailure: the failing job's error is returned, not the
// cancellation it caused in the others; jobs waiting for it never start.
func TestJobsFailure(t *testing.T) {
	var lines []string
	b := testBuilder(&lines)
	jobs := testJobs(3)
	boom := errors.New("boom")
	var dependentRan atomic.Bool
	started := make(chan struct{})
	jobs[0].run = func(*job) error {
		// A long writer: it ends only when the build is cancelled.
		close(started)
		<-b.ctx.Done()
		return fmt.Errorf("build interrupted: %w", b.ctx.Err())
	}
	jobs[1].run = func(*job) error {
		<-started
		return boom
	}
	jobs[2].run = func(*job) error { dependentRan.Store(true); return nil }
	jobs[2].deps = []*job{jobs[1]}
	if parallelWriters() < 2 {
		t.Skip("one core: the jobs cannot run at the same time")
	}
	if err := b.runJobs(jobs); !errors.Is(err, boom) {
		t.Fatalf("runJobs = %v, want the failing job's error", err)
	}
	if dependentRan.Load() {
		t.Error("a job ran after the job it waits for failed")
	}
	if b.ctx.Err() != nil || b.run != nil {
		t.Error("the builder's context or job run was not restored")
	}
}

// TestJobsInterrupted: when the build itself is cancelled, the
// interruption is the error.
func TestJobsInterrupted(t *testing.T) {
	var lines []string
	b := testBuilder(&lines)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ctx = ctx
	jobs := testJobs(2)
	for _, j := range jobs {
		j.run = func(*job) error {
			cancel()
			return fmt.Errorf("build interrupted: %w", b.ctx.Err())
		}
	}
	if err := b.runJobs(jobs); !errors.Is(err, context.Canceled) {
		t.Fatalf("runJobs = %v, want the interruption", err)
	}
}
