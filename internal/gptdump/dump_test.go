package gptdump_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/gptdump"
	"github.com/gorepart/gorepart/internal/testutil"
)

// sfdiskImage writes a 16 MiB image with two partitions with sfdisk.
func sfdiskImage(t *testing.T) string {
	t.Helper()
	sfdisk := testutil.Tool(t, "sfdisk", "fdisk")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sfdisk, "--quiet", img)
	cmd.Stdin = strings.NewReader(`label: gpt
label-id: B581FEF7-24ED-4F31-990B-099EC86BBA03
start=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=DAC4058A-2FC0-4808-A7EF-B8B4501C00CE, name="esp"
start=8192, size=8192, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="ünïcødé", attrs="GUID:59,60,63"
`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	return img
}

// TestReadSfdisk reads a table sfdisk wrote and compares it with what
// sfdisk --json says.
func TestReadSfdisk(t *testing.T) {
	img := sfdiskImage(t)
	d, err := gptdump.ReadFile(img, 0)
	if err != nil {
		t.Fatal(err)
	}
	pt := testutil.Sfdisk(t, img)
	if d.SectorSize != 512 || d.DiskGUID != pt.ID || d.FirstLBA != pt.FirstLBA || d.LastLBA != pt.LastLBA ||
		d.NumEntries != 128 || d.EntrySize != 128 || d.EntriesLBA != 2 || len(d.Partitions) != len(pt.Partitions) {
		t.Fatalf("read %+v, sfdisk %+v", d, pt)
	}
	for i, p := range d.Partitions {
		s := pt.Partitions[i]
		attrs := "GUID:"
		for b := 48; b < 64; b++ {
			if p.Attrs&(1<<b) != 0 {
				attrs += strconv.Itoa(b) + ","
			}
		}
		if attrs == "GUID:" {
			attrs = ""
		}
		if p.Index != i || p.Start != s.Start || p.Size != s.Size || p.Type != s.Type || p.UUID != s.UUID || p.Name != s.Name ||
			strings.TrimSuffix(attrs, ",") != s.Attrs {
			t.Errorf("partition %d: read %+v, sfdisk %+v", i, p, s)
		}
	}
}

// TestReadCorrupt: a flipped byte in either header or entry array, or a
// backup that differs, is an error.
func TestReadCorrupt(t *testing.T) {
	img := sfdiskImage(t)
	good, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	last := int64(len(good)) - 512
	for _, c := range []struct {
		name string
		off  int64
	}{
		{"primary header", 512 + 40},
		{"primary entries", 2*512 + 60},
		{"backup header", last + 40},
		{"backup entries", last - 32*512 + 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := append([]byte(nil), good...)
			b[c.off] ^= 0x01
			bad := filepath.Join(t.TempDir(), "bad.raw")
			if err := os.WriteFile(bad, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := gptdump.ReadFile(bad, 0); err == nil {
				t.Errorf("flipped byte %d (%s): no error", c.off, c.name)
			} else {
				t.Log(err)
			}
		})
	}
	if _, err := gptdump.ReadFile(img, 4096); err == nil {
		t.Error("read a 512-byte sector table at 4096")
	}
}
