package vmcheck

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/internal/gptdump"
	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// verity checks a dm-verity pair with veritysetup (the superblock
// against the spec, the whole data area against the root hash, the
// partition UUIDs) and returns the guest's dm-verity device.
func (h *host) verity(ctx context.Context, pre string, p *Partition, g gptdump.Partition, data string) *job.Mapper {
	v := p.Verity
	hg, ok := h.parts[v.HashPartNo]
	if !ok {
		h.res.fail("%sverity hash partition %d not in GPT", pre, v.HashPartNo)
		return nil
	}
	hashImg := filepath.Join(h.work, fmt.Sprintf("p%d.hash", v.HashPartNo))
	if err := h.extract(hg, hashImg); err != nil {
		h.res.fail("%sextracting hash partition: %v", pre, err)
		return nil
	}
	defer os.Remove(hashImg)
	root := strings.ToLower(v.RootHash)
	superblock := v.Superblock == nil || *v.Superblock
	sb := map[string]string{}
	if superblock {
		out, err := exec.CommandContext(ctx, h.tools["veritysetup"], "dump", "--hash-offset="+strconv.FormatInt(v.HashOffset, 10), hashImg).CombinedOutput()
		if err != nil {
			h.res.fail("%sveritysetup dump p%d: %v %s", pre, v.HashPartNo, err, oneLine(out, 200))
			return nil
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if k, val, ok := strings.Cut(sc.Text(), ":"); ok {
				sb[strings.TrimSpace(k)] = strings.ToLower(strings.Join(strings.Fields(val), ""))
			}
		}
		h.res.pass("%sverity superblock in p%d (type %s, %s, data %s x %s, hash block %s)", pre, v.HashPartNo,
			sb["Hash type"], sb["Hash algorithm"], sb["Data blocks"], sb["Data block size"], sb["Hash block size"])
		if sb["Hash type"] != "1" {
			h.res.fail("%sverity hash type %s, expected 1", pre, sb["Hash type"])
		}
	}
	itoa := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	pick := func(name, want, have, def string) string {
		if want != "" && have != "" {
			if want == have {
				h.res.pass("%sverity %s = %s", pre, name, have)
			} else {
				h.res.fail("%sverity %s is %q, spec says %q", pre, name, have, want)
			}
		}
		switch {
		case have != "":
			return have
		case want != "":
			return want
		}
		return def
	}
	partBytes := int64(g.Size) * int64(h.sectorSize)
	dbs, _ := strconv.ParseInt(pick("data_block_size", itoa(int64(v.DataBlockSize)), sb["Data block size"], "4096"), 10, 64)
	hbs, _ := strconv.ParseInt(pick("hash_block_size", itoa(int64(v.HashBlockSize)), sb["Hash block size"], "4096"), 10, 64)
	alg := pick("hash_algorithm", v.HashAlgorithm, sb["Hash algorithm"], "sha256")
	salt := pick("salt", strings.ToLower(v.Salt), sb["Salt"], "-")
	nb, _ := strconv.ParseInt(pick("data_blocks", itoa(v.DataBlocks), sb["Data blocks"], strconv.FormatInt(partBytes/max(dbs, 1), 10)), 10, 64)
	if dbs <= 0 || hbs <= 0 || nb <= 0 {
		h.res.fail("%sverity geometry: data blocks %d of %d bytes, hash blocks of %d", pre, nb, dbs, hbs)
		return nil
	}
	if nb*dbs <= partBytes {
		h.res.pass("%sverity data area %d bytes fits the partition (%d bytes)", pre, nb*dbs, partBytes)
	} else {
		h.res.fail("%sverity data area %d bytes exceeds the partition (%d bytes)", pre, nb*dbs, partBytes)
	}
	hashStart := v.HashOffset / hbs
	if superblock {
		hashStart = (v.HashOffset + 512 + hbs - 1) / hbs // the 512-byte superblock padded to a hash block
	}
	args := []string{"verify", "--data-block-size=" + strconv.FormatInt(dbs, 10), "--hash-block-size=" + strconv.FormatInt(hbs, 10),
		"--hash-offset=" + strconv.FormatInt(v.HashOffset, 10)}
	if !superblock {
		args = append(args, "--no-superblock", "--hash="+alg, "--data-blocks="+strconv.FormatInt(nb, 10), "--salt="+salt)
	}
	if out, err := exec.CommandContext(ctx, h.tools["veritysetup"], append(args, data, hashImg, root)...).CombinedOutput(); err == nil {
		h.res.pass("%sveritysetup verify against root hash %.16s…", pre, root)
	} else {
		h.res.fail("%sveritysetup verify: %v %s", pre, err, oneLine(out, 200))
	}
	if v.UUIDFromRootHash {
		for _, c := range []struct {
			n    int
			half string
			what string
		}{{p.PartNo, root[:min(32, len(root))], "roothash[0:32]"}, {v.HashPartNo, root[min(32, len(root)):], "roothash[32:64]"}} {
			have := strings.ToLower(strings.ReplaceAll(h.parts[c.n].UUID, "-", ""))
			if have == c.half {
				h.res.pass("host: p%d: PARTUUID = %s", c.n, c.what)
			} else {
				h.res.fail("host: p%d: PARTUUID %s, %s is %s", c.n, h.parts[c.n].UUID, c.what, c.half)
			}
		}
	}
	params := fmt.Sprintf("1 /dev/vda%d /dev/vda%d %d %d %d %d %s %s %s", p.PartNo, v.HashPartNo, dbs, hbs, nb, hashStart, alg, root, salt)
	h.res.info("p%d: dm-verity table: 0 %d verity %s", p.PartNo, nb*dbs/512, params)
	return &job.Mapper{Name: fmt.Sprintf("vmcheck-p%d", p.PartNo), Target: "verity", Sectors: uint64(nb * dbs / 512),
		Params: params, ReadAll: true, Status: "V"}
}
