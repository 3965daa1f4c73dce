package boottest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// expectedEntries lists what the initrd reports of the image's root file
// system for a tree whose root/ is copied to / and usr/ to /usr: a line
// "FILE <sha256> ./<path>" per regular file and "LINK ./<path> <target>"
// per symlink.
func expectedEntries(tree string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, part := range []struct{ src, dst string }{{"root", ""}, {"usr", "usr"}} {
		base := filepath.Join(tree, part.src)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(base, p)
			if err != nil {
				return err
			}
			name := "./" + path.Join(part.dst, filepath.ToSlash(rel))
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				if err != nil {
					return err
				}
				want["LINK "+name+" "+target] = true
			case d.Type().IsRegular():
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				sum := sha256.Sum256(b)
				want["FILE "+hex.EncodeToString(sum[:])+" "+name] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return want, nil
}
