package gptdump

import "os"

// ReadFile reads the table of the disk image at path (sectorSize 0: try
// 512, then 4096).
func ReadFile(path string, sectorSize int) (*Dump, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, sectorSize)
}
