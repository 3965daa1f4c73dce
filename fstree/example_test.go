package fstree_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Build reads the sources named by the copy lines and returns the tree a
// filesystem writer walks; nothing is copied.
func ExampleBuild() {
	src, _ := os.MkdirTemp("", "fstree-example")
	defer os.RemoveAll(src)
	_ = os.MkdirAll(filepath.Join(src, "etc/ssh"), 0o755)
	_ = os.WriteFile(filepath.Join(src, "etc/ssh/sshd_config"), []byte("PermitRootLogin no\n"), 0o644)
	_ = os.WriteFile(filepath.Join(src, "motd"), []byte("hello\n"), 0o644)
	for _, p := range []string{"etc", "etc/ssh"} { // whatever the umask
		_ = os.Chmod(filepath.Join(src, p), 0o755)
	}
	for _, p := range []string{"etc/ssh/sshd_config", "motd"} {
		_ = os.Chmod(filepath.Join(src, p), 0o644)
	}

	epoch := time.Unix(1700000000, 0)
	tree, warnings, err := fstree.Build(fstree.BuildOptions{
		Copies: []fstree.Copy{
			{Source: "/etc", Target: "/etc"},
			{Source: "/motd", Target: "/etc/motd"},
			{Source: "/missing", Target: "/opt", Origin: "10-root.conf:4"},
		},
		MakeDirs:        []string{"/var/lib"},
		MakeSymlinks:    []fstree.SymlinkSpec{{Path: "/var/run", Target: "../run"}},
		CopySource:      src,
		Owner:           fstree.OwnerRoot,
		SourceDateEpoch: &epoch,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = fstree.Walk(tree.Root, func(p string, e *fstree.Entry) error {
		fmt.Printf("/%s %s %o %d\n", p, e.Inode.Kind, e.Inode.Mode, e.Inode.Size)
		return nil
	})
	for _, w := range warnings {
		fmt.Println("warning:", w.Msg)
	}
	s, err := fstree.Summarize(tree)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d inodes, %d bytes of data\n", s.Inodes, s.DataBytes)
	// Output:
	// /etc dir 755 0
	// /etc/motd file 644 6
	// /etc/ssh dir 755 0
	// /etc/ssh/sshd_config file 644 19
	// /var dir 755 0
	// /var/lib dir 755 0
	// /var/run symlink 777 0
	// warning: source does not exist, 10-root.conf:4 skipped
	// 8 inodes, 25 bytes of data
}
