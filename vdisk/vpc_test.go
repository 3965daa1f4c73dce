package vdisk

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestVHDGeometry compares the CHS geometry with the one qemu-img create
// writes: qemu rounds the size up to one its geometry expresses exactly,
// and for that size ours must be the same.
func TestVHDGeometry(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int64{miB, 8 * miB, 100*miB + 3*sectorSize, giB, 10 * giB, 127 * giB, 130 * giB, 1000 * giB} {
		path := filepath.Join(dir, fmt.Sprint(size))
		qemuImg(t, "create", "-q", "-f", "vpc", "-o", "subformat=fixed", path, fmt.Sprint(size))
		f := vhdTail(t, path)
		current := int64(binary.BigEndian.Uint64(f[48:]))
		cyls, heads, spt := binary.BigEndian.Uint16(f[56:]), f[58], f[59]
		c, h, s := vhdGeometry(current / sectorSize)
		if c != cyls || h != heads || s != spt {
			t.Errorf("size %d: geometry %d/%d/%d, qemu's %d/%d/%d", current, c, h, s, cyls, heads, spt)
		}
	}
}

// TestVHDFooter checks the footer fields that come from Params and the
// creator application that makes qemu read current_size: rewritten to
// qemu's own "qemu", the same file shows the smaller CHS size.
func TestVHDFooter(t *testing.T) {
	dir := t.TempDir()
	s := testShapes()[1] // a size CHS cannot express
	raw := makeRaw(t, dir, s)
	p := testParams("vpc", "dynamic")
	path := convert(t, dir, raw, p)
	f := vhdTail(t, path)
	be := binary.BigEndian
	if got, want := be.Uint32(f[24:]), uint32(p.Time.Unix()-vhdEpoch); got != want {
		t.Errorf("timestamp %d, want %d", got, want)
	}
	if string(f[28:32]) != "qem2" || string(f[36:40]) != "Wi2k" {
		t.Errorf("creator %q on %q", f[28:32], f[36:40])
	}
	if id := deriveID(p.Seed, "vhd-unique-id"); string(f[68:84]) != string(id[:]) {
		t.Errorf("unique id %x, want %x", f[68:84], id)
	}
	if got := qemuVirtualSize(t, "vpc", path); got != s.size {
		t.Fatalf("qemu reads %d bytes, want %d", got, s.size)
	}

	// The same image claiming qemu's old creator id: qemu reads the CHS size.
	copy(f[28:], "qemu")
	be.PutUint32(f[64:], 0)
	be.PutUint32(f[64:], vhdChecksum(f))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[:vhdFooterSize], f)
	copy(b[len(b)-vhdFooterSize:], f)
	other := filepath.Join(dir, "qemu-creator.vhd")
	if err := os.WriteFile(other, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c, h, sp := vhdGeometry(s.size / sectorSize)
	if got, chs := qemuVirtualSize(t, "vpc", other), int64(c)*int64(h)*int64(sp)*sectorSize; got != chs || chs == s.size {
		t.Fatalf("with creator \"qemu\" qemu reads %d bytes, want the CHS size %d (≠ %d)", got, chs, s.size)
	}
}

// TestVHDTimestamp clamps times the 32-bit field from 2000 cannot hold.
func TestVHDTimestamp(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want uint32
	}{
		{time.Time{}, 0},
		{time.Unix(315532800, 0), 0}, // 1980, nixpkgs' default SOURCE_DATE_EPOCH
		{time.Unix(vhdEpoch+1, 0), 1},
		{time.Unix(vhdEpoch+1<<33, 0), 1<<32 - 1},
	} {
		if got := vhdTimestamp(c.t.Unix()); got != c.want {
			t.Errorf("%v: %d, want %d", c.t, got, c.want)
		}
	}
}

// vhdTail returns the footer at the end of a VHD file.
func vhdTail(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, vhdFooterSize)
	if err := readFull(f, b, st.Size()-vhdFooterSize); err != nil {
		t.Fatal(err)
	}
	return b
}
