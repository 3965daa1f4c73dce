package definitions

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
)

func u64(v uint64) *uint64 { return &v }
func str(s string) *string { return &s }

func parseBody(t *testing.T, body string) (*Definition, []Warning, error) {
	t.Helper()
	sp := Specifiers{ImageID: "acme", ImageVersion: "7", MachineID: "0123456789abcdef0123456789abcdef", Hostname: "host.example"}
	return ParseConf("f.conf", []byte("[Partition]\n"+body), "", sp)
}

// TestKeys parses one or more lines (starting at line 2) and checks a
// field of the result.
func TestKeys(t *testing.T) {
	for _, c := range []struct {
		body string
		get  func(*Definition) any
		want any
	}{
		{"Type=esp", func(d *Definition) any { return d.Type.Name }, "esp"},
		{"Type=root", func(d *Definition) any { return d.Type.Name }, "root-" + NativeArch()},
		{"Type=aarch64-placeholder\nType=root-aarch64", func(d *Definition) any { return d.Type.Name }, nil},
		{"Type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709", func(d *Definition) any { return d.Type.Name }, "root-x86-64"},
		{"Type=4F68BCE3E8CD4DB196E7FBCAF984B709", func(d *Definition) any { return d.Type.Name }, "root-x86-64"},
		{"Type=11111111-2222-3333-4444-555555555555", func(d *Definition) any { return d.Type.String() }, "11111111-2222-3333-4444-555555555555"},
		{"Label=a\nLabel=b", func(d *Definition) any { return *d.Label }, "b"},
		{"Label=", func(d *Definition) any { return *d.Label }, ""},
		{"Label=%M_%A", func(d *Definition) any { return *d.Label }, "acme_7"},
		{"Label=100%%", func(d *Definition) any { return *d.Label }, "100%"},
		{"VolumeLabel=luks", func(d *Definition) any { return *d.VolumeLabel }, "luks"},
		{"UUID=6a4a3a8e-3c21-4a3c-8d1e-0f4b1b5e7a11", func(d *Definition) any { return FormatUUID(*d.UUID) }, "6a4a3a8e-3c21-4a3c-8d1e-0f4b1b5e7a11"},
		{"UUID=6a4a3a8e3c214a3c8d1e0f4b1b5e7a11", func(d *Definition) any { return FormatUUID(*d.UUID) }, "6a4a3a8e-3c21-4a3c-8d1e-0f4b1b5e7a11"},
		{"UUID=null", func(d *Definition) any { return *d.UUID }, [16]byte{}},
		{"UUID=null\nUUID=", func(d *Definition) any { return d.UUID == nil }, true},
		{"Priority=-5", func(d *Definition) any { return d.Priority }, int32(-5)},
		{"", func(d *Definition) any { return d.Weight }, uint32(1000)},
		{"Weight=0", func(d *Definition) any { return d.Weight }, uint32(0)},
		{"Weight=1000000", func(d *Definition) any { return d.Weight }, uint32(1000000)},
		{"PaddingWeight=7", func(d *Definition) any { return d.PaddingWeight }, uint32(7)},
		{"SizeMinBytes=10M", func(d *Definition) any { return *d.SizeMin }, uint64(10 << 20)},
		{"SizeMinBytes=5000", func(d *Definition) any { return *d.SizeMin }, uint64(4096)},
		{"SizeMaxBytes=5000", func(d *Definition) any { return *d.SizeMax }, uint64(8192)},
		{"PaddingMinBytes=1.5K", func(d *Definition) any { return *d.PaddingMin }, uint64(0)},
		{"PaddingMaxBytes=1", func(d *Definition) any { return *d.PaddingMax }, uint64(4096)},
		{"SizeMaxBytes=64M\nSizeMaxBytes=32M", func(d *Definition) any { return *d.SizeMax }, uint64(32 << 20)},
		{"FactoryReset=yes", func(d *Definition) any { return d.FactoryReset }, true},
		{"CopyBlocks=/img/%M.raw", func(d *Definition) any { return d.CopyBlocks }, "/img/acme.raw"},
		{"CopyBlocks=auto", func(d *Definition) any { return d.CopyBlocks }, "auto"},
		{"CopyBlocks=/x\nCopyBlocks=", func(d *Definition) any { return d.CopyBlocks }, ""},
		{"Format=ext4\nFormat=vfat", func(d *Definition) any { return d.Format }, "vfat"},
		{"CopyFiles=/usr", func(d *Definition) any { return d.Copies },
			[]fstree.Copy{{Source: "/usr", Target: "/usr", Origin: "f.conf:2"}}},
		{"CopyFiles=/a:/b\nCopyFiles=/c:/d:fsverity=copy", func(d *Definition) any { return d.Copies },
			[]fstree.Copy{{Source: "/a", Target: "/b", Origin: "f.conf:2"}, {Source: "/c", Target: "/d", FSVerity: true, Origin: "f.conf:3"}}},
		{`CopyFiles=/with\x3acolon:/t\sspace//x/`, func(d *Definition) any { return d.Copies },
			[]fstree.Copy{{Source: "/with:colon", Target: "/t space/x", Origin: "f.conf:2"}}},
		{"CopyFiles=/srv/%M:/", func(d *Definition) any { return d.Copies[0].Source }, "/srv/acme"},
		{"CopyFiles=/a\nCopyFiles=\nCopyFiles=/b", func(d *Definition) any { return len(d.Copies) }, 1},
		{"ExcludeFiles=/a \"/b c/\" /d/", func(d *Definition) any { return d.ExcludeFiles }, []string{"/a", "/b c/", "/d/"}},
		{"ExcludeFiles=/a\nExcludeFiles=\nExcludeFiles=/b", func(d *Definition) any { return d.ExcludeFiles }, []string{"/b"}},
		{"ExcludeFilesTarget=/var/%M", func(d *Definition) any { return d.ExcludeTargets }, []string{"/var/acme"}},
		{"MakeDirectories=/a /b /a\nMakeDirectories=/c", func(d *Definition) any { return d.MakeDirs }, []string{"/a", "/b", "/c"}},
		{"MakeSymlinks=/x:../y '/p q:t'", func(d *Definition) any { return d.MakeSymlinks },
			[]fstree.SymlinkSpec{{Path: "/x", Target: "../y"}, {Path: "/p q", Target: "t"}}},
		{"MakeSymlinks=/dir/foo-%M:/bar-%A/./x", func(d *Definition) any { return d.MakeSymlinks },
			[]fstree.SymlinkSpec{{Path: "/dir/foo-acme", Target: "/bar-7/./x"}}},
		{"Subvolumes=/home:ro,nodatacow /var", func(d *Definition) any { return []any{d.Subvolumes, d.SubvolumeFlags} },
			[]any{[]string{"/home", "/var"}, map[string]SubvolumeFlags{"/home": {ReadOnly: true, NoDataCOW: true}}}},
		{"DefaultSubvolume=/home", func(d *Definition) any { return d.DefaultSubvol }, "/home"},
		{"Encrypt=yes", func(d *Definition) any { return d.Encrypt }, EncryptKeyFile},
		{"Encrypt=no", func(d *Definition) any { return d.Encrypt }, EncryptOff},
		{"Encrypt=tpm2", func(d *Definition) any { return d.Encrypt }, EncryptTPM2},
		{"Encrypt=key-file+tpm2", func(d *Definition) any { return d.Encrypt }, EncryptKeyFileTPM2},
		{"Encrypt=tpm2\nEncrypt=", func(d *Definition) any { return d.Encrypt }, EncryptOff},
		{"Verity=data", func(d *Definition) any { return d.Verity }, VerityData},
		{"Verity=hash", func(d *Definition) any { return d.Verity }, VerityHash},
		{"Verity=signature", func(d *Definition) any { return d.Verity }, VeritySignature},
		{"VerityMatchKey=root", func(d *Definition) any { return d.VerityMatchKey }, "root"},
		{"VerityDataBlockSizeBytes=512\nVerityHashBlockSizeBytes=1K", func(d *Definition) any { return []uint64{d.VerityDataBlock, d.VerityHashBlock} }, []uint64{512, 1024}},
		{"Flags=0x1000000000000000", func(d *Definition) any { return []any{d.Flags, d.FlagsSet} }, []any{uint64(1 << 60), true}},
		{"Flags=0b101", func(d *Definition) any { return d.Flags }, uint64(5)},
		{"Flags=12", func(d *Definition) any { return d.Flags }, uint64(12)},
		{"ReadOnly=yes\nNoAuto=off\nGrowFileSystem=1", func(d *Definition) any { return []Tristate{d.ReadOnly, d.NoAuto, d.GrowFileSystem} }, []Tristate{Yes, No, Yes}},
		{"ReadOnly=yes\nReadOnly=", func(d *Definition) any { return d.ReadOnly }, Unset},
		{"AddValidateFS=no\nDiscard=yes", func(d *Definition) any { return []Tristate{d.AddValidateFS, d.Discard} }, []Tristate{No, Yes}},
		{"SplitName=%t.%U", func(d *Definition) any { return d.SplitName }, "%t.%U"},
		{"Minimize=best", func(d *Definition) any { return d.Minimize }, MinimizeBest},
		{"Minimize=guess", func(d *Definition) any { return d.Minimize }, MinimizeGuess},
		{"Minimize=yes", func(d *Definition) any { return d.Minimize }, MinimizeBest},
		{"Minimize=off", func(d *Definition) any { return d.Minimize }, MinimizeOff},
		{"MountPoint=/usr\nMountPoint=/srv:ro,noexec", func(d *Definition) any { return d.MountPoints }, []string{"/usr", "/srv:ro,noexec"}},
		{"MountPoint=/a\nMountPoint=", func(d *Definition) any { return len(d.MountPoints) }, 0},
		{`MountPoint=/:"subvol=@,zstd:1,noatime"` + "\nMountPoint=/home", func(d *Definition) any { return d.Mounts },
			[]MountPoint{{"/", "subvol=@,zstd:1,noatime"}, {"/home", ""}}},
		{"MountPoint=/a\nMountPoint=", func(d *Definition) any { return len(d.Mounts) }, 0},
		{"EncryptedVolume=root:/key:discard:fixate-volume-key", func(d *Definition) any { return *d.EncryptedVolume },
			EncryptedVolume{Name: "root", KeyFile: "/key", Options: "discard", FixateVolumeKey: true}},
		{"EncryptedVolume=:none:discard", func(d *Definition) any { return *d.EncryptedVolume },
			EncryptedVolume{KeyFile: "none", Options: "discard"}},
		{"TPM2PCRs=7+11", func(d *Definition) any { return d.TPM2PCRs }, []string{"7+11"}},
		{"KeyFile=/k", func(d *Definition) any { return d.KeyFile }, "/k"},
		{"Integrity=inline", func(d *Definition) any { return d.Integrity }, "inline"},
		{"", func(d *Definition) any { return []string{d.Integrity, d.IntegrityAlgorithm} }, []string{"off", "hmac-sha256"}},
		{"IntegrityAlgorithm=hmac-sha512", func(d *Definition) any { return d.IntegrityAlgorithm }, "hmac-sha512"},
		{"EncryptKDF=pbkdf2", func(d *Definition) any { return d.EncryptKDF }, "pbkdf2"},
		{"Compression=zstd\nCompressionLevel=3", func(d *Definition) any { return []string{d.Compression, d.CompressionLevel} }, []string{"zstd", "3"}},
		{"SupplementFor=10-root", func(d *Definition) any { return d.SupplementFor }, "10-root"},
		{"FileSystemSectorSize=4K", func(d *Definition) any { return d.FileSystemSectorSize }, uint64(4096)},
		{"FileSystemSectorSize=4K\nFileSystemSectorSize=", func(d *Definition) any { return d.FileSystemSectorSize }, uint64(0)},
		{"X-Custom=whatever", func(d *Definition) any { return len(d.Pos) }, 0},
		{"Weight=5\nPriority=3", func(d *Definition) any { return d.Pos["Priority"] }, Position{File: "f.conf", Line: 3, Key: "Priority"}},
	} {
		if c.want == nil {
			continue
		}
		d, _, err := parseBody(t, c.body)
		if err != nil {
			t.Errorf("%q: %v", c.body, err)
			continue
		}
		if got := c.get(d); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %#v, want %#v", c.body, got, c.want)
		}
	}
}

// TestKeyErrors: every invalid value is refused with file:line: Key=.
func TestKeyErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"Type=nope", "f.conf:2: Type=: cannot parse partition type"},
		{"Type=root-x86-64-verity-sigx", "f.conf:2: Type="},
		{"UUID=xyz", `f.conf:2: UUID=: invalid UUID "xyz"`},
		{"UUID=6a4a3a8e-3c21-4a3c-8d1e-0f4b1b5e7a1", "f.conf:2: UUID=: invalid UUID"},
		{"Priority=high", "f.conf:2: Priority=: invalid priority"},
		{"Weight=-1", "f.conf:2: Weight=: invalid weight"},
		{"PaddingWeight=x", "f.conf:2: PaddingWeight=: invalid weight"},
		{"SizeMinBytes=10Q", `f.conf:2: SizeMinBytes=: invalid size "10Q"`},
		{"SizeMaxBytes=", "f.conf:2: SizeMaxBytes=: invalid size"},
		{"PaddingMinBytes=-1M", "f.conf:2: PaddingMinBytes=: invalid size"},
		{"PaddingMaxBytes=1.5.5G", "f.conf:2: PaddingMaxBytes=: invalid size"},
		{"FactoryReset=perhaps", "f.conf:2: FactoryReset=: invalid boolean"},
		{"CopyBlocks=relative.img", "f.conf:2: CopyBlocks=: invalid path"},
		{"CopyBlocks=/%Z", "f.conf:2: CopyBlocks=: cannot expand specifiers"},
		{"Format=a/b", "f.conf:2: Format=: file system type is not valid"},
		{"Format=", "f.conf:2: Format=: file system type is not valid"},
		{"CopyFiles=/a:/b:opts:extra", "f.conf:2: CopyFiles=: too many ':'-separated fields"},
		{`CopyFiles=/a\:b`, "f.conf:2: CopyFiles=: invalid source path"},
		{"CopyFiles=rel:/b", "f.conf:2: CopyFiles=: invalid path"},
		{"CopyFiles=/a:rel", "f.conf:2: CopyFiles=: invalid path"},
		{"CopyFiles=/a/../b", "f.conf:2: CopyFiles=: invalid path"},
		{"CopyFiles=/%y", "f.conf:2: CopyFiles=: cannot expand specifiers"},
		{"ExcludeFiles=rel", "f.conf:2: ExcludeFiles=: invalid path"},
		{`ExcludeFiles="/a`, "f.conf:2: ExcludeFiles=: invalid list"},
		{"ExcludeFilesTarget=/a b", "f.conf:2: ExcludeFilesTarget=: invalid path"},
		{"MakeDirectories=/a rel", "f.conf:2: MakeDirectories=: invalid path"},
		{"MakeSymlinks=/a", "f.conf:2: MakeSymlinks=: missing symlink path or target"},
		{"MakeSymlinks=rel:/t", "f.conf:2: MakeSymlinks=: invalid path"},
		{"Subvolumes=/a:rw", `f.conf:2: Subvolumes=: unknown subvolume flag "rw"`},
		{"DefaultSubvolume=rel", "f.conf:2: DefaultSubvolume=: invalid path"},
		{"Encrypt=luks", "f.conf:2: Encrypt=: invalid encryption mode"},
		{"Verity=yes", "f.conf:2: Verity=: invalid verity mode"},
		{"VerityDataBlockSizeBytes=8K", "f.conf:2: VerityDataBlockSizeBytes=: block size must be a power of 2 between 512 and 4096"},
		{"VerityHashBlockSizeBytes=1000", "f.conf:2: VerityHashBlockSizeBytes=: block size must be"},
		{"Flags=0xZ", "f.conf:2: Flags=: invalid flags value"},
		{"Flags=18446744073709551616", "f.conf:2: Flags=: invalid flags value"},
		{"ReadOnly=maybe", "f.conf:2: ReadOnly=: invalid boolean"},
		{"NoAuto=2", "f.conf:2: NoAuto=: invalid boolean"},
		{"GrowFileSystem=x", "f.conf:2: GrowFileSystem=: invalid boolean"},
		{"AddValidateFS=x", "f.conf:2: AddValidateFS=: invalid boolean"},
		{"Discard=x", "f.conf:2: Discard=: invalid boolean"},
		{"Minimize=most", "f.conf:2: Minimize=: invalid minimize mode"},
		{"MountPoint=rel", "f.conf:2: MountPoint=: invalid mount point"},
		{"MountPoint=/a:b:c", "f.conf:2: MountPoint=: too many ':'-separated fields"},
		{"EncryptedVolume=a/b", "f.conf:2: EncryptedVolume=: volume name"},
		{"BlockDeviceReplace=/home", "f.conf:2: BlockDeviceReplace=: BlockDeviceReplace= is incompatible with --offline=yes"},
		{"VolumeName=home", "f.conf:2: VolumeName=: VolumeName= requires BlockDeviceReplace="},
		{"TPM2PCRs=+", "f.conf:2: TPM2PCRs=: invalid PCR list"},
		{"Integrity=outline", "f.conf:2: Integrity=: invalid integrity mode"},
		{"IntegrityAlgorithm=md5", "f.conf:2: IntegrityAlgorithm=: invalid integrity algorithm"},
		{"EncryptKDF=scrypt", "f.conf:2: EncryptKDF=: invalid key derivation function"},
		{"Compression=zst\"d", "f.conf:2: Compression=: value contains unsafe"},
		{"CompressionLevel=é", "f.conf:2: CompressionLevel=: value contains unsafe"},
		{"FileSystemSectorSize=3000", "f.conf:2: FileSystemSectorSize=: sector size must be a power of 2"},
		{"Type=esp\n\nWeight=abc", "f.conf:4: Weight=: invalid weight"},
	} {
		_, _, err := parseBody(t, c.body)
		if err == nil {
			t.Errorf("%q: accepted", c.body)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %q, want prefix %q", c.body, err, c.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error is not one line: %q", c.body, err)
		}
	}
}

// TestKeyWarnings: lines repart ignores with a warning, with its wording.
func TestKeyWarnings(t *testing.T) {
	for _, c := range []struct {
		body string
		want string
		get  func(*Definition) any
		val  any
	}{
		{"Bogus=1", "f.conf:2: Unknown key 'Bogus' in section [Partition], ignoring.", nil, nil},
		{"Weight=5\nWeight=1000001", "f.conf:3: Weight needs to be in range 0…10000000, ignoring: 1000001",
			func(d *Definition) any { return d.Weight }, uint32(5)},
		{"PaddingWeight=2000000", "f.conf:2: Weight needs to be in range 0…10000000, ignoring: 2000000",
			func(d *Definition) any { return d.PaddingWeight }, uint32(0)},
		{"Label=keep\nLabel=ünïcødé-label-with-36-utf16-units-x",
			"f.conf:3: Failed to expand specifiers in Label=, ignoring: ünïcødé-label-with-36-utf16-units-x",
			func(d *Definition) any { return *d.Label }, "keep"},
		{"Label=" + strings.Repeat("x", 37), "f.conf:2: Failed to expand specifiers in Label=, ignoring: " + strings.Repeat("x", 37),
			func(d *Definition) any { return d.Label == nil }, true},
		{"Label=%Z", "f.conf:2: Failed to expand specifiers in Label=, ignoring: %Z",
			func(d *Definition) any { return d.Label == nil }, true},
		{"Label=" + strings.Repeat("x", 36), "", func(d *Definition) any { return len(*d.Label) }, 36},
		{"CopyFiles=/a:/b:fsverity=maybe", "f.conf:2: fsverity= expects either 'off' or 'copy'.", nil, nil},
		{"CopyFiles=/a:/b:nope", "f.conf:2: Encountered unknown option 'nope', ignoring.", nil, nil},
		{"SizeMaxBytes=5000", "f.conf:2: Rounded SizeMaxBytes= size 5000 → 8192, a multiple of 4096.",
			func(d *Definition) any { return *d.SizeMax }, uint64(8192)},
		{"PaddingMinBytes=1.5K", "f.conf:2: Rounded PaddingMinBytes= size 1536 → 0, a multiple of 4096.", nil, nil},
	} {
		d, warns, err := parseBody(t, c.body)
		if err != nil {
			t.Errorf("%q: %v", c.body, err)
			continue
		}
		var ws []string
		for _, w := range warns {
			ws = append(ws, w.String())
		}
		if c.want == "" && len(ws) != 0 || c.want != "" && (len(ws) != 1 || ws[0] != c.want) {
			t.Errorf("%q: warnings %q, want %q", c.body, ws, c.want)
		}
		if c.get != nil {
			if got := c.get(d); !reflect.DeepEqual(got, c.val) {
				t.Errorf("%q: got %#v, want %#v", c.body, got, c.val)
			}
		}
	}
}

// TestLabelUTF16 checks the UTF-16 limit on its own (reachable from the
// manifest, where values are not bound by the byte limit first).
func TestLabelTooLongUTF16(t *testing.T) {
	kp := &keyParser{d: newDefinition("m", "m")}
	// 36 bytes, but the check runs on UTF-16 units: fine here.
	if err := kp.set("Label", strings.Repeat("é", 18), Position{File: "m"}); err != nil || kp.d.Label == nil {
		t.Fatalf("18×é: %v %v", err, kp.warns)
	}
}
