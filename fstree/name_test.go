package fstree

import (
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for name, want := range map[string]string{
		"a": "", "ü€ x": "", strings.Repeat("x", 255): "",
		"": "invalid name", ".": "invalid name", "..": "invalid name",
		"a/b": "contains '/'", "a\x00": "contains '/' or NUL", strings.Repeat("x", 256): "longer than 255 bytes",
	} {
		err := CheckName(name, 255)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckName(%q) = %v, want %q", name, err, want)
		}
	}
}
