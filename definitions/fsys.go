package definitions

import (
	"io/fs"
	"os"
	"strings"
)

// fileSystem is where definition files are read from: the host, or an
// fs.FS (Options.FS).
type fileSystem interface {
	ReadDir(name string) ([]fs.DirEntry, error)
	Stat(name string) (fs.FileInfo, error)
	ReadFile(name string) ([]byte, error)
}

type hostFS struct{}

func (hostFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (hostFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (hostFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }

// subFS reads absolute paths from an fs.FS rooted at "/".
type subFS struct{ fsys fs.FS }

func (s subFS) rel(name string) string {
	if r := strings.TrimPrefix(name, "/"); r != "" {
		return r
	}
	return "."
}
func (s subFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(s.fsys, s.rel(name)) }
func (s subFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(s.fsys, s.rel(name)) }
func (s subFS) ReadFile(name string) ([]byte, error)       { return fs.ReadFile(s.fsys, s.rel(name)) }

func (o Options) fileSystem() fileSystem {
	if o.FS != nil {
		return subFS{o.FS}
	}
	return hostFS{}
}
