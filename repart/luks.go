package repart

import (
	"fmt"
	"io"
	"os"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/luks"
)

// encrypted reports whether p is written through LUKS2 (Encrypt=).
func encrypted(p *Partition) bool { return p.Def.Encrypt != definitions.EncryptOff }

// LUKSUUID is the UUID repart gives the LUKS2 header of partition p.
func LUKSUUID(p *Partition) UUID { return DeriveUUID(p.UUID, "luks-uuid") }

// luksKey is the passphrase of p's keyslot: --key-file= (which wins, as
// in repart 262), else KeyFile=, else empty, as repart enrolls it.
func (b *builder) luksKey(p *Partition) ([]byte, error) {
	if b.opts.KeyFile != nil {
		return b.opts.KeyFile, nil
	}
	if p.Def.KeyFile == "" {
		return []byte{}, nil
	}
	k, err := os.ReadFile(p.Def.KeyFile)
	if err != nil {
		return nil, errAt(p, "KeyFile", "reading the key file: %v", err)
	}
	return k, nil
}

// luksWriter formats p's region as a LUKS2 volume (header and keyslot
// first) and returns the writer the content goes through: the filesystem
// (or blocks) are encrypted in the same pass, never on disk in plain
// text. Keys and salts are random: an encrypted partition is not
// reproducible.
func (b *builder) luksWriter(p *Placed, region io.WriterAt) (*luks.Writer, error) {
	key, err := b.luksKey(p.Partition)
	if err != nil {
		return nil, err
	}
	label := "luks-" + p.Label
	if p.Def.VolumeLabel != nil {
		label = *p.Def.VolumeLabel
	}
	discard := p.Def.Discard == definitions.Yes || (p.Def.Discard == definitions.Unset && !b.opts.NoDiscard)
	b.plog(p.Partition, "Encrypting future partition %d...", p.PartNo)
	if b.run != nil {
		// One key derivation at a time: argon2id takes 64 MiB.
		b.run.kdf.Lock()
		defer b.run.kdf.Unlock()
	}
	w, err := luks.NewWriter(region, int64(p.Size), luks.Params{
		UUID: LUKSUUID(p.Partition), Label: label, Key: key, SectorSize: int(FSSectorSize(p.Partition, b.opts.Plan)),
		KDF: p.Def.EncryptKDF, Discard: discard, KeepHoles: b.holesUnread(p.Partition),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: formatting LUKS2: %w", p.Def.Path, err)
	}
	return w, nil
}

// holesUnread reports whether p's content is a filesystem that never
// reads what its writer left unwritten (fsformat.Format.HolesUnread): its
// LUKS2 volume need not have zeros encrypted into those sectors. Blocks
// copied (CopyBlocks=, whose holes are zeros to keep), empty partitions
// and formats made by mkfs tools are filled as repart fills them. Swap
// reads back only the pages it wrote and its header.
func (b *builder) holesUnread(p *Partition) bool {
	if p.Format == "swap" {
		return true
	}
	c := b.content[p]
	return c != nil && c.fs != nil && c.format.HolesUnread
}

// plainSize is the size of an encrypted partition's content: the
// partition less repart's 32 MiB (LUKS2 header and data shift).
func plainSize(p *Placed) int64 { return int64(p.Size) - luks.KeepFree }
