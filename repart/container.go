package repart

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/vdisk"
)

// Container is the VM disk format the image is written in (qemu-img's
// names: qcow2, vmdk, vhdx, vpc, vdi) and its subformat; the zero value
// is a raw image.
type Container struct {
	Format, Subformat string
}

func (c Container) raw() bool { return c.Format == "" || c.Format == "raw" }

// checkContainer refuses what a container output cannot do: the other
// --empty= modes read an existing image as a raw GPT image, which a
// container is not.
func checkContainer(o *BuildOptions) error {
	if o.Container.raw() {
		return nil
	}
	for _, f := range vdisk.Formats() {
		if f == o.Container.Format {
			if o.Empty != "create" {
				return fmt.Errorf("--image-format=%s writes a new image: use --empty=create", f)
			}
			if f == "vpc" && o.Container.Subformat == "fixed" {
				o.Plan.AutoSizeAlign = 1 << 20
			}
			return nil
		}
	}
	return fmt.Errorf("--image-format=%s: unknown format (raw, qcow2, vmdk, vhdx, vpc, vdi)", o.Container.Format)
}

// writeContainer writes the finished raw image raw into a new temporary
// file in its directory, in the container format, and returns that file.
// Holes of the image stay holes (unallocated clusters).
func (b *builder) writeContainer(raw *os.File, mode os.FileMode) (*os.File, error) {
	o := b.opts
	c, err := os.CreateTemp(filepath.Dir(raw.Name()), "."+filepath.Base(o.Image)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	b.cleanup.add(func() { c.Close(); os.Remove(c.Name()) })
	if err := c.Chmod(mode); err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	b.opts.log("Writing %s as %s.", o.Image, o.Container.Format)
	err = vdisk.Write(c, raw, int64(b.layout.Size), vdisk.Params{
		Format: o.Container.Format, Subformat: o.Container.Subformat, Time: b.fsTime(), Seed: o.Plan.Seed,
		SectorSize: int(b.layout.SectorSize), Name: filepath.Base(o.Image),
		Progress: func(int64) error { return b.cancelled() },
	})
	if err != nil {
		return nil, fmt.Errorf("writing %s image: %w", o.Container.Format, err)
	}
	return c, nil
}
