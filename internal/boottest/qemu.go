package boottest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Machine is one UEFI boot of an image in qemu.
type Machine struct {
	Qemu string // qemu-system-x86_64
	// Code and Vars are the OVMF firmware (read-only) and its variable
	// store template; the store is copied into Dir, since firmware
	// writes it.
	Code, Vars string
	Dir        string // for the variable store
	Image      string // raw image, attached read-only (snapshot)
	// CDROM attaches the image as a CD (q35: on the AHCI controller)
	// instead of a virtio disk.
	CDROM   bool
	KVM     bool // use KVM (see KVMUsable) instead of TCG
	Memory  int  // MiB
	Timeout time.Duration
	// StopAt ends the machine once its console shows this text (e.g.
	// the firmware starting its shell when nothing else booted); empty:
	// run until power-off.
	StopAt string
}

// KVMUsable reports whether /dev/kvm can be opened for qemu.
func KVMUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// args is the qemu command line: q35 with OVMF in pflash, one CPU of
// model max (KVM's -cpu host trips an MSR assertion in qemu 7.2), the
// serial console on stdout, no network, no display, no other devices,
// and no reboot (a guest that reboots ends qemu).
func (m Machine) args(vars string) []string {
	accel := "tcg"
	if m.KVM {
		accel = "kvm"
	}
	a := []string{
		"-machine", "q35", "-accel", accel, "-cpu", "max", "-smp", "1", "-m", fmt.Sprint(m.Memory),
		"-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot", "-nic", "none",
		"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + m.Code,
		"-drive", "if=pflash,format=raw,unit=1,file=" + vars,
	}
	if m.CDROM {
		return append(a, "-drive", "if=ide,media=cdrom,format=raw,readonly=on,file="+m.Image)
	}
	return append(a, "-drive", "if=virtio,format=raw,snapshot=on,file="+m.Image)
}

// Boot runs the machine until the guest powers off (or its console shows
// StopAt, or Timeout passes) and returns what it wrote to the serial
// console, and how long it ran. A timeout is an error, returned with the
// output so far.
func (m Machine) Boot(ctx context.Context) (string, time.Duration, error) {
	vars := filepath.Join(m.Dir, "OVMF_VARS.fd")
	b, err := os.ReadFile(m.Vars)
	if err != nil {
		return "", 0, fmt.Errorf("reading OVMF variables: %w", err)
	}
	if err := os.WriteFile(vars, b, 0o644); err != nil {
		return "", 0, fmt.Errorf("copying OVMF variables: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	stopped, stop := context.WithCancel(ctx)
	defer stop()
	out := &console{stopAt: []byte(m.StopAt), stop: stop}
	cmd := exec.CommandContext(stopped, m.Qemu, m.args(vars)...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		return out.String(), took, fmt.Errorf("booting: no power-off within %v", m.Timeout)
	}
	if err != nil && !out.seen() {
		return out.String(), took, fmt.Errorf("running qemu: %w", err)
	}
	return out.String(), took, nil
}

// console collects qemu's output and calls stop once it holds stopAt.
type console struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	stopAt []byte
	found  bool
	stop   func()
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if len(c.stopAt) > 0 && !c.found && bytes.Contains(c.buf.Bytes(), c.stopAt) {
		c.found = true
		c.stop()
	}
	return len(p), nil
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func (c *console) seen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.found
}
