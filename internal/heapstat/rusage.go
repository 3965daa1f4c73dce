package heapstat

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU is the user and system time this process has used so far: unlike
// wall time, it changes little with what else the machine runs.
func CPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

// ChildrenCPU is the user and system time of the process's children that
// have been waited for (the external tools a benchmark compares with).
func ChildrenCPU() time.Duration { return rusage(syscall.RUSAGE_CHILDREN) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is the process's peak resident set size in MiB (VmHWM of
// /proc/self/status), 0 where it cannot be read.
func PeakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
