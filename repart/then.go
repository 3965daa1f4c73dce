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
	for _, p := range b.layout.Partitions {
		root := b.roots[p.Def.VerityMatchKey]
		if p.Dropped || p.Def.Verity != definitions.VerityData || root == nil {
			continue
		}
		switch p.Type.Designator {
		case "root":
			env = append(env, "ROOTHASH="+hex.EncodeToString(root))
		case "usr":
			env = append(env, "USRHASH="+hex.EncodeToString(root))
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
	var deferred []*Placed
	for _, p := range b.layout.Partitions {
		if b.deferred[p.Partition] && !p.Dropped {
			deferred = append(deferred, p)
		}
	}
	extra := map[*Placed][]fstree.Copy{}
	for _, c := range copies {
		var dst *Placed
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
		delete(b.deferred, p.Partition)
		if p.Format == "" || p.Format == "swap" || p.Def.CopyBlocks != "" {
			continue
		}
		if len(extra[p]) > 0 {
			// The deferred partition gets the files; a new identity with
			// the extended definition is planned in its place.
			d := *p.Def
			d.Copies = append(slices.Clone(d.Copies), extra[p]...)
			q := *p.Partition
			q.Def = &d
			old := p.Partition
			p.Partition = &q
			b.replace(old, &q)
		}
		if err := b.prepareFilesystem(p.Partition); err != nil {
			return err
		}
		if c := b.content[p.Partition]; c.sized && c.size > p.Size {
			return fmt.Errorf("%s: with the --then files the content needs %d bytes, more than the %d bytes planned; give the partition a fixed size", p.Def.Path, c.size, p.Size)
		}
	}
	in := map[*Placed]bool{}
	for _, p := range deferred {
		in[p] = true
	}
	return b.writePhases(func(p *Placed) bool { return in[p] })
}

// replace puts partition q where old was in the builder's list (the
// definition of a deferred partition grew by the --then files).
func (b *builder) replace(old, q *Partition) {
	for i, p := range b.parts {
		if p == old {
			b.parts[i] = q
		}
	}
	if c, ok := b.content[old]; ok {
		delete(b.content, old)
		b.content[q] = c
	}
}
