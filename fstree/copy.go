package fstree

// Copy is one CopyFiles= line (or manifest contents/closure entry):
// copy Source (a file or directory; an absolute path inside the copy
// source root, --copy-source/--root, unless HostPath) to Target (absolute path inside the
// filesystem).
type Copy struct {
	Source string
	Target string
	// HostPath is set for manifest entries: Source is a host path (a Nix
	// store path), not a path inside --copy-source/--root.
	HostPath bool
	// FSVerity is the "fsverity=copy" option.
	FSVerity bool
	// Where the line came from, for error messages ("file:line").
	Origin string
}

// SymlinkSpec is one MakeSymlinks= entry: create Path pointing at Target.
type SymlinkSpec struct {
	Path   string
	Target string
}
