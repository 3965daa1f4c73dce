package definitions

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// builtinDDI holds the definitions systemd 262 installs for
// systemd-repart --make-ddi= (src/repart/definitions/*.repart.d, LGPL
// 2.1+), verbatim.
//
//go:embed ddi
var builtinDDI embed.FS

// DDISearchPath is where systemd-repart looks for TYPE.repart.d
// directories for --make-ddi=TYPE: CONF_PATHS("systemd/repart/definitions")
// on the host (not under --root).
func DDISearchPath() []string {
	return []string{
		"/etc/systemd/repart/definitions",
		"/run/systemd/repart/definitions",
		"/usr/local/lib/systemd/repart/definitions",
		"/usr/lib/systemd/repart/definitions",
	}
}

// FindDDI returns the definitions of --make-ddi=typ as Load's Dirs and
// FS: the first typ.repart.d directory in DDISearchPath, as repart's
// search_and_access() finds it, else gorepart's built-in copy of those
// systemd ships (sysext, confext, portable), read from fsys as if it were
// installed under /usr/lib/systemd/repart/definitions.
func FindDDI(typ string) (dirs []string, fsys fs.FS, err error) {
	return findDDI(typ, DDISearchPath())
}

func findDDI(typ string, searchPath []string) (dirs []string, fsys fs.FS, err error) {
	if typ == "" || typ == "." || typ == ".." || filepath.Base(typ) != typ || len(typ) > 255 {
		return nil, nil, fmt.Errorf("invalid DDI type: %s", typ)
	}
	name := typ + ".repart.d"
	for _, d := range searchPath {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return []string{p}, nil, nil
		}
	}
	if st, err := fs.Stat(builtinDDI, "ddi/"+name); err == nil && st.IsDir() {
		sub, err := fs.Sub(builtinDDI, "ddi")
		if err != nil {
			return nil, nil, err
		}
		root := searchPath[len(searchPath)-1]
		return []string{filepath.Join(root, name)}, prefixFS{sub, root[1:]}, nil
	}
	return nil, nil, fmt.Errorf("DDI type '%s' is not defined: no %s in %s", typ, name, strings.Join(searchPath, ", "))
}

// prefixFS shows fsys under the directory prefix (a slash path without
// the leading '/').
type prefixFS struct {
	fsys   fs.FS
	prefix string
}

func (p prefixFS) Open(name string) (fs.File, error) {
	rel, err := filepath.Rel(p.prefix, name)
	if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return p.fsys.Open(rel)
}
