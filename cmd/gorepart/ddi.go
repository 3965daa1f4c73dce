package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/repart"
)

// ddiProfile is the definitions --make-ddi= builds with.
type ddiProfile struct {
	dirs []string
	fsys fs.FS
}

// makeDDI applies --make-ddi=TYPE (-S, -C, -P) as repart's parse_argv()
// does: it excludes --definitions= and any --empty= but create, implies
// --empty=create and --size=auto, and needs a non-empty --copy-source=;
// the definitions are TYPE.repart.d from repart's search path, else the
// built-in copy (definitions.FindDDI). nil without --make-ddi=.
func makeDDI(c *cli.Context, o *repart.BuildOptions) (*ddiProfile, error) {
	typ := c.String("make-ddi")
	if typ == "" {
		return nil, nil
	}
	if len(c.StringSlice("definitions")) > 0 {
		return nil, errors.New("combination of --make-ddi= and --definitions= is not supported")
	}
	if o.Empty != "" && o.Empty != "create" {
		return nil, fmt.Errorf("combination of --make-ddi= and --empty=%s is not supported", o.Empty)
	}
	src := c.String("copy-source")
	if src == "" {
		return nil, errors.New("--make-ddi= needs --copy-source=, the tree to make the image of")
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("--copy-source=%s: %w", src, err)
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("source directory '%s' is empty, refusing to create empty image", src)
	}
	dirs, fsys, err := definitions.FindDDI(typ)
	if err != nil {
		return nil, err
	}
	o.Empty = "create"
	return &ddiProfile{dirs: dirs, fsys: fsys}, nil
}
