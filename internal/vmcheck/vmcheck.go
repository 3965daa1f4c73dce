package vmcheck

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorepart/gorepart/internal/initramfs"
	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// Options tune a run; the zero value is the default.
type Options struct {
	Timeout   time.Duration // for the VM, per boot; default 180 s
	MemoryMiB int           // guest memory, default 512
	CPUs      int           // guest CPUs, default 1
	// Accel is qemu's accelerator list, tried in turn until the guest
	// starts ("kvm,tcg"); default: kvm when /dev/kvm opens, then tcg.
	Accel string
	CPU   string // qemu -cpu model, default max
	// Kernel is the version of the guest kernel (/boot/vmlinuz-V with
	// /lib/modules/V); default the newest.
	Kernel string
	// TempDir holds the work directory (default os.TempDir()).
	TempDir string
	// CacheDir keeps the uncompressed kernel between runs (default:
	// none, it is extracted into the work directory every time).
	CacheDir string
	// Keep keeps the work directory (extracted partitions, initramfs,
	// console log); Result.WorkDir names it.
	Keep bool
	// Log, when set, receives every result line as it comes.
	Log io.Writer

	writable bool // the guest writes to the disk (snapshot=on, not readonly=on)
}

func (o Options) withDefaults() Options {
	if o.Timeout == 0 {
		o.Timeout = 180 * time.Second
	}
	if o.MemoryMiB == 0 {
		o.MemoryMiB = 512
	}
	if o.CPUs == 0 {
		o.CPUs = 1
	}
	if o.CPU == "" {
		o.CPU = "max"
	}
	return o
}

// MissingError is a tool or file the check needs and does not find.
type MissingError struct {
	What    string
	Package string // the Debian package that provides it
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s not found: apt-get install -y %s", e.What, e.Package)
}

// Line is one result: PASS, FAIL or INFO and what was checked.
type Line struct {
	Kind string
	Text string
}

func (l Line) String() string { return l.Kind + " " + l.Text }

// Result is what a run found.
type Result struct {
	Lines   []Line
	Console string        // the guest's console output
	Accel   string        // the accelerator the guest ran with
	Guest   time.Duration // how long qemu ran
	WorkDir string        // with Options.Keep
	log     io.Writer
}

func (r *Result) add(kind, format string, args ...any) {
	l := Line{Kind: kind, Text: fmt.Sprintf(format, args...)}
	r.Lines = append(r.Lines, l)
	if r.log != nil {
		fmt.Fprintln(r.log, l)
	}
}

func (r *Result) pass(format string, args ...any) { r.add(job.Pass, format, args...) }
func (r *Result) fail(format string, args ...any) { r.add(job.Fail, format, args...) }
func (r *Result) info(format string, args ...any) { r.add(job.Info, format, args...) }

// Failures are the texts of the FAIL lines.
func (r *Result) Failures() []string {
	var f []string
	for _, l := range r.Lines {
		if l.Kind == job.Fail {
			f = append(f, l.Text)
		}
	}
	return f
}

// Passed reports whether nothing failed and something passed.
func (r *Result) Passed() bool {
	if len(r.Failures()) > 0 {
		return false
	}
	for _, l := range r.Lines {
		if l.Kind == job.Pass {
			return true
		}
	}
	return false
}

// Summary is the last line of the report: "vmcheck: PASS" or
// "vmcheck: FAIL N check(s) failed; first: …".
func (r *Result) Summary() string {
	if r.Passed() {
		return "vmcheck: PASS"
	}
	f := r.Failures()
	if len(f) == 0 {
		return "vmcheck: FAIL nothing was checked"
	}
	return fmt.Sprintf("vmcheck: FAIL %d check(s) failed; first: %s", len(f), f[0])
}

// String is the whole report, one line per result, then the summary.
func (r *Result) String() string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	b.WriteString(r.Summary())
	return b.String()
}

// Run checks a GPT disk image against a spec: on the host (the partition
// table with sfdisk and an independent reader, each filesystem with
// blkid and its fsck, verity with veritysetup, LUKS with cryptsetup),
// then in a VM (Linux mounts every partition read-only, through
// dm-verity and dm-crypt where the spec says so, and checks the files).
// The error is for what kept the check from running (a *MissingError
// for a missing tool); what the check found is in the Result.
func Run(ctx context.Context, image string, spec *Spec, o Options) (*Result, error) {
	o = o.withDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	image, err := filepath.Abs(image)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(image); err != nil {
		return nil, err
	}
	tools, err := findTools(spec)
	if err != nil {
		return nil, err
	}
	k, err := findKernel(o.Kernel)
	if err != nil {
		return nil, err
	}
	ix, err := initramfs.ReadIndex(k.modules)
	if err != nil {
		return nil, fmt.Errorf("reading the modules of %s: %w", k.version, err)
	}
	mods, err := ix.Order(wantModules(spec), initramfs.Options{Soft: true, Optional: optionalModules})
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(o.TempDir, "vmcheck-")
	if err != nil {
		return nil, err
	}
	res := &Result{log: o.Log}
	if o.Keep {
		res.WorkDir = work
	} else {
		defer os.RemoveAll(work)
	}

	h := &host{res: res, tools: tools, image: image, spec: spec, work: work}
	j := h.check(ctx)
	if j == nil {
		return res, ctx.Err()
	}
	agent, err := buildAgent(ctx, work)
	if err != nil {
		return nil, err
	}
	initrd := filepath.Join(work, "initramfs.cpio")
	if err := writeInitramfs(initrd, agent, k, mods, j); err != nil {
		return nil, err
	}
	kernels := []string{k.image}
	if vmlinux, err := k.vmlinux(o.CacheDir, work); err == nil {
		kernels = []string{vmlinux, k.image}
	} else {
		res.info("booting the bzImage (slower under TCG): no PVH kernel: %v", err)
	}
	res.info("kernel %s, %d modules, initramfs %s", k.version, len(mods), sizeOf(initrd))
	for _, p := range spec.Partitions {
		// Written by the guest: qemu keeps the writes in a snapshot.
		o.writable = o.writable || p.WriteTest
	}
	run, err := boot(ctx, tools["qemu-system-x86_64"], kernels, initrd, image, h.sectorSize, &o, func(kind, text string) {
		res.add(kind, "%s", text)
	})
	if err != nil {
		return nil, err
	}
	res.Console, res.Accel, res.Guest = run.console, run.accel, run.elapsed
	if o.Keep {
		os.WriteFile(filepath.Join(work, "console.log"), []byte(run.console), 0o644)
	}
	switch {
	case run.finished:
		res.info("guest finished in %.1f s, its agent started after %.1f s (accel %s)", run.elapsed.Seconds(), run.startedAfter.Seconds(), run.accel)
	case run.timedOut:
		res.fail("guest: timed out after %s (accel %s)", o.Timeout, run.accel)
	default:
		res.fail("guest: did not finish (qemu: %v, accel %s): %s", run.err, run.accel, lastLines(run.console+run.stderr, 3))
	}
	return res, ctx.Err()
}

func sizeOf(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.1f MiB", float64(st.Size())/(1<<20))
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " | ")
}

// toolPackages names the Debian package of every host tool.
var toolPackages = map[string]string{
	"qemu-system-x86_64": "qemu-system-x86",
	"sfdisk":             "fdisk",
	"blkid":              "util-linux",
	"fsck.vfat":          "dosfstools",
	"e2fsck":             "e2fsprogs",
	"fsck.erofs":         "erofs-utils",
	"unsquashfs":         "squashfs-tools",
	"btrfs":              "btrfs-progs",
	"xfs_repair":         "xfsprogs",
	"veritysetup":        "cryptsetup-bin",
	"cryptsetup":         "cryptsetup-bin",
}

// fsckTool is the checker of each filesystem.
var fsckTool = map[string]string{"vfat": "fsck.vfat", "ext4": "e2fsck", "erofs": "fsck.erofs", "squashfs": "unsquashfs", "btrfs": "btrfs", "xfs": "xfs_repair"}

// findTools finds every host tool the spec needs.
func findTools(spec *Spec) (map[string]string, error) {
	need := []string{"qemu-system-x86_64", "blkid"}
	if spec.SectorSize == 0 || spec.SectorSize == 512 {
		need = append(need, "sfdisk")
	}
	for _, p := range spec.Partitions {
		if t := fsckTool[p.FSType]; t != "" {
			need = append(need, t)
		}
		if p.Verity != nil {
			need = append(need, "veritysetup")
		}
		if p.LUKS != nil {
			need = append(need, "cryptsetup")
		}
	}
	tools := map[string]string{}
	for _, t := range need {
		p, err := lookTool(t)
		if err != nil {
			return nil, &MissingError{What: t, Package: toolPackages[t]}
		}
		tools[t] = p
	}
	return tools, nil
}

// lookTool finds a program in PATH, else in /usr/sbin or /sbin.
func lookTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}
