package fstree

import "time"

// OwnerPolicy decides the uid/gid of copied nodes. Nodes the builder
// creates itself (missing parents, MakeDirectories=, MakeSymlinks=, the
// root unless a "/"-targeted directory source gives it metadata) are
// always owned by 0:0.
type OwnerPolicy int

const (
	// OwnerAuto behaves like OwnerRoot when BuildOptions.Unprivileged is
	// set (the Nix builder case: an unprivileged build under fakeroot sees
	// every file owned by root) and like OwnerKeep otherwise (repart run
	// as root keeps source ownership). The caller decides Unprivileged
	// (typically os.Geteuid() != 0); the builder never asks the system.
	OwnerAuto OwnerPolicy = iota
	// OwnerKeep keeps the source uid/gid.
	OwnerKeep
	// OwnerRoot makes every node 0:0.
	OwnerRoot
)

func (p OwnerPolicy) String() string {
	switch p {
	case OwnerAuto:
		return "auto"
	case OwnerKeep:
		return "keep"
	case OwnerRoot:
		return "root"
	}
	return "unknown"
}

// BuildOptions is everything Build needs. Nothing else (environment,
// clock, umask, euid) is consulted.
type BuildOptions struct {
	// Copies in order (CopyFiles= lines, then manifest entries); later
	// lines override earlier ones where they collide.
	Copies []Copy
	// ExcludeFiles are ExcludeFiles= paths inside CopySource;
	// ExcludeTargets are ExcludeFilesTarget= paths inside the
	// filesystem. A trailing "/" excludes a directory's contents only.
	ExcludeFiles, ExcludeTargets []string
	// MakeDirs are MakeDirectories= paths (mkdir -p, 0755).
	MakeDirs []string
	// MakeSymlinks are MakeSymlinks= entries; the parent must exist.
	MakeSymlinks []SymlinkSpec
	// CopySource is the root that Copy.Source (unless HostPath) and
	// ExcludeFiles are resolved in (--copy-source=, --root=, --image=
	// mount). "" means "/". Symlinks are resolved inside it.
	CopySource string
	// RootPartition is set when the partition is a root partition; with
	// a "/" target, the contents of OtherMountPoints and of the API
	// filesystem directories under the line's source are excluded.
	RootPartition bool
	// OtherMountPoints are the mount points of the other partitions of
	// the image ("/usr", "/home", "/efi", ...).
	OtherMountPoints []string
	// Owner is the ownership policy; Unprivileged resolves OwnerAuto.
	Owner        OwnerPolicy
	Unprivileged bool
	// SourceDateEpoch, when set, clamps every mtime to it (never later)
	// and is the mtime of every node the builder creates. When nil,
	// created nodes get DefaultTime (the caller's "now").
	SourceDateEpoch *time.Time
	DefaultTime     time.Time
	// KeepHardlinks keeps hardlinks found inside one copy line as one
	// Inode shared by several entries. The default (false) breaks every
	// hardlink: each entry gets its own Inode. See hardlink.go for why
	// breaking is the reproducible default.
	KeepHardlinks bool
	// RootXattrs are set on the root directory last (replacing any
	// attribute of the same name), e.g. user.validatefs.*.
	RootXattrs []Xattr
	// Parallelism is the number of directories read at once; 0 means
	// runtime.GOMAXPROCS(0). Output never depends on it.
	Parallelism int
	// SpillDir, when set, is where Build keeps the listings of the
	// directories it reads from sources: in one anonymous temporary file
	// (removed at once; the tree's Close releases it) instead of memory,
	// so the memory a tree holds does not grow with its entries. Those
	// directories are then read back by List; only the directories Build
	// changes (and the root) are held in memory. "" keeps everything in
	// memory.
	SpillDir string
}

// Warning is a problem that did not stop the build: a missing source
// (the line is skipped, as repart does), a skipped unsupported file type,
// a file that could not replace a directory.
type Warning struct {
	Path string
	Msg  string
}

func (w Warning) String() string { return w.Path + ": " + w.Msg }
