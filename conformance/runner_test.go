package conformance

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
)

// testCase is one upstream testcase_* function.
type testCase struct {
	name string // upstream's function name; testdata/<name>/ holds its data
	// skip, when set, is why the case cannot run on an image file; the
	// test prints it and runs nothing.
	skip string
	// notPorted names the parts of the upstream case that are not ported
	// and why; the test prints it.
	notPorted string
	// tools are the programs the checks run (sfdisk is always needed).
	tools []string
	// referenceTools are the mkfs tools the reference runs for the case.
	referenceTools []string
	// referenceGate, when set, returns why the reference cannot run the case
	// on this host: upstream's own guard (a too old btrfs-progs) or a probe
	// of a host tool the reference needs; it is not consulted for gorepart,
	// which runs no mkfs tool.
	referenceGate func() string
	steps         []step
}

// impl is a systemd-repart binary under test.
type impl struct {
	name string // "gorepart" or "reference"
	bin  string // path of a file named systemd-repart
}

const caseTimeout = 5 * time.Minute

// TestTEST58 runs every case of TEST-58-REPART against gorepart and, when
// GOREPART_REFERENCE_REPART is set, against the real systemd-repart.
func TestTEST58(t *testing.T) {
	table := cases()
	gaps := readKnownGaps(t, table)
	arch := archVars(t)
	gorepart := buildGorepart(t)
	reference := ""
	if p := os.Getenv("GOREPART_REFERENCE_REPART"); p != "" {
		reference = linkAsRepart(t, p)
	}
	for _, c := range table {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != "" {
				t.Skip("not portable to an image file: " + c.skip)
			}
			t.Parallel()
			if c.notPorted != "" {
				t.Log("not ported: " + c.notPorted)
			}
			t.Run("gorepart", func(t *testing.T) {
				t.Parallel()
				runCase(t, c, impl{"gorepart", gorepart}, arch, gaps)
			})
			t.Run("reference", func(t *testing.T) {
				if reference == "" {
					t.Skip("GOREPART_REFERENCE_REPART is not set")
				}
				if c.referenceGate != nil {
					if why := c.referenceGate(); why != "" {
						t.Skip("reference cannot run this case on this host: " + why)
					}
				}
				needTools(t, c.referenceTools)
				t.Parallel()
				runCase(t, c, impl{"reference", reference}, arch, nil)
			})
		})
	}
}

// runCase runs the steps of c against im. gaps is consulted for gorepart
// only: a known gap must fail, and its failure is logged, not reported.
func runCase(t *testing.T, c testCase, im impl, arch map[string]string, gaps map[string]string) {
	needTools(t, append([]string{"sfdisk"}, c.tools...))
	e := newEnv(t, c.name, im, arch)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	e.ctx = ctx
	e.keepGoing = os.Getenv("GOREPART_CONFORMANCE_KEEP_GOING") == "1"
	err := e.runSteps(c.steps)
	if err != nil {
		err = fmt.Errorf("%w\n--- transcript (tail) ---\n%s", err, tail(e.transcript.String(), 80))
	}
	reason, known := gaps[c.name]
	switch {
	case known && err == nil:
		t.Errorf("%s passes against gorepart now: remove its line from testdata/KNOWN_GAPS", c.name)
	case known:
		t.Logf("known gap (%s); it fails with:\n%v", reason, err)
	case err != nil:
		t.Error(err)
	}
}

// readKnownGaps reads testdata/KNOWN_GAPS: "testcase_name: reason" lines.
// Every name must be a runnable case of the table.
func readKnownGaps(t *testing.T, table []testCase) map[string]string {
	t.Helper()
	runnable := map[string]bool{}
	for _, c := range table {
		runnable[c.name] = c.skip == ""
	}
	f, err := os.Open(filepath.Join("testdata", "KNOWN_GAPS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gaps := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ":")
		name, reason = strings.TrimSpace(name), strings.TrimSpace(reason)
		switch {
		case !ok || reason == "":
			t.Fatalf("KNOWN_GAPS:%d: want \"testcase_name: reason\", got %q", n, line)
		case !runnable[name]:
			t.Fatalf("KNOWN_GAPS:%d: %s is not a runnable case of the table", n, name)
		}
		gaps[name] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return gaps
}

// archVars are upstream's per-architecture variables (root_guid, root_uuid,
// root_uuid2, usr_guid, usr_uuid, architecture) for this machine, from
// testdata/ARCH, keyed as upstream by `uname -m`.
func archVars(t *testing.T) map[string]string {
	t.Helper()
	machine := map[string]string{
		"amd64": "x86_64", "386": "i686", "arm64": "aarch64", "arm": "arm",
		"loong64": "loongarch64", "s390x": "s390x", "ppc64le": "ppc64le", "ia64": "ia64",
	}[runtime.GOARCH]
	data, err := os.ReadFile(filepath.Join("testdata", "ARCH"))
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if header == nil {
			header = fields
			continue
		}
		if fields[0] != machine {
			continue
		}
		vars := map[string]string{}
		for i, h := range header[1:] {
			vars[h] = fields[i+1]
		}
		return vars
	}
	t.Fatalf("testdata/ARCH has no line for %s (GOARCH %s), as upstream", machine, runtime.GOARCH)
	return nil
}

// buildGorepart builds cmd/gorepart as a file named systemd-repart.
func buildGorepart(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "systemd-repart")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/gorepart/gorepart/cmd/gorepart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	return bin
}

// linkAsRepart makes the reference binary callable as systemd-repart.
func linkAsRepart(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("GOREPART_REFERENCE_REPART: %v", err)
	}
	link := filepath.Join(t.TempDir(), "systemd-repart")
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// toolPackage is the Debian package of a tool the checks run.
func toolPackage(tool string) string {
	switch tool {
	case "sfdisk":
		return "fdisk"
	case "e2fsck", "debugfs", "lsattr", "chattr", "mkfs.ext4":
		return "e2fsprogs"
	case "fsck.vfat", "mkfs.vfat":
		return "dosfstools"
	case "mcopy", "mmd":
		return "mtools"
	case "fsck.erofs", "dump.erofs", "mkfs.erofs":
		return "erofs-utils"
	case "unsquashfs", "mksquashfs":
		return "squashfs-tools"
	case "btrfs", "mkfs.btrfs":
		return "btrfs-progs"
	case "cryptsetup", "veritysetup":
		return "cryptsetup-bin"
	case "mdir":
		return "mtools"
	default:
		return tool
	}
}

// needTools fails (in CI) or skips (elsewhere) when a tool is missing.
func needTools(t *testing.T, tools []string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err == nil {
			continue
		}
		testutil.Missing(t, tool, toolPackage(tool))
	}
}
