package vmcheck

import (
	"context"
	"crypto/aes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/crypto/xts"
)

// luksSegment is a data segment of the LUKS2 JSON metadata.
type luksSegment struct {
	Type       string `json:"type"`
	Offset     string `json:"offset"` // bytes
	Size       string `json:"size"`   // bytes or "dynamic": to the end
	IVTweak    string `json:"iv_tweak"`
	Encryption string `json:"encryption"`
	SectorSize int    `json:"sector_size"`
}

// luks opens a LUKS2 partition on the host: cryptsetup reads its
// metadata and, with the key file, its volume key. It returns the
// decrypted filesystem image for blkid and fsck ("" when the cipher is
// not aes-xts-plain64, which only the guest then reads) and the guest's
// dm-crypt device; nil when the partition cannot be opened.
func (h *host) luks(ctx context.Context, pre string, p *Partition, img string) (string, *job.Mapper) {
	h.blkid(ctx, pre, img, "crypto_LUKS")
	cs := h.tools["cryptsetup"]
	meta, err := exec.CommandContext(ctx, cs, "luksDump", "--disable-locks", "--dump-json-metadata", img).Output()
	if err != nil {
		h.res.fail("%scryptsetup luksDump --dump-json-metadata: %v", pre, err)
		return "", nil
	}
	var md struct {
		Segments map[string]luksSegment `json:"segments"`
	}
	if err := json.Unmarshal(meta, &md); err != nil || len(md.Segments) != 1 {
		h.res.fail("%sLUKS2 metadata: want one segment (%v)", pre, err)
		return "", nil
	}
	var seg luksSegment
	for _, s := range md.Segments {
		seg = s
	}
	vkFile := filepath.Join(h.work, fmt.Sprintf("p%d.vk", p.PartNo))
	defer os.Remove(vkFile)
	out, err := exec.CommandContext(ctx, cs, "luksDump", "--disable-locks", "--batch-mode", "--dump-volume-key",
		"--volume-key-file", vkFile, "--key-file", p.LUKS.KeyFile, img).CombinedOutput()
	if err != nil {
		h.res.fail("%scryptsetup luksDump --dump-volume-key with %s: %v %s", pre, p.LUKS.KeyFile, err, oneLine(out, 200))
		return "", nil
	}
	key, err := os.ReadFile(vkFile)
	if err != nil {
		h.res.fail("%sreading the volume key: %v", pre, err)
		return "", nil
	}
	h.res.pass("%sLUKS2 unlocked with %s (%s, %d-bit key, %d-byte sectors)", pre, filepath.Base(p.LUKS.KeyFile), seg.Encryption, 8*len(key), seg.SectorSize)
	st, err := os.Stat(img)
	if err != nil {
		h.res.fail("%s%v", pre, err)
		return "", nil
	}
	off, err1 := strconv.ParseInt(seg.Offset, 10, 64)
	tweak, err2 := strconv.ParseUint(seg.IVTweak, 10, 64)
	size := st.Size() - off
	var err3 error
	if seg.Size != "dynamic" {
		size, err3 = strconv.ParseInt(seg.Size, 10, 64)
	}
	ss := seg.SectorSize
	if err1 != nil || err2 != nil || err3 != nil || seg.Type != "crypt" || off%512 != 0 || size <= 0 || off+size > st.Size() ||
		(ss != 512 && ss != 1024 && ss != 2048 && ss != 4096) || size%int64(ss) != 0 {
		h.res.fail("%sLUKS2 segment %+v does not fit the %d-byte partition", pre, seg, st.Size())
		return "", nil
	}
	opt := ""
	if ss != 512 {
		opt = fmt.Sprintf(" 1 sector_size:%d", ss)
	}
	m := &job.Mapper{Name: fmt.Sprintf("vmcheck-p%d", p.PartNo), Target: "crypt", Sectors: uint64(size / 512), ReadAll: true,
		Params: fmt.Sprintf("%s %s %d /dev/vda%d %d%s", seg.Encryption, hex.EncodeToString(key), tweak, p.PartNo, off/512, opt)}
	if seg.Encryption != "aes-xts-plain64" {
		h.res.info("%shost cannot decrypt %s: blkid and fsck left to the guest's mount", pre, seg.Encryption)
		return "", m
	}
	plain := filepath.Join(h.work, fmt.Sprintf("p%d.plain", p.PartNo))
	if err := decryptXTS(plain, img, key, off, size, ss, tweak); err != nil {
		h.res.fail("%sdecrypting: %v", pre, err)
		return "", nil
	}
	return plain, m
}

// decryptXTS decrypts an aes-xts-plain64 segment into a sparse file: the
// IV of each sector is its 512-byte sector number within the segment
// plus the tweak (LUKS2 never counts IVs in larger sectors).
func decryptXTS(dst, src string, key []byte, off, size int64, sectorSize int, tweak uint64) error {
	c, err := xts.NewCipher(aes.NewCipher, key)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	r := &xtsReader{r: io.NewSectionReader(in, off, size), c: c, ss: sectorSize, iv: tweak, buf: make([]byte, sectorSize)}
	return copySparse(dst, r, size)
}

// xtsReader decrypts whole sectors as it reads.
type xtsReader struct {
	r   io.Reader
	c   *xts.Cipher
	ss  int
	iv  uint64
	buf []byte
}

func (x *xtsReader) Read(p []byte) (int, error) {
	n := 0
	for len(p)-n >= x.ss {
		if _, err := io.ReadFull(x.r, x.buf); err != nil {
			if n > 0 && err == io.EOF {
				return n, nil
			}
			return n, err
		}
		x.c.Decrypt(p[n:n+x.ss], x.buf, x.iv)
		x.iv += uint64(x.ss / 512)
		n += x.ss
	}
	if n == 0 {
		return 0, fmt.Errorf("decrypting: read of %d bytes, less than a sector", len(p))
	}
	return n, nil
}
