package boottest

import (
	"debug/pe"
	"encoding/binary"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// checkUKI checks the UKI scripts/mkuki made: the stub's sections then
// .osrel .cmdline .linux .initrd, each at an address after the one before
// and aligned to 4 KiB; the command line (read with objcopy) carrying
// usrhash=; the header's time SOURCE_DATE_EPOCH and its checksum right.
func checkUKI(t *testing.T, uki, usrHash string, epoch uint32) {
	f, err := pe.Open(uki)
	if err != nil {
		t.Fatalf("reading the UKI: %v", err)
	}
	defer f.Close()
	var names []string
	var end uint32
	for _, s := range f.Sections {
		if s.VirtualAddress < end {
			t.Errorf("UKI section %s at %#x overlaps the one before (ends %#x)", s.Name, s.VirtualAddress, end)
		}
		end = s.VirtualAddress + s.VirtualSize
		names = append(names, s.Name)
	}
	added := []string{".osrel", ".cmdline", ".linux", ".initrd"}
	if got := strings.Join(names, " "); !strings.HasSuffix(got, strings.Join(added, " ")) {
		t.Errorf("UKI sections %s, want the stub's then %v", got, added)
	}
	for _, n := range added {
		if s := f.Section(n); s != nil && s.VirtualAddress%4096 != 0 {
			t.Errorf("UKI section %s at %#x, not 4 KiB aligned", n, s.VirtualAddress)
		}
	}
	cl, err := exec.Command("objcopy", "-O", "binary", "--only-section=.cmdline", uki, "/dev/stdout").Output()
	if err != nil || !strings.Contains(string(cl), "usrhash="+usrHash) {
		t.Errorf("UKI .cmdline %q (%v) lacks usrhash=%s", cl, err, usrHash)
	}
	if f.TimeDateStamp != epoch {
		t.Errorf("UKI header time %d, want SOURCE_DATE_EPOCH %d", f.TimeDateStamp, epoch)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		t.Fatal("UKI is not PE32+")
	}
	b, err := os.ReadFile(uki)
	if err != nil {
		t.Fatal(err)
	}
	if sum := peChecksum(b); oh.CheckSum != sum {
		t.Errorf("UKI header checksum %#x, computed %#x", oh.CheckSum, sum)
	}
}

// peChecksum is the PE image checksum: the 16-bit little-endian words of
// the file summed with end-around carry, the CheckSum field itself (at
// byte 64 of the optional header) counted as zero, plus the file size.
func peChecksum(b []byte) uint32 {
	field := int(binary.LittleEndian.Uint32(b[0x3c:])) + 24 + 64
	var sum uint64
	for i := 0; i < len(b); i += 2 {
		if i == field || i == field+2 {
			continue
		}
		w := uint64(b[i])
		if i+1 < len(b) {
			w |= uint64(b[i+1]) << 8
		}
		sum += w
		sum = sum&0xffff + sum>>16
	}
	return uint32(sum&0xffff+sum>>16) + uint32(len(b))
}
