package artifacts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/definitions"
)

func loadDefs(t *testing.T, files map[string]string) []*definitions.Definition {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defs, warns, err := definitions.Load(definitions.Options{Dirs: []string{dir}})
	for _, w := range warns {
		t.Logf("load warning: %v", w)
	}
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

const (
	usrA = "[Partition]\nType=usr-x86-64\nLabel=appliance_1.0\nFormat=erofs\nCopyFiles=/usr:/\nSizeMinBytes=256M\nSizeMaxBytes=256M\n"
	usrB = "[Partition]\nType=usr-x86-64\nLabel=_empty\nSizeMinBytes=256M\nSizeMaxBytes=256M\nSplitName=-\n"
)

// TestLintClean: a correct A/B layout gives no findings.
func TestLintClean(t *testing.T) {
	defs := loadDefs(t, map[string]string{
		"10-esp.conf":   "[Partition]\nType=esp\nFormat=vfat\nLabel=a-very-long-esp-label-but-no-slot-x\n",
		"20-usr-a.conf": usrA,
		"30-usr-b.conf": usrB,
	})
	if f := Lint(defs); len(f) != 1 || !strings.Contains(f[0].String(), "10-esp.conf:4: Label=: warning: label \"a-very-long-esp-label-but-no-slot-x\" is 35 UTF-16") {
		t.Errorf("want only the ESP label warning, got %v", f)
	}
}

// TestLintFindings: each rule fires once, at the right file:line.
func TestLintFindings(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // substrings of Finding.String(), in order
	}{
		{"different type", map[string]string{
			"20-usr-a.conf": usrA,
			"30-usr-b.conf": "[Partition]\nType=usr-arm64\nLabel=_empty\nSizeMinBytes=256M\nSizeMaxBytes=256M\nSplitName=-\n",
		}, []string{"30-usr-b.conf:2: Type=: error: free slot has Type=usr-arm64 but its A slot"}},
		{"B smaller", map[string]string{
			"20-usr-a.conf": usrA,
			"30-usr-b.conf": "[Partition]\nType=usr-x86-64\nLabel=_empty\nSizeMinBytes=128M\nSizeMaxBytes=128M\nSplitName=-\n",
		}, []string{"30-usr-b.conf:5: SizeMaxBytes=: error: free slot (SizeMinBytes=134217728, SizeMaxBytes=134217728) is smaller"}},
		{"not fixed", map[string]string{
			"20-usr-a.conf": "[Partition]\nType=usr-x86-64\nFormat=erofs\nCopyFiles=/usr:/\nSizeMinBytes=64M\n",
			"30-usr-b.conf": "[Partition]\nType=usr-x86-64\nLabel=_empty\nSplitName=-\n",
		}, []string{
			"20-usr-a.conf:5: SizeMinBytes=: error: A slot has a free sibling but no fixed size",
			"30-usr-b.conf: error: free slot has a free sibling but no fixed size (SizeMinBytes=unset, SizeMaxBytes=unset)",
		}},
		{"long label", map[string]string{
			"20-usr-a.conf": "[Partition]\nType=usr-x86-64\nLabel=appliance-with-a-long-name_1.2.3.4\nFormat=erofs\nCopyFiles=/usr:/\n",
		}, []string{"20-usr-a.conf:3: Label=: warning: label \"appliance-with-a-long-name_1.2.3.4\" is 34 UTF-16 code units"}},
		{"label in UTF-16 units", map[string]string{
			// Counted in UTF-16 units, not bytes (repart caps labels at
			// 36 bytes): 36 bytes in 33 units pass, 36 bytes in 34 warn.
			"20-x.conf": "[Partition]\nType=linux-generic\nLabel=ééé" + strings.Repeat("a", 30) + "\n",
			"21-y.conf": "[Partition]\nType=linux-generic\nLabel=éé" + strings.Repeat("a", 32) + "\n",
		}, []string{"21-y.conf:3: Label=: warning: label \"ééaaa"}},
		{"minimize", map[string]string{
			"20-usr-a.conf": "[Partition]\nType=usr-x86-64\nFormat=erofs\nCopyFiles=/usr:/\nMinimize=best\n",
			"30-usr-b.conf": usrB,
		}, []string{
			"20-usr-a.conf: error: A slot has a free sibling but no fixed size",
			"20-usr-a.conf:5: Minimize=: warning: Minimize= shrinks this slot",
		}},
		{"minimize in a fixed slot", map[string]string{
			"20-usr-a.conf": "[Partition]\nType=usr-x86-64\nFormat=erofs\nCopyFiles=/usr:/\nMinimize=best\nSizeMinBytes=256M\nSizeMaxBytes=256M\n",
			"30-usr-b.conf": usrB,
		}, nil},
		{"split name on empty", map[string]string{
			"20-usr-a.conf": usrA,
			"30-usr-b.conf": "[Partition]\nType=usr-x86-64\nLabel=_empty\nSizeMinBytes=256M\nSizeMaxBytes=256M\nSplitName=%t-b\n",
		}, []string{"30-usr-b.conf:6: SplitName=: warning: SplitName=%t-b on a free slot"}},
		{"no A slot", map[string]string{
			"30-usr-b.conf": usrB,
		}, []string{"30-usr-b.conf:2: Type=: error: free slot (label _empty) of type usr-x86-64 has no A slot"}},
		{"verity pairs by designator", map[string]string{
			"20-usr-a.conf":   usrA + "Verity=data\nVerityMatchKey=usr\n",
			"21-usrv-a.conf":  "[Partition]\nType=usr-x86-64-verity\nVerity=hash\nVerityMatchKey=usr\nSizeMinBytes=16M\nSizeMaxBytes=16M\n",
			"30-usr-b.conf":   usrB,
			"31-usrv-b.conf":  "[Partition]\nType=usr-x86-64-verity\nLabel=_empty\nSizeMinBytes=8M\nSizeMaxBytes=8M\nSplitName=-\n",
			"20-usr-a.conf.d": "",
		}, []string{"31-usrv-b.conf:5: SizeMaxBytes=: error: free slot (SizeMinBytes=8388608, SizeMaxBytes=8388608) is smaller than its A slot"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range c.files {
				if !strings.HasSuffix(k, ".conf") {
					continue
				}
				files[k] = v
			}
			got := Lint(loadDefs(t, files))
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings, want %d:\n%v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("finding %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestLintExamples: the example definition sets are lint-clean.
func TestLintExamples(t *testing.T) {
	for _, ex := range []string{"appliance", "verity-store", "ab"} {
		defs, _, err := definitions.Load(definitions.Options{
			Dirs:         []string{filepath.Join("..", "testdata", "examples", ex, "repart.d")},
			Architecture: "x86-64",
			Specifiers:   definitions.Specifiers{ImageID: "appliance", ImageVersion: "23.1"},
		})
		if err != nil {
			t.Fatalf("%s: %v", ex, err)
		}
		if f := Lint(defs); len(f) != 0 {
			t.Errorf("%s: %v", ex, f)
		}
	}
}
