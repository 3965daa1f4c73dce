package iso9660

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
)

// The tests in this file compare with the real systemd-repart 262 when
// GOREPART_REFERENCE_REPART names it, and are skipped otherwise.

const refSeed = "0fa0a0a0-1234-4321-8888-123456789abc"

type reference struct {
	t      *testing.T
	repart string
	dir    string // definitions directories and images
}

func newReference(t *testing.T) *reference {
	repart := os.Getenv("GOREPART_REFERENCE_REPART")
	if repart == "" {
		t.Skip("GOREPART_REFERENCE_REPART not set")
	}
	testutil.Tool(t, "mkfs.vfat", "dosfstools")
	testutil.Tool(t, "mcopy", "mtools")
	r := &reference{t: t, repart: repart, dir: t.TempDir()}
	hello := filepath.Join(r.dir, "hello.txt")
	esp := "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=" + hello + ":/hello.txt\n"
	data := "[Partition]\nType=linux-generic\nSizeMinBytes=10M\n"
	r.write("hello.txt", "hello\n")
	r.write("esp/00-esp.conf", esp)
	r.write("root-esp/00-data.conf", data)
	r.write("root-esp/10-esp.conf", esp)
	r.write("none/00-data.conf", data)
	return r
}

func (r *reference) write(name, content string) string {
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// run runs repart with env (SOURCE_DATE_EPOCH removed unless given) and
// returns its output.
func (r *reference) run(env []string, args ...string) (string, error) {
	cmd := exec.Command(r.repart, args...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "SOURCE_DATE_EPOCH=") && !strings.HasPrefix(e, "TZ=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// build makes a new image from the definitions in defs and returns its path.
func (r *reference) build(name, defs string, env []string, args ...string) (string, string, error) {
	img := filepath.Join(r.dir, name)
	os.Remove(img)
	args = append([]string{"--offline=yes", "--empty=create", "--size=auto", "--dry-run=no",
		"--seed=" + refSeed, "--definitions=" + filepath.Join(r.dir, defs)}, args...)
	out, err := r.run(env, append(args, img)...)
	return img, out, err
}

func readRange(t *testing.T, path string, off, n int64) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}

// sameOutside compares two images everywhere except [Offset, End) and the
// ESP (whose vfat label time mkfs.fat takes from the clock).
func sameOutside(t *testing.T, a, b string, espStart, espEnd int64) {
	t.Helper()
	fa, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	const chunk = 1 << 20
	ba, bb := make([]byte, chunk), make([]byte, chunk)
	for off := int64(0); ; off += chunk {
		na, ea := io.ReadFull(io.NewSectionReader(fa, off, chunk), ba)
		nb, _ := io.ReadFull(io.NewSectionReader(fb, off, chunk), bb)
		if na != nb {
			t.Fatalf("sizes differ near %d", off)
		}
		for i := 0; i < na; i++ {
			p := off + int64(i)
			if (p < Offset || p >= End) && (p < espStart || p >= espEnd) && ba[i] != bb[i] {
				t.Fatalf("byte %d outside the El Torito header and the ESP differs", p)
			}
		}
		if ea != nil {
			return
		}
	}
}

// TestReference builds images with and without --el-torito=yes and checks
// that the header is Encode's and that nothing else changed.
func TestReference(t *testing.T) {
	r := newReference(t)
	for _, c := range []struct {
		name, defs string
		sde        int64
		args       []string
		p          Params
		espSize    int64
	}{
		{"default", "esp", 1700000000, nil, Params{ESPOffset: 1 << 20}, 260 << 20},
		{"identifiers", "esp", 1, []string{"--el-torito-system=EFI x", "--el-torito-volume=Vol_1",
			"--el-torito-publisher=Pub <1>"}, Params{System: "EFI x", Volume: "Vol_1", Publisher: "Pub <1>", ESPOffset: 1 << 20}, 260 << 20},
		{"sector-4096", "root-esp", 2000000000, []string{"--sector-size=4096"}, Params{ESPOffset: 11 << 20}, 260 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := []string{fmt.Sprintf("SOURCE_DATE_EPOCH=%d", c.sde)}
			with, out, err := r.build("with.img", c.defs, env, append(c.args, "--el-torito=yes")...)
			if err != nil {
				t.Fatalf("repart: %v\n%s", err, out)
			}
			without, out, err := r.build("without.img", c.defs, env, c.args...)
			if err != nil {
				t.Fatalf("repart: %v\n%s", err, out)
			}
			c.p.Time = time.Unix(c.sde, 0).UTC()
			want, err := Encode(c.p)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffBytes(readRange(t, with, Offset, Size), want); d != "" {
				t.Error(d)
			}
			sameOutside(t, with, without, int64(c.p.ESPOffset), int64(c.p.ESPOffset)+c.espSize)
		})
	}
}

// TestReferenceLocalTime: without SOURCE_DATE_EPOCH repart writes its
// local time and zone; Encode given that time in that zone agrees.
func TestReferenceLocalTime(t *testing.T) {
	r := newReference(t)
	for _, tz := range []string{"America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatalf("no zoneinfo for %s (apt-get install tzdata): %v", tz, err)
		}
		img, out, err := r.build("local.img", "esp", []string{"TZ=" + tz}, "--el-torito=yes")
		if err != nil {
			t.Fatalf("repart: %v\n%s", err, out)
		}
		got := readRange(t, img, Offset, Size)
		h, err := Read(headerImage(got))
		if err != nil {
			t.Fatal(err)
		}
		if _, off := h.Created.Zone(); off != func() int { _, o := h.Created.In(loc).Zone(); return o / 900 * 900 }() {
			t.Errorf("%s: zone offset %d s, want that of %s", tz, off, tz)
		}
		t.Logf("%s: repart wrote %v", tz, h.Created)
		want, err := Encode(Params{Time: h.Created.In(loc), ESPOffset: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if d := diffBytes(got, want); d != "" {
			t.Errorf("%s: %s", tz, d)
		}
	}
}

// TestReferenceRefusals: repart refuses with the words of our errors.
func TestReferenceRefusals(t *testing.T) {
	r := newReference(t)
	// A 10 MiB + 512 bytes block copy before the ESP with a 512-byte grain.
	blocks := r.write("blocks.bin", strings.Repeat("x", 10<<20+512))
	r.write("unaligned/00-blocks.conf", "[Partition]\nType=linux-generic\nCopyBlocks="+blocks+"\n")
	r.write("unaligned/10-esp.conf", "[Partition]\nType=esp\nFormat=vfat\n")
	// An existing GPT with 256 entries.
	big := filepath.Join(r.dir, "big.img")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 300<<20); err != nil {
		t.Fatal(err)
	}
	sfdisk := testutil.Tool(t, "sfdisk", "fdisk")
	cmd := exec.Command(sfdisk, "-q", big)
	cmd.Stdin = strings.NewReader("label: gpt\ntable-length: 256\nstart=2048, size=532480, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	sde := []string{"SOURCE_DATE_EPOCH=1700000000"}

	for _, c := range []struct {
		name string
		run  func() (string, error)
		ours error
		want error
	}{
		{"no ESP", func() (string, error) {
			_, out, err := r.build("n.img", "none", sde, "--el-torito=yes")
			return out, err
		}, ErrNoESP, ErrNoESP},
		{"disk of 3 MiB", func() (string, error) {
			_, out, err := r.build("t.img", "none", sde, "--el-torito=yes", "--size=3M")
			return out, err
		}, CheckTable(Table{SectorSize: 512, Entries: 128, FirstLBA: 34}), ErrFirstLBAOverlap},
		{"256 entries", func() (string, error) {
			return r.run(sde, "--offline=yes", "--dry-run=no", "--definitions="+filepath.Join(r.dir, "esp"), "--el-torito=yes", big)
		}, CheckTable(Table{SectorSize: 512, Entries: 256, FirstLBA: 2048}), ErrTableOverlap},
		{"ESP not 2K aligned", func() (string, error) {
			_, out, err := r.build("u.img", "unaligned", sde, "--el-torito=yes", "--grain-size=512")
			return out, err
		}, CheckESP(1<<20 + 10<<20 + 512), ErrESPUnaligned},
		{"year 2156", func() (string, error) {
			_, out, err := r.build("y.img", "esp", []string{"SOURCE_DATE_EPOCH=5869584000"}, "--el-torito=yes")
			return out, err
		}, func() error { _, err := Encode(Params{Time: time.Unix(5869584000, 0).UTC()}); return err }(), ErrYear},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.ours, c.want) {
				t.Fatalf("ours: %v, want %v", c.ours, c.want)
			}
			out, err := c.run()
			if err == nil {
				t.Fatalf("repart succeeded:\n%s", out)
			}
			if !strings.Contains(out, c.want.Error()+".") {
				t.Errorf("repart says\n%s\nwant %q", out, c.want.Error()+".")
			}
		})
	}
}

// TestReferenceIdentifiers: repart accepts an identifier exactly when the
// Valid functions do.
func TestReferenceIdentifiers(t *testing.T) {
	r := newReference(t)
	var values []string
	for c := 1; c < 0x80; c++ {
		values = append(values, "A"+string(rune(c)))
	}
	values = append(values, "é", "", " ", strings.Repeat("a", 32), strings.Repeat("a", 33),
		strings.Repeat("a", 128), strings.Repeat("a", 129))
	for _, f := range []struct {
		flag  string
		valid func(string) bool
	}{{"system", ValidSystem}, {"volume", ValidVolume}, {"publisher", ValidPublisher}} {
		for _, v := range values {
			if f.flag != "system" && len(v) == 2 && v[0] == 'A' && v[1] != 'a' {
				continue // one flag is enough for the character set
			}
			out, err := r.run(nil, "--el-torito-"+f.flag+"="+v, "--version")
			if accepted := err == nil; accepted != f.valid(v) {
				t.Errorf("--el-torito-%s=%q: repart accepts %v, we %v\n%s", f.flag, v, accepted, f.valid(v), out)
			} else if !accepted && printable(v) && !bytes.Contains([]byte(out), []byte("Invalid value '"+v+"' for --el-torito-"+f.flag+"=.")) {
				t.Errorf("--el-torito-%s=%q: repart says %s", f.flag, v, out)
			}
		}
	}
}

// printable reports whether s has no control characters (which repart's
// log output escapes).
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
