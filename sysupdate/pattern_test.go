package sysupdate

import (
	"strings"
	"testing"
)

func mustPattern(t *testing.T, s string) *Pattern {
	t.Helper()
	p, err := ParsePattern(s)
	if err != nil {
		t.Fatalf("ParsePattern(%q): %v", s, err)
	}
	return p
}

// TestParsePatternRefuses follows pattern_split's refusals.
func TestParsePatternRefuses(t *testing.T) {
	for _, s := range []string{
		"",                  // no @v
		"foo.raw",           // no @v
		"foo_@x.raw",        // unknown marker
		"foo_@v_@v.raw",     // twice
		"foo_@v@u.raw",      // two markers without literal between
		"foo_@v.raw@",       // trailing @
		"foo*_@v.raw",       // reserved glob character
		"foo_@v.r[a]w",      // reserved
		"foo_@v.raw\\",      // backslash
		"foo_@v.r$w",        // dollar
		"foo_@v\t.raw",      // control character
		"f\u00f6o_@v.raw",   // non-ASCII
		"foo_@v.raw|bar",    // pipe
		"foo_@v.raw?",       // question mark
		"foo_@v!.raw",       // exclamation
		"@v_@a_@a",          // twice
		"foo_@v_@a@r.raw",   // adjacent markers
		"foo_@v_@h@s.raw",   // adjacent markers
		"x@@",               // @@ is a literal, still no @v
		"foo@_@v.raw",       // "@_" unknown marker
		"@V",                // markers are case-sensitive
		"@v@",               // trailing @
		"uki_@v+@l-@d@.efi", // "@." unknown
	} {
		if _, err := ParsePattern(s); err == nil {
			t.Errorf("ParsePattern(%q) accepted", s)
		}
	}
	for _, s := range []string{
		"@v", "foo_@v.raw", "a/@v/b", "x@@y_@v", "uki_@v+@l-@d.efi",
		"p_@v_@u_@f_@t_@m_@s_@d_@l_@a_@r_@g_@h", "/@v", "@v/", "a//@v",
	} {
		if _, err := ParsePattern(s); err != nil {
			t.Errorf("ParsePattern(%q): %v", s, err)
		}
	}
	// A marker right after a slash needs no literal in between.
	if _, err := ParsePattern("@v/@u"); err != nil {
		t.Errorf("slash as separator refused: %v", err)
	}
}

func TestMatch(t *testing.T) {
	u := "0867da16f251457da9e8c31f9a3c220b"
	cases := []struct {
		pattern, name string
		want          Result
		check         func(Instance) bool
	}{
		// From systemd's TEST-72-SYSUPDATE transfer files.
		{"part1-@v.raw", "part1-1.raw", Match, func(i Instance) bool { return i.Version == "1" }},
		{"part2-@v.raw.gz", "part2-2.raw.gz", Match, nil},
		{"a-very-long-partition-name-@v", "a-very-long-partition-name-v3", Match, func(i Instance) bool { return i.Version == "v3" }},
		{"uki_@v+@l-@d.efi", "uki_4+3-0.efi", Match, func(i Instance) bool {
			return i.Version == "4" && *i.TriesLeft == 3 && *i.TriesDone == 0
		}},
		{"uki_@v.efi.extra.d/extra.addon.efi", "uki_5.efi.extra.d/extra.addon.efi", Match, nil},
		{"uki_@v.efi.extra.d/extra.addon.efi", "uki_5.efi.extra.d", Retry, nil},
		{"uki_@v.efi.extra.d/extra.addon.efi", "uki_5.efi.extra.dX", NoMatch, nil},
		// The field ends at the first occurrence of the next literal.
		{"foo_@v.raw", "foo_1.2.3.raw", Match, func(i Instance) bool { return i.Version == "1.2.3" }},
		{"foo_@v_@u.raw", "foo_1.2_" + u + ".raw", Match, func(i Instance) bool { return i.Version == "1.2" && i.PartitionUUID != nil }},
		// Versions are letters, digits and .,_-+ only.
		{"foo_@v.raw", "foo_1~rc1.raw", NoMatch, nil},
		{"foo_@v.raw", "foo_.raw", NoMatch, nil},
		{"foo_@v", "foo_1/2", NoMatch, nil},
		// Trailing text after the final literal is accepted, as in sysupdate.
		{"foo_@v.raw", "foo_1.raw.xz", Match, nil},
		{"foo_@v.raw", "bar_1.raw", NoMatch, nil},
		{"foo_@v.raw", "foo_1.img", NoMatch, nil},
		// UUIDs: 32 hex digits or the dashed form, either case.
		{"x_@v_@u", "x_1_" + u, Match, nil},
		{"x_@v_@u", "x_1_0867DA16-F251-457D-A9E8-C31F9A3C220B", Match, nil},
		{"x_@v_@u", "x_1_0867da16f251457da9e8c31f9a3c220", NoMatch, nil},
		{"x_@v_@u", "x_1_0867da16-f251457da9e8c31f9a3c220b", NoMatch, nil},
		{"x_@v_@u", "x_1_0867da16f251-457d-a9e8-c31f9a3c220b", NoMatch, nil},
		// Flags in hex, with or without 0x.
		{"x_@v_@f", "x_1_0x1000000000000000", Match, func(i Instance) bool { return *i.PartitionFlags == 1<<60 }},
		{"x_@v_@f", "x_1_ff", Match, func(i Instance) bool { return *i.PartitionFlags == 0xff }},
		{"x_@v_@f", "x_1_fg", NoMatch, nil},
		// Booleans as parse_boolean.
		{"x_@v_@a_@r_@g", "x_1_yes_OFF_t", Match, func(i Instance) bool { return *i.NoAuto && !*i.ReadOnly && *i.GrowFS }},
		{"x_@v_@a", "x_1_maybe", NoMatch, nil},
		// Modes: octal, never world-writable or setuid.
		{"x_@v_@m", "x_1_0755", Match, func(i Instance) bool { return *i.Mode == 0o755 }},
		{"x_@v_@m", "x_1_644", Match, func(i Instance) bool { return *i.Mode == 0o644 }},
		{"x_@v_@m", "x_1_0777", NoMatch, nil},
		{"x_@v_@m", "x_1_4755", NoMatch, nil},
		{"x_@v_@m", "x_1_+755", NoMatch, nil},
		{"x_@v_@m", "x_1_9", NoMatch, nil},
		// Sizes, tries, mtime: decimal, 0x hex, 0o octal, leading 0 octal.
		{"x_@v_@s", "x_1_4096", Match, func(i Instance) bool { return *i.Size == 4096 }},
		{"x_@v_@s", "x_1_0x10", Match, func(i Instance) bool { return *i.Size == 16 }},
		{"x_@v_@s", "x_1_010", Match, func(i Instance) bool { return *i.Size == 8 }},
		{"x_@v_@s", "x_1_0b11", Match, func(i Instance) bool { return *i.Size == 3 }},
		{"x_@v_@s", "x_1_-1", NoMatch, nil},
		{"x_@v_@s", "x_1_18446744073709551615", NoMatch, nil},
		{"x_@v_@s", "x_1_1_000", NoMatch, nil},
		{"x_@v_@s", "x_1_", NoMatch, nil},
		{"x_@v_@t", "x_1_1700000000000000", Match, func(i Instance) bool { return *i.Mtime == 1700000000000000 }},
		{"x_@v_@t", "x_1_18446744073709551615", NoMatch, nil},
		{"x_@v_@d_@l", "x_1_2_1", Match, func(i Instance) bool { return *i.TriesDone == 2 && *i.TriesLeft == 1 }},
		// SHA-256: exactly 64 hex digits.
		{"x_@v_@h", "x_1_" + strings.Repeat("ab", 32), Match, func(i Instance) bool { return i.SHA256[0] == 0xab }},
		{"x_@v_@h", "x_1_" + strings.Repeat("ab", 31), NoMatch, nil},
		{"x_@v_@h", "x_1_" + strings.Repeat("zz", 32), NoMatch, nil},
		// @@ is a literal @.
		{"x@@y_@v", "x@y_7", Match, func(i Instance) bool { return i.Version == "7" }},
		{"x@@y_@v", "x@@y_7", NoMatch, nil},
	}
	for _, c := range cases {
		p := mustPattern(t, c.pattern)
		in, got := p.Match(c.name)
		if got != c.want {
			t.Errorf("%q.Match(%q) = %v, want %v", c.pattern, c.name, got, c.want)
			continue
		}
		if c.check != nil && !c.check(in) {
			t.Errorf("%q.Match(%q): wrong fields %+v", c.pattern, c.name, in)
		}
	}
}

// TestFormatRoundTrip renders instances and matches them back.
func TestFormatRoundTrip(t *testing.T) {
	b, f := true, false
	flags, mt, size, done, left := uint64(1<<60), uint64(1700000000000000), uint64(1<<30), uint64(0), uint64(3)
	mode := uint32(0o644)
	uuid := [16]byte{0x08, 0x67, 0xda, 0x16, 0xf2, 0x51, 0x45, 0x7d, 0xa9, 0xe8, 0xc3, 0x1f, 0x9a, 0x3c, 0x22, 0x0b}
	var h [32]byte
	h[31] = 0xfe
	in := Instance{
		Version: "23.1", PartitionUUID: &uuid, PartitionFlags: &flags, Mtime: &mt, Mode: &mode,
		Size: &size, TriesDone: &done, TriesLeft: &left, NoAuto: &b, ReadOnly: &f, GrowFS: &b, SHA256: &h,
	}
	p := mustPattern(t, "p_@v_@u_@f_@t_@m_@s_@d_@l_@a_@r_@g_@h.raw")
	s, err := p.Format(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "p_23.1_0867da16f251457da9e8c31f9a3c220b_1000000000000000_1700000000000000_644_1073741824_0_3_1_0_1_" +
		strings.Repeat("00", 31) + "fe.raw"
	if s != want {
		t.Fatalf("Format = %q\nwant     %q", s, want)
	}
	back, r := p.Match(s)
	if r != Match {
		t.Fatalf("Match(Format()) = %v", r)
	}
	again, err := p.Format(back)
	if err != nil || again != s {
		t.Errorf("Format(Match(s)) = %q, %v; want %q", again, err, s)
	}
	if _, err := mustPattern(t, "x_@v_@u").Format(Instance{Version: "1"}); err == nil {
		t.Error("Format without @u value accepted")
	}
}

func TestMatchAny(t *testing.T) {
	ps := []*Pattern{mustPattern(t, "a_@v.raw.zst"), mustPattern(t, "a_@v.raw")}
	if _, r, i := MatchAny(ps, "a_1.raw"); r != Match || i != 1 {
		t.Errorf("MatchAny(a_1.raw) = %v, %d", r, i)
	}
	if _, r, i := MatchAny(ps, "a_1.raw.zst"); r != Match || i != 0 {
		t.Errorf("MatchAny(a_1.raw.zst) = %v, %d", r, i)
	}
	if _, r, i := MatchAny(ps, "b_1.raw"); r != NoMatch || i != -1 {
		t.Errorf("MatchAny(b_1.raw) = %v, %d", r, i)
	}
}

func TestParseTransfer(t *testing.T) {
	text := `# comment
[Transfer]
ProtectVersion=%A

[Source]
Type=url-file
Path=https://example.com/
MatchPattern=first_@v.raw
MatchPattern=
; the empty assignment cleared the list
MatchPattern=a_@v.raw.zst \
  # a comment inside the continuation
  "b_@v.raw" 100%%_@v

[Target]
Type=partition
Path=auto
MatchPattern=a_@v
MatchPartitionType=usr
`
	tr, err := ParseTransfer("x.transfer", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range tr.Source.Patterns {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "a_@v.raw.zst b_@v.raw 100%_@v" || tr.Source.Line != 11 {
		t.Errorf("source patterns %q (line %d)", got, tr.Source.Line)
	}
	if tr.Source.Type != "url-file" || tr.Target.Type != "partition" || tr.Target.MatchPartitionType != "usr" || len(tr.Target.Patterns) != 1 {
		t.Errorf("parsed %+v", tr)
	}
	for _, bad := range []string{
		"[Source]\nMatchPattern=no_version\n",
		"[Source]\nMatchPattern=%A_@v\n",
		"[Source]\nMatchPattern=\"a_@v\n",
		"[Source\n",
		"[Source]\nnot a key\n",
		"[Source]\nMatchPattern=a_@v \\\n",
	} {
		if _, err := ParseTransfer("bad.transfer", strings.NewReader(bad)); err == nil {
			t.Errorf("ParseTransfer(%q) accepted", bad)
		} else if !strings.HasPrefix(err.Error(), "bad.transfer:") {
			t.Errorf("error %q does not name the file and line", err)
		}
	}
}
