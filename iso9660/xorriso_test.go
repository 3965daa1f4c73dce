package iso9660

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/internal/testutil"
)

var espType = gpt.GUID{0xc1, 0x2a, 0x73, 0x28, 0xf8, 0x1f, 0x11, 0xd2, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}

// gptImage writes a sparse image of size bytes with a GPT holding one
// partition of the given type at [start, end) and the header for p.
func gptImage(t *testing.T, ss int, size, start, end uint64, typ gpt.GUID, p Params) string {
	t.Helper()
	total := size / uint64(ss)
	es := uint64(16384 / ss)
	tab := &gpt.Table{
		SectorSize: ss, TotalSectors: total, DiskGUID: gpt.GUID{1},
		FirstUsable: (1 << 20) / uint64(ss), LastUsable: total - 2 - es,
		Entries: []gpt.Entry{{Type: typ, UUID: gpt.GUID{2}, FirstLBA: start / uint64(ss), LastLBA: end/uint64(ss) - 1, Name: "esp"}},
	}
	regions, err := tab.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "img")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if _, err := f.WriteAt(r.Data, r.Offset); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(f, p); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestXorriso has libisofs, an independent reader, report the El Torito
// boot image and the volume descriptor of our images.
func TestXorriso(t *testing.T) {
	xorriso := testutil.Tool(t, "xorriso", "xorriso")
	for _, c := range []struct {
		name        string
		ss          int
		start, end  uint64
		p           Params
		wantCreated string
	}{
		{"512", 512, 1 << 20, 33 << 20, Params{Volume: "ESPBOOT", Time: time.Unix(1700000000, 0).UTC()}, "2023111422132000"},
		{"4096, ESP second", 4096, 11 << 20, 43 << 20, Params{
			System: "EFI", Volume: "gorepart_Test.1", Publisher: "Example Org (test)",
			Time: time.Date(2030, 6, 1, 12, 34, 56, 0, time.FixedZone("", -(3*3600+1800))),
		}, "2030060112345600"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.p.ESPOffset = c.start
			img := gptImage(t, c.ss, 64<<20, c.start, c.end, espType, c.p)
			out, err := exec.Command(xorriso, "-indev", img, "-report_el_torito", "plain", "-pvd_info").CombinedOutput()
			if err != nil {
				t.Fatalf("xorriso: %v\n%s", err, out)
			}
			s := string(out)
			m := regexp.MustCompile(`El Torito boot img :\s+1\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(s)
			if m == nil {
				t.Fatalf("no boot image reported:\n%s", s)
			}
			rba, _ := strconv.ParseUint(m[7], 10, 64)
			if m[1] != "UEFI" || m[2] != "y" || m[3] != "none" || m[4] != "0x0000" || m[6] != "0" || rba != c.start/2048 {
				t.Errorf("boot image %q, want UEFI y none 0x0000 … 0 %d\n%s", m[0], c.start/2048, s)
			}
			// libisofs sizes the image by the GPT partition it starts; it
			// reads GPTs of 512-byte sectors only.
			if want := regexp.MustCompile(`El Torito img blks :\s+1\s+` + strconv.FormatUint((c.end-c.start)/2048, 10) + "\n"); c.ss == 512 && !want.MatchString(s) {
				t.Errorf("xorriso does not size the boot image as the ESP (%d blocks):\n%s", (c.end-c.start)/2048, s)
			}
			for _, want := range []string{
				"El Torito catalog  : 19  1",
				"Volume Id    : " + c.p.Volume + "\n",
				"Publisher Id : " + c.p.Publisher + "\n",
				"System Id    : " + c.p.System + "\n",
				"App Id       : SYSTEMD-REPART\n",
				"Creation Time: " + c.wantCreated + "\n",
				"Modif. Time  : " + c.wantCreated + "\n",
				"Expir. Time  : 0000000000000000\n",
			} {
				if !strings.Contains(s, want) {
					t.Errorf("xorriso output lacks %q:\n%s", want, s)
				}
			}
		})
	}
}
