package artifacts

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// CompressFile compresses the file at srcPath into dstDir under its
// nixpkgs name (CompressedName of srcPath's base name) and returns the new
// path. The output appears atomically with mode perm: it is written to a
// temporary file in dstDir and renamed when complete, and removed on
// failure. srcPath is left in place; callers that only want the compressed
// artifact remove it.
func CompressFile(dstDir, srcPath string, perm os.FileMode, p Params) (string, error) {
	name, err := CompressedName(filepath.Base(srcPath), p.Algorithm)
	if err != nil {
		return "", err
	}
	src, err := os.Open(srcPath)
	if err != nil {
		return "", fmt.Errorf("compressing: %w", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return "", fmt.Errorf("compressing: %w", err)
	}
	dst := filepath.Join(dstDir, name)
	t, err := renameio.TempFile(dstDir, dst)
	if err != nil {
		return "", fmt.Errorf("creating %s: %w", dst, err)
	}
	defer t.Cleanup()
	if err := t.Chmod(perm); err != nil {
		return "", fmt.Errorf("creating %s: %w", dst, err)
	}
	if err := Compress(t, src, st.Size(), p); err != nil {
		return "", fmt.Errorf("compressing %s: %w", srcPath, err)
	}
	if err := t.CloseAtomicallyReplace(); err != nil {
		return "", fmt.Errorf("writing %s: %w", dst, err)
	}
	return dst, nil
}
