package fstree

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// maxDepth bounds the directory depth of a source tree (systemd's
// COPY_DEPTH_MAX), a guard against bind-mount cycles.
const maxDepth = 2048

// scanLine is the state of one directory source being read.
type scanLine struct {
	idx      int // the copy line's index
	deny     lineDeny
	warnings []Warning
	// links are the non-directories with more than one link, for
	// KeepHardlinks.
	links []linkRef
}

// linkRef is a scanned node whose source inode has other links.
type linkRef struct {
	key  devIno
	node *Inode
}

// scanJob is one directory to read: fill dir.Entries from path, or,
// when spilling, write record id.
type scanJob struct {
	line *scanLine
	dir  *Inode
	id   uint32
	path string
	// src is the directory as the files below it name their source.
	src   *srcDir
	depth int
}

// scanPool reads directories in parallel. Each job writes only its own
// directory's Entries, so the tree it builds does not depend on the
// order in which jobs run; every directory's names are sorted bytewise.
type scanPool struct {
	pol       *policy
	keepLinks bool
	spill     *spill // nil: listings are kept in memory

	mu      sync.Mutex
	cond    sync.Cond
	stack   []scanJob
	pending int
	err     error
}

func newScanPool(pol *policy, keepLinks bool, sp *spill) *scanPool {
	p := &scanPool{pol: pol, keepLinks: keepLinks, spill: sp}
	p.cond.L = &p.mu
	return p
}

// add queues a directory before run.
func (p *scanPool) add(j scanJob) {
	p.stack = append(p.stack, j)
	p.pending++
}

// run reads every queued directory and everything below it with the
// given number of workers, and returns the first error.
func (p *scanPool) run(workers int) error {
	if p.pending == 0 {
		return nil
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work()
		}()
	}
	wg.Wait()
	return p.err
}

func (p *scanPool) work() {
	w := &scanWorker{pool: p, dirent: make([]byte, 64<<10)}
	p.loop(w)
	if p.spill == nil {
		return
	}
	if err := p.spill.flush(&w.batch); err != nil {
		p.mu.Lock()
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
	}
}

func (p *scanPool) loop(w *scanWorker) {
	p.mu.Lock()
	for {
		for len(p.stack) == 0 && p.pending > 0 && p.err == nil {
			p.cond.Wait()
		}
		if p.err != nil || p.pending == 0 {
			p.mu.Unlock()
			p.cond.Broadcast()
			return
		}
		j := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		p.mu.Unlock()

		children, warns, links, err := w.scanDir(j)

		p.mu.Lock()
		p.pending--
		if err != nil && p.err == nil {
			p.err = err
		}
		j.line.warnings = append(j.line.warnings, warns...)
		j.line.links = append(j.line.links, links...)
		p.stack = append(p.stack, children...)
		p.pending += len(children)
		if len(children) > 0 || p.pending == 0 || p.err != nil {
			p.cond.Broadcast()
		}
	}
}

// scanWorker holds one goroutine's buffers.
type scanWorker struct {
	pool   *scanPool
	dirent []byte
	link   []byte
	stats  []unix.Stat_t
	xattrs xattrReader
	// batch holds records not yet written to the spill file.
	batch spillBatch
}

// scanDir fills j.dir.Entries and returns the subdirectories to read.
func (w *scanWorker) scanDir(j scanJob) ([]scanJob, []Warning, []linkRef, error) {
	if j.depth > maxDepth {
		return nil, nil, nil, fmt.Errorf("reading %s: directory tree deeper than %d", j.path, maxDepth)
	}
	fd, err := unix.Open(j.path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening directory %s: %w", j.path, err)
	}
	defer unix.Close(fd)
	names, err := w.readNames(fd)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading directory %s: %w", j.path, err)
	}
	if len(names) == 0 {
		return nil, nil, nil, nil
	}
	sort.Strings(names)

	prefix := j.path
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if w.pool.spill != nil {
		return w.spillDir(j, fd, prefix, names)
	}
	// First pass: stat every name, and size one string holding all the
	// names, so a directory's names take one allocation. Regular files
	// keep their source as this directory's prefix (one string shared by
	// all of them) plus their name.
	if cap(w.stats) < len(names) {
		w.stats = make([]unix.Stat_t, len(names))
	}
	stats := w.stats[:len(names)]
	size := 0
	for i, name := range names {
		if err := unix.Fstatat(fd, name, &stats[i], unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, nil, nil, fmt.Errorf("reading %s%s: %w", prefix, name, err)
		}
		size += len(name)
	}
	var arena strings.Builder
	arena.Grow(size)
	type span struct{ start, end int }
	spans := make([]span, 0, len(names))
	src := j.src
	if src == nil {
		src = &srcDir{name: strings.TrimSuffix(j.path, "/")}
	}

	// One allocation each for the directory's inodes and entries.
	inodes := make([]Inode, len(names))
	entries := make([]Entry, len(names))
	list := make([]*Entry, 0, len(names))
	var (
		children  []scanJob
		warns     []Warning
		links     []linkRef
		subdirSrc map[int]*srcDir // by index in list
	)
	for i, name := range names {
		st := &stats[i]
		n := &inodes[i]
		deny, ok, err := w.readEntry(j, fd, prefix, name, st, n, &warns)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		sp := span{start: arena.Len()}
		arena.WriteString(name)
		sp.end = arena.Len()
		spans = append(spans, sp)
		if n.Kind == Dir && deny != denyContents {
			// Named below, from the arena.
			sd := &srcDir{parent: src}
			children = append(children, scanJob{line: j.line, dir: n, path: prefix + name, src: sd, depth: j.depth + 1})
			if subdirSrc == nil {
				subdirSrc = map[int]*srcDir{}
			}
			subdirSrc[len(list)] = sd
		}
		if w.pool.keepLinks && n.Kind != Dir && st.Nlink > 1 {
			links = append(links, linkRef{key: devIno{uint64(st.Dev), st.Ino}, node: n})
		}
		e := &entries[i]
		e.Inode = n
		list = append(list, e)
	}
	strs := arena.String()
	for k, e := range list {
		sp := spans[k]
		e.Name = strs[sp.start:sp.end]
		if e.Inode.Kind == File {
			e.Inode.setSourceIn(src, e.Name)
		}
		if sd := subdirSrc[k]; sd != nil {
			sd.name = e.Name
		}
	}
	j.dir.Entries = list
	return children, warns, links, nil
}

// readEntry applies the line's exclude rules and the ownership and time
// policy to name, a name of directory fd (path prefix) with metadata st,
// and fills n: metadata, symlink target, xattrs. It returns false for a
// name that is excluded, or of a type the tree cannot hold (with a
// warning added to warns).
func (w *scanWorker) readEntry(j scanJob, fd int, prefix, name string, st *unix.Stat_t, n *Inode, warns *[]Warning) (denyType, bool, error) {
	deny := denyNone
	if !j.line.deny.empty() {
		deny = j.line.deny.get(devIno{uint64(st.Dev), st.Ino})
	}
	if deny == denyInode {
		return deny, false, nil
	}
	if !w.pool.pol.fill(n, st) {
		*warns = append(*warns, Warning{Path: prefix + name, Msg: fmt.Sprintf("unsupported file type %#o, skipped", st.Mode&unix.S_IFMT)})
		return deny, false, nil
	}
	if n.Kind == Symlink {
		t, err := w.readlink(fd, name)
		if err != nil {
			return deny, false, fmt.Errorf("reading symlink %s%s: %w", prefix, name, err)
		}
		n.Target = t
	}
	var err error
	if n.Xattrs, err = w.xattrs.readAt(fd, prefix, name); err != nil {
		return deny, false, err
	}
	return deny, true, nil
}

// readNames returns the names in directory fd, without "." and "..".
func (w *scanWorker) readNames(fd int) ([]string, error) {
	var names []string
	for {
		n, err := unix.Getdents(fd, w.dirent)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(w.dirent[:n], -1, names)
	}
	return names, nil
}

func (w *scanWorker) readlink(fd int, name string) (string, error) {
	if w.link == nil {
		w.link = make([]byte, unix.PathMax+1)
	}
	n, err := unix.Readlinkat(fd, name, w.link)
	if err != nil {
		return "", err
	}
	if n >= len(w.link) {
		return "", fmt.Errorf("symlink target longer than %d bytes", unix.PathMax)
	}
	return string(w.link[:n]), nil
}
