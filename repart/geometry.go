package repart

// Geometry is the GPT geometry of a from-scratch disk, as libfdisk lays
// it out (spec §3.1).
type Geometry struct {
	SectorSize   uint64
	TotalSectors uint64
	EntrySectors uint64 // sectors of the 128-entry array
	FirstLBA     uint64 // first usable
	LastLBA      uint64 // last usable
}

const (
	gptEntries    = 128
	gptEntrySize  = 128
	gptEntryBytes = gptEntries * gptEntrySize
)

func entrySectors(ss uint64) uint64 { return (gptEntryBytes + ss - 1) / ss }

// tinyDisk reports whether a disk of this many sectors is too small for
// 1 MiB alignment; libfdisk then starts the first partition right after
// the entry array.
func tinyDisk(totalSectors, ss uint64) bool {
	return totalSectors <= 4*(firstUsableOffset/ss)
}

// NewGeometry returns the geometry of a disk of size bytes.
func NewGeometry(size, ss uint64) Geometry {
	g := Geometry{SectorSize: ss, TotalSectors: size / ss, EntrySectors: entrySectors(ss)}
	if tinyDisk(g.TotalSectors, ss) {
		g.FirstLBA = 2 + g.EntrySectors
	} else {
		g.FirstLBA = firstUsableOffset / ss
	}
	g.LastLBA = g.TotalSectors - 2 - g.EntrySectors
	return g
}

// freeArea is the grain-aligned span [start, end) partitions are placed in.
func (g Geometry) freeArea(grain uint64) (start, end uint64) {
	start = roundUp(g.FirstLBA*g.SectorSize, grain)
	end = roundDown((g.LastLBA+1)*g.SectorSize, grain)
	if end < start {
		end = start
	}
	return start, end
}

// autoSize is the image size --size=auto gives for need bytes of
// partitions (their minimum sizes and paddings): the 1 MiB before the
// first partition rounded to the grain, the partitions, and the backup GPT
// (systemd 262, determine_auto_size after PR #42972; spec §3.9). The 1 MiB
// is counted even when the result is a tiny disk whose first partition
// starts right after the entry array; the difference then goes to the
// partitions by weight (golden case minimize-best-erofs-verity).
func autoSize(need, ss, grain uint64) uint64 {
	return roundUp(firstUsableOffset, grain) + need + (1+entrySectors(ss))*ss
}
