package boottest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// moduleFiles returns the files of the named kernel modules (names as
// modprobe takes them: '-' and '_' alike) and of everything they depend
// on, in an order insmod can load them: each module after its
// dependencies, as modules.dep of modDir (/lib/modules/VERSION) lists
// them.
func moduleFiles(modDir string, names ...string) ([]string, error) {
	f, err := os.Open(filepath.Join(modDir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("reading modules.dep: %w", err)
	}
	defer f.Close()
	deps := map[string][]string{}
	byName := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		byName[moduleName(mod)] = mod
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading modules.dep: %w", err)
	}
	var order []string
	seen := map[string]bool{}
	var visit func(m string)
	visit = func(m string) {
		if seen[m] {
			return
		}
		seen[m] = true
		// modules.dep lists a module's dependencies with the ones
		// loaded last first (modprobe walks the list backwards).
		d := deps[m]
		for i := len(d) - 1; i >= 0; i-- {
			visit(d[i])
		}
		order = append(order, filepath.Join(modDir, m))
	}
	for _, n := range names {
		m, ok := byName[strings.ReplaceAll(n, "-", "_")]
		if !ok {
			return nil, fmt.Errorf("module %s not in %s/modules.dep (built in, or not this kernel's?)", n, modDir)
		}
		visit(m)
	}
	return order, nil
}

// moduleName is the canonical name of a module file: the base name
// without .ko (and compression suffix), '-' as '_'.
func moduleName(path string) string {
	b := filepath.Base(path)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}
