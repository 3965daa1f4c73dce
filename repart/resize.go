package repart

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// setCOW gives the new image file the copy-on-write setting it should
// have before any data is in it (btrfs applies NOCOW to empty files
// only): --cow= for an image created anew (repart's xopenat_full with
// XO_COW/XO_NOCOW), the existing image's own for one rewritten.
func setCOW(tmp *os.File, o BuildOptions) error {
	switch {
	case o.Empty == "create" && o.COW != nil:
		if err := setNoCOW(tmp, !*o.COW); err != nil {
			return fmt.Errorf("setting --cow=%s on the image: %w", yesNo(*o.COW), err)
		}
	case o.Empty != "create":
		if f, err := os.Open(o.Image); err == nil {
			nocow := noCOW(f)
			f.Close()
			if nocow {
				return setNoCOW(tmp, true)
			}
		}
	}
	return nil
}

// sizeImage grows the image file to size bytes, by truncation or, with
// --discard=no, by allocation (fallocate, falling back to truncation
// where the filesystem cannot), saying so as repart's
// resize_backing_fd() does. old is the size of the existing image (0 for
// a new one).
func sizeImage(f *os.File, o *BuildOptions, size, old uint64) error {
	if o.NoDiscard {
		err := unix.Fallocate(int(f.Fd()), 0, 0, int64(size))
		switch {
		case err == nil:
			if old == 0 {
				o.log("Allocated %s for '%s'.", FormatBytes(size), o.Image)
			} else if size > old {
				o.log("File '%s' grown from %s to %s by allocation.", o.Image, FormatBytes(old), FormatBytes(size))
			}
			return nil
		case !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS):
			return fmt.Errorf("allocating %d bytes for the image: %w", size, err)
		}
	}
	if err := f.Truncate(int64(size)); err != nil {
		return fmt.Errorf("sizing image: %w", err)
	}
	switch {
	case o.Empty == "create":
		o.log("Sized '%s' to %s.", o.Image, FormatBytes(size))
	case size > old:
		o.log("File '%s' grown from %s to %s by truncation.", o.Image, FormatBytes(old), FormatBytes(size))
	}
	return nil
}
