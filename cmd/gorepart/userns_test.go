package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRootIsHostRoot(t *testing.T) {
	for _, tc := range []struct {
		uidMap string
		want   bool
	}{
		{"         0          0 4294967295\n", true},
		{"         0       1000          1\n", false}, // unshare --map-root-user
		{"         0     100000      65536\n", false},
		{"      1000       1000          1\n", false},
		{"", false},
	} {
		if got := rootIsHostRoot(tc.uidMap); got != tc.want {
			t.Errorf("rootIsHostRoot(%q) = %v, want %v", tc.uidMap, got, tc.want)
		}
	}
}

// TestOwnerAutoInUserNamespace runs gorepart as uid 0 of a user namespace
// whose root is not the host's (as nixpkgs runs systemd-repart under
// unshare --map-root-user): a source the host's root owns shows there as
// uid 65534, and --owner=auto must still make it 0:0 in the image.
func TestOwnerAutoInUserNamespace(t *testing.T) {
	debugfs, err := exec.LookPath("debugfs")
	if err != nil {
		t.Fatal("debugfs not found: apt-get install -y e2fsprogs")
	}
	src := "/etc/passwd"
	if st, err := os.Stat(src); err != nil || st.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Skipf("%s is not owned by root here", src)
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // the namespace's uid is not the test's
	os.Chmod(dir, 0o777)
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nCopyFiles="+src+":/etc/passwd\n"), 0o644)
	// The test binary must be executable by the namespace's uid.
	self, _ := os.Executable()
	bin := filepath.Join(dir, "gorepart.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, data, 0o755)
	hostUID := os.Getuid()
	if hostUID == 0 {
		hostUID = 100000 // root may map the namespace's root to any uid
	}
	image := filepath.Join(dir, "image.raw")
	cmd := exec.Command(bin, "--empty=create", "--size=auto", "--definitions="+defs, image)
	cmd.Env = append(os.Environ(), "GOREPART_RUN_MAIN=1", "SOURCE_DATE_EPOCH=1", "TMPDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostUID, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: hostUID, Size: 1}},
		Credential:  &syscall.Credential{Uid: 0, Gid: 0}, // euid 0 inside, hostUID outside
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("no user namespaces here: %v", err)
		}
		t.Fatalf("%v\n%s", err, out)
	}
	f, table := openImage(t, image)
	e := table.Entries[0]
	ss := int64(table.SectorSize)
	buf := make([]byte, (int64(e.LastLBA)-int64(e.FirstLBA)+1)*ss)
	if _, err := f.ReadAt(buf, int64(e.FirstLBA)*ss); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, "root.ext4")
	os.WriteFile(part, buf, 0o644)
	stat, err := exec.Command(debugfs, "-R", "stat /etc/passwd", part).CombinedOutput()
	if err != nil {
		t.Fatalf("debugfs: %v\n%s", err, stat)
	}
	if !strings.Contains(string(stat), "User:     0   Group:     0") {
		t.Errorf("/etc/passwd is not 0:0 in the image:\n%s", stat)
	}
}
