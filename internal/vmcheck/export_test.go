package vmcheck

// Internals for the external tests.
var (
	WriteInitramfs = writeInitramfs
	WantModules    = wantModules
)

// NewKernel describes a kernel whose modules are in dir.
func NewKernel(dir string) *kernel { return &kernel{modules: dir} }
