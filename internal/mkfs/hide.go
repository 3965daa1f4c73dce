package mkfs

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// runHidingPartitions runs cmd in a new mount namespace, private to it, in
// which /sys/block is an empty read-only tmpfs and /dev/null is bound over
// /proc/partitions.
//
// libblkid's blkid_probe_all lists the devices to probe from /sys/block
// (util-linux 2.38) or /proc/partitions (older releases, and newer ones
// when /sys/block cannot be read); btrfs-progs before 6.6 probes them all
// to refuse a filesystem UUID that some block device already carries (a
// loop device of an earlier build, the disk of the host running the image
// being rebuilt). With empty lists the result no longer depends on the
// host.
//
// Go cannot run code between fork and exec, so the namespace is made on
// an OS thread of our own, locked to this goroutine and never unlocked:
// the child is forked from that thread and inherits its namespace, and
// the thread exits with the goroutine, so no other goroutine ever runs in
// the namespace. Without CAP_SYS_ADMIN (a container) cmd runs in the
// caller's namespace: a device carrying the UUID then makes the tool fail
// loudly; it cannot change what the tool writes.
func runHidingPartitions(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if err := unix.Unshare(unix.CLONE_NEWNS); errors.Is(err, unix.EPERM) {
			errc <- cmd.Run()
			return
		} else if err != nil {
			errc <- fmt.Errorf("making a mount namespace: %w", err)
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			errc <- fmt.Errorf("making mounts private: %w", err)
			return
		}
		if err := unix.Mount("gorepart", "/sys/block", "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=4k"); err != nil {
			errc <- fmt.Errorf("hiding /sys/block: %w", err)
			return
		}
		if err := unix.Mount("/dev/null", "/proc/partitions", "", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("hiding /proc/partitions: %w", err)
			return
		}
		errc <- cmd.Run()
	}()
	return <-errc
}
