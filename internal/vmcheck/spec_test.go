package vmcheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/vmcheck"
)

func TestParseSpec(t *testing.T) {
	good := `{"partition_count": 2, "partitions": [
	  {"partno": 1, "fstype": "vfat", "type": "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "name": "esp",
	   "files": {"/EFI/BOOT/BOOTX64.EFI": "` + strings.Repeat("ab", 32) + `"}, "exact_case": false},
	  {"partno": 2, "fstype": "btrfs", "modes": {"bin/su": "4755"}, "owners": {"etc/shadow": "0:42"},
	   "dirs": ["usr"], "absent": ["boot"], "luks": {"key_file": "key"}},
	  {"partno": 3, "fstype": "erofs", "verity": {"hash_partno": 4, "roothash": "00ff", "superblock": false, "salt": "-"}}]}`
	s, err := vmcheck.ParseSpec([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Partitions) != 3 || *s.Partitions[0].ExactCase || s.Partitions[1].LUKS.KeyFile != "key" || s.Partitions[2].Verity.HashPartNo != 4 {
		t.Errorf("parsed %+v", s)
	}
	for _, bad := range []string{
		`{"partitions": []}`,
		`{"partitions": [{"partno": 0, "fstype": "vfat"}]}`,
		`{"partitions": [{"partno": 1, "fstype": "ntfs"}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat", "typo": 1}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat"}, {"partno": 1, "fstype": "ext4"}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat", "files": {"a": "xyz"}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat", "modes": {"a": "0999"}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat", "owners": {"a": "root"}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "vfat", "uuid": "not-a-guid"}]}`,
		`{"partitions": [{"partno": 1, "fstype": "none", "verity": {"hash_partno": 2, "roothash": "00"}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "ext4", "verity": {"hash_partno": 2, "roothash": "xy"}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "ext4", "verity": {"hash_partno": 2, "roothash": "00", "superblock": false}}]}`,
		`{"partitions": [{"partno": 1, "fstype": "ext4", "luks": {}}]}`,
		`{"sector_size": 1024, "partitions": [{"partno": 1, "fstype": "ext4"}]}`,
	} {
		if _, err := vmcheck.ParseSpec([]byte(bad)); err == nil {
			t.Errorf("ParseSpec accepted %s", bad)
		}
	}
}

// TestLoadSpecKeyFile: a relative key file is relative to the spec.
func TestLoadSpecKeyFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "spec.json")
	os.WriteFile(p, []byte(`{"partitions": [{"partno": 1, "fstype": "ext4", "luks": {"key_file": "k"}}]}`), 0o644)
	s, err := vmcheck.LoadSpec(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Partitions[0].LUKS.KeyFile; got != filepath.Join(dir, "k") {
		t.Errorf("key file %s", got)
	}
}
