package testutil

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// SfdiskTable is the partition table sfdisk --json prints: sizes in
// sectors, GUIDs in upper case, attributes as "GUID:59,60,63".
type SfdiskTable struct {
	Label      string            `json:"label"`
	ID         string            `json:"id"`
	FirstLBA   uint64            `json:"firstlba"`
	LastLBA    uint64            `json:"lastlba"`
	SectorSize int64             `json:"sectorsize"`
	Partitions []SfdiskPartition `json:"partitions"`
}

// SfdiskPartition is one partition of an SfdiskTable.
type SfdiskPartition struct {
	Node  string `json:"node"`
	Start uint64 `json:"start"`
	Size  uint64 `json:"size"`
	Type  string `json:"type"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Attrs string `json:"attrs"`
}

// Sfdisk reads the partition table of image with sfdisk --json.
func Sfdisk(t testing.TB, image string) *SfdiskTable {
	t.Helper()
	out, err := exec.Command(Tool(t, "sfdisk", "fdisk"), "--json", image).Output()
	if err != nil {
		t.Fatalf("sfdisk --json %s: %v", image, err)
	}
	var j struct {
		PT SfdiskTable `json:"partitiontable"`
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("sfdisk --json %s: %v", image, err)
	}
	return &j.PT
}
