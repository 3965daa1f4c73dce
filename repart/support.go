package repart

import (
	"github.com/gorepart/gorepart/definitions"
)

// compressingFormats are the filesystems whose writers take Compression=
// and CompressionLevel= (repart passes them to mkfs.btrfs, mksquashfs and
// mkfs.erofs only).
var compressingFormats = map[string]bool{"erofs": true, "squashfs": true, "btrfs": true}

// CheckSupported refuses, before anything is written, what a definition
// asks for that gorepart does not build: an image must never be made
// without something the definitions ask for (a plaintext partition where
// Encrypt= was set, a file without its fs-verity, an uncompressed
// filesystem where Compression= was set).
func CheckSupported(defs []*definitions.Definition) error {
	for _, d := range defs {
		if err := checkSupported(d); err != nil {
			return err
		}
	}
	return nil
}

func checkSupported(d *definitions.Definition) error {
	p := &Partition{Def: d}
	switch d.Encrypt {
	case definitions.EncryptTPM2, definitions.EncryptKeyFileTPM2:
		return errAt(p, "Encrypt", "TPM2 enrollment is not supported (repart 262 enrolls one offline only with --tpm2-device-key= and the expected PCR values); use Encrypt=key-file")
	}
	if d.Integrity == "inline" {
		return errAt(p, "Integrity", "Integrity=inline needs dm-integrity on a block device (repart's online mode); offline builds cannot make it")
	}
	for _, c := range d.Copies {
		if c.FSVerity {
			return errAt(p, "CopyFiles", "fsverity=copy is not supported: files would be copied without their fs-verity data")
		}
	}
	fs := d.FileSystem()
	if (d.Compression != "" || d.CompressionLevel != "") && !compressingFormats[fs] {
		key := "Compression"
		if d.Compression == "" {
			key = "CompressionLevel"
		}
		return errAt(p, key, "has no effect on %s: only erofs, squashfs and btrfs are compressed", fsName(fs))
	}
	if fs != "btrfs" && (len(d.Subvolumes) > 0 || d.DefaultSubvol != "") {
		key := "Subvolumes"
		if len(d.Subvolumes) == 0 {
			key = "DefaultSubvolume"
		}
		return errAt(p, key, "only applies to Format=btrfs, not %s", fsName(fs))
	}
	return nil
}

func fsName(fs string) string {
	if fs == "" {
		return "a partition without a filesystem"
	}
	return fs
}
