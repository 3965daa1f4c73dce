package fstree

// Hardlinks.
//
// By default every hardlink is broken: each directory entry gets its own
// Inode (with the same metadata and the same source data), so the output
// depends only on the names, contents and metadata of the sources, never
// on which of them happen to share an inode.
//
// Why not keep them, as repart does within one CopyFiles= line? Because on
// the inputs that matter most for reproducible images, sharing is not a
// property of the input: a Nix store path is defined by its NAR, which has
// no hardlinks at all, yet `nix store optimise` (or auto-optimise-store)
// hardlinks every pair of identical files in the store, inside one store
// path as well as across store paths, through /nix/store/.links
// (nixpkgs#552280). Two builders with the same closure but differently
// optimised stores would produce different images: hardlinks inside one
// line change inode counts and data layout, and st_nlink counts the
// .links entry, so even "keep only groups whose links are all inside the
// copied tree" depends on the store's state. Breaking all of them is the
// only rule that gives the same image from the same NARs. It costs the
// space of the duplicated data, which is small in practice (and erofs or
// a deduplicating writer can share identical data blocks without sharing
// inodes).
//
// BuildOptions.KeepHardlinks restores repart's behaviour for trees where
// hardlinks are meant (a root filesystem directory prepared by a package
// manager): entries of one copy line that name the same source
// (device, inode) share one Inode, the one met first in sorted walk order.
// Hardlinks are never joined across lines, as repart copies each line with
// its own hardlink context.
//
// A spilled tree (SpillDir) cannot share Inodes, as List makes new ones:
// the scan records each source inode with several links as a group (its
// first path in walk order, the source of all its entries), and the
// entries of a group that the line names more than once get the group's
// LinkKey. Groups are numbered in line and walk order, so keys do not
// depend on scheduling.

// unifyHardlinks makes the entries below top that name the same source
// inode share one *Inode: the first one in sorted walk order.
func unifyHardlinks(top *Inode, links []linkRef) {
	if len(links) < 2 {
		return
	}
	key := make(map[*Inode]devIno, len(links))
	for _, l := range links {
		key[l.node] = l.key
	}
	first := make(map[devIno]*Inode, len(links))
	_ = Walk(top, func(_ string, e *Entry) error {
		k, ok := key[e.Inode]
		if !ok {
			return nil
		}
		if f, ok := first[k]; ok {
			e.Inode = f
		} else {
			first[k] = e.Inode
		}
		return nil
	})
}
