package definitions

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseINI(t *testing.T) {
	in := "# comment\n" + // 1
		"Key=outside\n" + // 2
		"[Partition]\n" + // 3
		"  Type = esp  \n" + // 4
		"; other comment\n" + // 5
		"Label=a \\\n" + // 6
		"  # comment inside a continuation\n" + // 7
		"b\n" + // 8
		"Label=x\\\\\n" + // 9: escaped backslash, no continuation
		"Empty=\n" + // 10
		"[Other]\n" + // 11
		"Type=swap\n" + // 12
		"[X-Ours]\n" + // 13
		"Foo=bar\n" + // 14
		"[Partition]\n" + // 15
		"NoEquals\n" + // 16
		"=value\n" + // 17
		"Quoted=\"a b\" # not a comment\r\n" + // 18
		"Last=c\\" // 19: continuation at EOF
	as, warns, err := parseINI("f.conf", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []assignment{
		{"Type", "esp", 4},
		{"Label", "a  b", 8},
		{"Label", `x\\`, 9},
		{"Empty", "", 10},
		{"Quoted", `"a b" # not a comment`, 18},
		{"Last", "c", 20},
	}
	if !reflect.DeepEqual(as, want) {
		t.Errorf("assignments:\n got %+v\nwant %+v", as, want)
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, w.String())
	}
	wantW := []string{
		"f.conf:2: Assignment outside of section. Ignoring.",
		"f.conf:11: Unknown section 'Other'. Ignoring.",
		"f.conf:16: Missing '=', ignoring line.",
		"f.conf:17: Missing key name before '=', ignoring line.",
	}
	if !reflect.DeepEqual(ws, wantW) {
		t.Errorf("warnings:\n got %q\nwant %q", ws, wantW)
	}
}

func TestParseINIErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[Partition\nType=esp\n", "f.conf:1: invalid section header"},
		{"[Partition]\nLabel=\xff\n", "f.conf:2: line is not valid UTF-8"},
	} {
		_, _, err := parseINI("f.conf", []byte(c.in))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("parseINI(%q) error %v, want prefix %q", c.in, err, c.want)
		}
	}
}

// TestParseINIByteOrderMark: the comment check sees the mark, and only the
// first line carrying one loses it (as systemd-repart 252 and later do).
func TestParseINIByteOrderMark(t *testing.T) {
	as, warns, err := parseINI("f.conf", []byte("\xef\xbb\xbf# c\n[Partition]\n\xef\xbb\xbfType=esp\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].String() != "f.conf:1: Assignment outside of section. Ignoring." {
		t.Errorf("warnings %v", warns)
	}
	if len(as) != 1 || as[0].Key != "\ufeffType" {
		t.Errorf("assignments %+v", as)
	}
	as, _, _ = parseINI("f.conf", []byte("\n\xef\xbb\xbf[Partition]\nType=esp\n"))
	if len(as) != 1 || as[0].Key != "Type" {
		t.Errorf("BOM on a later line: %+v", as)
	}
}
