package repart

import "github.com/gorepart/gorepart/definitions"

// Unlimited is the maximum size or padding of a partition without a limit.
const Unlimited = ^uint64(0)

// Partition is what Identify decides about one partition: its definition,
// type, UUID, label, effective format and GPT attributes, and for a
// partition of an existing table where it is. Nothing changes it after
// Identify: Place returns a Layout, the assembler returns root hashes.
type Partition struct {
	Def   *definitions.Definition
	Type  definitions.PartitionType
	Index int // position in the list (sorted definitions, then foreign partitions)

	// UUID is the seed-derived, configured or existing partition UUID,
	// from which the filesystem UUID is derived. The GPT entry of a
	// verity data or hash partition gets a half of the root hash instead
	// (TableUUID), unless UUID= is set.
	UUID   UUID
	Label  string
	Format string // effective Format= ("" for none; "empty" cleared to "")
	Attrs  uint64

	// Exists is set for partitions found in the image's partition table;
	// Foreign for those no definition claims (kept exactly as they are).
	// PartNo, Offset and CurrentSize are where the table has them.
	Exists, Foreign bool
	PartNo          int
	Offset          uint64
	CurrentSize     uint64

	// Copied is set for a partition of a --copy-from= image (Def is the
	// one made up for it).
	Copied *Copied

	// SupplementFor is the target of a SupplementFor= partition;
	// Supplement is the supplement of a target (spec §3.6).
	SupplementFor, Supplement *Partition
}

// FSUUID is the UUID of the filesystem (or swap) in the partition.
func (p *Partition) FSUUID() UUID { return FSUUID(p.UUID) }

// IsVeritySig reports whether p holds a verity signature.
func (p *Partition) IsVeritySig() bool {
	return isVeritySigDesignator(p.Type.Designator) || p.Def.Verity == definitions.VeritySignature
}

func isVeritySigDesignator(d string) bool {
	return d == "root-verity-sig" || d == "usr-verity-sig"
}
