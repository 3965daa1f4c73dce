package main

import (
	"regexp"

	"strings"

	"github.com/gorepart/gorepart/internal/vmcheck/job"

	"golang.org/x/sys/unix"
)

// badLog matches kernel messages that mean a filesystem, the partition
// table, device-mapper or the disk found something wrong.
var badLog = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`EXT4-fs error`, `EXT4-fs warning`,
	`EXT4-fs \([^)]*\): (error|warning|corrupt|bad|failed|unable|couldn|can.t|invalid|unsupported)`,
	`EXT4-fs.*checksum`, `JBD2:.*(error|fail|corrupt|invalid)`,
	`erofs.*(error|fail|corrupt|invalid|bad |unsupported|unknown|unidentified|incompatible|upgrade|cannot|can't|-EIO|EFSCORRUPTED)`,
	`FAT-fs.*(error|corrupt|invalid|bogus|fsck|bad|unable|cannot|can't)`,
	`squashfs.*(error|fail|corrupt|invalid|unable|cannot|can't|bad)`,
	`BTRFS (error|critical|warning)`,
	`BTRFS.*(corrupt|csum failed|checksum verify failed|bad tree block|transid verify failed|failed)`,
	`XFS.*(corrupt|error|fail|invalid|bad |xfs_repair|unsupported|unknown)`,
	`verity.*(corrupt|error|fail|mismatch|invalid)`,
	`device-mapper: (table|ioctl|crypt).*(error|fail|invalid)`,
	`I/O error`, `Buffer I/O`, `beyond end of device`,
	`GPT:`, `Alternate GPT`, `Primary GPT`, `GPT is invalid`, `GPT header`,
	`partition table.*(corrupt|invalid|beyond)`, `Unknown symbol`,
}, "|"))

// interesting is what the console log keeps of the kernel log.
var interesting = regexp.MustCompile(`(?i)EXT4-fs|JBD2|erofs|FAT-fs|squashfs|BTRFS|XFS|device-mapper|verity|crypt|GPT|vda|I/O error`)

var noteworthy = regexp.MustCompile(`(?i)EXPERIMENTAL|deprecated`)

func kernelLog() []string {
	n, err := unix.Klogctl(unix.SYSLOG_ACTION_SIZE_BUFFER, nil)
	if err != nil || n <= 0 {
		n = 1 << 20
	}
	b := make([]byte, n)
	n, err = unix.Klogctl(unix.SYSLOG_ACTION_READ_ALL, b)
	if err != nil {
		return []string{"reading the kernel log: " + err.Error()}
	}
	return strings.Split(strings.TrimSpace(string(b[:n])), "\n")
}

// dmesgTail returns the last n kernel log lines that mention word (or,
// when none does, any filesystem or device), joined.
func dmesgTail(word string, n int) string {
	var keep, near []string
	for _, l := range kernelLog() {
		switch {
		case strings.Contains(l, word):
			keep = append(keep, strings.TrimSpace(l))
		case interesting.MatchString(l):
			near = append(near, strings.TrimSpace(l))
		}
	}
	if len(keep) == 0 {
		keep = near
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, " | ")
}

// checkDmesg fails on every bad kernel message (at most 20 shown) and
// copies the interesting ones to the console log.
func checkDmesg(r *reporter) {
	var bad []string
	for _, l := range kernelLog() {
		if interesting.MatchString(l) {
			r.line(job.Log, "%s", l)
		}
		if badLog.MatchString(l) {
			bad = append(bad, l)
		} else if noteworthy.MatchString(l) && interesting.MatchString(l) {
			r.info("dmesg: %s", l)
		}
	}
	if len(bad) == 0 {
		r.pass("guest: dmesg: no partition table, I/O, filesystem or device-mapper errors")
		return
	}
	for i, l := range bad {
		if i == 20 {
			r.fail("guest: dmesg: %d more", len(bad)-20)
			break
		}
		r.fail("guest: dmesg: %s", l)
	}
}
