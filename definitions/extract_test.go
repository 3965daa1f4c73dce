package definitions

import (
	"reflect"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"/a /b\t/c", []string{"/a", "/b", "/c"}, true},
		{"  /a   ", []string{"/a"}, true},
		{`"/a b" '/c d'`, []string{"/a b", "/c d"}, true},
		{`/a" b"c`, []string{"/a bc"}, true},
		{`/a\ b`, []string{"/a b"}, true},
		{`"/a\"b"`, []string{`/a"b`}, true},
		{`"/a`, nil, false},
		{`/a\`, nil, false},
		{"", nil, true},
	} {
		got, err := splitWords(c.in)
		if (err == nil) != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

// TestExtractColon checks extract_first_word(":", EXTRACT_CUNESCAPE|
// EXTRACT_DONT_COALESCE_SEPARATORS), the CopyFiles= splitting.
func TestExtractColon(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"a:b:c", []string{"a", "b", "c"}, true},
		{"a::c", []string{"a", "", "c"}, true},
		{"a:", []string{"a", ""}, true},
		{":b", []string{"", "b"}, true},
		{"", []string{""}, true},
		{`a\x3ab:c`, []string{"a:b", "c"}, true},
		{`a\tb`, []string{"a\tb"}, true},
		{`a\sb`, []string{"a b"}, true},
		{`a\101`, []string{"aA"}, true},
		{`\u00fc`, []string{"ü"}, true},
		{`a\:b`, nil, false},
		{`a\x00`, nil, false},
		{`a\q`, nil, false},
		{`"a:b"`, []string{`"a`, `b"`}, true},
	} {
		x := &extractor{s: c.in}
		var got []string
		var err error
		for {
			w, ok, e := x.next(":", extractCUnescape|extractDontCoalesce)
			if e != nil {
				err = e
				got = nil
				break
			}
			if !ok {
				break
			}
			got = append(got, w)
		}
		if (err == nil) != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("extract(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}
