package storegen

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// one is every file's and directory's atime and mtime.
var one = time.Unix(1, 0)

// dirFS writes the tree; modes are set explicitly, whatever the umask.
type dirFS struct{}

func (dirFS) mkdir(path string) error {
	if err := os.Mkdir(path, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return os.Chmod(path, 0o755)
}

func (dirFS) file(path string, data []byte, mode uint32) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	if err := os.Chmod(path, os.FileMode(mode)); err != nil {
		return err
	}
	return os.Chtimes(path, one, one)
}

func (dirFS) symlink(target, path string) error {
	if err := os.Symlink(target, path); err != nil {
		return err
	}
	ts := []unix.Timespec{unix.NsecToTimespec(one.UnixNano()), unix.NsecToTimespec(one.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func (dirFS) hardlink(src, dst string) error { return os.Link(src, dst) }

// planFS only counts.
type planFS struct{}

func (planFS) mkdir(string) error                { return nil }
func (planFS) file(string, []byte, uint32) error { return nil }
func (planFS) symlink(string, string) error      { return nil }
func (planFS) hardlink(string, string) error     { return nil }

// Plan returns the totals of the tree Generate would write.
func Plan(p Params) (Stats, error) {
	g, err := newGen(p, planFS{})
	if err != nil {
		return Stats{}, err
	}
	for i := range g.paths {
		if _, err := g.genPath(i, "/nix/store"); err != nil {
			return Stats{}, err
		}
	}
	return g.stats, nil
}

// Generate writes the tree into out/nix/store, which must be empty or
// absent, and reports progress every 100 store paths to progress (which
// may be nil). Directories end up 0555 (the store 01775), everything
// with mtime 1.
func Generate(out string, p Params, progress io.Writer) (Stats, error) {
	g, err := newGen(p, dirFS{})
	if err != nil {
		return Stats{}, err
	}
	store := filepath.Join(out, "nix", "store")
	if ents, err := os.ReadDir(store); err == nil && len(ents) > 0 {
		return Stats{}, fmt.Errorf("%s exists and is not empty; remove it first (chmod -R u+w; rm -rf)", store)
	}
	for _, d := range []string{out, filepath.Join(out, "nix"), store} {
		if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
			if err := (dirFS{}).mkdir(d); err != nil {
				return Stats{}, err
			}
		}
	}
	var dirs []string
	for i := range g.paths {
		made, err := g.genPath(i, store)
		if err != nil {
			return Stats{}, fmt.Errorf("generating %s: %w", g.paths[i].name, err)
		}
		dirs = append(dirs, made...)
		if progress != nil && (i+1)%100 == 0 {
			fmt.Fprintf(progress, "  %d/%d paths, %.0f MB\n", i+1, len(g.paths), float64(g.stats.Bytes)/1e6)
		}
	}
	// Read-only directories with mtime 1, deepest first.
	sort.SliceStable(dirs, func(i, j int) bool { return strings.Count(dirs[i], "/") > strings.Count(dirs[j], "/") })
	for _, d := range dirs {
		if err := os.Chmod(d, 0o555); err != nil {
			return Stats{}, err
		}
		if err := os.Chtimes(d, one, one); err != nil {
			return Stats{}, err
		}
	}
	if err := os.Chmod(store, 0o775|os.ModeSticky); err != nil {
		return Stats{}, err
	}
	for _, d := range []string{store, filepath.Join(out, "nix"), out} {
		if err := os.Chtimes(d, one, one); err != nil {
			return Stats{}, err
		}
	}
	return g.stats, nil
}
