package vdisk

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Params are everything Write needs besides the raw image.
type Params struct {
	// Format is the container, named as qemu-img names it: "raw",
	// "qcow2", "vmdk", "vhdx", "vpc" (VHD) or "vdi".
	Format string
	// Subformat is qemu-img's -o subformat=: "dynamic" (default) or
	// "fixed" for vpc; "monolithicSparse" (default) or "streamOptimized"
	// for vmdk; "dynamic" (default) for vhdx. Other formats take none.
	Subformat string
	// Time is the creation time recorded where a format records one
	// (vpc's footer); pass SOURCE_DATE_EPOCH. Times before 2000 (the VHD
	// epoch) are written as 2000-01-01.
	Time time.Time
	// Seed derives every identifier of the container (qcow2 has none;
	// vmdk's CID and UUIDs, VHD's unique id, VHDX's GUIDs, VDI's UUIDs).
	Seed [16]byte
	// SectorSize is the image's logical sector size, 512 (0 means 512)
	// or 4096. VHDX records it; the other containers always declare
	// 512-byte sectors, so a 4096-byte-sector image in them needs the
	// hypervisor told (qemu: logical_block_size=4096).
	SectorSize int
	// Name is the base name of the output file, which vmdk records in its
	// extent line; "" means "disk.vmdk".
	Name string
	// Progress, when set, is called after each chunk of the raw image
	// with the bytes of it done so far; an error it returns stops Write
	// with that error (a cancelled build).
	Progress func(done int64) error
}

// formatTable lists the containers with their usual file name extension
// and their subformats, the default first ("" where there are none).
func formatTable() []struct {
	name, ext  string
	subformats []string
} {
	return []struct {
		name, ext  string
		subformats []string
	}{
		{"raw", ".raw", []string{""}},
		{"qcow2", ".qcow2", []string{""}},
		{"vmdk", ".vmdk", []string{"monolithicSparse", "streamOptimized"}},
		{"vhdx", ".vhdx", []string{"dynamic"}},
		{"vpc", ".vhd", []string{"dynamic", "fixed"}},
		{"vdi", ".vdi", []string{""}},
	}
}

// Formats returns the container names Write accepts, in a fixed order.
func Formats() []string {
	var names []string
	for _, f := range formatTable() {
		names = append(names, f.name)
	}
	return names
}

// Extension returns the usual file name extension of a container
// (".qcow2", ".vhd" for vpc, ...), or "" for an unknown one.
func Extension(format string) string {
	for _, f := range formatTable() {
		if f.name == format {
			return f.ext
		}
	}
	return ""
}

// FormatOf returns the container a file name's extension names, compared
// without regard to case (".qcow2", ".vmdk", ".vhdx", ".vhd", ".vdi",
// ".raw"), or "" when the extension names none (an image name such as
// "disk.img" is then a raw image).
func FormatOf(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	for _, f := range formatTable() {
		if ext != "" && f.ext == ext {
			return f.name
		}
	}
	return ""
}

func subformatsOf(format string) ([]string, bool) {
	for _, f := range formatTable() {
		if f.name == format {
			return f.subformats, true
		}
	}
	return nil, false
}

// normalize checks p for an image of size bytes and fills in defaults.
func (p Params) normalize(size int64) (Params, error) {
	subs, ok := subformatsOf(p.Format)
	if !ok {
		return p, fmt.Errorf("unknown disk image format %q (known: %s)", p.Format, strings.Join(Formats(), ", "))
	}
	if p.Subformat == "" {
		p.Subformat = subs[0]
	}
	found := false
	for _, s := range subs {
		found = found || s == p.Subformat
	}
	if !found {
		if subs[0] == "" {
			return p, fmt.Errorf("format %s has no subformats, %q given", p.Format, p.Subformat)
		}
		return p, fmt.Errorf("format %s: unknown subformat %q (known: %s)", p.Format, p.Subformat, strings.Join(subs, ", "))
	}
	switch p.SectorSize {
	case 0:
		p.SectorSize = sectorSize
	case 512, 4096:
	default:
		return p, fmt.Errorf("sector size %d is neither 512 nor 4096", p.SectorSize)
	}
	if size <= 0 || size%int64(p.SectorSize) != 0 {
		return p, fmt.Errorf("image size %d is not a positive multiple of the sector size %d", size, p.SectorSize)
	}
	if p.Name == "" {
		p.Name = "disk.vmdk"
	}
	return p, nil
}
