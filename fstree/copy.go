package fstree

// Copy is one CopyFiles= line (or manifest contents/closure entry):
// copy Source (a file or directory, path as on the host, already resolved
// against --copy-source/--root) to Target (absolute path inside the
// filesystem).
type Copy struct {
	Source string
	Target string
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
