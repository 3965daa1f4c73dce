package vmcheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

// fsckArgs is the read-only check of each filesystem on an image file;
// DIR is a scratch directory for tools that must extract to read data.
var fsckArgs = map[string][]string{
	"vfat":     {"-n"},
	"ext4":     {"-fn"},
	"erofs":    {"--extract"},
	"squashfs": {"-no-progress", "-quiet", "-d", "DIR"},
	"btrfs":    {"check", "--readonly", "--check-data-csum"},
	"xfs":      {"-n", "-f"},
}

// fsckNoise are version banners, not findings.
var fsckNoise = regexp.MustCompile(`^(e2fsck|fsck\.(fat|erofs)|xfs_repair) [0-9]`)

// fsck runs the filesystem's checker on the image; any non-zero exit
// fails.
func (h *host) fsck(ctx context.Context, pre, img, fstype string) {
	tool := fsckTool[fstype]
	var args []string
	scratch := filepath.Join(h.work, "fsck-extract")
	for _, a := range fsckArgs[fstype] {
		if a == "DIR" {
			a = scratch
		}
		args = append(args, a)
	}
	defer os.RemoveAll(scratch)
	out, err := exec.CommandContext(ctx, h.tools[tool], append(args, img)...).CombinedOutput()
	name := tool + " " + joinArgs(fsckArgs[fstype])
	if err == nil {
		h.res.pass("%s%s: clean", pre, name)
		return
	}
	var keep []byte
	for _, l := range splitLines(out) {
		if !fsckNoise.MatchString(l) {
			keep = append(keep, l+"\n"...)
		}
	}
	h.res.fail("%s%s: %v %s", pre, name, err, oneLine(keep, 300))
}

func joinArgs(a []string) string {
	s := ""
	for i, x := range a {
		if x == "DIR" {
			break
		}
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}
