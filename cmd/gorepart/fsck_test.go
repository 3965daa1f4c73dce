package main

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/gpt"
)

// fsckCommands are the real tools that check each filesystem read-only.
var fsckCommands = map[string][]string{
	"vfat":  {"fsck.vfat", "-n"},
	"ext4":  {"e2fsck", "-fn"},
	"erofs": {"fsck.erofs"},
}

// checkFilesystems extracts every partition whose definition has a
// Format= and runs the filesystem's own checker on it.
func checkFilesystems(t *testing.T, dir, image string) {
	t.Helper()
	formats := definitionFormats(t, dir)
	img, tab := openImage(t, image)
	defer img.Close()
	for i, e := range tab.Entries {
		if i >= len(formats) {
			break
		}
		cmd, ok := fsckCommands[formats[i]]
		if !ok {
			continue
		}
		if _, err := exec.LookPath(cmd[0]); err != nil {
			t.Fatalf("%s not found: apt-get install dosfstools e2fsprogs erofs-utils", cmd[0])
		}
		part := filepath.Join(t.TempDir(), "part")
		f, err := os.Create(part)
		if err != nil {
			t.Fatal(err)
		}
		ss := int64(tab.SectorSize)
		_, err = io.Copy(f, io.NewSectionReader(img, int64(e.FirstLBA)*ss, int64(e.LastLBA-e.FirstLBA+1)*ss))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(cmd[0], append(cmd[1:], part)...).CombinedOutput(); err != nil {
			t.Errorf("partition %d (%s): %s: %v\n%s", i+1, formats[i], cmd[0], err, out)
		}
	}
}

// checkVerity runs veritysetup verify on every verity pair of the report.
func checkVerity(t *testing.T, report []byte, image string) {
	t.Helper()
	var rows []struct {
		Type     string `json:"type"`
		Offset   int64  `json:"offset"`
		RawSize  int64  `json:"raw_size"`
		Roothash string `json:"roothash"`
	}
	if err := json.Unmarshal(report, &rows); err != nil {
		t.Fatalf("report: %v", err)
	}
	img, err := os.Open(image)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	extract := func(off, size int64) string {
		path := filepath.Join(t.TempDir(), "part")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := io.Copy(f, io.NewSectionReader(img, off, size)); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, data := range rows {
		if data.Roothash == "" || strings.HasSuffix(data.Type, "-verity") || strings.HasSuffix(data.Type, "-verity-sig") {
			continue
		}
		for _, hash := range rows {
			if hash.Type != data.Type+"-verity" || hash.Roothash != data.Roothash {
				continue
			}
			out, err := exec.Command("veritysetup", "verify", extract(data.Offset, data.RawSize),
				extract(hash.Offset, hash.RawSize), data.Roothash).CombinedOutput()
			if err != nil {
				t.Errorf("veritysetup verify %s: %v\n%s", data.Type, err, out)
			}
			t.Logf("veritysetup verify %s %s: ok", data.Type, data.Roothash)
		}
	}
}

// openImage opens a test image and reads its partition table at whichever
// sector size it was written with.
func openImage(t *testing.T, image string) (*os.File, *gpt.Table) {
	t.Helper()
	img, err := os.Open(image)
	if err != nil {
		t.Fatal(err)
	}
	for _, ss := range []int{512, 4096} {
		if tab, err := gpt.ReadTable(img, ss); err == nil {
			return img, tab
		}
	}
	img.Close()
	t.Fatalf("%s: no partition table at 512- or 4096-byte sectors", image)
	return nil, nil
}
