package vmcheck

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/internal/gptdump"
	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// host runs the host-side checks and writes the guest's job.
type host struct {
	res        *Result
	tools      map[string]string
	image      string
	spec       *Spec
	work       string
	sectorSize int
	parts      map[int]gptdump.Partition // by partition number
}

// check runs the host-side checks and returns the guest's job; nil when
// the partition table cannot be read.
func (h *host) check(ctx context.Context) *job.Job {
	h.sectorSize = h.spec.SectorSize
	if h.sectorSize == 0 {
		h.sectorSize = 512
	}
	if h.sectorSize == 512 {
		h.sfdisk(ctx)
	} else {
		h.res.info("host: sfdisk reads 512-byte sectors only; the %d-byte sector GPT is read by gptdump alone", h.sectorSize)
	}
	d, err := gptdump.ReadFile(h.image, h.sectorSize)
	if err != nil {
		h.res.fail("host: GPT: %v", err)
		return nil
	}
	h.res.pass("host: GPT: both headers and entry arrays agree, CRCs correct")
	h.parts = map[int]gptdump.Partition{}
	for _, p := range d.Partitions {
		h.parts[p.Index+1] = p
	}
	st, _ := os.Stat(h.image)
	h.res.info("image %s: %d bytes, sector %d, %d GPT partitions", h.image, st.Size(), h.sectorSize, len(d.Partitions))
	if n := h.spec.PartitionCount; n != 0 {
		if n == len(d.Partitions) {
			h.res.pass("host: partition count %d", n)
		} else {
			h.res.fail("host: partition count %d, expected %d", len(d.Partitions), n)
		}
	}
	j := &job.Job{SectorSize: h.sectorSize}
	for _, p := range h.spec.Partitions {
		if ctx.Err() != nil {
			return nil
		}
		if jp, ok := h.partition(ctx, p); ok {
			j.Partitions = append(j.Partitions, jp)
		}
	}
	return j
}

var sfdiskBad = regexp.MustCompile(`(?i)corrupt|invalid|error:|warning`)

// sfdisk checks the table with sfdisk --verify and sfdisk --dump.
func (h *host) sfdisk(ctx context.Context) {
	out, err := exec.CommandContext(ctx, h.tools["sfdisk"], "--verify", h.image).CombinedOutput()
	if err == nil && strings.Contains(string(out), "No errors detected") && !sfdiskBad.Match(out) {
		h.res.pass("host: sfdisk --verify: no errors")
	} else {
		h.res.fail("host: sfdisk --verify: %v %s", err, oneLine(out, 300))
	}
	cmd := exec.CommandContext(ctx, h.tools["sfdisk"], "--dump", h.image)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dump, err := cmd.Output()
	switch {
	case err != nil || sfdiskBad.MatchString(stderr.String()):
		h.res.fail("host: sfdisk --dump: %v %s", err, oneLine([]byte(stderr.String()), 300))
	case !strings.Contains(string(dump), "\nlabel: gpt\n") && !strings.HasPrefix(string(dump), "label: gpt\n"):
		h.res.fail("host: sfdisk --dump: not a GPT label")
	default:
		h.res.pass("host: sfdisk --dump: GPT label")
	}
}

// partition checks one spec partition on the host and returns its part
// of the guest's job.
func (h *host) partition(ctx context.Context, p *Partition) (job.Partition, bool) {
	pre := fmt.Sprintf("host: p%d: ", p.PartNo)
	g, ok := h.parts[p.PartNo]
	if !ok {
		h.res.fail("%spartition %d not present in GPT", pre, p.PartNo)
		return job.Partition{}, false
	}
	h.res.pass("%spresent (start %d, %d sectors, type %s, name %q)", pre, g.Start, g.Size, g.Type, g.Name)
	for _, c := range []struct{ what, want, have string }{
		{"type", strings.ToUpper(p.Type), g.Type}, {"uuid", strings.ToUpper(p.UUID), g.UUID}, {"name", p.Name, g.Name},
	} {
		if c.want == "" {
			continue
		}
		if c.want == c.have {
			h.res.pass("%sGPT %s %s", pre, c.what, c.have)
		} else {
			h.res.fail("%sGPT %s is %q, expected %q", pre, c.what, c.have, c.want)
		}
	}
	unit := uint64(h.sectorSize / 512)
	jp := job.Partition{N: p.PartNo, Start: g.Start * unit, Size: g.Size * unit}
	if p.FSType == "none" {
		return jp, true
	}
	jp.FSType = p.FSType
	jp.WriteTest = p.WriteTest
	img := filepath.Join(h.work, fmt.Sprintf("p%d.img", p.PartNo))
	if err := h.extract(g, img); err != nil {
		h.res.fail("%sextracting: %v", pre, err)
		return jp, true
	}
	defer os.Remove(img)
	fsImg := img
	if p.LUKS != nil {
		plain, m := h.luks(ctx, pre, p, img)
		if m == nil {
			return jp, true
		}
		jp.Mapper = m
		defer os.Remove(plain)
		fsImg = plain
	}
	if fsImg != "" {
		h.blkid(ctx, pre, fsImg, p.FSType)
		h.fsck(ctx, pre, fsImg, p.FSType)
	}
	if p.Verity != nil {
		m := h.verity(ctx, pre, p, g, img)
		if m == nil {
			return jp, true
		}
		jp.Mapper = m
	}
	jp.MountData = p.MountOptions
	if jp.MountData == "" && p.FSType == "vfat" {
		jp.MountData = "utf8"
	}
	jp.ExactCase = p.FSType == "vfat" && (p.ExactCase == nil || *p.ExactCase)
	jp.Files = map[string]string{}
	for k, v := range p.Files {
		jp.Files[cleanPath(k)] = strings.ToLower(v)
	}
	jp.Symlinks = map[string]string{}
	for k, v := range p.Symlinks {
		jp.Symlinks[cleanPath(k)] = v
	}
	jp.Modes = map[string]uint32{}
	for k, v := range p.Modes {
		m, _ := strconv.ParseUint(v, 8, 32)
		jp.Modes[cleanPath(k)] = uint32(m)
	}
	jp.Owners = map[string]string{}
	for k, v := range p.Owners {
		jp.Owners[cleanPath(k)] = v
	}
	for _, d := range p.Dirs {
		jp.Dirs = append(jp.Dirs, cleanPath(d))
	}
	for _, a := range p.Absent {
		jp.Absent = append(jp.Absent, cleanPath(a))
	}
	return jp, true
}

// blkid checks that blkid -p sees the filesystem type.
func (h *host) blkid(ctx context.Context, pre, img, fstype string) {
	out, _ := exec.CommandContext(ctx, h.tools["blkid"], "-p", "-o", "value", "-s", "TYPE", img).Output()
	if got := strings.TrimSpace(string(out)); got == fstype {
		h.res.pass("%sblkid -p TYPE=%s", pre, got)
	} else {
		h.res.fail("%sblkid -p TYPE=%q, expected %s", pre, got, fstype)
	}
}

// oneLine joins the non-empty lines of out and cuts them to n bytes.
func oneLine(out []byte, n int) string {
	var ls []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	s := strings.Join(ls, " / ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
