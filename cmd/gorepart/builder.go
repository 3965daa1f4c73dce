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
	"github.com/gorepart/gorepart/vdisk"
)

// builderFlags are the flags of "gorepart build" on top of the others.
func builderFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "out", Usage: "output directory ($out of a Nix derivation)", Required: true},
		&cli.StringFlag{Name: "name", Value: "image", Usage: "base name of the image (<name>.raw, <name>.<SplitName>.raw)"},
	}
}

// artifactFlags publish the outputs (both forms of the command).
func artifactFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "compress", Usage: "zstd, zstd-seekable or xz: compress the image and split files (.raw.zst, .raw.xz) and remove the raw ones"},
		&cli.StringFlag{Name: "compress-level", Usage: "compression level (default 3, as nixpkgs)"},
		&cli.BoolFlag{Name: "sha256sums", Usage: "write SHA256SUMS over the artifacts"},
	}
}

// compression reads --compress= and --compress-level=; nil when off.
// NIX_BUILD_CORES sets the number of compressing threads.
func compression(c *cli.Context, getenv func(string) string) (*artifacts.Params, error) {
	alg := c.String("compress")
	if alg == "" {
		return nil, nil
	}
	p := artifacts.Params{Algorithm: alg, Level: artifacts.DefaultLevel}
	if v := c.String("compress-level"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("--compress-level=%s: not a number", v)
		}
		p.Level = n
	}
	if n, err := strconv.Atoi(getenv("NIX_BUILD_CORES")); err == nil {
		p.Workers = n
	}
	p, err := p.Validate()
	if err != nil {
		return nil, fmt.Errorf("--compress: %w", err)
	}
	// A container leaves zeros out already and no hypervisor opens a
	// compressed one; a fixed VHD is raw plus a footer (Azure images
	// travel as .vhd.xz).
	switch f, sub := c.String("image-format"), c.String("image-subformat"); {
	case f == "" || f == "raw", f == "vpc" && sub == "fixed":
	default:
		return nil, fmt.Errorf("--compress=%s with --image-format=%s: only raw images and fixed VHDs (--image-subformat=fixed) are compressed", alg, f)
	}
	return &p, nil
}

// publish moves the image and split files of res into dir — compressed
// (the raw files removed) when comp is set — and writes SHA256SUMS over
// them when sums is set.
func publish(res *repart.Result, image, dir string, comp *artifacts.Params, sums bool) error {
	files := append([]string{image}, res.SplitFiles...)
	var names []string
	for _, f := range files {
		dst := filepath.Join(dir, filepath.Base(f))
		switch {
		case comp != nil:
			st, err := os.Stat(f)
			if err != nil {
				return err
			}
			if dst, err = artifacts.CompressFile(dir, f, st.Mode().Perm(), *comp); err != nil {
				return err
			}
			if err := os.Remove(f); err != nil {
				return err
			}
		case dst != f:
			if err := os.Rename(f, dst); err != nil {
				return err
			}
		}
		names = append(names, filepath.Base(dst))
	}
	if sums {
		return artifacts.WriteSHA256Sums(dir, names)
	}
	return nil
}

// buildArtifacts is "gorepart build": what nixpkgs' repart-image.nix
// builder produces, in --out: <name>.raw (or compressed), the split files,
// repart-output.json; optionally SHA256SUMS. Defaults fit a builder:
// --empty=create, --dry-run=no, --size=auto. The image is built in a
// directory of its own inside --out, so only finished artifacts appear.
func buildArtifacts(ctx context.Context, c *cli.Context, name string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	out := c.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	comp, err := compression(c, getenv)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(out, ".gorepart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ext := ".raw"
	if f := c.String("image-format"); f != "" {
		if ext = vdisk.Extension(f); ext == "" {
			return fmt.Errorf("--image-format=%s: unknown format (raw, qcow2, vmdk, vhdx, vpc, vdi)", f)
		}
	}
	image := filepath.Join(work, c.String("name")+ext)
	return buildImage(ctx, c, name, image, "create", stdin, stdout, stderr, getenv, func(res *repart.Result, defs []*definitions.Definition) error {
		// The build succeeded: what lint calls an error is a warning here.
		for _, f := range artifacts.Lint(defs) {
			fmt.Fprintf(stderr, "%s: warning: %s (gorepart lint)\n", f.Pos, f.Message)
		}
		if err := publish(res, image, out, comp, c.Bool("sha256sums")); err != nil {
			return err
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
		_, err := stdout.Write(report)
		return err
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
