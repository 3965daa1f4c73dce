package repart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// writeFstab writes --generate-fstab= before any content is read, so
// that CopyFiles= can copy it into a partition (repart's context_fstab()):
// not in a dry run, not without a partition to mount.
func writeFstab(o *BuildOptions, parts []*Partition) error {
	path := o.GenerateFstab
	switch {
	case path == "":
		return nil
	case len(fstabMounted(parts)) == 0:
		o.log("MountPoint= is not specified for any eligible partitions, not generating %s", path)
		return nil
	case o.DryRun:
		o.log("Running in dry run mode, not generating %s", path)
		return nil
	}
	text := FstabSection(parts)
	if o.AppendFstab == AppendAuto {
		old, err := os.ReadFile(path)
		switch {
		case err == nil:
			text = MergeFstab(text, old)
		case !errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if err := writeAuxFile(path, []byte(text), o.Mode, o.AppendFstab != AppendNo); err != nil {
		return err
	}
	o.log("%s written.", path)
	return nil
}

// writeCrypttab writes --generate-crypttab= (context_crypttab()): early,
// before any content is read and refusing to replace an existing file,
// and late, once the LUKS headers are written, with their volume key
// ids, replacing the early one.
func writeCrypttab(o *BuildOptions, parts []*Partition, keyIDs map[*Partition]string, late bool) error {
	path := o.GenerateCrypttab
	switch {
	case path == "":
		return nil
	case len(crypttabEntries(parts)) == 0:
		o.log("EncryptedVolume= is not specified for any eligible partitions, not generating %s", path)
		return nil
	case o.DryRun:
		o.log("Running in dry run mode, not generating %s", path)
		return nil
	}
	if err := writeAuxFile(path, []byte(Crypttab(parts, keyIDs)), o.Mode, late); err != nil {
		return err
	}
	o.log("%s written.", path)
	return nil
}

// writeAuxFile puts data at path through a temporary file in its
// directory: linked to path, which fails when path exists, or, with
// replace, renamed over it (systemd's fopen_tmpfile_linkable and
// flink_tmpfile). mode 0 means 0644.
func writeAuxFile(path string, data []byte, mode os.FileMode, replace bool) error {
	if mode == 0 {
		mode = 0o644
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("opening temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("linking temporary file to %s: %w", path, err)
	}
	return nil
}
