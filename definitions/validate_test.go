package definitions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidationErrors: every refusal names file, line and key, in one line.
func TestValidationErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  string // "$D" is the definitions dir
	}{
		{"missing type", map[string]string{"a.conf": "[Partition]\nLabel=x\n"},
			"$D/a.conf: Type= not defined: no Type= line in the file, refusing"},
		{"missing type with drop-ins", map[string]string{"a.conf": "[Partition]\nLabel=x\n", "a.conf.d/x.conf": "[Partition]\n"},
			"$D/a.conf: Type= not defined: no Type= line in the file or its drop-ins"},
		{"copyblocks auto", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=auto\n"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks=auto copies from the running system's block devices"},
		{"size min > max", map[string]string{"a.conf": "[Partition]\nType=home\nSizeMinBytes=2G\nSizeMaxBytes=1G\n"},
			"$D/a.conf:3: SizeMinBytes=: SizeMinBytes= (2147483648) is larger than SizeMaxBytes= (1073741824, set at $D/a.conf:4)"},
		{"size min > max via drop-in", map[string]string{"a.conf": "[Partition]\nType=home\nSizeMinBytes=2G\n",
			"a.conf.d/m.conf": "[Partition]\nSizeMaxBytes=1G\n"},
			"$D/a.conf:3: SizeMinBytes=: SizeMinBytes= (2147483648) is larger than SizeMaxBytes= (1073741824, set at $D/a.conf.d/m.conf:2)"},
		{"padding min > max", map[string]string{"a.conf": "[Partition]\nType=home\nPaddingMinBytes=2G\nPaddingMaxBytes=1G\n"},
			"$D/a.conf:3: PaddingMinBytes=: PaddingMinBytes= (2147483648) is larger than PaddingMaxBytes="},
		{"copyblocks with format", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=/x.img\nFormat=ext4\n"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks= cannot be combined with Format=/CopyFiles=/MakeDirectories=/MakeSymlinks="},
		{"copyblocks with copyfiles", map[string]string{"a.conf": "[Partition]\nType=home\nCopyFiles=/etc\nCopyBlocks=/x.img\n"},
			"$D/a.conf:4: CopyBlocks=: CopyBlocks= cannot be combined"},
		{"copyblocks with mkdirs", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=auto\nMakeDirectories=/a\n"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks= cannot be combined"},
		{"copyblocks with symlinks", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=/x\nMakeSymlinks=/a:b\n"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks= cannot be combined"},
		{"copyblocks missing file", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=$D/missing.img\n"},
			"$D/a.conf:3: CopyBlocks=: cannot open CopyBlocks= source"},
		{"copyblocks empty file", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=$D/empty.img\n", "empty.img": "#"},
			""},
		{"copyblocks odd size", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=$D/odd.img\n", "odd.img": "xyz"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks= source \"$D/odd.img\" is 3 bytes, not a multiple of 512"},
		{"copyblocks directory", map[string]string{"a.conf": "[Partition]\nType=home\nCopyBlocks=$D/sub\n", "sub/x": "y"},
			"$D/a.conf:3: CopyBlocks=: CopyBlocks= source \"$D/sub\" is not a regular file"},
		{"swap populated", map[string]string{"a.conf": "[Partition]\nType=swap\nCopyFiles=/etc\n"},
			"$D/a.conf:3: CopyFiles=: a swap partition cannot be populated"},
		{"format swap populated", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=swap\nMakeDirectories=/x\n"},
			"$D/a.conf:4: MakeDirectories=: a Format=swap partition cannot be populated"},
		{"verity without key", map[string]string{"a.conf": "[Partition]\nType=root\nVerity=data\n"},
			"$D/a.conf:3: Verity=: VerityMatchKey= must be set when Verity=data"},
		{"key without verity", map[string]string{"a.conf": "[Partition]\nType=root\nVerityMatchKey=r\n"},
			"$D/a.conf:3: VerityMatchKey=: VerityMatchKey= can only be set together with Verity="},
		{"verity data without hash", map[string]string{"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\n"},
			"$D/a.conf:4: VerityMatchKey=: missing Verity=hash partition for this Verity=data partition with VerityMatchKey=r"},
		{"verity hash without data", map[string]string{"b.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\n"},
			"$D/b.conf:4: VerityMatchKey=: missing Verity=data partition for this Verity=hash partition"},
		{"two verity data", map[string]string{
			"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nCopyBlocks=$D/x.img\n",
			"b.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nCopyBlocks=$D/x.img\n",
			"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\n", "x.img": "#"},
			"$D/c.conf:4: VerityMatchKey=: several Verity=data partitions (a.conf, b.conf) for this Verity=hash partition with VerityMatchKey=r"},
		{"verity priority mismatch", map[string]string{
			"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nCopyBlocks=$D/x.img\nPriority=1\n",
			"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\n", "x.img": "#"},
			"$D/a.conf:6: Priority=: Priority=1 differs from Priority=0 of verity sibling c.conf"},
		{"verity hash with format", map[string]string{"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\nFormat=ext4\n"},
			"$D/c.conf:5: Format=: CopyFiles=/Format=/MakeDirectories=/MakeSymlinks= cannot be used with Verity=hash"},
		{"verity sig with copies", map[string]string{"c.conf": "[Partition]\nType=root-verity-sig\nVerity=signature\nVerityMatchKey=r\nCopyFiles=/etc\n"},
			"$D/c.conf:5: CopyFiles=: CopyFiles=/Format=/MakeDirectories=/MakeSymlinks= cannot be used with Verity=signature"},
		{"verity sig with size", map[string]string{"c.conf": "[Partition]\nType=root-verity-sig\nVerity=signature\nVerityMatchKey=r\nSizeMaxBytes=1M\n"},
			"$D/c.conf:5: SizeMaxBytes=: SizeMinBytes=/SizeMaxBytes= cannot be used with Verity=signature"},
		{"verity hash with encrypt", map[string]string{"a.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\nEncrypt=key-file\n"},
			"$D/a.conf:5: Encrypt=: encrypting verity hash and signature partitions is not supported"},
		{"minimize without format", map[string]string{"a.conf": "[Partition]\nType=home\nMinimize=guess\n"},
			"$D/a.conf:3: Minimize=: Minimize= needs Format= (a file system) or Verity=hash"},
		{"minimize best on ext4", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=ext4\nMinimize=best\n"},
			"$D/a.conf:4: Minimize=: Minimize=best can only be used with read-only file systems (erofs, squashfs), btrfs, or Verity=hash; ext4 is writable"},
		{"minimize empty", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=empty\nMinimize=best\n"},
			"$D/a.conf:4: Minimize=: Minimize= needs Format="},
		{"minimize hash without data minimize", map[string]string{
			"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nFormat=ext4\nCopyFiles=/usr\n",
			"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\nMinimize=best\n"},
			"$D/c.conf:5: Minimize=: Minimize= is set for this verity hash partition but its data partition a.conf sets neither CopyBlocks= nor Minimize="},
		{"read-only fs without sources", map[string]string{"a.conf": "[Partition]\nType=usr\nFormat=erofs\nAddValidateFS=no\n"},
			"$D/a.conf:3: Format=: cannot make a erofs file system without source files"},
		{"populate without root option", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=f2fs\nCopyFiles=/home\n"},
			"$D/a.conf:4: CopyFiles=: populating f2fs file systems needs root in repart"},
		{"populate empty", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=empty\nCopyFiles=/home\n"},
			"$D/a.conf:4: CopyFiles=: a Format=empty partition cannot be populated"},
		{"integrity without encrypt", map[string]string{"a.conf": "[Partition]\nType=home\nIntegrity=inline\n"},
			"$D/a.conf:3: Integrity=: Integrity=inline requires Encrypt="},
		{"default subvolume", map[string]string{"a.conf": "[Partition]\nType=home\nFormat=btrfs\nSubvolumes=/a\nDefaultSubvolume=/b\n"},
			"$D/a.conf:5: DefaultSubvolume=: DefaultSubvolume= must be one of the paths in Subvolumes="},
		{"supplement missing", map[string]string{"a.conf": "[Partition]\nType=home\nSupplementFor=zz\n"},
			"$D/a.conf:3: SupplementFor=: SupplementFor=zz names no definition"},
		{"supplement self", map[string]string{"a.conf": "[Partition]\nType=home\nSupplementFor=a\n"},
			"$D/a.conf:3: SupplementFor=: a partition cannot supplement itself"},
		{"supplement chain", map[string]string{"a.conf": "[Partition]\nType=home\n", "b.conf": "[Partition]\nType=home\nSupplementFor=a\n",
			"c.conf": "[Partition]\nType=home\nSupplementFor=b\n"},
			"$D/c.conf:3: SupplementFor=: SupplementFor=b targets a partition that is itself a supplement"},
		{"supplement twice", map[string]string{"a.conf": "[Partition]\nType=home\n", "b.conf": "[Partition]\nType=home\nSupplementFor=a\n",
			"c.conf": "[Partition]\nType=home\nSupplementFor=a\n"},
			"$D/c.conf:3: SupplementFor=: a already has the supplement b"},
		{"supplement with verity", map[string]string{"a.conf": "[Partition]\nType=home\nSupplementFor=b\nVerity=data\nVerityMatchKey=k\n"},
			"$D/a.conf:3: SupplementFor=: SupplementFor= cannot be combined with CopyBlocks=/Encrypt=/Verity="},
		{"verity hash copyblocks without data copyblocks", map[string]string{
			"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nFormat=erofs\nCopyFiles=/usr\n",
			"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\nCopyBlocks=$D/x.img\n", "x.img": "#"},
			"$D/c.conf:5: CopyBlocks=: CopyBlocks= is set with Verity=hash but the Verity=data partition a.conf does not set CopyBlocks="},
		{"supplement target verity", map[string]string{
			"a.conf": "[Partition]\nType=root\nVerity=data\nVerityMatchKey=r\nCopyBlocks=$D/x.img\n",
			"c.conf": "[Partition]\nType=root-verity\nVerity=hash\nVerityMatchKey=r\n", "x.img": "#",
			"s.conf": "[Partition]\nType=root\nSupplementFor=a\n"},
			"$D/s.conf:3: SupplementFor=: SupplementFor=a targets a partition that uses CopyBlocks=/Encrypt=/Verity="},
		{"supplement sizes", map[string]string{"a.conf": "[Partition]\nType=home\nSizeMaxBytes=1G\n",
			"b.conf": "[Partition]\nType=home\nSupplementFor=a\nSizeMinBytes=2G\n"},
			"$D/b.conf:3: SupplementFor=: SizeMinBytes= is larger than SizeMaxBytes= when merged with the SupplementFor= target a"},
		{"supplement paddings", map[string]string{"a.conf": "[Partition]\nType=home\nPaddingMinBytes=1G\n",
			"b.conf": "[Partition]\nType=home\nSupplementFor=a\nPaddingMaxBytes=1M\n"},
			"$D/b.conf:3: SupplementFor=: PaddingMinBytes= is larger than PaddingMaxBytes= when merged"},
		{"first error in repart's order", map[string]string{"a.conf": "[Partition]\nType=home\nSizeMinBytes=2G\nSizeMaxBytes=1G\n",
			"b.conf": "[Partition]\nType=nope\n"},
			"$D/a.conf:3: SizeMinBytes=: SizeMinBytes= (2147483648) is larger"},
		{"bad value in drop-in", map[string]string{"a.conf": "[Partition]\nType=home\n", "a.conf.d/10.conf": "\n[Partition]\nWeight=heavy\n"},
			"$D/a.conf.d/10.conf:3: Weight=: invalid weight \"heavy\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := t.TempDir()
			files := map[string]string{}
			for k, v := range c.files {
				v = strings.ReplaceAll(v, "$D", d)
				if v == "#" {
					v = ""
					if strings.HasSuffix(k, ".img") && k != "empty.img" {
						v = string(make([]byte, 4096))
					}
				}
				files[k] = v
			}
			writeTree(t, d, files)
			if c.want == "" {
				// The empty-file case: an empty regular file is fine to
				// create but CopyBlocks must refuse it.
				_, _, err := Load(Options{Dirs: []string{d}})
				if err == nil || !strings.Contains(err.Error(), "is empty") {
					t.Fatalf("empty CopyBlocks file: %v", err)
				}
				return
			}
			_, _, err := Load(Options{Dirs: []string{d}})
			if err == nil {
				t.Fatalf("accepted; want %q", c.want)
			}
			want := strings.ReplaceAll(c.want, "$D", d)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
			if strings.ContainsAny(err.Error(), "\n") {
				t.Errorf("error is not one line")
			}
			var e *Error
			if !asError(err, &e) {
				t.Errorf("error is %T, not *Error", err)
			}
		})
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

func TestEmptyConfMasks(t *testing.T) {
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "a.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defs, _, err := Load(Options{Dirs: []string{d}})
	if err != nil || len(defs) != 0 {
		t.Fatalf("an empty .conf masks (systemd's null_or_empty): %v %v", defs, err)
	}
}
