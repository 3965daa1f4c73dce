package repart

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/gpt"
)

// Disk label probing as libfdisk does it for systemd-repart's --empty=
// modes (util-linux libfdisk/src/gpt.c valid_pmbr, gpt_probe_label;
// dos.c dos_probe_label), and systemd's probe_sector_size
// (src/shared/dissect-image.c).
const (
	mbrSignatureOffset = 510 // 0x55 0xAA
	mbrEntriesOffset   = 446 // four 16-byte entries
	mbrEntryTypeOffset = 4
	mbrTypeGPT         = 0xEE
	aixMagic           = "\xC9\xC2\xD4\xC1" // libfdisk ignores MBRs starting with it
	gptSignature       = "EFI PART"
)

// diskLabel is the kind of partition table found on an image.
type diskLabel int

const (
	labelNone  diskLabel = iota // nothing libfdisk recognises
	labelGPT                    // protective MBR and a valid primary or backup GPT header
	labelOther                  // a DOS/MBR label (also a protective MBR without a GPT, a FAT boot sector)
)

// LabelConflict is --empty= refusing the disk label an image has (or
// lacks). systemd-repart logs Message as a notice and exits with status
// 77, "not doing anything".
type LabelConflict struct {
	Message string
}

func (e *LabelConflict) Error() string { return e.Message }

// probeSectorSize is systemd's probe_sector_size for a regular file: the
// power of two from 512 to 4096 at whose offset the "EFI PART" signature
// of a GPT header is found, 512 when there is none (or the file is shorter
// than 8 KiB).
func probeSectorSize(r io.ReaderAt) (int, error) {
	buf := make([]byte, 2*4096)
	if n, err := r.ReadAt(buf, 0); n != len(buf) {
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		return 512, nil
	}
	found := 0
	for ss := 512; ss <= 4096; ss <<= 1 {
		if string(buf[ss:ss+len(gptSignature)]) != gptSignature {
			continue
		}
		if found != 0 {
			return 0, errors.New("GPT headers found at offsets matching multiple sector sizes")
		}
		found = ss
	}
	if found == 0 {
		return 512, nil
	}
	return found, nil
}

// probeLabel reads the disk label of an image of size bytes with
// ss-byte sectors, and the GPT when it is one: the primary table, or
// the backup at the last sector when the primary is damaged.
func probeLabel(r io.ReaderAt, size int64, ss int) (diskLabel, *gpt.Table, error) {
	mbr := make([]byte, 512)
	if n, err := r.ReadAt(mbr, 0); n != len(mbr) {
		if err != nil && !errors.Is(err, io.EOF) {
			return labelNone, nil, err
		}
		return labelNone, nil, nil
	}
	if mbr[mbrSignatureOffset] != 0x55 || mbr[mbrSignatureOffset+1] != 0xAA {
		return labelNone, nil, nil
	}
	protective := false
	for i := range 4 {
		if mbr[mbrEntriesOffset+16*i+mbrEntryTypeOffset] == mbrTypeGPT {
			protective = true
		}
	}
	if protective {
		if t, err := gpt.ReadTable(r, ss); err == nil {
			return labelGPT, t, nil
		}
		if last := size/int64(ss) - 1; last > 1 {
			if t, err := gpt.ReadTable(backupHeader{r, int64(ss), last}, ss); err == nil {
				t.TotalSectors = uint64(last + 1)
				return labelGPT, t, nil
			}
		}
	}
	if string(mbr[:len(aixMagic)]) == aixMagic {
		return labelNone, nil, nil
	}
	return labelOther, nil, nil
}

// backupHeader shows the header in sector last where gpt.ReadTable
// looks for the primary one (sector 1); the backup header points to its
// own entry array, which is read through unchanged.
type backupHeader struct {
	r        io.ReaderAt
	ss, last int64
}

func (b backupHeader) ReadAt(p []byte, off int64) (int, error) {
	if off >= b.ss && off < 2*b.ss {
		off += (b.last - 1) * b.ss
	}
	return b.r.ReadAt(p, off)
}

// existingState is what --empty= found on an image that is not created
// anew: the node naming it, its size and sector size, and the GPT to
// build upon (nil when starting from scratch).
type existingState struct {
	node       string
	size       int64
	sectorSize int
	table      *gpt.Table
}

// inspectImage applies --empty= (refuse, allow, require, force) to an
// existing image as systemd-repart's context_load_partition_table does.
// sectorSize is --sector-size= (0 for none): without it refuse and allow
// probe the sector size from a GPT header, require and force use 512.
func inspectImage(path, mode string, sectorSize int) (existingState, error) {
	node, err := resolveNode(path)
	if err != nil {
		return existingState{}, err
	}
	f, err := os.Open(node)
	if err != nil {
		return existingState{}, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return existingState{}, fmt.Errorf("checking %s: %w", path, err)
	}
	s := existingState{node: node, size: st.Size(), sectorSize: sectorSize}
	if s.sectorSize == 0 {
		s.sectorSize = 512
		if mode == "refuse" || mode == "allow" {
			if s.sectorSize, err = probeSectorSize(f); err != nil {
				return existingState{}, fmt.Errorf("probing sector size of %s: %w", node, err)
			}
		}
	}
	label, t, err := probeLabel(f, s.size, s.sectorSize)
	if err != nil {
		return existingState{}, fmt.Errorf("reading disk label of %s: %w", node, err)
	}
	switch mode {
	case "refuse":
		if label != labelGPT {
			return existingState{}, &LabelConflict{fmt.Sprintf("Disk %s has no GPT disk label, not repartitioning.", node)}
		}
		s.table = t
	case "require":
		if label != labelNone {
			return existingState{}, &LabelConflict{fmt.Sprintf("Disk %s already has a disk label, refusing.", node)}
		}
	case "allow":
		if label == labelOther {
			return existingState{}, &LabelConflict{fmt.Sprintf("Disk %s has non-GPT disk label, not repartitioning.", node)}
		}
		s.table = t
	case "force":
	default:
		return existingState{}, fmt.Errorf("invalid --empty= mode %q", mode)
	}
	return s, nil
}

// resolveNode is the absolute path of an existing image with symlinks
// resolved, the name systemd-repart's chase_and_open gives it in messages,
// report nodes and split file paths.
func resolveNode(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", path, err)
	}
	node, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", path, err)
	}
	return node, nil
}
