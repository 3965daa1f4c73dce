package definitions

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// defaultDirs are repart's search directories (CONF_PATHS("repart.d")),
// used under Options.Root when no directory is given.
var defaultDirs = []string{"/etc/repart.d", "/run/repart.d", "/usr/local/lib/repart.d", "/usr/lib/repart.d"}

// confFile is one listed file.
type confFile struct {
	name string // base name
	path string
}

// listConfs lists "*.conf" files in dirs as systemd's conf_files_list_strv
// with CONF_FILES_REGULAR|CONF_FILES_FILTER_MASKED does: the first
// directory holding a base name wins (later ones are shadowed); an entry
// that is (a symlink to) a character device such as /dev/null, or an empty
// regular file, masks that name; other non-regular files are skipped;
// missing directories are fine. The result is sorted by base name.
func listConfs(fsys fileSystem, dirs []string) ([]confFile, error) {
	seen := map[string]bool{}
	var out []confFile
	for _, dir := range dirs {
		ents, err := fsys.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", dir, err)
		}
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, ".conf") || name[0] == '.' || seen[name] {
				continue
			}
			p := filepath.Join(dir, name)
			st, err := fsys.Stat(p)
			if err != nil {
				// A dangling symlink: not a regular file, skipped.
				continue
			}
			if st.Mode()&fs.ModeCharDevice != 0 || (st.Mode().IsRegular() && st.Size() == 0) {
				seen[name] = true // masked
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			seen[name] = true
			out = append(out, confFile{name: name, path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// dropIns lists the drop-ins of the definition named file ("foo.conf"):
// every "foo.conf.d/*.conf" in dirs, with the same shadowing and masking
// rules, sorted by base name.
func dropIns(fsys fileSystem, dirs []string, file string) ([]confFile, error) {
	var dd []string
	for _, d := range dirs {
		dd = append(dd, filepath.Join(d, file+".d"))
	}
	return listConfs(fsys, dd)
}

// searchDirs returns the directories to read: Options.Dirs (duplicates
// dropped, order kept, not prefixed by Root) or the default search path
// under Root.
func searchDirs(o Options) []string {
	if len(o.Dirs) > 0 {
		var out []string
		for _, d := range o.Dirs {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
		return out
	}
	root := o.Root
	if root == "" {
		root = "/"
	}
	var out []string
	for _, d := range defaultDirs {
		out = append(out, filepath.Join(root, d))
	}
	return out
}
