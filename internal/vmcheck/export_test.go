package vmcheck

// Internals for the external tests.
var (
	ReadModIndex   = readModIndex
	WriteInitramfs = writeInitramfs
	WantModules    = wantModules
)

type (
	Kernel  = kernel
	ModFile = modFile
)

// Order lists the module files to load for names, dependencies first.
func Order(dir string, names []string) ([]string, []bool, error) {
	ix, err := readModIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	mods, err := ix.order(names)
	var paths []string
	var opt []bool
	for _, m := range mods {
		paths = append(paths, m.path)
		opt = append(opt, m.optional)
	}
	return paths, opt, err
}

// NewKernel describes a kernel whose modules are in dir.
func NewKernel(dir string) *kernel { return &kernel{modules: dir} }

// NewModFile is a module to put in the initramfs.
func NewModFile(path string) modFile { return modFile{path: path} }
