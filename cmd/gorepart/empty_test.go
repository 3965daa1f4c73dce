package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/gpt"
)

// The starting points of TestEmptyModes, all 64 MiB files but "none".
const (
	emptySeed = "0867da16-f251-457d-a9e8-c31f9a3c220b"
	emptySize = 64 << 20
)

var emptyFixtures = []string{"none", "zero", "mbr", "empty-gpt", "gpt", "gpt-backup-only", "gpt-no-pmbr", "pmbr-only"}

// writeEmptyDefs writes the definitions: d1 is what made the "gpt"
// fixture (a 10M root), d2 what every run asks for (that root and a home
// taking the rest).
func writeEmptyDefs(t *testing.T, dir string) (d1, d2 string) {
	d1, d2 = filepath.Join(dir, "d1"), filepath.Join(dir, "d2")
	root := "[Partition]\nType=root\nSizeMinBytes=10M\nSizeMaxBytes=10M\n"
	for path, text := range map[string]string{
		filepath.Join(d1, "10-root.conf"): root,
		filepath.Join(d2, "10-root.conf"): root,
		filepath.Join(d2, "20-home.conf"): "[Partition]\nType=home\nSizeMinBytes=5M\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d1, d2
}

// writeEmptyFixture makes starting point name at path.
func writeEmptyFixture(t *testing.T, name, path, d1 string) {
	t.Helper()
	if name == "none" {
		return
	}
	put := func(off int64, b []byte) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	switch name {
	case "zero":
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, emptySize); err != nil {
			t.Fatal(err)
		}
	case "mbr": // as sfdisk writes "label: dos\nlabel-id: 0x12345678\n,10M\n"
		mbr := make([]byte, 512)
		copy(mbr[440:], []byte{0x78, 0x56, 0x34, 0x12})
		copy(mbr[446:], []byte{0x00, 0x20, 0x21, 0x00, 0x83, 0x66, 0x25, 0x01, 0x00, 0x08, 0, 0, 0x00, 0x50, 0, 0})
		mbr[510], mbr[511] = 0x55, 0xAA
		writeEmptyFixture(t, "zero", path, d1)
		put(0, mbr)
	case "empty-gpt": // as sfdisk writes "label: gpt\nlabel-id: 11111111-2222-3333-4444-555555555555\n"
		tbl := gpt.Table{SectorSize: 512, TotalSectors: emptySize / 512, FirstUsable: 2048, LastUsable: emptySize/512 - 34,
			DiskGUID: gpt.GUID{0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}}
		regions, err := tbl.Encode()
		if err != nil {
			t.Fatal(err)
		}
		writeEmptyFixture(t, "zero", path, d1)
		for _, r := range regions {
			put(r.Offset, r.Data)
		}
	case "gpt", "gpt-backup-only", "gpt-no-pmbr", "pmbr-only":
		var stderr bytes.Buffer
		args := []string{"gorepart", "--empty=create", "--size=64M", "--seed=" + emptySeed, "--definitions=" + d1, path}
		if rc := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr, func(string) string { return "" }); rc != 0 {
			t.Fatalf("making fixture %s: exit %d\n%s", name, rc, stderr.String())
		}
		zero := make([]byte, 512)
		switch name {
		case "gpt-backup-only":
			put(512, zero)
		case "gpt-no-pmbr":
			put(0, zero)
		case "pmbr-only":
			put(512, zero)
			put(emptySize-512, zero)
		}
	default:
		t.Fatalf("unknown fixture %s", name)
	}
}

// Tables (sfdisk -d, device line left out) and reports (--json=short,
// @NODE@ for the image's absolute path) of the runs that wrote or planned
// an image, as systemd-repart 262 made them.
const (
	// From scratch: the disk GUID derived from the seed.
	emptyTableScratch = `label: gpt
label-id: B581FEF7-24ED-4F31-990B-099EC86BBA03
unit: sectors
first-lba: 2048
last-lba: 131038
sector-size: 512

@NODE@1 : start=        2048, size=       20480, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="root-x86-64", attrs="GUID:59"
@NODE@2 : start=       22528, size=      108504, type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915, uuid=259BC0E0-FE99-455F-849D-130316E0A559, name="home", attrs="GUID:59"
`
	// The empty GPT's disk GUID kept.
	emptyTableOnEmptyGPT = `label: gpt
label-id: 11111111-2222-3333-4444-555555555555
unit: sectors
first-lba: 2048
last-lba: 131038
sector-size: 512

@NODE@1 : start=        2048, size=       20480, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="root-x86-64", attrs="GUID:59"
@NODE@2 : start=       22528, size=      108504, type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915, uuid=259BC0E0-FE99-455F-849D-130316E0A559, name="home", attrs="GUID:59"
`
	// The existing root kept, home added after it.
	emptyTableAdded = emptyTableScratch

	emptyReportScratch = `[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":0,"raw_size":10485760,"old_padding":0,"raw_padding":0,"activity":"create"},{"type":"home","label":"home","uuid":"259bc0e0-fe99-455f-849d-130316e0a559","partno":1,"file":"@DEFS@/20-home.conf","node":"@NODE@2","offset":11534336,"old_size":0,"raw_size":55554048,"old_padding":0,"raw_padding":0,"activity":"create"}]`
	emptyReportAdded   = `[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":10485760,"raw_size":10485760,"old_padding":55554048,"raw_padding":0,"activity":"unchanged"},{"type":"home","label":"home","uuid":"259bc0e0-fe99-455f-849d-130316e0a559","partno":1,"file":"@DEFS@/20-home.conf","node":"@NODE@2","offset":11534336,"old_size":0,"raw_size":55554048,"old_padding":0,"raw_padding":0,"activity":"create"}]`
)

// Notices systemd-repart 262 prints, %s the image's absolute path.
const (
	noticeNoGPT    = "Disk @NODE@ has no GPT disk label, not repartitioning."
	noticeHasLabel = "Disk @NODE@ already has a disk label, refusing."
	noticeNonGPT   = "Disk @NODE@ has non-GPT disk label, not repartitioning."
	noticeDryRun   = "Refusing to repartition, please re-run with --dry-run=no."
)

// emptyOutcome is what one run did.
type emptyOutcome struct {
	status int
	notice string // a line of stderr ("" for none checked)
	report string // --json=short output ("" for none)
	table  string // sfdisk -d of the image after the run ("" when unchanged or absent)
}

// emptyExpected is what systemd-repart 262 did (observed with
// systemd-repart-262 --offline=yes --seed=… --json=short --definitions=d2
// [--dry-run=…] --empty=MODE IMAGE, --size=64M with create, on these
// fixtures): the outcome of each mode on each starting point, with
// --dry-run= not given, yes, no. Changes made by a dry run are none:
// the default --dry-run= is yes for every mode but create, which writes
// even with --dry-run=yes.
func emptyExpected(mode, fixture, dry string) emptyOutcome {
	write := dry == "no"
	scratch := func(table string) emptyOutcome {
		if write {
			return emptyOutcome{report: emptyReportScratch, table: table}
		}
		return emptyOutcome{notice: noticeDryRun, report: emptyReportScratch}
	}
	added := func() emptyOutcome {
		if write {
			return emptyOutcome{report: emptyReportAdded, table: emptyTableAdded}
		}
		return emptyOutcome{notice: noticeDryRun, report: emptyReportAdded}
	}
	refused := func(notice string) emptyOutcome { return emptyOutcome{status: 77, notice: notice} }

	if mode == "create" {
		if fixture == "none" {
			return emptyOutcome{report: emptyReportScratch, table: emptyTableScratch}
		}
		return emptyOutcome{status: 1} // "Failed to create 'img': File exists"
	}
	if fixture == "none" {
		return emptyOutcome{status: 1} // "Failed to open file or determine backing device of img: No such file or directory"
	}
	if mode == "force" {
		return scratch(emptyTableScratch)
	}
	switch fixture {
	case "zero":
		if mode == "refuse" {
			return refused(noticeNoGPT)
		}
		return scratch(emptyTableScratch)
	case "mbr", "pmbr-only": // a protective MBR without a GPT is a DOS label to libfdisk
		switch mode {
		case "refuse":
			return refused(noticeNoGPT)
		case "require":
			return refused(noticeHasLabel)
		}
		return refused(noticeNonGPT)
	case "empty-gpt":
		if mode == "require" {
			return refused(noticeHasLabel)
		}
		return scratch(emptyTableOnEmptyGPT) // the table is kept, so is its disk GUID
	case "gpt", "gpt-backup-only": // libfdisk falls back to the backup header
		if mode == "require" {
			return refused(noticeHasLabel)
		}
		return added()
	case "gpt-no-pmbr": // no protective MBR: no label at all
		if mode == "refuse" {
			return refused(noticeNoGPT)
		}
		return scratch(emptyTableScratch)
	}
	panic("unknown fixture " + fixture)
}

// TestEmptyModes pins each --empty= mode on each kind of starting point,
// with and without --dry-run, to what systemd-repart 262 does: exit
// status (77 for a refused disk label), notice, report and resulting
// table (read back with sfdisk).
func TestEmptyModes(t *testing.T) {
	sfdisk, err := exec.LookPath("sfdisk")
	if err != nil {
		t.Fatalf("sfdisk not found (Debian package fdisk): %v", err)
	}
	dir := t.TempDir()
	d1, d2 := writeEmptyDefs(t, dir)
	for _, mode := range []string{"refuse", "allow", "require", "force", "create"} {
		for _, fixture := range emptyFixtures {
			for _, dry := range []string{"", "yes", "no"} {
				name := mode + "/" + fixture + "/dry-run=" + dry
				t.Run(name, func(t *testing.T) {
					want := emptyExpected(mode, fixture, dry)
					sub := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
					if err := os.Mkdir(sub, 0o755); err != nil {
						t.Fatal(err)
					}
					// A symlink to the image: repart names the image by its
					// resolved path and writes through the link.
					img := filepath.Join(sub, "image.raw")
					writeEmptyFixture(t, fixture, img, d1)
					before := fileDigest(t, img)
					link := filepath.Join(sub, "link.raw")
					arg := img
					if fixture != "none" {
						if err := os.Symlink("image.raw", link); err != nil {
							t.Fatal(err)
						}
						arg = link
					}
					args := []string{"gorepart", "--empty=" + mode, "--seed=" + emptySeed, "--json=short", "--definitions=" + d2}
					if dry != "" {
						args = append(args, "--dry-run="+dry)
					}
					if mode == "create" {
						args = append(args, "--size=64M")
					}
					var stdout, stderr bytes.Buffer
					rc := run(context.Background(), append(args, arg), nil, &stdout, &stderr, func(string) string { return "" })
					subst := strings.NewReplacer("@NODE@", img, "@DEFS@", d2).Replace
					if rc != want.status {
						t.Fatalf("exit status %d, want %d; stderr:\n%s", rc, want.status, stderr.String())
					}
					if want.notice != "" && !strings.Contains(stderr.String(), subst(want.notice)+"\n") {
						t.Errorf("stderr lacks %q:\n%s", subst(want.notice), stderr.String())
					}
					if got := strings.TrimSpace(stdout.String()); got != subst(want.report) {
						t.Errorf("report:\n%s\nwant:\n%s", got, subst(want.report))
					}
					if fixture != "none" {
						if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
							t.Errorf("the symlink to the image was replaced")
						}
					}
					after := fileDigest(t, img)
					if want.table == "" {
						if after != before {
							t.Errorf("image changed (%s → %s), want it untouched", before, after)
						}
						return
					}
					if got := sfdiskDump(t, sfdisk, img); got != subst(want.table) {
						t.Errorf("table:\n%s\nwant:\n%s", got, subst(want.table))
					}
				})
			}
		}
	}
}

// sfdiskDump is sfdisk -d of img without its device line.
func sfdiskDump(t *testing.T, sfdisk, img string) string {
	t.Helper()
	out, err := exec.Command(sfdisk, "-d", img).CombinedOutput()
	if err != nil {
		t.Fatalf("sfdisk -d: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(l, "device:") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// TestAllowOnExistingTable: partitions added after an existing one and an
// existing one grown into the free space after it, as systemd-repart 262
// did it on the "gpt" fixture (a fixed 10M root in 64M) with --empty=allow
// --dry-run=no. What is left when every partition is at its maximum pads
// the last one added, not the existing one.
func TestAllowOnExistingTable(t *testing.T) {
	sfdisk, err := exec.LookPath("sfdisk")
	if err != nil {
		t.Fatalf("sfdisk not found (Debian package fdisk): %v", err)
	}
	dir := t.TempDir()
	d1, _ := writeEmptyDefs(t, dir)
	const header = `label: gpt
label-id: B581FEF7-24ED-4F31-990B-099EC86BBA03
unit: sectors
first-lba: 2048
last-lba: 131038
sector-size: 512

`
	for _, tc := range []struct {
		name          string
		defs          map[string]string
		report, table string
		// bytesPerSector, when set, is that of the vfat in partition 2:
		// without --sector-size= repart formats regular files with
		// 4096-byte filesystem sectors, whatever the table's.
		bytesPerSector int
	}{
		{name: "grow",
			defs:   map[string]string{"10-root.conf": "[Partition]\nType=root\nSizeMinBytes=10M\n"},
			report: `[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":10485760,"raw_size":66039808,"old_padding":55554048,"raw_padding":0,"activity":"resize"}]`,
			table: header + `@NODE@1 : start=        2048, size=      128984, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="root-x86-64", attrs="GUID:59"
`},
		{name: "add fixed",
			defs: map[string]string{
				"10-root.conf": "[Partition]\nType=root\nSizeMinBytes=10M\nSizeMaxBytes=10M\n",
				"20-a.conf":    "[Partition]\nType=linux-generic\nSizeMinBytes=20M\nSizeMaxBytes=20M\n",
				"30-b.conf":    "[Partition]\nType=swap\nSizeMinBytes=10M\nSizeMaxBytes=10M\n",
			},
			report: `[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":10485760,"raw_size":10485760,"old_padding":55554048,"raw_padding":0,"activity":"unchanged"},{"type":"linux-generic","label":"linux-generic","uuid":"be6595b1-70b2-4c1e-a455-2693510a426f","partno":1,"file":"@DEFS@/20-a.conf","node":"@NODE@2","offset":11534336,"old_size":0,"raw_size":20971520,"old_padding":0,"raw_padding":0,"activity":"create"},{"type":"swap","label":"swap","uuid":"9f77b6a6-6333-4b04-ba32-24ec36c178ed","partno":2,"file":"@DEFS@/30-b.conf","node":"@NODE@3","offset":32505856,"old_size":0,"raw_size":10485760,"old_padding":0,"raw_padding":24096768,"activity":"create"}]`,
			table: header + `@NODE@1 : start=        2048, size=       20480, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="root-x86-64", attrs="GUID:59"
@NODE@2 : start=       22528, size=       40960, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=BE6595B1-70B2-4C1E-A455-2693510A426F, name="linux-generic"
@NODE@3 : start=       63488, size=       20480, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=9F77B6A6-6333-4B04-BA32-24EC36C178ED, name="swap"
`},
		{name: "add vfat",
			defs: map[string]string{
				"10-root.conf": "[Partition]\nType=root\nSizeMinBytes=10M\nSizeMaxBytes=10M\n",
				"20-esp.conf":  "[Partition]\nType=linux-generic\nFormat=vfat\nSizeMinBytes=40M\nSizeMaxBytes=40M\n",
			},
			report: `[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":10485760,"raw_size":10485760,"old_padding":55554048,"raw_padding":0,"activity":"unchanged"},{"type":"linux-generic","label":"linux-generic","uuid":"be6595b1-70b2-4c1e-a455-2693510a426f","partno":1,"file":"@DEFS@/20-esp.conf","node":"@NODE@2","offset":11534336,"old_size":0,"raw_size":41943040,"old_padding":0,"raw_padding":13611008,"activity":"create"}]`,
			table: header + `@NODE@1 : start=        2048, size=       20480, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=57BD1AD1-C688-450A-BA37-D1792EC72FBB, name="root-x86-64", attrs="GUID:59"
@NODE@2 : start=       22528, size=       81920, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=BE6595B1-70B2-4C1E-A455-2693510A426F, name="linux-generic"
`,
			bytesPerSector: 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			defs := filepath.Join(sub, "defs")
			if err := os.MkdirAll(defs, 0o755); err != nil {
				t.Fatal(err)
			}
			for n, text := range tc.defs {
				if err := os.WriteFile(filepath.Join(defs, n), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			img := filepath.Join(sub, "image.raw")
			writeEmptyFixture(t, "gpt", img, d1)
			args := []string{"gorepart", "--empty=allow", "--dry-run=no", "--seed=" + emptySeed, "--json=short", "--definitions=" + defs, img}
			var stdout, stderr bytes.Buffer
			if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
				t.Fatalf("exit status %d\n%s", rc, stderr.String())
			}
			subst := strings.NewReplacer("@NODE@", img, "@DEFS@", defs).Replace
			if got := strings.TrimSpace(stdout.String()); got != subst(tc.report) {
				t.Errorf("report:\n%s\nwant:\n%s", got, subst(tc.report))
			}
			if got := sfdiskDump(t, sfdisk, img); got != subst(tc.table) {
				t.Errorf("table:\n%s\nwant:\n%s", got, subst(tc.table))
			}
			if tc.bytesPerSector != 0 {
				f, err := os.Open(img)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				b := make([]byte, 2)
				if _, err := f.ReadAt(b, 11534336+11); err != nil {
					t.Fatal(err)
				}
				if got := int(b[0]) | int(b[1])<<8; got != tc.bytesPerSector {
					t.Errorf("vfat bytes per sector %d, want %d", got, tc.bytesPerSector)
				}
			}
		})
	}
}

// fileDigest is a short hash of a file's size and of its first and last
// MiB (the partition tables; the partitions have no content), "absent"
// when missing.
func fileDigest(t *testing.T, path string) string {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", st.Size())
	buf := make([]byte, 1<<20)
	for _, off := range []int64{0, max(st.Size()-int64(len(buf)), 0)} {
		n, _ := f.ReadAt(buf, off)
		h.Write(buf[:n])
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

// TestRelativePaths: as systemd-repart 262 reports them when run with
// relative arguments, the definition files are absolute, and so are the
// partition nodes of an existing image (the resolved image path), but not
// those of an image --empty=create makes (the path as given).
func TestRelativePaths(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeEmptyDefs(t, dir)
	t.Chdir(dir)
	gorepart := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args = append([]string{"gorepart", "--seed=" + emptySeed, "--json=short", "--definitions=d2"}, args...)
		if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
			t.Fatalf("%v: exit status %d\n%s", args, rc, stderr.String())
		}
		return stdout.String()
	}
	created := gorepart("--empty=create", "--size=64M", "image.raw")
	for _, want := range []string{`"file":"` + filepath.Join(dir, "d2", "10-root.conf") + `"`, `"node":"image.raw1"`} {
		if !strings.Contains(created, want) {
			t.Errorf("--empty=create report lacks %s:\n%s", want, created)
		}
	}
	again := gorepart("--empty=allow", "image.raw")
	if want := `"node":"` + filepath.Join(dir, "image.raw1") + `"`; !strings.Contains(again, want) {
		t.Errorf("--empty=allow report lacks %s:\n%s", want, again)
	}
}

// TestAllowNoChanges: when the existing table already is what the
// definitions ask for, systemd-repart 262 says "No changes." and leaves
// the image alone (same file, not rewritten), even with --dry-run=no.
func TestAllowNoChanges(t *testing.T) {
	dir := t.TempDir()
	d1, _ := writeEmptyDefs(t, dir)
	img := filepath.Join(dir, "image.raw")
	writeEmptyFixture(t, "gpt", img, d1)
	before, err := os.Stat(img)
	if err != nil {
		t.Fatal(err)
	}
	digest := fileDigest(t, img)
	args := []string{"gorepart", "--empty=allow", "--dry-run=no", "--seed=" + emptySeed, "--json=short", "--definitions=" + d1, img}
	var stdout, stderr bytes.Buffer
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit status %d\n%s", rc, stderr.String())
	}
	if !strings.Contains(stderr.String(), "No changes.\n") {
		t.Errorf("stderr lacks \"No changes.\":\n%s", stderr.String())
	}
	want := strings.NewReplacer("@NODE@", img, "@DEFS@", d1).Replace(`[{"type":"root-x86-64","label":"root-x86-64","uuid":"57bd1ad1-c688-450a-ba37-d1792ec72fbb","partno":0,"file":"@DEFS@/10-root.conf","node":"@NODE@1","offset":1048576,"old_size":10485760,"raw_size":10485760,"old_padding":55554048,"raw_padding":55554048,"activity":"unchanged"}]`)
	if got := strings.TrimSpace(stdout.String()); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	after, err := os.Stat(img)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || fileDigest(t, img) != digest {
		t.Errorf("image rewritten")
	}
}
