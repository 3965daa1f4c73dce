package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/repart"
)

// repartFlags are the options of systemd-repart 262 (its --help) that
// gorepart either implements here or refuses with the reason: each one is
// read by readRepartFlags or checkRefused, none is accepted and ignored.
// -n, -S, -C and -P are rewritten by permuteArgs.
func repartFlags() []cli.Flag {
	str := func(name, usage string) cli.Flag { return &cli.StringFlag{Name: name, Usage: usage} }
	list := func(name, usage string) cli.Flag { return &cli.StringSliceFlag{Name: name, Usage: usage} }
	boolean := func(name, usage string) cli.Flag { return &cli.BoolFlag{Name: name, Usage: usage} }
	return []cli.Flag{
		str("offline", "yes or auto (gorepart always builds offline); no is refused: it needs loop devices"),
		str("discard", "yes (default): zero new partitions and gaps of an existing image; no: grow the image by allocation"),
		str("cow", "yes, no or auto: copy-on-write (the NOCOW attribute) of a newly created image file"),
		str("pretty", "no: do not print the table (without --json=)"),
		str("factory-reset", "yes: remove the existing partitions of FactoryReset=yes definitions and make them anew"),
		boolean("can-factory-reset", "exit 0 if --factory-reset=yes would remove a partition, 1 otherwise"),
		str("image-policy", "image dissection policy; gorepart has no --image=, so it only checks the syntax"),
		boolean("list-devices", "refused: lists the host's block devices"),
		str("private-key-source", "file (default); engine: and provider: are refused"),
		str("certificate-source", "file (default); provider: is refused"),
		str("tpm2-device", "refused: needs a TPM"),
		str("tpm2-device-key", "refused: TPM2 enrollment is not supported"),
		str("tpm2-seal-key-handle", "refused: TPM2 enrollment is not supported"),
		list("tpm2-pcrs", "refused: TPM2 enrollment is not supported"),
		str("tpm2-public-key", "refused: TPM2 enrollment is not supported"),
		str("tpm2-public-key-policyref", "refused: TPM2 enrollment is not supported"),
		str("tpm2-public-key-pcrs", "refused: TPM2 enrollment is not supported"),
		str("tpm2-pcrlock", "refused: TPM2 enrollment is not supported"),
		list("copy-from", "copy every partition of this GPT image in before the definitions' (repeatable)"),
		str("make-ddi", "sysext, confext or portable: build a DDI of that type (-S, -C, -P)"),
		str("generate-fstab", "write an fstab for the MountPoint= partitions to this path under --copy-source/--root"),
		str("append-fstab", "no, auto or replace: how the generated fstab joins an existing one"),
		str("generate-crypttab", "write a crypttab for the EncryptedVolume= partitions to this path under --copy-source/--root"),
	}
}

// shortOptions are repart's short options without a long form of the
// same letter, as the long options permuteArgs rewrites them to.
var shortOptions = map[byte]string{
	'n': "--dry-run=yes",
	'S': "--make-ddi=sysext",
	'C': "--make-ddi=confext",
	'P': "--make-ddi=portable",
}

// expandShort rewrites "-n", "-S", "-C" and "-P", also bundled with each
// other or with -q and -v ("-nq"), into long options; anything else is
// returned as is.
func expandShort(tok string) []string {
	if len(tok) < 2 || tok[0] != '-' || tok[1] == '-' {
		return []string{tok}
	}
	var out []string
	for i := 1; i < len(tok); i++ {
		switch c := tok[i]; {
		case shortOptions[c] != "":
			out = append(out, shortOptions[c])
		case c == 'q' || c == 'v':
			out = append(out, "-"+string(c))
		default:
			return []string{tok}
		}
	}
	return out
}

// checkRefused refuses the options that need what an image build does
// not have: block devices, a TPM, OpenSSL engines and providers.
func checkRefused(c *cli.Context) error {
	if c.Bool("list-devices") {
		return errors.New("--list-devices lists the host's block devices; gorepart builds image files and has none to list")
	}
	for _, f := range []string{"tpm2-device", "tpm2-device-key", "tpm2-seal-key-handle", "tpm2-pcrs", "tpm2-public-key",
		"tpm2-public-key-policyref", "tpm2-public-key-pcrs", "tpm2-pcrlock"} {
		if c.IsSet(f) {
			return fmt.Errorf("--%s: TPM2 enrollment (Encrypt=tpm2) is not supported by gorepart", f)
		}
	}
	if v := c.String("offline"); c.IsSet("offline") && v != "auto" {
		on, err := parseBool("offline", v)
		if err != nil {
			return err
		}
		if !on {
			return errors.New("--offline=no needs loop devices and device-mapper; gorepart only builds offline (--offline=yes)")
		}
	}
	if v := c.String("private-key-source"); c.IsSet("private-key-source") && v != "file" {
		if !strings.HasPrefix(v, "engine:") && !strings.HasPrefix(v, "provider:") {
			return fmt.Errorf("--private-key-source=%s: expected file, engine:ENGINE or provider:PROVIDER", v)
		}
		return fmt.Errorf("--private-key-source=%s: OpenSSL engines and providers (hardware keys) are not supported; give --private-key= a PEM file", v)
	}
	if v := c.String("certificate-source"); c.IsSet("certificate-source") && v != "file" {
		if !strings.HasPrefix(v, "provider:") {
			return fmt.Errorf("--certificate-source=%s: expected file or provider:PROVIDER", v)
		}
		return fmt.Errorf("--certificate-source=%s: OpenSSL providers are not supported; give --certificate= a PEM file", v)
	}
	if c.IsSet("image-policy") {
		if err := checkImagePolicy(c.String("image-policy")); err != nil {
			return fmt.Errorf("--image-policy=%s: %w", c.String("image-policy"), err)
		}
	}
	return nil
}

// tristate parses repart's BOOL|auto options: nil for auto.
func tristate(c *cli.Context, flag string) (*bool, error) {
	v := c.String(flag)
	if !c.IsSet(flag) || v == "auto" {
		return nil, nil
	}
	b, err := parseBool(flag, v)
	if err != nil {
		return nil, fmt.Errorf("--%s=%s: expected a boolean or auto", flag, v)
	}
	return &b, nil
}

// readRepartFlags puts the repart options that shape the build into o:
// --cow=, --discard=, --factory-reset=, --copy-from=, --generate-fstab=,
// --append-fstab= and --generate-crypttab= (the last two paths made
// absolute and joined under the copy source, as repart does). lo gives
// the partition type filter the --copy-from= partitions pass through.
func readRepartFlags(c *cli.Context, o *repart.BuildOptions, lo definitions.Options) error {
	var err error
	if o.COW, err = tristate(c, "cow"); err != nil {
		return err
	}
	discard, err := boolFlag(c, "discard", true)
	if err != nil {
		return err
	}
	o.NoDiscard = !discard
	if o.FactoryReset, err = boolFlag(c, "factory-reset", false); err != nil {
		return err
	}
	if o.FactoryReset && (o.Empty == "force" || o.Empty == "require" || o.Empty == "create") {
		return errors.New("combination of --factory-reset=yes and --empty=force/--empty=require/--empty=create is invalid")
	}
	for _, img := range c.StringSlice("copy-from") {
		if img != "" {
			o.CopyFrom = append(o.CopyFrom, img)
		}
	}
	if o.ExcludeType, err = lo.TypeFilter(); err != nil {
		return err
	}
	for _, f := range []struct {
		flag string
		dst  *string
	}{{"generate-fstab", &o.GenerateFstab}, {"generate-crypttab", &o.GenerateCrypttab}} {
		v := c.String(f.flag)
		if v == "" {
			continue
		}
		abs, err := filepath.Abs(v)
		if err != nil {
			return fmt.Errorf("--%s=%s: %w", f.flag, v, err)
		}
		*f.dst = filepath.Join(o.CopySource, abs)
	}
	if c.IsSet("append-fstab") {
		if o.AppendFstab, err = repart.ParseAppendFstab(c.String("append-fstab")); err != nil {
			return err
		}
		if o.AppendFstab != repart.AppendNo && o.GenerateFstab == "" {
			return fmt.Errorf("no --generate-fstab= specified for --append-fstab=%s", c.String("append-fstab"))
		}
	}
	return nil
}

// exitStatus is an exit status without a message (--can-factory-reset's
// "no").
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// canFactoryResetStatus is --can-factory-reset: success when a
// FactoryReset=yes definition claims an existing partition, status 1
// (silently) when none does.
func canFactoryResetStatus(defs []*definitions.Definition, o repart.BuildOptions) error {
	ok, err := repart.CanFactoryReset(defs, o)
	if err != nil {
		return err
	}
	if !ok {
		return exitStatus(1)
	}
	return nil
}
