package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The identities the mkfs-tool builds use (values of the spec's §4
// examples; any fixed values do).
const (
	espVolumeID = "70E624A3"
	rootUUID    = "70e624a3-caca-4b82-b656-2e7168b70ff1"
	guessUUID   = "1e7cc5a5-4c0c-4b7e-9d0e-1c6a9e1c3f11" // the first, throw-away Minimize=guess pass
	usrUUID     = "7e3369dd-d653-4513-adf5-b993a9f20c16"
	verityUUID  = "5b4cf557-8269-4aa1-8669-41f3431271c8"
	veritySalt  = "aece282c3c2def3554654f2e7295e770a8ba079339ff8818bd2dcd9a6817f99c"
	diskUUID    = "1d2ce291-7cce-4f7d-bc83-fdb49ad74ebd"

	typeESP       = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	typeRoot      = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" // root-x86-64
	typeUsr       = "8484680C-9521-48C6-9C11-B0720656F69E" // usr-x86-64
	typeUsrVerity = "77FF5F63-E7B6-4633-ACF4-1565B864C0E6"

	fsSectorSize = 4096
	ext4MinSize  = 32 * mib // spec §3.2 fs minimum
)

// toolsESPRoot builds layouts (a) and (c): a vfat ESP of espSize and an
// ext4 root of rootSize, or sized by Minimize=guess when rootSize is 0.
func toolsESPRoot(r *runner, t *tree, work, image string, espSize, rootSize int64) error {
	espImg, err := vfatPartition(r, t.esp, work, espSize)
	if err != nil {
		return err
	}
	stageRoot, rootImg := filepath.Join(work, "stage-root"), filepath.Join(work, "root.img")
	if err := stage(r, t.dir, stageRoot); err != nil {
		return err
	}
	if rootSize == 0 {
		if rootSize, err = minimizeGuessExt4(r, rootImg, stageRoot); err != nil {
			return err
		}
	} else {
		if err := sized(rootImg, rootSize); err != nil {
			return err
		}
		if err := mkfsExt4(r, rootImg, rootUUID, stageRoot); err != nil {
			return err
		}
	}
	err = assemble(r, image, []gptPart{
		{typ: typeESP, name: "esp", file: espImg, size: espSize},
		{typ: typeRoot, name: "root", file: rootImg, size: rootSize},
	})
	return errors.Join(err, r.do("rm -r staging", func() error { return removeAll(work) }))
}

// toolsESPRootUsr builds layout (d) as repart does offline: the vfat ESP
// and a fixed-size ext4 root as in layout (c), then the tree staged a
// second time for the erofs /usr, mkfs.erofs into an empty file (its
// size is the partition's, Minimize=best), all three copied into the
// image.
func toolsESPRootUsr(r *runner, t *tree, work, image string) error {
	espImg, err := vfatPartition(r, t.esp, work, espMinSize)
	if err != nil {
		return err
	}
	stageRoot, rootImg := filepath.Join(work, "stage-root"), filepath.Join(work, "root.img")
	if err := stage(r, t.dir, stageRoot); err != nil {
		return err
	}
	rootSize := rootD(t)
	if err := sized(rootImg, rootSize); err != nil {
		return err
	}
	if err := mkfsExt4(r, rootImg, rootUUID, stageRoot); err != nil {
		return err
	}
	stageUsr, usrImg := filepath.Join(work, "stage-usr"), filepath.Join(work, "usr.img")
	if err := stage(r, t.dir, stageUsr); err != nil {
		return err
	}
	if err := r.run("mkfs.erofs", "-U", usrUUID, "--quiet", usrImg, stageUsr); err != nil {
		return err
	}
	fi, err := os.Stat(usrImg)
	if err != nil {
		return err
	}
	err = assemble(r, image, []gptPart{
		{typ: typeESP, name: "esp", file: espImg, size: espMinSize},
		{typ: typeRoot, name: "root", file: rootImg, size: rootSize},
		{typ: typeUsr, name: "usr", file: usrImg, size: roundUp(fi.Size(), 4096)},
	})
	return errors.Join(err, r.do("rm -r staging", func() error { return removeAll(work) }))
}

// bareESPRootUsr makes layout (d)'s three filesystems with the mkfs
// tools alone, the comparison of issue #21: mkfs.vfat + mmd/mcopy of the
// ESP tree into a file of the ESP's size, mkfs.ext4 -d of the tree into
// a file of the root's size, mkfs.erofs of the tree; each tool reads the
// tree where it is and writes its own file, and nothing is staged,
// partitioned, copied or fsynced (mkfs.ext4 syncs its file itself).
func bareESPRootUsr(r *runner, t *tree, work string) error {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	espImg, rootImg, usrImg := filepath.Join(work, "esp.img"), filepath.Join(work, "root.img"), filepath.Join(work, "usr.img")
	if err := sized(espImg, espMinSize); err != nil {
		return err
	}
	if err := mkfsVfat(r, espImg, t.esp); err != nil {
		return err
	}
	if err := sized(rootImg, rootD(t)); err != nil {
		return err
	}
	if err := mkfsExt4(r, rootImg, rootUUID, t.dir); err != nil {
		return err
	}
	return r.run("mkfs.erofs", "-U", usrUUID, "--quiet", usrImg, t.dir)
}

// toolsESP builds layout (e), the ESP alone, as repart does offline
// (spec §8.1, §8.2): stage the tree, mkfs.vfat + mmd/mcopy on a temporary
// file of the partition's size, the GPT, the file copied in at the
// partition's offset (fsync), staging removed.
func toolsESP(r *runner, src, work, image string, size int64) error {
	espImg, err := vfatPartition(r, src, work, size)
	if err != nil {
		return err
	}
	err = assemble(r, image, []gptPart{{typ: typeESP, name: "esp", file: espImg, size: size}})
	return errors.Join(err, r.do("rm -r staging", func() error { return removeAll(work) }))
}

// vfatPartition is repart's offline vfat partition: src copied into a
// staging directory, a temporary file of size (repart's
// /var/tmp/repart-XXXXXX) formatted and filled from it. It returns the
// file.
func vfatPartition(r *runner, src, work string, size int64) (string, error) {
	stageESP, espImg := filepath.Join(work, "stage-esp"), filepath.Join(work, "esp.img")
	if err := stage(r, src, stageESP); err != nil {
		return "", err
	}
	if err := sized(espImg, size); err != nil {
		return "", err
	}
	return espImg, mkfsVfat(r, espImg, stageESP)
}

// toolsUsrVerity builds layout (b): mkfs.erofs into an empty file (its
// size is the partition's, Minimize=best), the hash tree over it with
// veritysetup into another file, both copied into the image.
func toolsUsrVerity(r *runner, t *tree, work, image string) error {
	stageUsr := filepath.Join(work, "stage-usr")
	usrImg, hashImg := filepath.Join(work, "usr.img"), filepath.Join(work, "usr-verity.img")
	if err := stage(r, t.dir, stageUsr); err != nil {
		return err
	}
	if err := r.run("mkfs.erofs", "-U", usrUUID, "--quiet", usrImg, stageUsr); err != nil {
		return err
	}
	if err := r.run("veritysetup", "format", usrImg, hashImg, "--data-block-size=4096", "--hash-block-size=4096",
		"--salt="+veritySalt, "--uuid="+verityUUID); err != nil {
		return err
	}
	var parts []gptPart
	for _, p := range []gptPart{{typ: typeUsr, name: "usr", file: usrImg}, {typ: typeUsrVerity, name: "usr-verity", file: hashImg}} {
		fi, err := os.Stat(p.file)
		if err != nil {
			return err
		}
		p.size = roundUp(fi.Size(), 4096)
		parts = append(parts, p)
	}
	err := assemble(r, image, parts)
	return errors.Join(err, r.do("rm -r staging", func() error { return removeAll(work) }))
}

// stage copies a tree into repart's staging directory (spec §8.1).
func stage(r *runner, src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	return r.run("cp", "-a", "--reflink=auto", src+"/.", dst+"/")
}

// sized creates an empty file of size bytes.
func sized(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Truncate(size), f.Close())
}

// mkfsVfat formats and populates a vfat image as mkfs-util does: mkfs.vfat,
// then a sorted walk with mmd per directory and batched mcopy per
// directory's files (spec §8.2; -Ds -DS, skip on a name clash, as
// systemd-repart 262 passes them).
func mkfsVfat(r *runner, img, root string) error {
	if err := r.run("mkfs.vfat", "-i", espVolumeID, "-n", "ESP", "-F", "32", "-S", fmt.Sprint(fsSectorSize), img); err != nil {
		return err
	}
	env := []string{"MTOOLS_SKIP_CHECK=1", "TZ=UTC", "SOURCE_DATE_EPOCH=" + epoch}
	var walk func(dir, target string) error
	walk = func(dir, target string) error {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
		var batch []string
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			args := append(append([]string{"-p", "-Q", "-m", "-i", img}, batch...), "::"+target+"/")
			batch = nil
			return r.runWith(nil, nil, env, "mcopy", args...)
		}
		for _, e := range ents {
			switch {
			case e.IsDir():
				if err := flush(); err != nil {
					return err
				}
				if err := r.runWith(nil, nil, env, "mmd", "-Ds", "-DS", "-i", img, "::"+target+"/"+e.Name()); err != nil {
					return err
				}
				if err := walk(filepath.Join(dir, e.Name()), target+"/"+e.Name()); err != nil {
					return err
				}
			case e.Type().IsRegular():
				batch = append(batch, filepath.Join(dir, e.Name()))
			}
		}
		return flush()
	}
	return walk(root, "")
}

// mkfsExt4 runs mkfs.ext4 with repart's options (spec §8.2).
func mkfsExt4(r *runner, img, uuid, root string) error {
	return r.runWith(nil, nil, []string{"MKE2FS_DEVICE_SECTSIZE=" + fmt.Sprint(fsSectorSize), "E2FSPROGS_FAKE_TIME=" + epoch},
		"mkfs.ext4", "-L", "root", "-U", uuid, "-I", "256", "-m", "0",
		"-E", "discard,lazy_itable_init=1,hash_seed="+uuid, "-b", "4096", "-T", "default", "-d", root, img)
}

// minimizeGuessExt4 is repart's Minimize=guess for ext4 (spec §3.7): mkfs
// into a sparse 1 TiB file, take the allocated bytes plus half, mkfs
// again at that size. It returns the size.
func minimizeGuessExt4(r *runner, img, root string) (int64, error) {
	if err := sized(img, 1<<40); err != nil {
		return 0, err
	}
	if err := mkfsExt4(r, img, guessUUID, root); err != nil {
		return 0, err
	}
	var used int64
	err := r.do("measuring allocation", func() (err error) {
		used, err = allocatedBytes(img)
		return err
	})
	if err != nil {
		return 0, err
	}
	size := max(roundUp(used+used/2, 4096), ext4MinSize)
	if err := os.Truncate(img, 0); err != nil {
		return 0, err
	}
	if err := os.Truncate(img, size); err != nil {
		return 0, err
	}
	return size, mkfsExt4(r, img, rootUUID, root)
}

// allocatedBytes sums the data extents of a sparse file (SEEK_DATA /
// SEEK_HOLE walk, as repart measures).
func allocatedBytes(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	const seekData, seekHole = 3, 4
	var total, off int64
	for {
		start, err := f.Seek(off, seekData)
		if errors.Is(err, syscall.ENXIO) {
			return total, nil
		}
		if err != nil {
			return 0, fmt.Errorf("measuring %s: %w", path, err)
		}
		end, err := f.Seek(start, seekHole)
		if err != nil {
			return 0, fmt.Errorf("measuring %s: %w", path, err)
		}
		total += end - start
		off = end
	}
}

// gptPart is one partition of an assembled image.
type gptPart struct {
	typ, name string
	file      string // content, copied to the partition's start
	size      int64  // multiple of 4096
}

// assemble creates image with repart's --size=auto geometry (1 MiB, the
// partitions, the backup GPT), writes the GPT with sfdisk and copies each
// partition's content in at its offset the way repart does, keeping
// holes, then fsyncs the image.
func assemble(r *runner, image string, parts []gptPart) error {
	size := int64(mib + 33*512)
	var script strings.Builder
	fmt.Fprintf(&script, "label: gpt\nlabel-id: %s\nunit: sectors\nsector-size: 512\nfirst-lba: 2048\n", diskUUID)
	off := int64(mib)
	for i, p := range parts {
		fmt.Fprintf(&script, "start=%d, size=%d, type=%s, uuid=00000000-0000-4000-8000-%012d, name=%q\n",
			off/512, p.size/512, p.typ, i+1, p.name)
		off += p.size
		size += p.size
	}
	if err := sized(image, size); err != nil {
		return err
	}
	if err := r.runWith(strings.NewReader(script.String()), io.Discard, nil,
		"sfdisk", "--no-reread", "--no-tell-kernel", "-q", image); err != nil {
		return err
	}
	f, err := os.OpenFile(image, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	off = mib
	for _, p := range parts {
		if err := r.do("copy into image", func() error { return copyInto(f, p.file, off) }); err != nil {
			return err
		}
		off += p.size
	}
	if err := r.do("fsync", f.Sync); err != nil {
		return fmt.Errorf("syncing %s: %w", image, err)
	}
	return f.Close()
}

// copyInto copies the data of src into dst at off, skipping holes, as
// repart's copy of a partition's temporary file into the image does: the
// data extents found with SEEK_DATA/SEEK_HOLE, each copied in the kernel
// with copy_file_range.
func copyInto(dst *os.File, src string, off int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	for pos := int64(0); ; {
		start, err := unix.Seek(int(in.Fd()), pos, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		end, err := unix.Seek(int(in.Fd()), start, unix.SEEK_HOLE)
		if err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		soff, doff := start, off+start
		for soff < end {
			n, err := unix.CopyFileRange(int(in.Fd()), &soff, int(dst.Fd()), &doff, int(min(end-soff, 1<<30)), 0)
			if err != nil {
				return fmt.Errorf("copying %s: %w", src, err)
			}
			if n == 0 {
				return fmt.Errorf("copying %s: %w", src, io.ErrUnexpectedEOF)
			}
		}
		pos = end
	}
}
