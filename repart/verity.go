package repart

import (
	"fmt"
	"io"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/verity"
)

// verityParams are the hash tree parameters of hash partition h: block
// sizes from VerityDataBlockSizeBytes=/VerityHashBlockSizeBytes= (on the
// hash partition, else its data partition) or the hash partition's
// filesystem sector size; salt and superblock UUID from the seed.
func (b *builder) verityParams(h *Partition) verity.Params {
	dflt := FSSectorSize(h, b.opts.Plan)
	pick := func(get func(*definitions.Definition) uint64) int {
		if v := get(h.Def); v != 0 {
			return int(v)
		}
		return int(dflt)
	}
	return verity.Params{
		DataBlockSize: pick(func(d *definitions.Definition) uint64 { return d.VerityDataBlock }),
		HashBlockSize: pick(func(d *definitions.Definition) uint64 { return d.VerityHashBlock }),
		Salt:          VeritySalt(b.opts.Plan.Seed),
		UUID:          VerityUUID(b.opts.Plan.Seed),
	}
}

// TableUUID is the UUID of p's GPT entry: for a verity data or hash
// partition without UUID=, a half of its group's root hash (spec §4.2),
// else p.UUID.
func TableUUID(p *Partition, roots map[string][]byte) UUID {
	root := roots[p.Def.VerityMatchKey]
	if root == nil || p.Def.UUID != nil || p.Def.VerityMatchKey == "" {
		return p.UUID
	}
	var u UUID
	switch p.Def.Verity {
	case definitions.VerityData:
		copy(u[:], root[:16])
	case definitions.VerityHash:
		copy(u[:], root[len(root)-16:])
	default:
		return p.UUID
	}
	return u
}

// writeHash computes the hash tree of hash partition h over its data
// partition as written in the image: over the data partition's content
// when h is minimized (its size was computed from that), else over the
// whole data partition. It returns the root hash.
func (b *builder) writeHash(h *Placed) ([]byte, error) {
	dp := b.sibling(h.Partition, definitions.VerityData)
	if dp == nil {
		return nil, errAt(h.Partition, "VerityMatchKey", "no Verity=data partition with VerityMatchKey=%s", h.Def.VerityMatchKey)
	}
	if b.deferred[dp] {
		return nil, errAt(h.Partition, "Verity", "the data partition %s is deferred, its hash cannot be computed", dp.Def.Path)
	}
	data := b.layout.Find(dp)
	size := data.Size
	if h.Def.Minimize != definitions.MinimizeOff {
		size = b.content[dp].size
	}
	p := b.verityParams(h.Partition)
	need := verity.HashSize(int64(size), p)
	if uint64(need) > h.Size {
		return nil, fmt.Errorf("%s: verity hash tree of %d bytes does not fit the hash partition of %d bytes", h.Def.Path, need, h.Size)
	}
	src := io.NewSectionReader(b.img, int64(data.Offset), int64(size))
	root, err := verity.Build(src, int64(size), b.region(h), p)
	if err != nil {
		return nil, fmt.Errorf("%s: computing verity hash tree: %w", h.Def.Path, err)
	}
	return root[:], nil
}

// writeSignature fills a Verity=signature partition: the root hash signed
// with --private-key=, or a --join-signature= made elsewhere.
func (b *builder) writeSignature(sp *Placed) error {
	s := sp.Partition
	data, hash := b.sibling(s, definitions.VerityData), b.sibling(s, definitions.VerityHash)
	if hash == nil || data == nil {
		return errAt(s, "VerityMatchKey", "no Verity=data and Verity=hash partitions with VerityMatchKey=%s", s.Def.VerityMatchKey)
	}
	root := b.roots[s.Def.VerityMatchKey]
	if root == nil && hash.Exists && data.Exists {
		// Built by an earlier run: the UUIDs are the halves of the root hash.
		root = append(append([]byte(nil), data.UUID[:]...), hash.UUID[:]...)
		b.roots[s.Def.VerityMatchKey] = root
	}
	if root == nil {
		return errAt(s, "Verity", "no root hash to sign: the hash partition of VerityMatchKey=%s was not built", s.Def.VerityMatchKey)
	}
	dataUUID, hashUUID := TableUUID(data, b.roots), TableUUID(hash, b.roots)
	if len(b.opts.Certificate) == 0 {
		return errAt(s, "Verity", "Verity=signature needs --certificate= (and --private-key= or --join-signature=)")
	}
	var (
		blob []byte
		err  error
	)
	if js, ok := verity.MatchJoinSignature(b.opts.JoinSignatures, dataUUID, hashUUID); ok {
		blob, err = joinedSignatureBlob(js, b.opts.Certificate)
	} else if len(b.opts.PrivateKey) > 0 {
		blob, err = signatureBlob(root, b.opts.Certificate, b.opts.PrivateKey)
	} else {
		return errAt(s, "Verity", "no --private-key= and no --join-signature= for root hash %x", root)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.Def.Path, err)
	}
	if _, err := b.region(sp).WriteAt(blob, 0); err != nil {
		return fmt.Errorf("%s: writing signature: %w", s.Def.Path, err)
	}
	return nil
}
