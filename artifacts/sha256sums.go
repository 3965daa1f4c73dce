package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/renameio/v2"
)

// SHA256SumsName is the file name systemd-sysupdate fetches next to the
// artifacts.
const SHA256SumsName = "SHA256SUMS"

// WriteSHA256Sums hashes the named files of dir and writes dir/SHA256SUMS
// atomically, one "<hex digest>  <name>" line per file (sha256sum(1)'s
// format), sorted by name in byte order. Names are relative to dir; names
// sha256sum would have to escape (newline, backslash, carriage return)
// and SHA256SUMS itself are refused.
func WriteSHA256Sums(dir string, names []string) error {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	var b strings.Builder
	for i, name := range sorted {
		if err := checkSumName(name); err != nil {
			return err
		}
		if i > 0 && sorted[i-1] == name {
			return fmt.Errorf("writing %s: %s listed twice", SHA256SumsName, name)
		}
		sum, err := sha256File(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("writing %s: %w", SHA256SumsName, err)
		}
		b.WriteString(sum + "  " + name + "\n")
	}
	if err := renameio.WriteFile(filepath.Join(dir, SHA256SumsName), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", SHA256SumsName, err)
	}
	return nil
}

func checkSumName(name string) error {
	switch {
	case name == "" || filepath.IsAbs(name) || !filepath.IsLocal(name):
		return fmt.Errorf("writing %s: %q is not a file name inside the output directory", SHA256SumsName, name)
	case strings.ContainsAny(name, "\n\r\\"):
		return fmt.Errorf("writing %s: %q contains a character sha256sum escapes", SHA256SumsName, name)
	case filepath.Clean(name) == SHA256SumsName:
		return fmt.Errorf("writing %s: cannot list itself", SHA256SumsName)
	}
	return nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
