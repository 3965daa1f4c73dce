package repart

import (
	"fmt"
	"io"
	"os"

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

// setRootHash records the root hash on the pair and gives the data and
// hash partitions the UUIDs derived from it, unless UUID= is set (spec §4.2).
func (b *builder) setRootHash(hash *Partition, root []byte) {
	for _, role := range []definitions.Verity{definitions.VerityData, definitions.VerityHash, definitions.VeritySignature} {
		q := b.sibling(hash, role)
		if q == nil {
			continue
		}
		q.RootHash = root
		if q.Def.UUID != nil {
			continue
		}
		switch role {
		case definitions.VerityData:
			copy(q.UUID[:], root[:16])
		case definitions.VerityHash:
			copy(q.UUID[:], root[len(root)-16:])
		}
	}
}

// prepareMinimizedHash computes a Minimize= hash partition's tree over its
// data partition's content file before placement: its size is then the
// exact tree size and the root hash (and so the UUIDs) are known early.
func (b *builder) prepareMinimizedHash(h *Partition) error {
	data := b.sibling(h, definitions.VerityData)
	if data == nil {
		return errAt(h, "VerityMatchKey", "no Verity=data partition with VerityMatchKey=%s", h.Def.VerityMatchKey)
	}
	src, ok := b.files[data]
	if !ok {
		return errAt(h, "Minimize", "Minimize= set for verity hash partition but data partition %s does not set CopyBlocks= or Minimize=", data.Def.Path)
	}
	f, err := os.CreateTemp(b.opts.TempDir, ".gorepart-"+h.Def.Name+"-*")
	if err != nil {
		return fmt.Errorf("%s: %w", h.Def.Path, err)
	}
	os.Remove(f.Name())
	root, err := verity.Build(src, int64(data.CopySize), f, b.verityParams(h))
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: computing verity hash tree: %w", h.Def.Path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	b.opts.log("Minimal partition size of verity hash partition %s is %s", h.Def.Path, FormatBytes(uint64(st.Size())))
	b.files[h] = f
	h.CopySize, h.HasCopySize = uint64(st.Size()), true
	b.setRootHash(h, root[:])
	return nil
}

// writeHash computes the hash tree of a non-minimized hash partition over
// the whole data partition in the image.
func (b *builder) writeHash(h *Partition) error {
	data := b.sibling(h, definitions.VerityData)
	if data == nil {
		return errAt(h, "VerityMatchKey", "no Verity=data partition with VerityMatchKey=%s", h.Def.VerityMatchKey)
	}
	if data.Deferred {
		return errAt(h, "Verity", "the data partition %s is deferred, its hash cannot be computed", data.Def.Path)
	}
	p := b.verityParams(h)
	need := verity.HashSize(int64(data.Size), p)
	if uint64(need) > h.Size {
		return fmt.Errorf("%s: verity hash tree of %d bytes does not fit the hash partition of %d bytes", h.Def.Path, need, h.Size)
	}
	src := io.NewSectionReader(b.img, int64(data.Offset), int64(data.Size))
	root, err := verity.Build(src, int64(data.Size), b.region(h), p)
	if err != nil {
		return fmt.Errorf("%s: computing verity hash tree: %w", h.Def.Path, err)
	}
	b.setRootHash(h, root[:])
	return nil
}

// writeSignature fills a Verity=signature partition: the root hash signed
// with --private-key=, or a --join-signature= made elsewhere.
func (b *builder) writeSignature(s *Partition) error {
	data, hash := b.sibling(s, definitions.VerityData), b.sibling(s, definitions.VerityHash)
	if hash == nil || data == nil {
		return errAt(s, "VerityMatchKey", "no Verity=data and Verity=hash partitions with VerityMatchKey=%s", s.Def.VerityMatchKey)
	}
	root := hash.RootHash
	if root == nil && hash.Exists && data.Exists {
		// Built by an earlier run: the UUIDs are the halves of the root hash.
		root = append(append([]byte(nil), data.UUID[:]...), hash.UUID[:]...)
	}
	if root == nil {
		return errAt(s, "Verity", "no root hash to sign: the hash partition of VerityMatchKey=%s was not built", s.Def.VerityMatchKey)
	}
	if len(b.opts.Certificate) == 0 {
		return errAt(s, "Verity", "Verity=signature needs --certificate= (and --private-key= or --join-signature=)")
	}
	var (
		blob []byte
		err  error
	)
	if js, ok := verity.MatchJoinSignature(b.opts.JoinSignatures, data.UUID, hash.UUID); ok {
		blob, err = joinedSignatureBlob(js, b.opts.Certificate)
	} else if len(b.opts.PrivateKey) > 0 {
		blob, err = signatureBlob(root, b.opts.Certificate, b.opts.PrivateKey)
	} else {
		return errAt(s, "Verity", "no --private-key= and no --join-signature= for root hash %x", root)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", s.Def.Path, err)
	}
	s.RootHash = root
	if _, err := b.region(s).WriteAt(blob, 0); err != nil {
		return fmt.Errorf("%s: writing signature: %w", s.Def.Path, err)
	}
	return nil
}
