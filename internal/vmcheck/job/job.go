// Package job is what the vmcheck host hands the guest agent (as
// /job.json in the initramfs) and how the agent reports back: one line
// per result on the serial console.
package job

// Job is the guest's work.
type Job struct {
	// Modules are loaded in this order from /mods (dependencies first).
	Modules []Module `json:"modules"`
	// SectorSize is the disk's logical sector size.
	SectorSize int         `json:"sector_size"`
	Partitions []Partition `json:"partitions"`
}

// Module is one kernel module file in /mods.
type Module struct {
	File string `json:"file"`
	// Optional modules (CPU-specific implementations) may fail to load
	// with ENODEV; that is reported, not failed.
	Optional bool `json:"optional,omitempty"`
}

// Partition is one partition to check; WriteTest: see vmcheck.Partition.
type Partition struct {
	N int `json:"n"` // partition number: /dev/vdaN
	// Start and Size are the GPT's, in 512-byte units (what sysfs says).
	Start uint64 `json:"start"`
	Size  uint64 `json:"size"`
	// FSType is the filesystem to mount; "" for none.
	FSType string `json:"fstype,omitempty"`
	// Mapper, when set, is a device-mapper device to create first and to
	// mount instead of the partition.
	Mapper *Mapper `json:"mapper,omitempty"`
	// MountData is the mount's data string (options besides ro).
	MountData string            `json:"mount_data,omitempty"`
	Files     map[string]string `json:"files,omitempty"` // lower-case sha256 hex
	ExactCase bool              `json:"exact_case,omitempty"`
	Symlinks  map[string]string `json:"symlinks,omitempty"`
	Modes     map[string]uint32 `json:"modes,omitempty"`
	Owners    map[string]string `json:"owners,omitempty"` // "uid:gid"
	Dirs      []string          `json:"dirs,omitempty"`
	Absent    []string          `json:"absent,omitempty"`
	WriteTest bool              `json:"write_test,omitempty"`
}

// Mapper is a device-mapper device with one target.
type Mapper struct {
	Name    string `json:"name"`
	Target  string `json:"target"`  // verity, crypt
	Sectors uint64 `json:"sectors"` // length in 512-byte sectors
	Params  string `json:"params"`  // the target's table parameters
	// ReadAll reads the whole device after the filesystem checks and
	// then wants the target's status to be Status (verity: "V").
	ReadAll bool   `json:"read_all,omitempty"`
	Status  string `json:"status,omitempty"`
}

// The console protocol: every result line starts with Prefix and a kind,
// "VMCHECK|PASS|text". The agent prints Start first and End last.
const (
	Prefix = "VMCHECK|"
	Pass   = "PASS"
	Fail   = "FAIL"
	Info   = "INFO"
	Log    = "LOG" // a kernel log line, for the console log only
	Start  = "VMCHECK|START"
	End    = "VMCHECK|END"
)
