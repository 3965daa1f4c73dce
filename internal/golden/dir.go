package golden

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Dir returns testdata/golden of the repository that holds the working
// directory (a test's package directory).
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "golden"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding testdata/golden: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Case is one golden case: a folder of testdata/golden with a COMMAND.
type Case struct {
	Name string // the folder's name
	Dir  string // its path
}

// Cases lists the cases of the golden directory, sorted by name.
func Cases(dir string) ([]Case, error) {
	cmds, err := filepath.Glob(filepath.Join(dir, "*", "COMMAND"))
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		return nil, fmt.Errorf("listing golden cases: none in %s", dir)
	}
	var cs []Case
	for _, c := range cmds {
		d := filepath.Dir(c)
		cs = append(cs, Case{Name: filepath.Base(d), Dir: d})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs, nil
}

// All lists the cases of the repository's testdata/golden.
func All() ([]Case, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return Cases(dir)
}

// Lookup returns the case called name.
func Lookup(dir, name string) (Case, error) {
	d := filepath.Join(dir, name)
	if _, err := os.Stat(filepath.Join(d, "COMMAND")); err != nil {
		return Case{}, fmt.Errorf("looking up golden case: %w", err)
	}
	return Case{Name: name, Dir: d}, nil
}

// Trees is the folder of source trees the cases' definitions copy
// (@TREES@).
func Trees(dir string) string { return filepath.Join(dir, "trees") }

// ReadFile reads one of the case's files (expected.json, NOTE, …).
func (c Case) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(c.Dir, name))
}
