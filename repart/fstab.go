package repart

import (
	"fmt"
	"strings"
)

// The markers around the section of an fstab repart generates
// (AUTOMATIC_FSTAB_HEADER_START/END in repart.c).
const (
	fstabStart = "# Start section ↓ of automatically generated fstab by systemd-repart"
	fstabEnd   = "# End section ↑ of automatically generated fstab by systemd-repart"
)

// AppendFstab is --append-fstab=: how a generated fstab joins the file
// already at its path.
type AppendFstab int

const (
	// AppendNo (the default) refuses to replace an existing file.
	AppendNo AppendFstab = iota
	// AppendAuto keeps the existing file's lines, replacing a section
	// generated earlier.
	AppendAuto
	// AppendReplace replaces the existing file.
	AppendReplace
)

// ParseAppendFstab parses --append-fstab= (no, auto, replace; empty is
// auto, as in repart).
func ParseAppendFstab(s string) (AppendFstab, error) {
	switch s {
	case "no":
		return AppendNo, nil
	case "auto", "":
		return AppendAuto, nil
	case "replace":
		return AppendReplace, nil
	}
	return 0, fmt.Errorf("--append-fstab=%s: expected no, auto or replace", s)
}

// fstabMounted are the partitions with a line in the fstab
// (need_fstab_one): those with a filesystem and a MountPoint=.
func fstabMounted(parts []*Partition) []*Partition {
	var out []*Partition
	for _, p := range parts {
		if p.Format != "" && len(p.Def.Mounts) > 0 && !p.Foreign {
			out = append(out, p)
		}
	}
	return out
}

// FstabSection is the section of the fstab repart's context_fstab()
// writes for parts, markers included: for each MountPoint= of a
// partition with a filesystem, "UUID=<filesystem UUID> WHERE FSTYPE
// OPTIONS 0 PASS", the options being those systemd would mount the
// partition type with (partition_pick_mount_options: discard where the
// filesystem knows it, except on the ESP and XBOOTLDR; rw,nodev,…) and
// then MountPoint='s own; pass 1 for the root partition, 2 otherwise.
func FstabSection(parts []*Partition) string {
	var b strings.Builder
	b.WriteString(fstabStart + "\n")
	for _, p := range fstabMounted(parts) {
		for _, m := range p.Def.Mounts {
			opts := mountOptions(p.Type.Designator, p.Format)
			if m.Options != "" {
				opts += "," + m.Options
			}
			pass := 2
			if p.Type.Designator == "root" {
				pass = 1
			}
			fmt.Fprintf(&b, "%s %s %s %s 0 %d\n", fsSpec(p), m.Where, p.Format, opts, pass)
		}
	}
	b.WriteString(fstabEnd + "\n")
	return b.String()
}

// fsSpec is the fstab's device field (make_by_uuid_symlink_path): the
// volume ID of a vfat filesystem (its UUID's first four bytes), else the
// filesystem UUID.
func fsSpec(p *Partition) string {
	u := p.FSUUID()
	if p.Format == "vfat" {
		return fmt.Sprintf("UUID=%02X%02X-%02X%02X", u[0], u[1], u[2], u[3])
	}
	return "UUID=" + formatUUID(u)
}

// mountOptions is systemd's partition_pick_mount_options() for a
// read-write mount, discard asked for except on the ESP and XBOOTLDR,
// folded into a string. Which filesystems take discard and fmask= is
// systemd's curated list; for others systemd asks the running kernel,
// and the answer for the formats repart makes is fixed here (ext2 and
// ext3 are served by the ext4 driver and take discard; erofs, squashfs
// and swap take neither).
func mountOptions(designator, format string) string {
	var opts []string
	esp := designator == "esp" || designator == "xbootldr"
	if esp && format == "vfat" {
		opts = append(opts, "fmask=0177,dmask=0077")
	}
	switch format {
	case "btrfs", "f2fs", "ext2", "ext3", "ext4", "vfat", "xfs":
		if !esp {
			opts = append(opts, "discard")
		}
	}
	opts = append(opts, "rw", "nodev")
	if esp || designator == "tmp" {
		opts = append(opts, "nosuid")
	} else {
		opts = append(opts, "suid")
	}
	if esp {
		opts = append(opts, "noexec", "nosymfollow")
	} else {
		opts = append(opts, "exec")
	}
	return strings.Join(opts, ",")
}

// MergeFstab joins a generated section with the fstab already there
// (existing, nil when there is none) as --append-fstab=auto does: the
// section first, then the existing lines without a section generated
// earlier.
func MergeFstab(section string, existing []byte) string {
	if existing == nil {
		return section
	}
	c := string(existing)
	start, ok := findLine(c, fstabStart)
	if !ok {
		return section + c
	}
	out := section + c[:start]
	if end, ok := findLineAfter(c[start:], fstabEnd); ok {
		out += c[start+end:]
	}
	return out
}

// findLine is systemd's find_line(): where the first line starting with
// needle begins, if that line is exactly needle.
func findLine(haystack, needle string) (int, bool) {
	i := lineStartingWith(haystack, needle)
	if i < 0 {
		return 0, false
	}
	if rest := haystack[i+len(needle):]; rest == "" || rest[0] == '\n' || rest[0] == '\r' {
		return i, true
	}
	return 0, false
}

// findLineAfter is systemd's find_line_after(): where the line after the
// first line starting with needle begins, if that line is exactly needle.
func findLineAfter(haystack, needle string) (int, bool) {
	i := lineStartingWith(haystack, needle)
	if i < 0 {
		return 0, false
	}
	end := i + len(needle)
	switch rest := haystack[end:]; {
	case rest == "":
		return end, true
	case rest[0] == '\n' || rest[0] == '\r':
		return end + 1, true
	}
	return 0, false
}

// lineStartingWith is find_line_startswith(): the offset of the first
// occurrence of needle at the start of a line, or -1.
func lineStartingWith(haystack, needle string) int {
	for off := 0; ; {
		i := strings.Index(haystack[off:], needle)
		if i < 0 {
			return -1
		}
		if at := off + i; at == 0 || haystack[at-1] == '\n' {
			return at
		}
		off += i + 1
	}
}
