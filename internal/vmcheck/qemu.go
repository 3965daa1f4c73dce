package vmcheck

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// kernelCmdline: the serial console, quiet, and a panic (or the agent
// dying) ends the VM at once.
const kernelCmdline = "console=ttyS0 loglevel=1 panic=-1 oops=panic mitigations=off nokaslr rdinit=/init"

// vmRun is one boot of the guest.
type vmRun struct {
	accel        string
	console      string
	elapsed      time.Duration
	started      bool // the agent printed job.Start
	startedAfter time.Duration
	finished     bool // and job.End
	timedOut     bool
	err          error // qemu's exit
	stderr       string
}

// accels is the order in which accelerators are tried: KVM when
// /dev/kvm can be opened, then TCG.
func (o *Options) accels() []string {
	if o.Accel != "" {
		return strings.Split(o.Accel, ",")
	}
	if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
		f.Close()
		return []string{"kvm", "tcg"}
	}
	return []string{"tcg"}
}

// boot runs the guest with each accelerator and each kernel image
// (vmlinux first, then the bzImage) in turn until the agent starts, and
// returns the last run. line receives the agent's result lines as they
// come.
func boot(ctx context.Context, qemu string, kernels []string, initrd, image string, sectorSize int, o *Options, line func(kind, text string)) (*vmRun, error) {
	var run *vmRun
	for _, accel := range o.accels() {
		for _, k := range kernels {
			r, err := bootOnce(ctx, qemu, accel, k, initrd, image, sectorSize, o, line)
			if err != nil {
				return nil, err
			}
			run = r
			if r.started || ctx.Err() != nil {
				return run, nil
			}
			line(job.Info, fmt.Sprintf("qemu -accel %s -kernel %s did not start the guest (%v): %s", accel, k, r.err, firstLine(r.stderr)))
		}
	}
	return run, nil
}

func bootOnce(ctx context.Context, qemu, accel, kernel, initrd, image string, sectorSize int, o *Options, line func(kind, text string)) (*vmRun, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	ss := strconv.Itoa(sectorSize)
	mode := "readonly=on"
	if o.writable {
		mode = "snapshot=on"
	}
	args := []string{"-nographic", "-nodefaults", "-no-reboot", "-serial", "stdio", "-monitor", "none",
		"-accel", accel, "-cpu", o.CPU, "-smp", strconv.Itoa(o.CPUs), "-m", strconv.Itoa(o.MemoryMiB),
		"-kernel", kernel, "-initrd", initrd, "-append", kernelCmdline,
		"-drive", "file=" + image + ",format=raw,if=none,id=disk," + mode + ",file.locking=off",
		"-device", "virtio-blk-pci,drive=disk,logical_block_size=" + ss + ",physical_block_size=" + ss}
	cmd := exec.CommandContext(ctx, qemu, args...)
	cmd.Stdin = nil
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", qemu, err)
	}
	r := &vmRun{accel: accel}
	var console strings.Builder
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		console.WriteString(l)
		console.WriteByte('\n')
		// The firmware's output may precede the agent's first line.
		i := strings.Index(l, job.Prefix)
		switch {
		case i < 0:
		case l[i:] == job.Start:
			r.started = true
			r.startedAfter = time.Since(t0)
		case l[i:] == job.End:
			r.finished = true
		default:
			kind, text, _ := strings.Cut(l[i+len(job.Prefix):], "|")
			if kind != job.Log {
				line(kind, text)
			}
		}
	}
	r.err = cmd.Wait()
	r.elapsed = time.Since(t0)
	r.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	r.console = console.String()
	r.stderr = stderr.String()
	return r, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
