package repart

import "github.com/gorepart/gorepart/definitions"

// Unlimited is the maximum size or padding of a partition without a limit.
const Unlimited = ^uint64(0)

// Partition is one planned partition: identity from Identify, sizes from
// the content (CopySize), placement from Place.
type Partition struct {
	Def   *definitions.Definition
	Type  definitions.PartitionType
	Index int // position in the sorted definition list

	// UUID is what the GPT entry gets. BaseUUID is the seed-derived or
	// configured UUID that filesystem UUIDs are derived from; it differs
	// from UUID only for verity data/hash partitions, whose UUIDs are
	// replaced by halves of the root hash.
	UUID     UUID
	BaseUUID UUID
	Label    string
	Format   string // effective Format= ("" for none; "empty" cleared to "")
	Attrs    uint64

	// CopySize is the size of content known before placement (a
	// CopyBlocks= file, a minimized filesystem, a minimized verity hash
	// tree); HasCopySize says it is set.
	CopySize    uint64
	HasCopySize bool

	Dropped  bool
	Deferred bool

	// Exists is set for partitions found in the image's partition table;
	// Foreign for those no definition claims (kept exactly as they are).
	// CurrentSize and CurrentPadding are what the table has.
	Exists, Foreign             bool
	CurrentSize, CurrentPadding uint64

	// SupplementFor= links: supplementFor is the target of a supplement;
	// suppressing is set on a target while its supplement is merged into
	// it (spec §3.6).
	supplementFor, suppressing *Partition

	// Planning state of Place.
	area, paddingArea  *freeArea
	sizeSet, paddingOK bool

	// Placement (bytes) and the 0-based GPT entry index.
	Offset, Size, Padding uint64
	PartNo                int

	// SplitPath is the split file written for the partition (as a path
	// next to the image, in the form the image path was given).
	SplitPath string

	// RootHash is the verity root hash of the pair this partition belongs
	// to, once computed.
	RootHash []byte
}

// FSUUID is the UUID of the filesystem (or swap) in the partition.
func (p *Partition) FSUUID() UUID { return FSUUID(p.BaseUUID) }

// IsVeritySig reports whether p holds a verity signature.
func (p *Partition) IsVeritySig() bool {
	return isVeritySigDesignator(p.Type.Designator) || p.Def.Verity == definitions.VeritySignature
}

func isVeritySigDesignator(d string) bool {
	return d == "root-verity-sig" || d == "usr-verity-sig"
}

// suppressed reports whether p is a supplement merged into its target.
func (p *Partition) suppressed() bool {
	return p.supplementFor != nil && p.supplementFor.suppressing == p
}

// Merged returns the supplement merged into p (its content goes into p's
// filesystem), or nil.
func (p *Partition) Merged() *Partition { return p.suppressing }
