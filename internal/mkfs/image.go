package mkfs

import (
	"fmt"
	"os"
)

// TempImage creates an empty file of size bytes (sparse) in dir for a
// program to make a filesystem in; the caller removes it.
func TempImage(dir, pattern string, size int64) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("creating a temporary image: %w", err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("sizing a temporary image: %w", err)
	}
	return f, nil
}

// RemoveTemp closes and removes a temporary image.
func RemoveTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
