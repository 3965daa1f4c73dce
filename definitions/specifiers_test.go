package definitions

import (
	"testing"
)

func TestExpand(t *testing.T) {
	sp := Specifiers{ImageVersion: "7", BootID: "b", BuildID: "B", Hostname: "h.example.org", PrettyHostname: "Q",
		MachineID: "m", ImageID: "acme", OSID: "nixos", KernelRelease: "6.1", VersionID: "25.11", VariantID: "v"}
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"%a", NativeArch()},
		{"%A %b %B %H %l %q %m %M %o %v %w %W", "7 b B h.example.org h Q m acme nixos 6.1 25.11 v"},
		{"%T %V", "/tmp /var/tmp"},
		{"100%%", "100%"},
		{"end%", "end%"},
		{"ü%M", "üacme"},
		{"%t-%n", "root-x86-64-0"},
	} {
		got, err := Expand(c.in, sp, map[rune]string{'t': "root-x86-64", 'n': "0"})
		if err != nil || got != c.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := Expand("%t", sp, nil); err == nil {
		t.Error("percent-t without extra accepted")
	}
	if _, err := Expand("%Z", sp, nil); err == nil {
		t.Error("unknown specifier accepted")
	}
	if got, _ := Expand("%a %l", Specifiers{Arch: "arm64", ShortHostname: "s"}, nil); got != "arm64 s" {
		t.Errorf("explicit arch/short hostname: %q", got)
	}
}

func TestOSRelease(t *testing.T) {
	var sp Specifiers
	sp.ApplyOSRelease([]byte("# comment\nID=nixos\nVERSION_ID=\"25.11\"\nIMAGE_ID='appliance'\nIMAGE_VERSION=\"1\\\"2\"\nBUILD_ID=x\nVARIANT_ID=v\n"))
	if sp.OSID != "nixos" || sp.VersionID != "25.11" || sp.ImageID != "appliance" || sp.ImageVersion != `1"2` || sp.BuildID != "x" || sp.VariantID != "v" {
		t.Errorf("%+v", sp)
	}
}
