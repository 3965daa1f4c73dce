package gpt

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/gptdump"
	"github.com/gorepart/gorepart/internal/testutil"
)

func writeImage(t *testing.T, tab *Table) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(tab.TotalSectors) * int64(tab.SectorSize)); err != nil {
		t.Fatal(err)
	}
	regions, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if _, err := f.WriteAt(r.Data, r.Offset); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func guid(s string) GUID {
	var g GUID
	s = strings.ReplaceAll(s, "-", "")
	for i := 0; i < 16; i++ {
		var v byte
		for _, c := range s[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			default:
				v |= byte(c-'a') + 10
			}
		}
		g[i] = v
	}
	return g
}

func TestEncodeReadsBackAndSfdiskAgrees(t *testing.T) {
	sfdisk, err := exec.LookPath("sfdisk")
	if err != nil {
		t.Fatalf("sfdisk not found: apt-get install fdisk")
	}
	for _, ss := range []int{512, 4096} {
		total := uint64(64<<20) / uint64(ss)
		es := uint64(entryArraySize / ss)
		tab := &Table{
			SectorSize: ss, TotalSectors: total, DiskGUID: guid("b581fef7-24ed-4f31-990b-099ec86bba03"),
			FirstUsable: uint64(1<<20) / uint64(ss), LastUsable: total - 2 - es,
			Entries: []Entry{
				{Index: 0, Type: guid("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"), UUID: guid("dac4058a-2fc0-4808-a7ef-b8b4501c00ce"),
					FirstLBA: uint64(1<<20) / uint64(ss), LastLBA: uint64(9<<20)/uint64(ss) - 1, Name: "esp"},
				{Index: 1, Type: guid("4f68bce3-e8cd-4db1-96e7-fbcaf984b709"), UUID: guid("57bd1ad1-c688-450a-ba37-d1792ec72fbb"),
					FirstLBA: uint64(9<<20) / uint64(ss), LastLBA: uint64(20<<20)/uint64(ss) - 1, Attributes: 1<<59 | 1<<60 | 1<<63, Name: "ünïcødé"},
			},
		}
		path := writeImage(t, tab)
		checkGPTDump(t, path, tab)
		if ss != 512 {
			// Debian 12's sfdisk has no --sector-size; gptdump checked it.
			continue
		}
		if out, err := exec.Command(sfdisk, "--verify", path).CombinedOutput(); err != nil || !strings.Contains(string(out), "No errors detected") {
			t.Fatalf("sfdisk --verify: %v\n%s", err, out)
		}
		pt := testutil.Sfdisk(t, path)
		if pt.ID != "B581FEF7-24ED-4F31-990B-099EC86BBA03" || pt.FirstLBA != tab.FirstUsable || pt.LastLBA != tab.LastUsable {
			t.Errorf("ss %d: sfdisk header %+v", ss, pt)
		}
		if len(pt.Partitions) != 2 || pt.Partitions[1].Name != "ünïcødé" || pt.Partitions[1].Attrs != "GUID:59,60,63" ||
			pt.Partitions[1].UUID != "57BD1AD1-C688-450A-BA37-D1792EC72FBB" || pt.Partitions[0].Type != "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" {
			t.Errorf("ss %d: sfdisk partitions %+v", ss, pt.Partitions)
		}
	}
}

// guidText is a textual-order GUID in upper case.
func guidText(g GUID) string {
	return fmt.Sprintf("%X-%X-%X-%X-%X", g[0:4], g[4:6], g[6:8], g[8:10], g[10:])
}

// checkGPTDump reads the image with an independent reader
// (internal/gptdump), which checks both headers' CRCs at any sector size.
func checkGPTDump(t *testing.T, path string, tab *Table) {
	t.Helper()
	d, err := gptdump.ReadFile(path, tab.SectorSize)
	if err != nil {
		t.Fatalf("gptdump: %v", err)
	}
	if d.SectorSize != tab.SectorSize || d.FirstLBA != tab.FirstUsable || d.LastLBA != tab.LastUsable || len(d.Partitions) != len(tab.Entries) {
		t.Fatalf("gptdump: %+v", d)
	}
	if d.DiskGUID != guidText(tab.DiskGUID) {
		t.Errorf("gptdump disk GUID %s, want %s", d.DiskGUID, tab.DiskGUID)
	}
	for i, p := range d.Partitions {
		e := tab.Entries[i]
		if p.Index != e.Index || p.Start != e.FirstLBA || p.Size != e.LastLBA-e.FirstLBA+1 || p.Name != e.Name || p.Attrs != e.Attributes ||
			p.Type != guidText(e.Type) || p.UUID != guidText(e.UUID) {
			t.Errorf("gptdump partition %d: %+v, want %+v", i, p, e)
		}
	}
	// And with our own reader.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := ReadTable(f, tab.SectorSize)
	if err != nil {
		t.Fatal(err)
	}
	if back.DiskGUID != tab.DiskGUID || len(back.Entries) != len(tab.Entries) || back.TotalSectors != tab.TotalSectors {
		t.Fatalf("read back %+v", back)
	}
	for i := range back.Entries {
		if back.Entries[i] != tab.Entries[i] {
			t.Errorf("read back entry %d: %+v, want %+v", i, back.Entries[i], tab.Entries[i])
		}
	}
}
