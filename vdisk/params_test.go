package vdisk

import (
	"slices"
	"testing"
)

func TestNames(t *testing.T) {
	if got := Formats(); !slices.Equal(got, []string{"raw", "qcow2", "vmdk", "vhdx", "vpc", "vdi"}) {
		t.Errorf("Formats() = %q", got)
	}
	for _, c := range []struct{ name, format string }{
		{"disk.qcow2", "qcow2"}, {"/out/Disk.VHD", "vpc"}, {"a.b.vhdx", "vhdx"}, {"x.vmdk", "vmdk"},
		{"x.vdi", "vdi"}, {"x.raw", "raw"}, {"x.img", ""}, {"x", ""}, {"qcow2", ""},
	} {
		if got := FormatOf(c.name); got != c.format {
			t.Errorf("FormatOf(%q) = %q, want %q", c.name, got, c.format)
		}
		if c.format != "" && FormatOf("x"+Extension(c.format)) != c.format {
			t.Errorf("Extension(%q) does not name it", c.format)
		}
	}
	if Extension("qed") != "" {
		t.Error("Extension of an unknown format")
	}
}
