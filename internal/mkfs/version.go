package mkfs

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// Version is a program's release number.
type Version struct{ Major, Minor, Patch int }

// versionRE finds the first release number of a --version output:
// "mkfs.btrfs, part of btrfs-progs v6.2", "mkfs.xfs version 6.1.0".
var versionRE = regexp.MustCompile(`\bv?(\d+)\.(\d+)(?:\.(\d+))?\b`)

// ParseVersion reads the first release number in s.
func ParseVersion(s string) (Version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("no version number in %q", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, nil
}

// Release is v as one comparable number, major·1000+minor: 6.12 is
// 6_012.
func (v Version) Release() int { return v.Major*1000 + v.Minor }

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// ProgramVersion runs the program at path with args (its version option)
// and the environment env, and reads the release number it prints.
func ProgramVersion(path string, env []string, args ...string) (Version, error) {
	var out bytes.Buffer
	c := Cmd{Path: path, Args: args, Env: env, Stdout: &out}
	if err := c.Run(); err != nil {
		return Version{}, err
	}
	v, err := ParseVersion(out.String())
	if err != nil {
		return v, fmt.Errorf("reading the version of %s: %w", path, err)
	}
	return v, nil
}
