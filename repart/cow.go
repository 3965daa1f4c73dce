package repart

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// fsNoCOWFlag is FS_NOCOW_FL (linux/fs.h): the file's blocks are
// overwritten in place (btrfs), the attribute chattr +C sets.
const fsNoCOWFlag = 0x00800000

// setNoCOW switches the NOCOW attribute of f on or off, as systemd's
// chattr_fd() does for repart's --cow=: where the filesystem knows no
// such attribute, nothing happens.
func setNoCOW(f *os.File, on bool) error {
	fd := int(f.Fd())
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if ioctlUnsupported(err) {
		return nil
	}
	if err != nil {
		return err
	}
	want := flags &^ fsNoCOWFlag
	if on {
		want |= fsNoCOWFlag
	}
	if want == flags {
		return nil
	}
	err = unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(want))
	if ioctlUnsupported(err) {
		return nil
	}
	return err
}

// noCOW reports whether f has the NOCOW attribute.
func noCOW(f *os.File) bool {
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	return err == nil && flags&fsNoCOWFlag != 0
}

// ioctlUnsupported is systemd's ERRNO_IS_IOCTL_NOT_SUPPORTED.
func ioctlUnsupported(err error) bool {
	for _, e := range []error{unix.ENOTTY, unix.EINVAL, unix.EOPNOTSUPP, unix.ENOSYS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
