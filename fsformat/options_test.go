package fsformat

import (
	"reflect"
	"testing"
)

func TestParseMkfsOptions(t *testing.T) {
	got, err := ParseMkfsOptions([]string{"-L", "root", "-zlz4hc,12", "-E", "all-fragments", "-q", "--foo=bar", "-Uclear"}, "LzEU")
	if err != nil {
		t.Fatal(err)
	}
	want := []MkfsOption{{"-L", "root"}, {"-z", "lz4hc,12"}, {"-E", "all-fragments"}, {"-q", ""}, {"--foo", "bar"}, {"-U", "clear"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range [][]string{{"-L"}, {"extra"}} {
		if _, err := ParseMkfsOptions(bad, "L"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
