package main

import (
	"slices"
	"testing"
)

func TestPermuteArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"gorepart", "img.raw", "--size=auto", "--dry-run", "no"}, []string{"gorepart", "--size=auto", "--dry-run", "no", "img.raw"}},
		{[]string{"gorepart", "--quiet", "img.raw", "--definitions", "d"}, []string{"gorepart", "--quiet", "--definitions", "d", "img.raw"}},
		{[]string{"gorepart", "build", "--out", "o", "-s", "src"}, []string{"gorepart", "build", "--out", "o", "-s", "src"}},
		{[]string{"gorepart", "--", "-weird-name.raw"}, []string{"gorepart", "--", "-weird-name.raw"}},
		{[]string{"gorepart", "-n", "img.raw", "-S"}, []string{"gorepart", "--dry-run=yes", "--make-ddi=sysext", "img.raw"}},
		{[]string{"gorepart", "-nq", "-C", "-P", "-"}, []string{"gorepart", "--dry-run=yes", "-q", "--make-ddi=confext", "--make-ddi=portable", "--", "-"}},
		{[]string{"gorepart", "-s", "-n", "-n", "--", "-n"}, []string{"gorepart", "-s", "-n", "--dry-run=yes", "--", "-n"}},
	} {
		if got := permuteArgs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("permuteArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
