package conformance

import (
	"crypto/aes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/xts"
)

// sfdiskJSON is what `sfdisk --json` prints.
type sfdiskJSON struct {
	PartitionTable struct {
		SectorSize int64 `json:"sectorsize"`
		Partitions []struct {
			Node  string `json:"node"`
			Start int64  `json:"start"`
			Size  int64  `json:"size"`
			Type  string `json:"type"`
			UUID  string `json:"uuid"`
			Name  string `json:"name"`
		} `json:"partitions"`
	} `json:"partitiontable"`
}

// partitionRange returns the byte offset and size of partition n of image
// (n as in the node name IMAGE<n>).
func partitionRange(e *env, image string, n int) (int64, int64, error) {
	out, err := exec.CommandContext(e.ctx, "sfdisk", "--json", image).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("sfdisk --json %s: %w", image, err)
	}
	var t sfdiskJSON
	if err := json.Unmarshal(out, &t); err != nil {
		return 0, 0, err
	}
	ss := t.PartitionTable.SectorSize
	if ss == 0 {
		ss = 512
	}
	for _, p := range t.PartitionTable.Partitions {
		if p.Node == image+strconv.Itoa(n) {
			return p.Start * ss, p.Size * ss, nil
		}
	}
	return 0, 0, fmt.Errorf("%s has no partition %d", image, n)
}

// extract copies partition n of IMAGE to DST: the port's stand-in for the
// loop device's partition node (${loop}pN) upstream hands to the tools.
func extract(image string, n int, dst string) step {
	return fn{fmt.Sprintf("%s <- %sp%d", dst, image, n), func(e *env) error {
		p, err := paths(e, image, dst)
		if err != nil {
			return err
		}
		off, size, err := partitionRange(e, p[0], n)
		if err != nil {
			return err
		}
		return copyRange(p[0], off, size, p[1])
	}}
}

// copyRange copies size bytes at off of src to the file dst, leaving holes
// where src reads as zeros (partitions of sparse images are mostly holes).
func copyRange(src string, off, size int64, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for done := int64(0); done < size; {
		n := int(min(int64(len(buf)), size-done))
		if _, err := in.ReadAt(buf[:n], off+done); err != nil {
			out.Close()
			return err
		}
		if !allZero(buf[:n]) {
			if _, err := out.WriteAt(buf[:n], done); err != nil {
				out.Close()
				return err
			}
		}
		done += int64(n)
	}
	if err := out.Truncate(size); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// luksSegment is the part of the LUKS2 JSON metadata the decryption needs.
type luksSegment struct {
	Type       string `json:"type"`
	Offset     string `json:"offset"`
	Size       string `json:"size"`
	IVTweak    string `json:"iv_tweak"`
	Encryption string `json:"encryption"`
	SectorSize int64  `json:"sector_size"`
}

// luksOpen decrypts the LUKS2 volume in the file SRC with the key in
// KEYFILE into the file DST: the port's stand-in for `cryptsetup open` +
// /dev/mapper, which need device-mapper. cryptsetup unlocks the volume key
// (luksDump --dump-volume-key, no device-mapper); the data segment
// (aes-xts-plain64, as systemd-repart makes it) is decrypted here.
func luksOpen(src, keyFile, dst string) step {
	return fn{"cryptsetup open --key-file=" + keyFile + " " + src + " (decrypted to " + dst + ")", func(e *env) error {
		p, err := paths(e, src, keyFile, dst)
		if err != nil {
			return err
		}
		return decryptLUKS(e, p[0], p[1], p[2])
	}}
}

func decryptLUKS(e *env, src, keyFile, dst string) error {
	meta, err := exec.CommandContext(e.ctx, "cryptsetup", "luksDump", "--dump-json-metadata", src).Output()
	if err != nil {
		return fmt.Errorf("cryptsetup luksDump --dump-json-metadata: %w", err)
	}
	var m struct {
		Segments map[string]luksSegment `json:"segments"`
	}
	if err := json.Unmarshal(meta, &m); err != nil {
		return err
	}
	seg, ok := m.Segments["0"]
	if !ok || len(m.Segments) != 1 || seg.Type != "crypt" || seg.Encryption != "aes-xts-plain64" {
		return fmt.Errorf("LUKS2 segments %+v: want one aes-xts-plain64 crypt segment", m.Segments)
	}
	vkFile := filepath.Join(e.vars["tmp"], "volume-key")
	defer os.Remove(vkFile)
	cmd := exec.CommandContext(e.ctx, "cryptsetup", "luksDump", "-q", "--dump-volume-key",
		"--volume-key-file="+vkFile, "--key-file="+keyFile, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cryptsetup luksDump --dump-volume-key: %w\n%s", err, out)
	}
	key, err := os.ReadFile(vkFile)
	if err != nil {
		return err
	}
	c, err := xts.NewCipher(aes.NewCipher, key)
	if err != nil {
		return err
	}
	off, err := strconv.ParseInt(seg.Offset, 10, 64)
	if err != nil {
		return err
	}
	tweak, _ := strconv.ParseUint(seg.IVTweak, 10, 64)
	data, err := readRange(src, off, 0)
	if err != nil {
		return err
	}
	if seg.Size != "dynamic" {
		n, err := strconv.ParseInt(seg.Size, 10, 64)
		if err != nil || n > int64(len(data)) {
			return fmt.Errorf("LUKS2 segment size %q", seg.Size)
		}
		data = data[:n]
	}
	ss := seg.SectorSize
	data = data[:int64(len(data))/ss*ss]
	// plain64 counts 512-byte sectors whatever the encryption sector size
	// (LUKS2 does not set dm-crypt's iv_large_sectors).
	for i := int64(0); i < int64(len(data)); i += ss {
		c.Decrypt(data[i:i+ss], data[i:i+ss], tweak+uint64(i/512))
	}
	return os.WriteFile(dst, data, 0o644)
}

// debugfsDump copies directory DIR of the ext4 filesystem in file FS to
// DST (debugfs rdump): the port's stand-in for mounting it.
func debugfsDump(fs, dir, dst string) step {
	return fn{"debugfs -R 'rdump " + dir + " " + dst + "' " + fs, func(e *env) error {
		p, err := paths(e, fs, dir, dst)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(p[2], 0o755); err != nil {
			return err
		}
		out, err := exec.CommandContext(e.ctx, "debugfs", "-R", "rdump "+p[1]+" "+p[2], p[0]).CombinedOutput()
		if err != nil || strings.Contains(string(out), "File not found") {
			return fmt.Errorf("debugfs rdump: %v\n%s", err, out)
		}
		return nil
	}}
}

// extractFS copies the whole filesystem in file FS (type as blkid sees it)
// to the directory DST: the port's stand-in for mounting it.
func extractFS(fs, dst string) step {
	return fn{"mount " + fs + " " + dst + " (extracted)", func(e *env) error {
		p, err := paths(e, fs, dst)
		if err != nil {
			return err
		}
		typ, err := exec.CommandContext(e.ctx, "blkid", "-p", "-o", "value", "-s", "TYPE", p[0]).Output()
		if err != nil {
			return fmt.Errorf("blkid %s: %w", p[0], err)
		}
		if err := os.MkdirAll(p[1], 0o755); err != nil {
			return err
		}
		var cmd *exec.Cmd
		switch t := strings.TrimSpace(string(typ)); t {
		case "ext4", "ext2", "ext3":
			cmd = exec.CommandContext(e.ctx, "debugfs", "-R", "rdump / "+p[1], p[0])
		case "erofs":
			cmd = exec.CommandContext(e.ctx, "fsck.erofs", "--extract="+p[1], "--overwrite", p[0])
		case "squashfs":
			cmd = exec.CommandContext(e.ctx, "unsquashfs", "-f", "-d", p[1], p[0])
		case "vfat":
			cmd = exec.CommandContext(e.ctx, "mcopy", "-s", "-n", "-i", p[0], "::/", p[1])
			cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		default:
			return fmt.Errorf("%s: no extractor for filesystem type %q", p[0], t)
		}
		out, err := cmd.CombinedOutput()
		if entries, _ := os.ReadDir(p[1]); err == nil && cmd.Args[0] == "mcopy" && len(entries) == 0 {
			// Debian 12's mtools (4.0.32) takes a FAT32 with fewer than
			// 65525 clusters, as mkfs.vfat -F 32 makes it for a small
			// Minimize=guess partition, for a FAT16 without root directory
			// slots and lists nothing; 7-Zip's FAT reader follows the boot
			// sector (p7zip-full).
			cmd = exec.CommandContext(e.ctx, "7z", "x", "-y", "-o"+p[1], p[0])
			out, err = cmd.CombinedOutput()
		}
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", cmd, err, out)
		}
		return nil
	}}
}
