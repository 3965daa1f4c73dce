package repart

import (
	"bytes"
	"testing"

	"github.com/gorepart/gorepart/gpt"
)

// memImage is an in-memory image for the probes.
type memImage []byte

func (m memImage) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m).ReadAt(p, off)
}

func gptImage(t *testing.T, ss int, size int64) memImage {
	t.Helper()
	total := uint64(size) / uint64(ss)
	tbl := gpt.Table{SectorSize: ss, TotalSectors: total, FirstUsable: 1 << 20 / uint64(ss), LastUsable: total - 34,
		DiskGUID: gpt.GUID{1, 2, 3}, Entries: []gpt.Entry{{Index: 0, Type: gpt.GUID{9}, UUID: gpt.GUID{8}, FirstLBA: 1 << 20 / uint64(ss), LastLBA: 2 << 20 / uint64(ss)}}}
	regions, err := tbl.Encode()
	if err != nil {
		t.Fatal(err)
	}
	img := make(memImage, size)
	for _, r := range regions {
		copy(img[r.Offset:], r.Data)
	}
	return img
}

// TestProbeLabel: the labels libfdisk finds, with the sector size
// systemd's probe_sector_size picks.
func TestProbeLabel(t *testing.T) {
	const size = 8 << 20
	for _, tc := range []struct {
		name   string
		img    func() memImage
		ss     int // probed
		label  diskLabel
		parts  int
		sizeOK bool // probeSectorSize succeeds
	}{
		{name: "zero", img: func() memImage { return make(memImage, size) }, ss: 512, label: labelNone},
		{name: "short", img: func() memImage { return make(memImage, 100) }, ss: 512, label: labelNone},
		{name: "gpt 512", img: func() memImage { return gptImage(t, 512, size) }, ss: 512, label: labelGPT, parts: 1},
		{name: "gpt 4096", img: func() memImage { return gptImage(t, 4096, size) }, ss: 4096, label: labelGPT, parts: 1},
		{name: "backup only", img: func() memImage {
			m := gptImage(t, 4096, size)
			clear(m[4096:8192])
			return m
		}, ss: 512, label: labelOther}, // no signature at LBA 1: probed as 512, where the backup is not
		{name: "backup only at probed size", img: func() memImage {
			m := gptImage(t, 512, size)
			clear(m[512:1024])
			return m
		}, ss: 512, label: labelGPT, parts: 1},
		{name: "no protective MBR", img: func() memImage {
			m := gptImage(t, 512, size)
			clear(m[:512])
			return m
		}, ss: 512, label: labelNone},
		{name: "hybrid MBR", img: func() memImage {
			m := gptImage(t, 512, size)
			m[mbrEntriesOffset+16+mbrEntryTypeOffset] = 0x83
			return m
		}, ss: 512, label: labelGPT, parts: 1},
		{name: "dos", img: func() memImage {
			m := make(memImage, size)
			m[mbrEntriesOffset+mbrEntryTypeOffset] = 0x83
			m[510], m[511] = 0x55, 0xAA
			return m
		}, ss: 512, label: labelOther},
		{name: "aix", img: func() memImage {
			m := make(memImage, size)
			copy(m, aixMagic)
			m[510], m[511] = 0x55, 0xAA
			return m
		}, ss: 512, label: labelNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.img()
			ss, err := probeSectorSize(img)
			if err != nil {
				t.Fatal(err)
			}
			if ss != tc.ss {
				t.Errorf("sector size %d, want %d", ss, tc.ss)
			}
			label, tbl, err := probeLabel(img, int64(len(img)), ss)
			if err != nil {
				t.Fatal(err)
			}
			if label != tc.label {
				t.Errorf("label %d, want %d", label, tc.label)
			}
			if (tbl != nil) != (tc.label == labelGPT) || (tbl != nil && len(tbl.Entries) != tc.parts) {
				t.Errorf("table %+v, want one with %d partitions for a GPT", tbl, tc.parts)
			}
		})
	}
}

// TestProbeSectorSizeAmbiguous: GPT signatures at two sector sizes are
// refused, as probe_sector_size does.
func TestProbeSectorSizeAmbiguous(t *testing.T) {
	img := gptImage(t, 512, 8<<20)
	copy(img[4096:], "EFI PART")
	if ss, err := probeSectorSize(img); err == nil {
		t.Fatalf("sector size %d, want an error", ss)
	}
}
