package sysupdate

import "testing"

// FuzzPattern: parsing and matching never panic; a match formats to a
// name that matches again with the same fields.
func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"appliance_@v.usr-x86-64.@u.raw", "appliance_23.1.usr-x86-64.0867da16f251457da9e8c31f9a3c220b.raw"},
		{"uki_@v+@l-@d.efi", "uki_4+3-0.efi"},
		{"x_@v_@m_@s_@f", "x_1_0755_0x10_ff"},
		{"dir-@v/f_@a_@g", "dir-2/f_yes_off"},
		{"x@@_@v_@h", "x@_1_" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		p, err := ParsePattern(pattern)
		if err != nil {
			return
		}
		in, r := p.Match(name)
		if r != Match {
			return
		}
		s, err := p.Format(in)
		if err != nil {
			t.Fatalf("Format of a match: %v", err)
		}
		again, r := p.Match(s)
		if r != Match {
			t.Fatalf("%q matched %q, formatted as %q, which does not match", pattern, name, s)
		}
		if s2, _ := p.Format(again); s2 != s {
			t.Fatalf("%q: round trip %q → %q", pattern, s, s2)
		}
	})
}
