package fstree

import (
	"time"

	"golang.org/x/sys/unix"
)

// policy turns source metadata into target metadata: the ownership
// policy and the SOURCE_DATE_EPOCH clamp. It holds no state that changes
// while building.
type policy struct {
	rootOwned bool
	// epoch is SOURCE_DATE_EPOCH (UTC) or nil.
	epoch *time.Time
	// created is the mtime of nodes the builder makes.
	created time.Time
}

func newPolicy(o *BuildOptions) policy {
	p := policy{
		rootOwned: o.Owner == OwnerRoot || (o.Owner == OwnerAuto && o.Unprivileged),
		created:   o.DefaultTime.UTC(),
	}
	if o.SourceDateEpoch != nil {
		e := o.SourceDateEpoch.UTC()
		p.epoch = &e
		p.created = e
	}
	return p
}

// mtime returns a source timestamp in UTC, clamped to the epoch.
func (p *policy) mtime(ts unix.Timespec) time.Time {
	t := time.Unix(ts.Sec, ts.Nsec).UTC()
	if p.epoch != nil && t.After(*p.epoch) {
		return *p.epoch
	}
	return t
}

// fill sets n's kind and metadata from st. It returns false for a file
// type the tree cannot hold.
func (p *policy) fill(n *Inode, st *unix.Stat_t) bool {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		n.Kind = File
		n.Size = st.Size
		n.Sparse = st.Blocks*512 < st.Size
	case unix.S_IFDIR:
		n.Kind = Dir
	case unix.S_IFLNK:
		n.Kind = Symlink
	case unix.S_IFCHR:
		n.Kind = CharDevice
	case unix.S_IFBLK:
		n.Kind = BlockDevice
	case unix.S_IFIFO:
		n.Kind = FIFO
	case unix.S_IFSOCK:
		n.Kind = Socket
	default:
		return false
	}
	if n.Kind == CharDevice || n.Kind == BlockDevice {
		n.Major = unix.Major(uint64(st.Rdev))
		n.Minor = unix.Minor(uint64(st.Rdev))
	}
	n.Mode = st.Mode & 0o7777
	if !p.rootOwned {
		n.UID, n.GID = st.Uid, st.Gid
	}
	n.Mtime = p.mtime(st.Mtim)
	return true
}

// newDir is a directory the builder creates: a missing parent, a
// MakeDirectories= entry, the root before any source gives it metadata.
func (p *policy) newDir() *Inode {
	return &Inode{Kind: Dir, Mode: 0o755, Mtime: p.created}
}
