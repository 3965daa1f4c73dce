package definitions

import "testing"

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"512", 512, true},
		{"512B", 512, true},
		{"4K", 4096, true},
		{"10M", 10 << 20, true},
		{"1G", 1 << 30, true},
		{"2T", 2 << 40, true},
		{"1P", 1 << 50, true},
		{"1E", 1 << 60, true},
		{"1.5G", 3 << 29, true},
		{"1.5 G", 3 << 29, true},
		{" 64M", 64 << 20, true},
		{"10.M", 10 << 20, true},
		{"0.5K", 512, true},
		{"1G 512M", 3 << 29, true},
		{"+5K", 5 << 10, true},
		{"1M 512K 3B 1", 1<<20 + 512<<10 + 4, true},
		{"1M 512K 3B 1 1", 0, false},
		{"1M 512K 3B", 1<<20 + 512<<10 + 3, true},
		{"1M 1M", 0, false},
		{"5 5", 0, false},
		{"1K 1G", 0, false},
		{"16E", 0, false},
		{"-1", 0, false},
		{"", 0, false},
		{"M", 0, false},
		{"10X", 0, false},
		{"1KB", 0, false},
		{"10m", 0, false},
		{"18446744073709551616", 0, false},
	} {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"1", "yes", "y", "true", "t", "on", "YES", "True"} {
		if b, err := parseBool(s); err != nil || !b {
			t.Errorf("parseBool(%q) = %v, %v", s, b, err)
		}
	}
	for _, s := range []string{"0", "no", "n", "false", "f", "off", "OFF"} {
		if b, err := parseBool(s); err != nil || b {
			t.Errorf("parseBool(%q) = %v, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "2", "maybe", "yess"} {
		if _, err := parseBool(s); err == nil {
			t.Errorf("parseBool(%q) accepted", s)
		}
	}
}

func TestParseUint(t *testing.T) {
	for _, c := range []struct {
		in   string
		bits int
		want uint64
		ok   bool
	}{
		{"0", 64, 0, true},
		{"1152921504606846976", 64, 1 << 60, true},
		{"0x1000000000000000", 64, 1 << 60, true},
		{"0X10", 64, 16, true},
		{"0b101", 64, 5, true},
		{"0o17", 64, 15, true},
		{"010", 64, 8, true},
		{"09", 64, 0, false},
		{"-0", 64, 0, true},
		{"0b 101", 64, 5, true},
		{" 7", 64, 7, true},
		{"+7", 64, 7, true},
		{"4294967295", 32, 1<<32 - 1, true},
		{"4294967296", 32, 0, false},
		{"-1", 64, 0, false},
		{"", 64, 0, false},
		{"0x", 64, 0, false},
		{"1_000", 64, 0, false},
		{"12a", 64, 0, false},
		{"18446744073709551616", 64, 0, false},
	} {
		got, err := parseUint(c.in, c.bits)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseUint(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseInt32(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int32
		ok   bool
	}{
		{"0", 0, true}, {"10", 10, true}, {"-10", -10, true}, {"2147483647", 2147483647, true},
		{"-2147483648", -2147483648, true}, {"2147483648", 0, false}, {"-2147483649", 0, false},
		{"x", 0, false}, {"", 0, false}, {"--1", 0, false}, {"-+1", 0, false}, {"-0x10", -16, true}, {" +7", 7, true},
	} {
		got, err := parseInt32(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseInt32(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestSimplifyAbsPath(t *testing.T) {
	for _, c := range []struct {
		in, want string
		keep, ok bool
	}{
		{"/a/b", "/a/b", false, true},
		{"//a//b/", "/a/b", false, true},
		{"/a/./b/.", "/a/b", false, true},
		{"/a/b/", "/a/b/", true, true},
		{"/", "/", true, true},
		{"a/b", "", false, false},
		{"", "", false, false},
		{"/a/../b", "", false, false},
	} {
		got, err := simplifyAbsPath(c.in, c.keep)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("simplifyAbsPath(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestUTF16Len(t *testing.T) {
	if n := utf16Len("ünïcødé"); n != 7 {
		t.Errorf("utf16Len = %d", n)
	}
	if n := utf16Len("𝄞x"); n != 3 {
		t.Errorf("utf16Len(surrogate) = %d", n)
	}
}
