package repart

import (
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
)

// ThenCopy is a file produced between the two phases of a one-command
// build (e.g. a UKI holding usrhash=), copied into a deferred partition:
// the first deferred partition of Type, or the first deferred partition
// with a filesystem when Type is nil.
type ThenCopy struct {
	Source, Target string
	Type           *definitions.PartitionType
}

// Then runs between writing the partitions and filling the deferred ones,
// with the root hashes known; env holds ROOTHASH and USRHASH (the root
// hashes of the root and usr verity pairs) when those exist. It returns
// the files to copy into the deferred partitions.
type Then func(env []string) ([]ThenCopy, error)

// rootHashEnv is ROOTHASH=/USRHASH= of the verity data partitions.
func (b *builder) rootHashEnv() []string {
	var env []string
	for _, p := range b.parts {
		if p.Dropped || p.Def.Verity != definitions.VerityData || p.RootHash == nil {
			continue
		}
		switch p.Type.Designator {
		case "root":
			env = append(env, "ROOTHASH="+hex.EncodeToString(p.RootHash))
		case "usr":
			env = append(env, "USRHASH="+hex.EncodeToString(p.RootHash))
		}
	}
	return env
}

// runThen fills the deferred partitions after o.Then: the one-command
// form of repart's --defer-partitions= + second run.
func (b *builder) runThen() error {
	copies, err := b.opts.Then(b.rootHashEnv())
	if err != nil {
		return err
	}
	var deferred []*Partition
	for _, p := range b.parts {
		if p.Deferred && !p.Dropped {
			deferred = append(deferred, p)
		}
	}
	extra := map[*Partition][]fstree.Copy{}
	for _, c := range copies {
		var dst *Partition
		for _, p := range deferred {
			if (c.Type != nil && p.Type.UUID == c.Type.UUID) || (c.Type == nil && p.Format != "" && p.Format != "swap") {
				dst = p
				break
			}
		}
		if dst == nil {
			return fmt.Errorf("no deferred partition with a filesystem to copy %s into", c.Source)
		}
		extra[dst] = append(extra[dst], fstree.Copy{Source: c.Source, Target: c.Target, HostPath: true, Origin: "--then-copy"})
	}
	for _, p := range deferred {
		if len(extra[p]) > 0 {
			d := *p.Def
			d.Copies = append(slices.Clone(d.Copies), extra[p]...)
			p.Def = &d
		}
		p.Deferred = false
		if p.Format != "" && p.Format != "swap" && p.Def.CopyBlocks == "" {
			if err := b.prepareFilesystem(p); err != nil {
				return err
			}
			if p.HasCopySize && p.CopySize > p.Size {
				return fmt.Errorf("%s: with the --then files the content needs %d bytes, more than the %d bytes planned; give the partition a fixed size", p.Def.Path, p.CopySize, p.Size)
			}
		}
	}
	for _, phase := range []func(*Partition) (bool, error){b.writeContent, b.writeVerityHash, b.writeVeritySig} {
		for _, p := range deferred {
			if _, err := phase(p); err != nil {
				return err
			}
		}
	}
	return nil
}
