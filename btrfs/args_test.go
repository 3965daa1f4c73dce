package btrfs

import (
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/mkfs"
)

// TestArgs checks the argument lists against repart 262's mkfs-util.c and
// finalize_extra_mkfs_options: order, spelling of the subvolume flags,
// sector size floor, and what is left out without files to copy.
func TestArgs(t *testing.T) {
	base := Params{Label: "root-x86-64", UUID: testUUID, SectorSize: 512}
	full := base
	full.NoDiscard = true
	full.Compression, full.CompressionLevel = "zstd", "3"
	full.ExtraArgs = []string{"-O", "block-group-tree"}
	full.Subvolumes = []Subvolume{{Path: "/home"}, {Path: "/var", ReadOnly: true, NoDataCOW: true}, {Path: "/srv", ReadOnly: true}, {Path: "/nix", NoDataCOW: true}}
	full.DefaultSubvolume = "/srv"
	full.Minimize = true
	def := base
	def.SectorSize = 8192
	def.Subvolumes = []Subvolume{{Path: "/a"}}
	def.DefaultSubvolume = "/a"
	for _, tc := range []struct {
		p    Params
		root string
		want string
	}{
		{base, "/stage", "-L root-x86-64 -U 5b1d2f0e-1122-4344-8566-778899aabbcc -r /stage --sectorsize=4096 NODE"},
		{base, "", "-L root-x86-64 -U 5b1d2f0e-1122-4344-8566-778899aabbcc --sectorsize=4096 NODE"},
		{full, "/stage", "-L root-x86-64 -U 5b1d2f0e-1122-4344-8566-778899aabbcc --nodiscard -r /stage --compress zstd:3 --sectorsize=4096 NODE -O block-group-tree" +
			" --subvol /home --subvol ro:/var --subvol default-ro:/srv --subvol /nix --inode-flags nodatacow:/var --inode-flags nodatacow:/nix --shrink"},
		{full, "", "-L root-x86-64 -U 5b1d2f0e-1122-4344-8566-778899aabbcc --nodiscard --sectorsize=4096 NODE -O block-group-tree"},
		{def, "/s", "-L root-x86-64 -U 5b1d2f0e-1122-4344-8566-778899aabbcc -r /s --sectorsize=8192 NODE --subvol default:/a"},
	} {
		if got := strings.Join(args(&tc.p, tc.root, "NODE"), " "); got != tc.want {
			t.Errorf("args:\n got %s\nwant %s", got, tc.want)
		}
	}
}

// TestCheckVersion: features are refused, naming the release that has
// them, by btrfs-progs releases that lack them.
func TestCheckVersion(t *testing.T) {
	p := Params{Compression: "zstd", Subvolumes: []Subvolume{{Path: "/a", NoDataCOW: true}}}
	for _, tc := range []struct {
		v    mkfs.Version
		want string
	}{
		{mkfs.Version{Major: 6, Minor: 2}, "Subvolumes= (mkfs.btrfs --subvol) needs btrfs-progs 6.12 or later, mkfs.btrfs is 6.2.0"},
		{mkfs.Version{Major: 6, Minor: 12}, "Compression= (mkfs.btrfs --compress) needs btrfs-progs 6.13 or later"},
		{mkfs.Version{Major: 6, Minor: 14}, "nodatacow (mkfs.btrfs --inode-flags) needs btrfs-progs 6.15 or later"},
		{mkfs.Version{Major: 6, Minor: 15}, ""},
	} {
		err := checkVersion(&p, tc.v, true)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.v, err, tc.want)
		}
	}
	if err := checkVersion(&p, mkfs.Version{Major: 6, Minor: 2}, false); err != nil {
		t.Errorf("without files to copy, repart passes none of these options: %v", err)
	}
}
