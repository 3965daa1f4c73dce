package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gorepart/gorepart/artifacts"
	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/repart"
)

// builderFlags are the flags of "gorepart build" on top of repart's.
func builderFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "out", Usage: "output directory ($out of a Nix derivation)", Required: true},
		&cli.StringFlag{Name: "name", Value: "image", Usage: "base name of the image (<name>.raw, <name>.<SplitName>.raw)"},
		&cli.StringFlag{Name: "compress", Usage: "zstd, zstd-seekable or xz: compress the image and split files (.raw.zst, .raw.xz)"},
		&cli.StringFlag{Name: "compress-level", Usage: "compression level (default 3, as nixpkgs)"},
		&cli.BoolFlag{Name: "sha256sums", Usage: "write SHA256SUMS over the artifacts"},
	}
}

// buildArtifacts is "gorepart build": what nixpkgs' repart-image.nix
// builder produces, in --out: <name>.raw (or compressed), the split files,
// repart-output.json; optionally SHA256SUMS. Defaults fit a builder:
// --empty=create, --dry-run=no, --size=auto.
func buildArtifacts(ctx context.Context, c *cli.Context, name string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	out := c.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var comp *artifacts.Params
	if alg := c.String("compress"); alg != "" {
		if _, err := artifacts.Extension(alg); err != nil {
			return fmt.Errorf("--compress: %w", err)
		}
		p := artifacts.Params{Algorithm: alg, Level: artifacts.DefaultLevel}
		if v := c.String("compress-level"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("--compress-level=%s: not a number", v)
			}
			p.Level = n
		}
		if n, err := strconv.Atoi(getenv("NIX_BUILD_CORES")); err == nil {
			p.Workers = n
		}
		p, err := p.Validate()
		if err != nil {
			return fmt.Errorf("--compress: %w", err)
		}
		comp = &p
	}
	// The image is built in a directory of its own inside --out: only
	// finished artifacts (compressed, when asked) appear in --out.
	work, err := os.MkdirTemp(out, ".gorepart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	image := filepath.Join(work, c.String("name")+".raw")
	return buildImage(ctx, c, name, image, "create", stdin, stdout, stderr, getenv, func(res *repart.Result, defs []*definitions.Definition) error {
		for _, f := range artifacts.Lint(defs) {
			fmt.Fprintln(stderr, f.String())
		}
		for i := range res.Rows {
			res.Rows[i].Node = filepath.Join(out, strings.TrimPrefix(res.Rows[i].Node, work+"/"))
			if sp := res.Rows[i].SplitPath; sp != "" && sp != "-" {
				res.Rows[i].SplitPath = filepath.Join(out, filepath.Base(sp))
			}
		}
		report := repart.JSON(res.Rows, true)
		if err := os.WriteFile(filepath.Join(out, "repart-output.json"), report, 0o644); err != nil {
			return err
		}
		stdout.Write(report)
		files := []string{image}
		for _, p := range res.Layout.Partitions {
			if p.SplitPath != "" {
				files = append(files, p.SplitPath)
			}
		}
		var names []string
		for _, f := range files {
			if comp != nil {
				st, err := os.Stat(f)
				if err != nil {
					return err
				}
				z, err := artifacts.CompressFile(out, f, st.Mode().Perm(), *comp)
				if err != nil {
					return err
				}
				if err := os.Remove(f); err != nil {
					return err
				}
				f = z
			} else if err := os.Rename(f, filepath.Join(out, filepath.Base(f))); err != nil {
				return err
			}
			names = append(names, filepath.Base(f))
		}
		if c.Bool("sha256sums") {
			if err := artifacts.WriteSHA256Sums(out, names); err != nil {
				return err
			}
		}
		return nil
	})
}

// lint prints the A/B findings of the definitions; it returns how many
// are errors.
func lint(c *cli.Context, stdin io.Reader, stdout io.Writer) (int, error) {
	defs, warnings, err := definitions.Load(definitions.Options{
		Dirs: c.StringSlice("definitions"), Root: c.String("root"), Architecture: c.String("architecture"),
		Manifest: c.String("manifest"), ManifestReader: stdin,
	})
	for _, w := range warnings {
		fmt.Fprintln(stdout, w.String())
	}
	if err != nil {
		return 0, err
	}
	if len(defs) == 0 {
		return 0, errors.New("no partition definitions found")
	}
	errs := 0
	for _, f := range artifacts.Lint(defs) {
		fmt.Fprintln(stdout, f.String())
		if f.Severity == artifacts.Problem {
			errs++
		}
	}
	return errs, nil
}
