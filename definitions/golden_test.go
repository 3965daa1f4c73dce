package definitions

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/golden"
)

// goldenCases are the cases of testdata/golden.
func goldenCases(t *testing.T) []golden.Case {
	t.Helper()
	cases, err := golden.All()
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// materialize lays out a golden case and returns its work directory and
// command line.
func materialize(t *testing.T, c golden.Case) (string, golden.Command) {
	t.Helper()
	work := t.TempDir()
	if err := c.Materialize(work); err != nil {
		t.Fatal(err)
	}
	cmd, err := c.Command(work)
	if err != nil {
		t.Fatal(err)
	}
	return work, cmd
}

func TestGoldenCasesLoad(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			work, cmd := materialize(t, c)
			defs, warns, err := Load(Options{Dirs: []string{filepath.Join(work, "repart.d")},
				Architecture: cmd.Flag("--architecture")})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(defs) == 0 {
				t.Fatal("no definitions")
			}
			for _, w := range warns {
				t.Logf("warning: %s", w)
			}
			checkGoldenJSON(t, c, work, defs)
			exp, err := c.ReadFile("expected.stderr")
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
func checkGoldenJSON(t *testing.T, c golden.Case, work string, defs []*Definition) {
	t.Helper()
	data, err := c.ReadFile("expected.json")
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
