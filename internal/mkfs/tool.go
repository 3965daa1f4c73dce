// Package mkfs runs the external programs that make the filesystems
// gorepart does not write natively (btrfs, xfs): it finds them in an
// explicit search path, runs them with a small explicit environment (never
// the caller's), puts their error output into the returned error, and
// makes the temporary images they write, which the plans then copy into
// the partition keeping holes (filecopy.Sparse).
package mkfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultPath is the search path used when none is given: systemd's
// default PATH, which includes the sbin directories that hold mkfs tools.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"

// ErrNotFound is wrapped by the error of a program that is not installed.
var ErrNotFound = errors.New("program not found")

// Tool is an external program and the packages that provide it.
type Tool struct {
	Name   string // program name, e.g. "mkfs.btrfs"
	Debian string // Debian package
	Nix    string // nixpkgs attribute
}

// MissingError is the error of a program not found in the search path.
type MissingError struct {
	Tool Tool
	Path string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s not found in %s: install %s (Debian: apt-get install %s; Nix: pkgs.%s)",
		e.Tool.Name, e.Path, e.Tool.Debian, e.Tool.Debian, e.Tool.Nix)
}

func (e *MissingError) Unwrap() error { return ErrNotFound }

// Find returns the path of the first executable regular file named
// t.Name in the directories of searchPath (colon-separated; "" means
// DefaultPath). Relative directories are ignored.
func Find(t Tool, searchPath string) (string, error) {
	if searchPath == "" {
		searchPath = DefaultPath
	}
	for _, dir := range filepath.SplitList(searchPath) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, t.Name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &MissingError{Tool: t, Path: searchPath}
}
