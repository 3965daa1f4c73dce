package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/sys/unix"
)

// checkPartition checks the kernel's view of one partition, opens its
// device-mapper device, mounts it and checks its tree.
func checkPartition(r *reporter, p job.Partition, wait int) {
	part := fmt.Sprintf("vda%d", p.N)
	pre := fmt.Sprintf("guest: p%d: ", p.N)
	if !waitFor("/dev/"+part, wait) || !waitFor("/sys/class/block/"+part, 0) {
		r.fail("%skernel did not find partition %s", pre, part)
		return
	}
	start, size := sysfs("/sys/class/block/"+part+"/start"), sysfs("/sys/class/block/"+part+"/size")
	if start == strconv.FormatUint(p.Start, 10) && size == strconv.FormatUint(p.Size, 10) {
		r.pass("%skernel sees %s start %s size %s", pre, part, start, size)
	} else {
		r.fail("%skernel sees %s start %s size %s, GPT says %d/%d", pre, part, start, size, p.Start, p.Size)
	}
	if p.FSType == "" {
		return
	}
	dev := "/dev/" + part
	if m := p.Mapper; m != nil {
		d, err := dmCreate(m.Name, m.Target, m.Sectors, m.Params, p.WriteTest)
		if err != nil {
			r.fail("%sdm-%s device %s: %v / dmesg: %s", pre, m.Target, m.Name, err, dmesgTail(m.Target, 3))
			return
		}
		st, _ := dmStatus(m.Name)
		r.pass("%sdm-%s device %s created (status %q)", pre, m.Target, m.Name, strings.TrimSpace(st))
		dev = d
	}
	mnt := fmt.Sprintf("/mnt/p%d", p.N)
	os.MkdirAll(mnt, 0o755)
	opts := "ro"
	if p.MountData != "" {
		opts += "," + p.MountData
	}
	if err := unix.Mount(dev, mnt, p.FSType, unix.MS_RDONLY, p.MountData); err != nil {
		r.fail("%smount -t %s -o %s %s failed: %v / dmesg: %s", pre, p.FSType, opts, dev, err, dmesgTail(devName(dev), 3))
	} else {
		r.pass("%smount -t %s -o %s %s", pre, p.FSType, opts, dev)
		checkTree(r, pre, mnt, p)
		walkTree(r, pre, mnt)
		if err := unix.Unmount(mnt, 0); err != nil {
			r.fail("%sumount: %v", pre, err)
		} else if p.WriteTest {
			writeTest(r, pre, dev, mnt, p)
		}
	}
	if m := p.Mapper; m != nil && m.ReadAll {
		readWhole(r, pre, dev, m)
	}
}

// devName is the kernel's name of a device node: vdaN, or dm-N for a
// device-mapper node.
func devName(dev string) string {
	name := dev[strings.LastIndex(dev, "/")+1:]
	if strings.HasPrefix(dev, "/dev/mapper/") {
		dms, _ := filepath.Glob("/sys/block/dm-*/dm/name")
		for _, f := range dms {
			if sysfs(f) == name {
				return filepath.Base(filepath.Dir(filepath.Dir(f)))
			}
		}
	}
	return name
}

// readWhole reads every block of a device-mapper device, then checks its
// status.
func readWhole(r *reporter, pre, dev string, m *job.Mapper) {
	f, err := os.Open(dev)
	if err != nil {
		r.fail("%sopening %s: %v", pre, dev, err)
		return
	}
	n, err := io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
	f.Close()
	if err != nil {
		r.fail("%sreading whole %s failed after %d bytes: %v", pre, dev, n, err)
	} else {
		r.pass("%sread whole %s (%d bytes)", pre, dev, n)
	}
	st, err := dmStatus(m.Name)
	if err != nil {
		r.fail("%s%s status: %v", pre, m.Name, err)
		return
	}
	if m.Status != "" {
		if f := strings.Fields(st); len(f) < 2 || f[1] != m.Status {
			r.fail("%s%s status %q, want %s", pre, m.Name, st, m.Status)
			return
		}
	}
	r.pass("%s%s status %q", pre, m.Name, strings.TrimSpace(st))
}
