package initramfs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Index is what depmod's files in a modules directory
// (/lib/modules/VERSION) say about its modules.
type Index struct {
	dir     string
	path    map[string]string   // module name → file, relative to dir
	deps    map[string][]string // file → the files it needs, as modules.dep lists them
	softPre map[string][]string // module name → names or aliases to load before it
	alias   map[string][]string // alias (no wildcards) → module names
	builtin map[string]bool     // names of the modules built into the kernel
}

// Module is one module file to load.
type Module struct {
	Path string // relative to the modules directory
	// Optional is set for a module that may fail to load: a soft
	// dependency, one of Options.Optional, or one only they need.
	Optional bool
}

// Options select what Order adds to the named modules and their
// dependencies.
type Options struct {
	// Soft adds the pre: soft dependencies of modules.softdep, as
	// optional modules; one that is neither a module nor built in is
	// left out.
	Soft bool
	// Optional names modules ('_', not '-') that may fail to load, such
	// as those using CPU features the guest's CPU may lack.
	Optional map[string]bool
}

// ModuleName is the name of a module file: its base name without .ko
// (and any compression suffix), '-' written '_'.
func ModuleName(path string) string {
	b := filepath.Base(path)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}

// ReadIndex reads modules.dep of dir, and modules.softdep, modules.alias
// and modules.builtin where they exist.
func ReadIndex(dir string) (*Index, error) {
	ix := &Index{dir: dir, path: map[string]string{}, deps: map[string][]string{}, softPre: map[string][]string{},
		alias: map[string][]string{}, builtin: map[string]bool{}}
	err := eachLine(filepath.Join(dir, "modules.dep"), true, func(l string) {
		p, rest, ok := strings.Cut(l, ":")
		if !ok {
			return
		}
		ix.path[ModuleName(p)] = p
		ix.deps[p] = strings.Fields(rest)
	})
	if err != nil {
		return nil, fmt.Errorf("reading modules.dep: %w", err)
	}
	eachLine(filepath.Join(dir, "modules.builtin"), false, func(l string) { ix.builtin[ModuleName(l)] = true })
	eachLine(filepath.Join(dir, "modules.alias"), false, func(l string) {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "alias" && !strings.ContainsAny(f[1], "*?[") {
			ix.alias[f[1]] = append(ix.alias[f[1]], ModuleName(f[2]))
		}
	})
	eachLine(filepath.Join(dir, "modules.softdep"), false, func(l string) {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "softdep" {
			return
		}
		pre := false
		for _, w := range f[2:] {
			switch w {
			case "pre:":
				pre = true
			case "post:":
				pre = false
			default:
				if pre {
					ix.softPre[ModuleName(f[1])] = append(ix.softPre[ModuleName(f[1])], w)
				}
			}
		}
	})
	return ix, nil
}

func eachLine(path string, required bool, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		if required {
			return err
		}
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			fn(l)
		}
	}
	return sc.Err()
}

// Order returns the modules to load for names (module names, '-' and '_'
// alike, or aliases), each after what it needs and each once. A module's
// dependencies are visited as modprobe loads them: modules.dep lists the
// one loaded last first. A name built into the kernel needs nothing; one
// that is neither a module nor built in is an error.
func (ix *Index) Order(names []string, o Options) ([]Module, error) {
	var out []Module
	seen := map[string]bool{}
	var visitPath func(p string, optional bool)
	visitName := func(name string, optional bool) bool {
		n := strings.ReplaceAll(name, "-", "_")
		if ix.builtin[n] {
			return true
		}
		if p, ok := ix.path[n]; ok {
			visitPath(p, optional || o.Optional[n])
			return true
		}
		found := false
		for _, m := range ix.alias[name] {
			if p, ok := ix.path[m]; ok {
				visitPath(p, optional || o.Optional[m])
				found = true
			} else if ix.builtin[m] {
				found = true
			}
		}
		return found
	}
	visitPath = func(p string, optional bool) {
		if seen[p] {
			return
		}
		seen[p] = true
		if o.Soft {
			for _, s := range ix.softPre[ModuleName(p)] {
				visitName(s, true)
			}
		}
		d := ix.deps[p]
		for i := len(d) - 1; i >= 0; i-- {
			visitPath(d[i], optional)
		}
		out = append(out, Module{Path: p, Optional: optional})
	}
	for _, n := range names {
		if !visitName(n, false) {
			return nil, fmt.Errorf("kernel module %s: neither a module nor built in (%s)", n, ix.dir)
		}
	}
	return out, nil
}

// ModuleOrder returns the files of the named modules and of the modules
// they depend on, under modDir (/lib/modules/VERSION), in an order insmod
// can load them (Order without soft dependencies).
func ModuleOrder(modDir string, names ...string) ([]string, error) {
	ix, err := ReadIndex(modDir)
	if err != nil {
		return nil, err
	}
	mods, err := ix.Order(names, Options{})
	if err != nil {
		return nil, err
	}
	files := make([]string, len(mods))
	for i, m := range mods {
		files[i] = filepath.Join(modDir, m.Path)
	}
	return files, nil
}
