// The vmcheck guest agent: the init of the vmcheck VM. It loads the
// kernel modules, opens dm-verity and dm-crypt devices, mounts every
// partition of /job.json read-only, checks what the job lists, reads
// every file, scans the kernel log, prints one line per result on the
// console (package job), and powers the VM off.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/sys/unix"
)

func main() {
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "vmcheck guest agent: runs as init of the vmcheck VM only")
		os.Exit(2)
	}
	mountBasics()
	con, err := os.OpenFile("/dev/console", os.O_WRONLY, 0)
	if err != nil {
		con = os.Stdout
	}
	r := &reporter{w: con}
	fmt.Fprintln(r.w, job.Start)
	defer func() {
		if e := recover(); e != nil {
			r.fail("guest: agent panic: %v", e)
		}
		fmt.Fprintln(r.w, job.End)
		unix.Sync()
		unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	}()
	run(r)
}

// mountBasics mounts /dev, /proc and /sys; errors show up later as
// missing devices.
func mountBasics() {
	for _, m := range []struct{ fs, dir string }{{"devtmpfs", "/dev"}, {"proc", "/proc"}, {"sysfs", "/sys"}} {
		os.MkdirAll(m.dir, 0o755)
		unix.Mount(m.fs, m.dir, m.fs, 0, "")
	}
}

func run(r *reporter) {
	data, err := os.ReadFile("/job.json")
	if err != nil {
		r.fail("guest: reading /job.json: %v", err)
		return
	}
	var j job.Job
	if err := json.Unmarshal(data, &j); err != nil {
		r.fail("guest: parsing /job.json: %v", err)
		return
	}
	var uts unix.Utsname
	unix.Uname(&uts)
	r.info("guest kernel %s, %d cpu", unix.ByteSliceToString(uts.Release[:]), runtime.NumCPU())
	loadModules(r, j.Modules)
	if !waitFor("/sys/class/block/vda", 100) {
		r.fail("guest: no /dev/vda")
		return
	}
	r.pass("guest: virtio disk vda (%s sectors of 512 bytes, logical block %s, ro=%s)", sysfs("/sys/class/block/vda/size"),
		sysfs("/sys/class/block/vda/queue/logical_block_size"), sysfs("/sys/class/block/vda/ro"))
	wait := 30
	for _, p := range j.Partitions {
		checkPartition(r, p, wait)
		wait = 0 // the kernel scans all partitions at once
	}
	checkDmesg(r)
}

// sysfs reads a one-line sysfs attribute.
func sysfs(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
