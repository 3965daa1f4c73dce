package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/sys/unix"
)

// Files the write test adds: writeDirs directories of writeFiles files.
const writeDirs, writeFiles = 10, 100

// writeTest mounts the filesystem read-write and writes new directories
// and files into it (new inodes and blocks, taken from whatever the image
// left unwritten), unmounts it, mounts it read-only again and checks the
// new files and the tree it was built with. The kernel log is checked
// with the rest at the end.
func writeTest(r *reporter, pre, dev, mnt string, p job.Partition) {
	if err := unix.Mount(dev, mnt, p.FSType, 0, p.MountData); err != nil {
		r.fail("%smount -t %s -o rw %s failed: %v / dmesg: %s", pre, p.FSType, dev, err, dmesgTail(devName(dev), 3))
		return
	}
	top := filepath.Join(mnt, "gorepart-write-test")
	var werr error
	for d := 0; d < writeDirs && werr == nil; d++ {
		dir := filepath.Join(top, fmt.Sprintf("d%02d", d))
		if werr = os.MkdirAll(dir, 0o755); werr != nil {
			break
		}
		for i := 0; i < writeFiles && werr == nil; i++ {
			werr = os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", i)), writeTestData(d*writeFiles+i), 0o644)
		}
	}
	unix.Sync()
	if err := unix.Unmount(mnt, 0); err != nil {
		r.fail("%sumount after writing: %v", pre, err)
		return
	}
	if werr != nil {
		r.fail("%swriting into the read-write mount: %v / dmesg: %s", pre, werr, dmesgTail(devName(dev), 3))
		return
	}
	r.pass("%smounted read-write, wrote %d files in %d new directories, unmounted", pre, writeDirs*writeFiles, writeDirs)
	if err := unix.Mount(dev, mnt, p.FSType, unix.MS_RDONLY, p.MountData); err != nil {
		r.fail("%smount -o ro after writing failed: %v / dmesg: %s", pre, err, dmesgTail(devName(dev), 3))
		return
	}
	defer func() {
		if err := unix.Unmount(mnt, 0); err != nil {
			r.fail("%sumount: %v", pre, err)
		}
	}()
	bad := 0
	for k := 0; k < writeDirs*writeFiles; k++ {
		name := filepath.Join(top, fmt.Sprintf("d%02d", k/writeFiles), fmt.Sprintf("f%03d", k%writeFiles))
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, writeTestData(k)) {
			if bad++; bad <= 3 {
				r.fail("%s%s reads back wrong after remounting (%v)", pre, name, err)
			}
		}
	}
	if bad == 0 {
		r.pass("%sremounted read-only: the %d new files read back", pre, writeDirs*writeFiles)
	}
	checkTree(r, pre, mnt, p)
}

// writeTestData is the content of the write test's file k: 0 to 24 KiB
// of bytes that differ from file to file.
func writeTestData(k int) []byte {
	b := make([]byte, (k*7919)%(24<<10))
	seed := sha256.Sum256([]byte(fmt.Sprint(k)))
	for i := range b {
		b[i] = seed[i%len(seed)] ^ byte(i>>5)
	}
	return b
}
