package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/gpt"
	"github.com/gorepart/gorepart/internal/testutil"
)

// runRepart runs the command as systemd-repart with env as the whole
// environment and returns the exit status, stdout and stderr.
func runRepart(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	rc := run(context.Background(), append([]string{"systemd-repart"}, args...), nil, &stdout, &stderr,
		func(k string) string { return env[k] })
	return rc, stdout.String(), stderr.String()
}

// TestSourceDateEpoch: SOURCE_DATE_EPOCH as safe_atou64() takes it;
// what it does not take, or what overflows in microseconds, is ignored.
func TestSourceDateEpoch(t *testing.T) {
	for v, want := range map[string]int64{
		"1700000000": 1700000000, "0x6553F100": 1700000000, "0X6553f100": 1700000000, " 12": 12, "+5": 5,
		"017": 15, "0o17": 15, "0b101": 5, "0": 0, "-0": 0, "18446744073709": 18446744073709,
		"99999999999999999999": -1, "18446744073710": -1, "-1": -1, "08": -1, "1e3": -1, "0x": -1, "12 ": -1,
		"1_000": -1, "": -1, "abc": -1,
	} {
		got, ok := sourceDateEpoch(func(string) string { return v })
		switch {
		case want < 0 && ok:
			t.Errorf("SOURCE_DATE_EPOCH=%q taken as %v, want it ignored", v, got)
		case want >= 0 && (!ok || !got.Equal(time.Unix(want, 0))):
			t.Errorf("SOURCE_DATE_EPOCH=%q: %v %v, want %d", v, got, ok, want)
		}
	}
}

// TestReportStyle: debug logging from SYSTEMD_LOG_LEVEL, ASCII arrows
// outside a UTF-8 locale.
func TestReportStyle(t *testing.T) {
	for v, want := range map[string]bool{"debug": true, "7": true, "info": false, "console:debug": false,
		"info,debug": true, "debug,bogus": true, "bogus,debug": false, "": false} {
		if got := debugLogging(v); got != want {
			t.Errorf("SYSTEMD_LOG_LEVEL=%q: debug %v, want %v", v, got, want)
		}
	}
	for _, tc := range []struct {
		env  map[string]string
		utf8 bool
	}{
		{map[string]string{}, true},
		{map[string]string{"SYSTEMD_UTF8": "0", "LANG": "C.UTF-8"}, false},
		{map[string]string{"SYSTEMD_UTF8": "1", "LANG": "C"}, true},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LC_CTYPE": "de_DE.utf8"}, true},
	} {
		if got := localeUTF8(func(k string) string { return tc.env[k] }); got != tc.utf8 {
			t.Errorf("%v: UTF-8 %v, want %v", tc.env, got, tc.utf8)
		}
	}
}

func TestCheckImagePolicy(t *testing.T) {
	for p, ok := range map[string]bool{"*": true, "-": true, "~": true, "root=verity+signed:usr=encrypted": true,
		"=unused+absent:root=ext4+read-only-on": true, "root": false, "bogus=open": false, "root=bogus": false,
		"root=open:root=ignore": false} {
		if err := checkImagePolicy(p); (err == nil) != ok {
			t.Errorf("--image-policy=%s: %v", p, err)
		}
	}
}

// TestRefusedFlags: what needs block devices, a TPM or OpenSSL engines
// is refused with the reason; what works offline is taken.
func TestRefusedFlags(t *testing.T) {
	defs := t.TempDir()
	img := filepath.Join(t.TempDir(), "a.raw")
	for _, tc := range []struct {
		flag, msg string
	}{
		{"--list-devices", "block devices"},
		{"--tpm2-pcrs=7", "TPM2"},
		{"--tpm2-device-key=/k.pem", "TPM2"},
		{"--offline=no", "loop devices"},
		{"--private-key-source=engine:pkcs11", "engines"},
		{"--private-key-source=bogus", "expected file"},
		{"--certificate-source=provider:tpm2", "providers"},
		{"--image-policy=root=bogus", "unknown partition policy flag"},
		{"--cow=maybe", "boolean or auto"},
		{"--discard=maybe", "not a boolean"},
		{"--append-fstab=auto", "--generate-fstab="},
		{"--factory-reset=yes", "--empty=create"},
	} {
		rc, _, stderr := runRepart(t, nil, "--definitions="+defs, "--empty=create", "--size=1M", tc.flag, img)
		if rc != 1 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%s: exit %d, %q, want 1 and %q", tc.flag, rc, stderr, tc.msg)
		}
	}
	for _, flag := range []string{"--offline=yes", "--offline=auto", "--image-policy=root=verity", "--private-key-source=file",
		"--certificate-source=file", "--discard=no", "--cow=auto", "--pretty=yes"} {
		os.Remove(img)
		if rc, _, stderr := runRepart(t, nil, "--definitions="+defs, "--empty=create", "--size=1M", flag, img); rc != 0 {
			t.Errorf("%s: exit %d: %s", flag, rc, stderr)
		}
	}
}

// TestNoDefinitions is testcase_basic's start and testcase_issue_21817:
// without definitions --empty=create makes an empty GPT of --size=, and
// an existing table is left as it is.
func TestNoDefinitions(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "defs")
	os.Mkdir(defs, 0o755)
	img := filepath.Join(dir, "zzz")
	rc, stdout, stderr := runRepart(t, nil, "--definitions="+defs, "--empty=create", "--size=1G", "--seed=750b6cd5c4ae4012a15e7be3c29e6a47",
		"--json=pretty", img)
	if rc != 0 || stdout != "[]\n" {
		t.Fatalf("exit %d, report %q: %s", rc, stdout, stderr)
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := gpt.ReadTable(f, 512)
	f.Close()
	if err != nil || len(tab.Entries) != 0 || tab.TotalSectors != 1<<21 {
		t.Fatalf("table %+v, %v: want an empty GPT of 1G", tab, err)
	}
	// A table with a partition stays as it is, also with --definitions "".
	os.WriteFile(filepath.Join(defs, "root.conf"), []byte("[Partition]\nType=root\nSizeMaxBytes=10M\n"), 0o644)
	if rc, _, stderr := runRepart(t, nil, "--definitions="+defs, "--dry-run=no", img); rc != 0 {
		t.Fatal(stderr)
	}
	before, _ := os.ReadFile(img)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	for _, args := range [][]string{{"--definitions=" + empty}, {"--definitions", ""}} {
		rc, stdout, stderr := runRepart(t, nil, append(args, "--pretty=yes", "--dry-run=no", "--seed=750b6cd5c4ae4012a15e7be3c29e6a47", img)...)
		if rc != 0 || !strings.Contains(stderr, "No changes.") {
			t.Errorf("%q: exit %d: %s", args, rc, stderr)
		}
		if after, _ := os.ReadFile(img); !bytes.Equal(before, after) {
			t.Errorf("%q: the image changed", args)
		}
		if !strings.Contains(stdout, "root") {
			t.Errorf("%q: the existing partition is not in the table:\n%s", args, stdout)
		}
	}
}

// TestShortOptionsAndPretty: -n is a dry run, --pretty=no prints no
// table, debug logging adds the size columns.
func TestShortOptionsAndPretty(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "defs")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "root.conf"), []byte("[Partition]\nType=root\n"), 0o644)
	img := filepath.Join(dir, "a.raw")
	os.WriteFile(img, nil, 0o644)
	os.Truncate(img, 64<<20)
	rc, stdout, stderr := runRepart(t, nil, "--definitions="+defs, "--empty=force", "--dry-run=no", "-n", img)
	if rc != 0 || !strings.Contains(stderr, "Refusing to repartition") || !strings.Contains(stdout, "root") {
		t.Errorf("-n: exit %d\n%s\n%s", rc, stdout, stderr)
	}
	if data, _ := os.ReadFile(img); !bytes.Equal(data, make([]byte, 64<<20)) {
		t.Error("-n wrote the image")
	}
	if rc, stdout, _ := runRepart(t, nil, "--definitions="+defs, "--empty=force", "--pretty=no", img); rc != 0 || stdout != "" {
		t.Errorf("--pretty=no: exit %d, printed %q", rc, stdout)
	}
	env := map[string]string{"SYSTEMD_LOG_LEVEL": "debug", "SYSTEMD_UTF8": "0"}
	if rc, stdout, _ := runRepart(t, env, "--definitions="+defs, "--empty=force", "--json=short", img); rc != 0 ||
		!strings.Contains(stdout, `"size":"-> 62.9M"`) || !strings.Contains(stdout, `"padding":"-> 0B"`) {
		t.Errorf("debug JSON: exit %d, %s", rc, stdout)
	}
}

// TestMakeDDI: -S builds a sysext of the --copy-source= tree with the
// definitions systemd ships (verity data, hash and signature), and is
// refused with --definitions=, another --empty= or no tree.
func TestMakeDDI(t *testing.T) {
	openssl := testutil.Tool(t, "openssl", "openssl")
	dir := t.TempDir()
	t.Chdir(dir)
	if out, err := exec.Command(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
		"-out", "cert.pem", "-subj", "/CN=gorepart test", "-days", "2").CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	os.MkdirAll("tree/usr/lib/extension-release.d", 0o755)
	os.WriteFile("tree/usr/lib/extension-release.d/extension-release.x", []byte("ID=_any\n"), 0o644)
	os.WriteFile("tree/usr/hello", []byte("hello\n"), 0o644)
	os.MkdirAll("empty", 0o755)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-S", "x.raw"}, "--copy-source="},
		{[]string{"-S", "--copy-source=empty", "x.raw"}, "is empty"},
		{[]string{"-S", "--copy-source=tree", "--definitions=.", "x.raw"}, "--definitions="},
		{[]string{"-S", "--copy-source=tree", "--empty=force", "x.raw"}, "--empty=force"},
		{[]string{"--make-ddi=nosuch", "--copy-source=tree", "x.raw"}, "not defined"},
	} {
		if rc, _, stderr := runRepart(t, nil, tc.args...); rc != 1 || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, %q, want %q", tc.args, rc, stderr, tc.msg)
		}
	}
	rc, stdout, stderr := runRepart(t, nil, "-S", "--copy-source=tree", "--private-key=key.pem", "--certificate=cert.pem",
		"--json=short", "sysext.raw")
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, stderr)
	}
	if !strings.Contains(stdout, "/usr/lib/systemd/repart/definitions/sysext.repart.d/10-root.conf") &&
		!strings.Contains(stdout, "/sysext.repart.d/10-root.conf") {
		t.Errorf("report does not name the sysext definitions: %s", stdout)
	}
	f, err := os.Open("sysext.raw")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := gpt.ReadTable(f, 512)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Entries) != 3 {
		t.Fatalf("%d partitions, want root, root-verity, root-verity-sig", len(tab.Entries))
	}
	sb := make([]byte, 4)
	f.ReadAt(sb, int64(tab.Entries[0].FirstLBA)*512+1024)
	if !bytes.Equal(sb, []byte{0xe2, 0xe1, 0xf5, 0xe0}) {
		t.Errorf("partition 1 is not erofs (magic %x)", sb)
	}
}

// TestFstabInImage is testcase_fstab_crypttab_in_repart without the
// encryption: --generate-fstab= is written under --root= before
// CopyFiles= reads the tree, so the partition holds it.
func TestFstabInImage(t *testing.T) {
	mtype := testutil.Tool(t, "mtype", "mtools")
	dir := t.TempDir()
	root, defs := filepath.Join(dir, "root"), filepath.Join(dir, "defs")
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "esp.conf"), []byte("[Partition]\nType=esp\nFormat=vfat\nCopyFiles=/etc\nMountPoint=/efi\n"), 0o644)
	img := filepath.Join(dir, "a.raw")
	rc, stdout, stderr := runRepart(t, nil, "--definitions="+defs, "--empty=create", "--size=auto", "--root="+root,
		"--seed=750b6cd5c4ae4012a15e7be3c29e6a47", "--generate-fstab=/etc/fstab", "--json=short", img)
	if rc != 0 {
		t.Fatalf("exit %d: %s", rc, stderr)
	}
	host, err := os.ReadFile(filepath.Join(root, "etc/fstab"))
	if err != nil || !strings.Contains(string(host), " /efi vfat fmask=0177,dmask=0077,rw,nodev,nosuid,noexec,nosymfollow 0 2\n") {
		t.Fatalf("fstab under --root: %q, %v", host, err)
	}
	off := strings.SplitN(strings.SplitN(stdout, `"offset":`, 2)[1], ",", 2)[0]
	out, err := exec.Command(mtype, "-i", img+"@@"+off, "::/etc/fstab").Output()
	if err != nil || !bytes.Equal(bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n")), host) {
		t.Errorf("fstab in the partition: %q, %v; want %q", out, err, host)
	}
}
