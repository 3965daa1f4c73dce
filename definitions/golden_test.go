package definitions

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const goldenDir = "../../shared/golden"

// materialize lays out a golden case with the case's own script.
func materialize(t *testing.T, name string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 not found (install Debian package python3): %v", err)
	}
	work := t.TempDir()
	out, err := exec.Command(py, filepath.Join(goldenDir, "materialize.py"), filepath.Join(goldenDir, name), work).CombinedOutput()
	if err != nil {
		t.Fatalf("materialize %s: %v\n%s", name, err, out)
	}
	return work
}

func goldenFlag(t *testing.T, name, flag string) string {
	data, err := os.ReadFile(filepath.Join(goldenDir, name, "flags"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(data)) {
		if v, ok := strings.CutPrefix(f, flag+"="); ok {
			return v
		}
	}
	return ""
}

func TestGoldenCasesLoad(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join(goldenDir, "*", "repart.d"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases under %s: %v", goldenDir, err)
	}
	for _, c := range cases {
		name := filepath.Base(filepath.Dir(c))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			work := materialize(t, name)
			defs, warns, err := Load(Options{Dirs: []string{filepath.Join(work, "repart.d")},
				Architecture: goldenFlag(t, name, "--architecture")})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(defs) == 0 {
				t.Fatal("no definitions")
			}
			for _, w := range warns {
				t.Logf("warning: %s", w)
			}
			checkGoldenJSON(t, name, work, defs)
			exp, err := os.ReadFile(filepath.Join(goldenDir, name, "expected.stderr"))
			if err != nil {
				t.Fatal(err)
			}
			// Every "$DEFS/file:line: ..." warning repart printed is ours too.
			var want []string
			for _, l := range strings.Split(string(exp), "\n") {
				if strings.HasPrefix(l, "$DEFS/") && strings.Contains(l, ".conf:") {
					want = append(want, l)
				}
			}
			var got []string
			for _, w := range warns {
				got = append(got, strings.Replace(w.String(), filepath.Join(work, "repart.d"), "$DEFS", 1))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("warnings:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// checkGoldenJSON compares what the definitions alone determine with
// repart's --json output: type name, definition file and drop-ins of
// every partition repart placed.
func checkGoldenJSON(t *testing.T, name, work string, defs []*Definition) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, name, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*Definition{}
	for _, d := range defs {
		byPath[strings.Replace(d.Path, filepath.Join(work, "repart.d"), "$DEFS", 1)] = d
	}
	for _, r := range rows {
		file, _ := r["file"].(string)
		d := byPath[file]
		if d == nil {
			t.Errorf("repart placed %s, which Load did not return", file)
			continue
		}
		if d.Type.String() != r["type"] {
			t.Errorf("%s: type %s, repart %v", file, d.Type, r["type"])
		}
		var drops []string
		for _, p := range d.DropIns {
			drops = append(drops, strings.Replace(p, filepath.Join(work, "repart.d"), "$DEFS", 1))
		}
		var want []string
		if l, ok := r["drop-in_files"].([]any); ok {
			for _, x := range l {
				want = append(want, x.(string))
			}
		}
		if strings.Join(drops, ",") != strings.Join(want, ",") {
			t.Errorf("%s: drop-ins %q, repart %q", file, drops, want)
		}
		// repart prints an empty label as "-", in JSON too.
		if d.Label != nil && *d.Label != r["label"] && !(*d.Label == "" && r["label"] == "-") {
			t.Errorf("%s: label %q, repart %v", file, *d.Label, r["label"])
		}
	}
}
