package main

import (
	"github.com/urfave/cli/v2"
)

// flags are systemd-repart's spellings; values are parsed by us (systemd
// booleans such as "yes"/"no" are not Go booleans).
func flags() []cli.Flag {
	str := func(name, usage string, aliases ...string) cli.Flag {
		return &cli.StringFlag{Name: name, Usage: usage, Aliases: aliases}
	}
	list := func(name, usage string) cli.Flag {
		return &cli.StringSliceFlag{Name: name, Usage: usage}
	}
	return append([]cli.Flag{
		list("definitions", "directory with partition definition files (repeatable)"),
		str("empty", "refuse, allow, require, force or create"),
		str("dry-run", "only plan and report (default yes; --empty=create always writes)"),
		str("size", "image size in bytes (K, M, G suffixes, base 1024) or 'auto'"),
		str("seed", "UUID to derive all UUIDs from, or 'random'"),
		str("sector-size", "logical sector size (512 or 4096)"),
		str("grain-size", "partition alignment (power of two >= 512)"),
		str("architecture", "architecture for arch-specific partition types"),
		str("split", "also write one file per partition (yes/no)"),
		str("json", "pretty, short or off"),
		&cli.BoolFlag{Name: "no-pager", Usage: "ignored: gorepart never pages"},
		&cli.BoolFlag{Name: "no-legend", Usage: "omit the table header and footer"},
		str("include-partitions", "only these partition types (comma list)"),
		str("exclude-partitions", "not these partition types (comma list)"),
		str("defer-partitions", "allocate but do not write these types (comma list)"),
		str("defer-partitions-empty", "defer partitions labelled _empty (yes/no)"),
		str("defer-partitions-factory-reset", "defer FactoryReset=yes partitions (yes/no)"),
		str("root", "root directory for definitions, sources and os-release"),
		str("image", "disk image to use as root (not supported: use --root)"),
		str("copy-source", "root directory of CopyFiles= sources", "s"),
		str("private-key", "PEM private key for Verity=signature"),
		str("certificate", "PEM certificate for Verity=signature"),
		str("key-file", "key (passphrase) for Encrypt=key-file partitions"),
		list("join-signature", "HASH:SIG root hash signature made elsewhere (SIG: file or base64:...)"),
		str("image-format", "VM disk format of the image: raw (default), qcow2, vmdk, vhdx, vpc (VHD) or vdi; split files stay raw"),
		str("image-subformat", "vpc: dynamic (default) or fixed (Azure); vmdk: monolithicSparse (default) or streamOptimized"),
		str("el-torito", "add an El Torito boot catalog that boots the ESP from optical media (yes/no)"),
		str("el-torito-system", "system identifier of the ISO 9660 descriptor"),
		str("el-torito-volume", "volume identifier of the ISO 9660 descriptor"),
		str("el-torito-publisher", "publisher identifier of the ISO 9660 descriptor"),
		str("manifest", "NixOS image.repart manifest (JSON), '-' for stdin"),
		str("image-id", "IMAGE_ID for the %M specifier"),
		str("image-version", "IMAGE_VERSION for the %A specifier"),
		str("owner", "ownership of copied files: auto (root when unprivileged), keep or root"),
		str("hardlinks", "break (default, reproducible) or keep hardlinks of the sources"),
		list("then", "shell command to run once the non-deferred partitions are written, with ROOTHASH=/USRHASH= set (repeatable)"),
		list("then-copy", "SRC:DST[:TYPE] file made by --then to copy into a deferred partition (repeatable)"),
		&cli.BoolFlag{Name: "version", Usage: "print the version and exit"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only errors and the report"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print progress"},
	}, repartFlags()...)
}
