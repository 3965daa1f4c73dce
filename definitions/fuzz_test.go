package definitions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkOneLine fails if an error or warning spans several lines.
func checkOneLine(t *testing.T, err error, warns []Warning) {
	t.Helper()
	if err != nil {
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("multi-line error %q", err)
		}
		if _, ok := err.(*Error); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
	}
	for _, w := range warns {
		if strings.ContainsAny(w.String(), "\n\r") {
			t.Fatalf("multi-line warning %q", w)
		}
	}
}

// FuzzParseConf feeds arbitrary .conf contents to the parser; it must not
// panic, errors must be one-line *Errors, and accepted sizes must be
// rounded as repart rounds them.
func FuzzParseConf(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzParseConf (golden definitions and files
	// using every key and INI rule).
	f.Fuzz(func(t *testing.T, data []byte) {
		d, warns, err := ParseConf("f.conf", data, "", Specifiers{ImageID: "acme"})
		checkOneLine(t, err, warns)
		if err != nil {
			return
		}
		if d.SizeMin != nil && *d.SizeMin%4096 != 0 || d.SizeMax != nil && *d.SizeMax%4096 != 0 {
			t.Fatalf("unrounded size")
		}
		if d.Label != nil && utf16Len(*d.Label) > gptLabelMax {
			t.Fatalf("label over 36 UTF-16 units accepted")
		}
		for _, c := range d.Copies {
			if !strings.HasPrefix(c.Source, "/") || !strings.HasPrefix(c.Target, "/") {
				t.Fatalf("relative copy path accepted: %+v", c)
			}
		}
		// Validation on top must not panic either.
		_, _ = finalize(d, "")
	})
}

// FuzzManifest feeds arbitrary manifests to Load next to one .conf file.
func FuzzManifest(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzManifest (every era's shape).
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00-esp.conf"), []byte("[Partition]\nType=esp\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, warns, err := Load(Options{Dirs: []string{dir}, Manifest: "-", ManifestReader: strings.NewReader(string(data))})
		checkOneLine(t, err, warns)
		if err != nil {
			return
		}
		for _, d := range defs {
			for _, c := range d.Copies {
				if !strings.HasPrefix(c.Target, "/") {
					t.Fatalf("relative target %q", c.Target)
				}
			}
		}
	})
}
