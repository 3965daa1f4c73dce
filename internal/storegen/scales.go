package storegen

import (
	"fmt"
	"strings"
)

// Scale sets the size of a tree.
type Scale struct {
	Paths      int     // store paths
	SmallFiles float64 // mean number of small text files per path
	BinsLambda float64 // mean number of binaries per path (Poisson)
	MedFiles   float64 // mean number of medium text files per path (Poisson)
}

// Scales are the named sizes: tiny (20 paths), small (200), large (1500).
var Scales = map[string]Scale{
	"tiny":  {Paths: 20, SmallFiles: 90, BinsLambda: 0.55, MedFiles: 3},
	"small": {Paths: 200, SmallFiles: 95, BinsLambda: 0.32, MedFiles: 3},
	"large": {Paths: 1500, SmallFiles: 95, BinsLambda: 0.50, MedFiles: 3},
}

// Params choose a tree: a named scale, optionally with another number of
// store paths, and the seed.
type Params struct {
	Scale string
	Paths int // 0: the scale's
	Seed  int64
}

func (p Params) scale() (Scale, error) {
	s, ok := Scales[p.Scale]
	if !ok {
		return Scale{}, fmt.Errorf("unknown scale %q (tiny, small, large)", p.Scale)
	}
	if p.Paths > 0 {
		s.Paths = p.Paths
	}
	return s, nil
}

const nix32 = "0123456789abcdfghijklmnpqrsvwxyz"

var (
	words = strings.Fields("the of and to in is for on that with as by this be are from or an it at not which " +
		"function return value error config path store build output input static shared library " +
		"module package version license copyright free software foundation gnu general public " +
		"define include struct int char void const unsigned long size_t if else while for break " +
		"python import class def self none true false print install prefix lib bin share doc man " +
		"nix derivation hash closure reference runtime dependency system linux x86_64 aarch64 " +
		"usage options help verbose quiet debug warning info message string buffer file directory")
	names = strings.Fields("glibc zlib openssl bash coreutils gcc-lib libffi python3 perl ncurses readline sqlite " +
		"curl nghttp2 libidn2 libunistring xz bzip2 zstd lz4 systemd util-linux libcap acl attr " +
		"dbus expat pcre2 gmp mpfr libxml2 libxslt icu harfbuzz freetype fontconfig cairo pango " +
		"glib gtk3 libpng libjpeg libtiff giflib libwebp nodejs go rustc llvm clang cmake ninja " +
		"meson pkg-config gnumake gnused gnugrep gawk findutils diffutils patch tar gzip which " +
		"less man-db groff texinfo git openssh gnupg libgcrypt libgpg-error krb5 keyutils " +
		"e2fsprogs dosfstools mtools kmod iproute2 iptables nftables shadow pam linux-pam " +
		"tzdata cacert mailcap iana-etc nss-cacert libseccomp libselinux audit")
	langs = strings.Fields("de fr es it ja ko pt_BR ru zh_CN zh_TW pl nl sv cs")
)
