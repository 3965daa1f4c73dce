package definitions

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// differentialCases are .conf files given to both the real systemd-repart
// and Load. Only syntax that systemd-repart 252 (Debian 12) already had is
// used, so the test runs against any newer release too.
//
// strict marks lines systemd-repart only logs and skips while Load refuses
// them (see doc.go): the test then checks that repart did complain about
// the same line.
var differentialCases = []struct {
	name, conf string
	strict     bool
	extra      map[string]string // more files in the definitions directory
}{
	{"plain", "[Partition]\nType=linux-generic\n", false, nil},
	{"drop-ins", "[Partition]\nType=linux-generic\nLabel=main\n", false, map[string]string{
		"a.conf.d/20-b.conf": "[Partition]\nLabel=second\nBogus=1\n",
		"a.conf.d/10-a.conf": "[Partition]\nLabel=first\nWeight=2000000\n",
		"a.conf.d/30-m.conf": "->/dev/null",
		"a.conf.d/x.txt":     "[Partition]\nLabel=ignored\n",
		"b.conf":             "->/dev/null",
		"c.conf":             "",
	}},
	{"unknown key and X-", "[Partition]\nType=linux-generic\nBogus=1\nX-Mine=2\n", false, nil},
	{"weight range", "[Partition]\nType=linux-generic\nWeight=2000000\nPaddingWeight=1000001\n", false, nil},
	{"label bytes", "[Partition]\nType=linux-generic\nLabel=ünïcødé-label-with-36-utf16-units-x\n", false, nil},
	{"label 36", "[Partition]\nType=linux-generic\nLabel=abcdefghijklmnopqrstuvwxyz0123456789\n", false, nil},
	{"label 37", "[Partition]\nType=linux-generic\nLabel=abcdefghijklmnopqrstuvwxyz0123456789x\n", false, nil},
	{"label unknown specifier", "[Partition]\nType=linux-generic\nLabel=a%Zb\n", false, nil},
	{"label percent", "[Partition]\nType=linux-generic\nLabel=100%%\n", false, nil},
	{"label empty", "[Partition]\nType=linux-generic\nLabel=\n", false, nil},
	{"rounding", "[Partition]\nType=linux-generic\nSizeMinBytes=5000\nSizeMaxBytes=1000001\nPaddingMinBytes=1.5K\nPaddingMaxBytes=3\n", false, nil},
	{"sizes", "[Partition]\nType=linux-generic\nSizeMinBytes=1.5M 512K\nSizeMaxBytes=0.5M\nPriority=0x10\n", false, nil},
	{"size 1.5M", "[Partition]\nType=linux-generic\nSizeMinBytes=1.5M\nSizeMaxBytes=1.5M\n", false, nil},
	{"size sum", "[Partition]\nType=linux-generic\nSizeMinBytes=1M 512K\nSizeMaxBytes= 1 M 512 K \n", false, nil},
	{"size repeated suffix", "[Partition]\nType=linux-generic\nSizeMinBytes=1M 0.5M\n", false, nil},
	{"size two plain numbers", "[Partition]\nType=linux-generic\nSizeMinBytes=4096 4096\n", false, nil},
	{"size bytes suffix", "[Partition]\nType=linux-generic\nSizeMinBytes=2097152B\nSizeMaxBytes=+2048K\n", false, nil},
	{"size fraction digits", "[Partition]\nType=linux-generic\nSizeMinBytes=1.25M\nSizeMaxBytes=1.250M\n", false, nil},
	{"size lowercase", "[Partition]\nType=linux-generic\nSizeMinBytes=1m\n", false, nil},
	{"size KB", "[Partition]\nType=linux-generic\nSizeMinBytes=1KB\n", false, nil},
	{"label specifiers", "[Partition]\nType=linux-generic\nLabel=%o-%w-%a-%%\n", false, nil},
	{"label quotes kept", "[Partition]\nType=linux-generic\nLabel=\"a b\" 'c'\n", false, nil},
	{"label trailing percent", "[Partition]\nType=linux-generic\nLabel=50%\n", false, nil},
	{"unknown type uuid", "[Partition]\nType=11111111-2222-3333-4444-555555555555\n", false, nil},
	{"flags", "[Partition]\nType=linux-generic\nFlags=0x1000000000000000\n", false, nil},
	{"uuid", "[Partition]\nType=linux-generic\nUUID=6a4a3a8e-3c21-4a3c-8d1e-0f4b1b5e7a11\n", false, nil},
	{"booleans", "[Partition]\nType=root-x86-64\nReadOnly=on\nNoAuto=0\nGrowFileSystem=FALSE\nFactoryReset=y\n", false, nil},
	{"tristate reset", "[Partition]\nType=root-x86-64\nReadOnly=yes\nReadOnly=\n", false, nil},
	{"format empty string", "[Partition]\nType=linux-generic\nFormat=\n", true, nil},
	{"format invalid", "[Partition]\nType=linux-generic\nFormat=a/b\n", true, nil},
	{"bad uuid", "[Partition]\nType=linux-generic\nUUID=xyz\n", true, nil},
	{"bad flags", "[Partition]\nType=linux-generic\nFlags=0xZ\n", true, nil},
	{"bad weight", "[Partition]\nType=linux-generic\nWeight=heavy\n", true, nil},
	{"bad boolean", "[Partition]\nType=root-x86-64\nReadOnly=perhaps\n", true, nil},
	{"relative copy files", "[Partition]\nType=linux-generic\nCopyFiles=etc:/etc\n", true, nil},
	{"bad section header", "[Partition\nType=linux-generic\n", false, nil},
	{"crlf", "[Partition]\r\nType=linux-generic\r\nLabel=x\r\n", false, nil},
	{"bom", "\xef\xbb\xbf[Partition]\nType=linux-generic\n", false, nil},
	{"bom comment", "\xef\xbb\xbf# c\n[Partition]\nType=linux-generic\n\xef\xbb\xbfLabel=x\n", false, nil},
	{"bom second line", "\n\xef\xbb\xbf[Partition]\nType=linux-generic\n", false, nil},
	{"invalid utf-8", "[Partition]\nType=linux-generic\nLabel=\xff\n", false, nil},
	{"empty line ends continuation", "[Partition]\nType=linux-generic\nLabel=a\\\n\nb\n", false, nil},
	{"escaped backslash", "[Partition]\nType=linux-generic\nLabel=a\\\\\nBogus=1\n", false, nil},
	{"verity without sibling", "[Partition]\nType=root-x86-64\nVerity=data\nVerityMatchKey=r\n", false, nil},
	{"verity two data", "[Partition]\nType=root-x86-64\nVerity=data\nVerityMatchKey=r\n", false, map[string]string{
		"b.conf": "[Partition]\nType=root-x86-64\nVerity=data\nVerityMatchKey=r\n",
		"c.conf": "[Partition]\nType=root-x86-64-verity\nVerity=hash\nVerityMatchKey=r\n"}},
	{"verity key without verity", "[Partition]\nType=root-x86-64\nVerityMatchKey=r\n", false, nil},
	{"verity without key", "[Partition]\nType=root-x86-64\nVerity=data\n", false, nil},
	// CopyBlocks= of a character device: 252 refuses it, 262 (the release
	// gorepart matches) fills the partition from it (TEST-58's
	// testcase_urandom, in conformance/).
	{"size min > max", "[Partition]\nType=linux-generic\nSizeMinBytes=2G\nSizeMaxBytes=1G\n", false, nil},
	{"padding min > max", "[Partition]\nType=linux-generic\nPaddingMinBytes=2G\nPaddingMaxBytes=1G\n", false, nil},
	{"bad size", "[Partition]\nType=linux-generic\nSizeMinBytes=10Q\n", false, nil},
	{"negative size", "[Partition]\nType=linux-generic\nSizeMinBytes=-1M\n", false, nil},
	{"missing type", "[Partition]\nLabel=x\n", false, nil},
	{"bad type", "[Partition]\nType=nope\n", false, nil},
	{"type uuid", "[Partition]\nType=4f68bce3-e8cd-4db1-96e7-fbcaf984b709\n", false, nil},
	{"type uuid no dashes", "[Partition]\nType=933AC7E12EB44F13B8440E14E2AEF915\n", false, nil},
	{"comments and continuation", "# c\n; c\n[Partition]\n  # indented comment\nType=linux-\\\n# inside\ngeneric\n", false, nil},
	{"other section", "[Other]\nType=swap\n[Partition]\nType=linux-generic\n", false, nil},
	{"outside section", "Type=swap\n[Partition]\nType=linux-generic\n", false, nil},
	{"missing equals", "[Partition]\nType=linux-generic\nNoEquals\n", false, nil},
	{"repeated key", "[Partition]\nType=swap\nType=linux-generic\nLabel=a\nLabel=b\n", false, nil},
	{"whitespace", "[Partition]\n  Type =  linux-generic  \n Label = a b \n", false, nil},
	{"copy blocks with format", "[Partition]\nType=linux-generic\nCopyBlocks=/dev/null\nFormat=ext4\n", false, nil},
	{"swap copy files", "[Partition]\nType=swap\nFormat=swap\nCopyFiles=/etc\n", false, nil},
	{"priority", "[Partition]\nType=linux-generic\nPriority=-5\n", false, nil},
	{"two types", "[Partition]\nType=esp\nLabel=e\n", false, nil},
}

// TestDifferentialSystemdRepart compares messages and refusals with the
// real systemd-repart in dry-run mode.
func TestDifferentialSystemdRepart(t *testing.T) {
	bin, err := exec.LookPath("systemd-repart")
	if err != nil {
		t.Fatalf("systemd-repart not found (install Debian package systemd, which ships it in Debian 12): %v", err)
	}
	for _, c := range differentialCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			defs := filepath.Join(dir, "defs")
			files := map[string]string{"a.conf": c.conf}
			for k, v := range c.extra {
				files[k] = v
			}
			writeTree(t, defs, files)
			img := filepath.Join(dir, "img")
			if err := os.WriteFile(img, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(img, 64<<20); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "--definitions="+defs, "--dry-run=yes", "--empty=force", "--json=short", "--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", img)
			cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=info", "SYSTEMD_COLORS=0", "LC_ALL=C.UTF-8")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			var theirs []string
			for _, l := range strings.Split(stderr.String(), "\n") {
				if strings.HasPrefix(l, defs+"/a.conf") && !strings.Contains(l, "Failed to parse") {
					theirs = append(theirs, l)
				}
			}
			var sp Specifiers
			if osr, err := os.ReadFile("/etc/os-release"); err == nil {
				sp.ApplyOSRelease(osr)
			}
			got, warns, err := Load(Options{Dirs: []string{defs}, Specifiers: sp})
			var ours []string
			for _, w := range warns {
				ours = append(ours, w.String())
			}
			sort.Strings(theirs)
			sort.Strings(ours)
			refused := runErr != nil && !strings.Contains(stderr.String(), "Refusing to repartition")
			if c.strict {
				var line int
				if e, ok := err.(*Error); ok {
					line = e.Pos.Line
				}
				if err == nil || refused || line == 0 || !strings.Contains(stderr.String(), defs+"/a.conf:"+itoa(line)+": ") {
					t.Fatalf("want: systemd-repart complains about the line and goes on, Load refuses it; got repart refused=%v, Load %v\nstderr:\n%s",
						refused, err, stderr.String())
				}
				return
			}
			if refused != (err != nil) {
				t.Fatalf("systemd-repart refused=%v (%v), Load error %v\nstderr:\n%s", refused, runErr, err, stderr.String())
			}
			if err != nil {
				t.Logf("both refuse: ours %q", err)
				return
			}
			if strings.Join(theirs, "\n") != strings.Join(ours, "\n") {
				t.Errorf("messages differ\nsystemd-repart: %q\ngorepart:       %q", theirs, ours)
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(stdout.String()), &rows); err != nil || len(rows) != 1 {
				t.Fatalf("systemd-repart JSON %q: %v", stdout.String(), err)
			}
			d := got[0]
			if d.SizeMin != nil && d.SizeMax != nil && *d.SizeMin == *d.SizeMax {
				if rs, _ := rows[0]["raw_size"].(float64); uint64(rs) != *d.SizeMin {
					t.Errorf("size %d, systemd-repart raw_size %v", *d.SizeMin, rows[0]["raw_size"])
				}
			}
			if d.Type.String() != rows[0]["type"] {
				t.Errorf("type %s, systemd-repart %v", d.Type, rows[0]["type"])
			}
			if d.Label != nil && *d.Label != rows[0]["label"] && !(*d.Label == "" && rows[0]["label"] == "-") {
				t.Errorf("label %q, systemd-repart %v", *d.Label, rows[0]["label"])
			}
		})
	}
}

// TestDifferentialDirectories compares shadowing, masking and drop-in
// merging across several --definitions= directories with systemd-repart.
func TestDifferentialDirectories(t *testing.T) {
	bin, err := exec.LookPath("systemd-repart")
	if err != nil {
		t.Fatalf("systemd-repart not found (install Debian package systemd, which ships it in Debian 12): %v", err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeTree(t, a, map[string]string{
		"10-x.conf":                "[Partition]\nType=linux-generic\nLabel=from-a\nSizeMaxBytes=4M\n",
		"10-x.conf.d/20-l.conf":    "[Partition]\nLabel=dropin-a-20\n",
		"20-y.conf":                "->/dev/null",
		"30-z.conf":                "",
		"40-w.conf.d/10-size.conf": "[Partition]\nSizeMaxBytes=16M\n",
		"50-v.conf":                "->10-x.conf",
	})
	writeTree(t, b, map[string]string{
		"10-x.conf":             "[Partition]\nType=swap\n",
		"10-x.conf.d/10-l.conf": "[Partition]\nLabel=dropin-b-10\nWeight=1\n",
		"10-x.conf.d/20-l.conf": "[Partition]\nLabel=shadowed\n",
		"10-x.conf.d/30-l.conf": "[Partition]\nLabel=dropin-b-30\n",
		"20-y.conf":             "[Partition]\nType=home\n",
		"30-z.conf":             "[Partition]\nType=srv\n",
		"40-w.conf":             "[Partition]\nType=var\nSizeMaxBytes=64M\nLabel=w\n",
	})
	img := filepath.Join(dir, "img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 256<<20); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--definitions="+a, "--definitions="+b, "--dry-run=yes", "--empty=force", "--json=short",
		"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", img)
	cmd.Env = append(os.Environ(), "SYSTEMD_COLORS=0", "LC_ALL=C.UTF-8")
	out, err := cmd.Output()
	if err != nil && !strings.Contains(string(out), "[") {
		t.Fatalf("systemd-repart: %v\n%s", err, out)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("systemd-repart JSON %q: %v", out, err)
	}
	defs, _, err := Load(Options{Dirs: []string{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	var theirs, ours []string
	for _, r := range rows {
		theirs = append(theirs, filepath.Base(r["file"].(string))+" "+r["type"].(string)+" "+r["label"].(string))
	}
	for _, d := range defs {
		label := d.DefaultLabelBase()
		if d.Label != nil {
			label = *d.Label
		}
		ours = append(ours, filepath.Base(d.Path)+" "+d.Type.String()+" "+label)
	}
	if strings.Join(theirs, "\n") != strings.Join(ours, "\n") {
		t.Errorf("definitions differ\nsystemd-repart: %q\ngorepart:       %q", theirs, ours)
	}
	// 40-w's maximum comes from a's drop-in applied to b's file; the
	// image has room, so the partition grows to exactly that.
	for i, r := range rows {
		if filepath.Base(r["file"].(string)) == "40-w.conf" && uint64(r["raw_size"].(float64)) != *defs[i].SizeMax {
			t.Errorf("40-w raw_size %v, SizeMaxBytes %d", r["raw_size"], *defs[i].SizeMax)
		}
	}
}
