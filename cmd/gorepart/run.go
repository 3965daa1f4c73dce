package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/iso9660"
	"github.com/gorepart/gorepart/repart"
	"github.com/gorepart/gorepart/verity"
)

// defaultSeed is the seed when --seed= is not given and no machine ID is
// found under --root: nixpkgs' image.repart default, so a build is
// reproducible and gets the UUIDs a NixOS image would get.
const defaultSeed = "0867da16-f251-457d-a9e8-c31f9a3c220b"

// run is the whole command: it parses args, builds, prints, and returns
// the exit status. getenv is the only access to the environment.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	name := filepath.Base(args[0])
	switch ok, err := varlinkInvocation(getenv); {
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	case ok:
		return serveVarlink(ctx, os.NewFile(listenFD, "varlink"), name, stderr, getenv)
	}
	var status int
	app := &cli.App{
		Name:            name,
		Usage:           "build GPT disk images from repart.d definitions",
		ArgsUsage:       "IMAGE",
		Flags:           append(flags(), artifactFlags()...),
		HideHelpCommand: true,
		Writer:          stdout,
		ErrWriter:       stderr,
		ExitErrHandler:  func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				printVersion(stdout, name)
				return nil
			}
			status = failureStatus(build(ctx, c, name, stdin, stdout, stderr, getenv, false), name, stderr)
			return nil
		},
		Commands: []*cli.Command{{
			Name:  "build",
			Usage: "build as a Nix derivation's builder: image, split files and repart-output.json into --out",
			Flags: append(append(flags(), artifactFlags()...), builderFlags()...),
			Action: func(c *cli.Context) error {
				if c.Bool("version") {
					printVersion(stdout, name)
					return nil
				}
				status = failureStatus(build(ctx, c, name, stdin, stdout, stderr, getenv, true), name, stderr)
				return nil
			},
		}, {
			Name:  "lint",
			Usage: "check A/B (systemd-sysupdate) conventions of the definitions",
			Flags: flags(),
			Action: func(c *cli.Context) error {
				if c.Bool("version") {
					printVersion(stdout, name)
					return nil
				}
				n, err := lint(c, stdin, stdout)
				if err != nil {
					fmt.Fprintf(stderr, "%s: %v\n", name, oneLine(err))
					status = 1
				} else if n > 0 {
					status = 1
				}
				return nil
			},
		}},
	}
	if err := app.RunContext(ctx, permuteArgs(args)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, oneLine(err))
		return 2
	}
	return status
}

// failureStatus prints err and returns the exit status for it: 0 for
// none, 77 when --empty= refused the image's disk label (systemd-repart's
// "not doing anything", its notice printed as is), else 1.
func failureStatus(err error, name string, stderr io.Writer) int {
	var lc *repart.LabelConflict
	var st exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &st):
		return int(st)
	case errors.As(err, &lc):
		fmt.Fprintln(stderr, lc.Message)
		return 77
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, oneLine(err))
	return 1
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// parseBool is systemd's parse_boolean.
func parseBool(flag, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, fmt.Errorf("--%s=%s: not a boolean", flag, v)
}

func boolFlag(c *cli.Context, flag string, dflt bool) (bool, error) {
	if !c.IsSet(flag) {
		return dflt, nil
	}
	return parseBool(flag, c.String(flag))
}

func build(ctx context.Context, c *cli.Context, name string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, builder bool) error {
	if c.NArg() > 1 || (builder && c.NArg() > 0) {
		return fmt.Errorf("too many arguments: %s", strings.Join(c.Args().Slice(), " "))
	}
	if c.IsSet("image") {
		return errors.New("--image= needs to mount a disk image; use --root= with an unpacked tree instead")
	}
	if builder {
		return buildArtifacts(ctx, c, name, stdin, stdout, stderr, getenv)
	}
	image := c.Args().First()
	comp, err := compression(c, getenv)
	if err != nil {
		return err
	}
	var done func(*repart.Result, []*definitions.Definition) error
	if comp != nil || c.Bool("sha256sums") {
		// nixpkgs' builder layout: the artifacts stay next to the image.
		done = func(res *repart.Result, _ []*definitions.Definition) error {
			if err := publish(res, image, filepath.Dir(image), comp, c.Bool("sha256sums")); err != nil {
				return err
			}
			return printReport(c, res, stdout, stderr, getenv)
		}
	}
	return buildImage(ctx, c, name, image, "refuse", stdin, stdout, stderr, getenv, done)
}

// buildImage is the build behind both forms of the command. emptyDefault
// is --empty='s default; done, when set, receives the result instead of
// the report being printed.
func buildImage(ctx context.Context, c *cli.Context, name, image, emptyDefault string, stdin io.Reader, stdout, stderr io.Writer,
	getenv func(string) string, done func(*repart.Result, []*definitions.Definition) error) error {
	quiet, verbose := c.Bool("quiet"), c.Bool("verbose")
	logf := func(s string) {
		if !quiet {
			fmt.Fprintln(stderr, s)
		}
	}

	umask := unix.Umask(0)
	unix.Umask(umask)
	o := repart.BuildOptions{Image: image, Empty: c.String("empty"), Log: logf, Now: time.Now(), Mode: os.FileMode(0o666 &^ umask),
		Clock: time.Now}
	if !quiet {
		o.Progress = progressPrinter(stderr, isTerminal(stderr), verbose)
	}
	if err := checkRefused(c); err != nil {
		return err
	}
	ddi, err := makeDDI(c, &o)
	if err != nil {
		return err
	}
	if o.Empty == "" {
		o.Empty = emptyDefault
	}
	if o.DryRun, err = boolFlag(c, "dry-run", true); err != nil {
		return err
	}
	canFactoryReset := c.Bool("can-factory-reset")
	switch {
	case canFactoryReset:
		o.DryRun = true // it changes nothing
	case o.Empty == "create":
		// As repart: a file created anew is written whatever --dry-run= says.
		o.DryRun = false
	}
	if o.Split, err = boolFlag(c, "split", false); err != nil {
		return err
	}
	if o.DeferEmpty, err = boolFlag(c, "defer-partitions-empty", false); err != nil {
		return err
	}
	if o.DeferFactoryReset, err = boolFlag(c, "defer-partitions-factory-reset", false); err != nil {
		return err
	}
	if err := sizeFlags(c, &o.Plan); err != nil {
		return err
	}
	if o.Empty == "create" && !c.IsSet("size") {
		if emptyDefault != "create" && ddi == nil { // only the builder form and --make-ddi= default to --size=auto
			return errors.New("--empty=create requires --size=")
		}
		o.Plan.AutoSize = true
	}
	root := c.String("root")
	seedName := name
	if ddi != nil && !c.IsSet("seed") {
		seedName = "" // a DDI gets the fixed seed, never a machine ID
		logf("No seed value specified, using gorepart's fixed seed " + defaultSeed + " (systemd-repart randomizes it).")
	}
	if o.Plan.Seed, err = seed(c.String("seed"), seedName, root); err != nil {
		return err
	}
	applyBuildCores(getenv)
	o.MkfsOptions = mkfsOptions(getenv)
	o.ToolPath = getenv("PATH")
	if t, ok := sourceDateEpoch(getenv); ok {
		o.SourceDateEpoch = &t
	}
	switch c.String("owner") {
	case "", "auto":
		o.Owner, o.Unprivileged = fstree.OwnerAuto, unprivileged()
	case "keep":
		o.Owner = fstree.OwnerKeep
	case "root":
		o.Owner = fstree.OwnerRoot
	default:
		return fmt.Errorf("--owner=%s: expected auto, keep or root", c.String("owner"))
	}
	switch c.String("hardlinks") {
	case "", "break":
	case "keep":
		o.KeepHardlinks = true
	default:
		return fmt.Errorf("--hardlinks=%s: expected break or keep", c.String("hardlinks"))
	}
	o.CopySource = c.String("copy-source")
	if o.CopySource == "" {
		o.CopySource = root
	}
	if o.CopySource != "" {
		if o.CopySource, err = filepath.Abs(o.CopySource); err != nil {
			return fmt.Errorf("--copy-source: %w", err)
		}
	}
	for flag, dst := range map[string]*[]byte{"private-key": &o.PrivateKey, "certificate": &o.Certificate, "key-file": &o.KeyFile} {
		if path := c.String(flag); path != "" {
			if *dst, err = os.ReadFile(path); err != nil {
				return fmt.Errorf("--%s: %w", flag, err)
			}
		}
	}

	for _, js := range c.StringSlice("join-signature") {
		parsed, err := verity.ParseJoinSignature(js)
		if err != nil {
			return err
		}
		o.JoinSignatures = append(o.JoinSignatures, parsed)
	}
	sp, err := specifiers(root, c.String("image-id"), c.String("image-version"))
	if err != nil {
		return err
	}
	o.Specifiers = sp
	// repart makes --definitions= absolute (parse_path_argument), so
	// the report's file paths are.
	var dirs []string
	for _, d := range c.StringSlice("definitions") {
		if d == "" {
			continue // an empty path is no path (parse_path_argument)
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return fmt.Errorf("--definitions=%s: %w", d, err)
		}
		dirs = append(dirs, abs)
	}
	lo := definitions.Options{
		Dirs: dirs, Root: root, Architecture: c.String("architecture"),
		Manifest: c.String("manifest"), ManifestReader: stdin, Specifiers: sp,
		FSTypeOverride: fsTypeOverrides(getenv),
	}
	if ddi != nil {
		lo.Dirs, lo.FS = ddi.dirs, ddi.fsys
	}
	if v := c.String("include-partitions"); v != "" {
		lo.Include = []string{v}
	}
	if v := c.String("exclude-partitions"); v != "" {
		lo.Exclude = []string{v}
	}
	if v := c.String("defer-partitions"); v != "" {
		arch := c.String("architecture")
		if arch != "" {
			if arch, err = definitions.CanonicalArch(arch); err != nil {
				return fmt.Errorf("--architecture: %w", err)
			}
		}
		if o.Defer, err = definitions.ParseTypeList(v, arch); err != nil {
			return fmt.Errorf("--defer-partitions=%s: %w", v, err)
		}
	}
	if o.Then, err = thenHook(c, stderr, getenv); err != nil {
		return err
	}
	if err := readRepartFlags(c, &o, lo); err != nil {
		return err
	}
	if o.ElTorito, err = elToritoFlags(c); err != nil {
		return err
	}
	o.Container = repart.Container{Format: c.String("image-format"), Subformat: c.String("image-subformat")}
	defs, warnings, err := definitions.Load(lo)
	for _, w := range warnings {
		logf(w.String())
	}
	if err != nil {
		return err
	}
	if canFactoryReset {
		return canFactoryResetStatus(defs, o)
	}
	if image == "" || image == "-" {
		return planOnly(ctx, defs, o, stdout)
	}

	res, err := repart.Build(ctx, defs, o)
	if err != nil {
		return err
	}
	if done != nil {
		return done(res, defs)
	}
	return printReport(c, res, stdout, stderr, getenv)
}

// printReport prints the partition table the build made, as repart's
// context_dump() does: JSON with --json=, else the table unless
// --pretty=no ("Empty partition table." for none, on stderr as repart
// logs it); the columns and arrows as SYSTEMD_LOG_LEVEL= and the locale
// make repart's (reportStyle).
func printReport(c *cli.Context, res *repart.Result, stdout, stderr io.Writer, getenv func(string) string) error {
	st := reportStyle(getenv)
	switch j := c.String("json"); j {
	case "pretty":
		stdout.Write(repart.StyledJSON(res.Rows, true, st))
	case "short":
		stdout.Write(repart.StyledJSON(res.Rows, false, st))
	case "", "off":
		pretty, err := boolFlag(c, "pretty", true)
		switch {
		case err != nil:
			return err
		case !pretty:
		case len(res.Rows) == 0:
			if !c.Bool("quiet") {
				fmt.Fprintln(stderr, "Empty partition table.")
			}
		default:
			fmt.Fprint(stdout, repart.StyledTable(res.Rows, st, !c.Bool("no-legend")))
		}
	default:
		return fmt.Errorf("--json=%s: expected pretty, short or off", j)
	}
	return nil
}

// planOnly prints the minimal image size, as repart does without a
// device: what a build of the same definitions would make.
func planOnly(ctx context.Context, defs []*definitions.Definition, o repart.BuildOptions, stdout io.Writer) error {
	o.Log = nil // the size line is the output
	size, err := repart.MinimalSize(ctx, defs, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Automatically determined minimal disk image size as %s.\n", repart.FormatBytes(size))
	return nil
}

// elToritoFlags are --el-torito= and its identifiers, checked as repart's
// option parser checks them (also without --el-torito=yes).
func elToritoFlags(c *cli.Context) (*repart.ElTorito, error) {
	et := &repart.ElTorito{System: c.String("el-torito-system"), Volume: c.String("el-torito-volume"),
		Publisher: c.String("el-torito-publisher")}
	for _, f := range []struct {
		flag, v string
		ok      func(string) bool
	}{{"el-torito-system", et.System, iso9660.ValidSystem}, {"el-torito-volume", et.Volume, iso9660.ValidVolume},
		{"el-torito-publisher", et.Publisher, iso9660.ValidPublisher}} {
		if !f.ok(f.v) {
			return nil, fmt.Errorf("Invalid value '%s' for --%s=.", f.v, f.flag)
		}
	}
	on, err := boolFlag(c, "el-torito", false)
	if err != nil || !on {
		return nil, err
	}
	return et, nil
}

func sizeFlags(c *cli.Context, p *repart.Options) error {
	if v := c.String("size"); v == "auto" {
		p.AutoSize = true
	} else if v != "" {
		n, err := definitions.ParseSize(v)
		if err != nil {
			return fmt.Errorf("--size=%s: %w", v, err)
		}
		p.Size = (n + 4095) / 4096 * 4096
	}
	for _, f := range []struct {
		flag string
		dst  *uint64
	}{{"sector-size", &p.SectorSize}, {"grain-size", &p.GrainSize}} {
		v := c.String(f.flag)
		if v == "" {
			continue
		}
		n, err := definitions.ParseSize(v)
		if err != nil || n < 512 || n&(n-1) != 0 || (f.flag == "sector-size" && n > 4096) {
			return fmt.Errorf("--%s=%s: expected a power of two from 512%s", f.flag, v, map[bool]string{true: " to 4096", false: ""}[f.flag == "sector-size"])
		}
		*f.dst = n
	}
	p.DefaultFSSectorSize = p.SectorSize
	return nil
}

// seed parses --seed=; without it, systemd-repart uses the machine ID of
// the root, gorepart a fixed seed unless the root has a machine ID.
func seed(v, name, root string) (repart.UUID, error) {
	switch v {
	case "random":
		var u repart.UUID
		rand.Read(u[:])
		return u, nil
	case "":
		if id, err := os.ReadFile(filepath.Join(rootOr(root), "etc/machine-id")); err == nil && (root != "" || name == "systemd-repart") {
			if u, err := definitions.ParseUUID(strings.TrimSpace(string(id))); err == nil && u != (repart.UUID{}) {
				return u, nil
			}
		}
		return definitions.ParseUUID(defaultSeed)
	}
	u, err := definitions.ParseUUID(v)
	if err != nil {
		return u, fmt.Errorf("--seed=%s: %w", v, err)
	}
	return u, nil
}

func rootOr(root string) string {
	if root == "" {
		return "/"
	}
	return root
}

// specifiers fills the system specifiers from os-release under root, then
// the --image-id=/--image-version= overrides.
func specifiers(root, imageID, imageVersion string) (definitions.Specifiers, error) {
	var sp definitions.Specifiers
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		data, err := os.ReadFile(filepath.Join(rootOr(root), p))
		if err != nil {
			continue
		}
		kv := definitions.ParseOSRelease(data)
		sp.ImageID, sp.ImageVersion, sp.BuildID = kv["IMAGE_ID"], kv["IMAGE_VERSION"], kv["BUILD_ID"]
		sp.OSID, sp.VersionID, sp.VariantID = kv["ID"], kv["VERSION_ID"], kv["VARIANT_ID"]
		break
	}
	if id, err := os.ReadFile(filepath.Join(rootOr(root), "etc/machine-id")); err == nil {
		sp.MachineID = strings.TrimSpace(string(id))
	}
	if h, err := os.Hostname(); err == nil && root == "" {
		sp.Hostname = h
	}
	// %v is the running kernel's release, with or without --root, as in
	// repart (specifier_kernel_release).
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		sp.KernelRelease = unix.ByteSliceToString(uts.Release[:])
	}
	if imageID != "" {
		sp.ImageID = imageID
	}
	if imageVersion != "" {
		sp.ImageVersion = imageVersion
	}
	return sp, nil
}
