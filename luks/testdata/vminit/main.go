// Command vminit is the /init of the initramfs that kernel_test.go boots in
// qemu: it loads the modules listed in /modules, maps each LUKS volume in
// /volumes with dm-crypt (the table cryptsetup 2.6 loads for LUKS2, the
// volume key given in hex), mounts its ext4 read-write, checks the files'
// SHA-256, writes and re-reads a file, and prints "RESULT ok" or
// "RESULT fail: …" followed by the kernel log, then powers off.
//
// /volumes lines: DEVICE HEXKEY SEGMENT_SECTORS SECTOR_SIZE FS_BYTES
// /files lines:   PATH SHA256
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	err := run()
	if err != nil {
		fmt.Printf("RESULT fail: %v\n", err)
	} else {
		fmt.Println("RESULT ok")
	}
	buf := make([]byte, 1<<20)
	if n, err := unix.Klogctl(unix.SYSLOG_ACTION_READ_ALL, buf); err == nil {
		fmt.Printf("KLOG-BEGIN\n%s\nKLOG-END\n", buf[:n])
	}
	unix.Sync()
	unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
}

func run() error {
	for _, d := range []string{"/dev", "/proc", "/sys", "/mnt"} {
		os.MkdirAll(d, 0o755)
	}
	if err := unix.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
		return fmt.Errorf("mounting devtmpfs: %w", err)
	}
	mods, err := os.ReadFile("/modules")
	if err != nil {
		return err
	}
	for _, m := range strings.Fields(string(mods)) {
		f, err := os.Open(m)
		if err != nil {
			return err
		}
		err = unix.FinitModule(int(f.Fd()), "", 0)
		f.Close()
		if err != nil && err != unix.EEXIST {
			return fmt.Errorf("loading %s: %w", m, err)
		}
	}
	vols, err := lines("/volumes")
	if err != nil {
		return err
	}
	files, err := lines("/files")
	if err != nil {
		return err
	}
	for i, v := range vols {
		if err := checkVolume(i, v, files); err != nil {
			return fmt.Errorf("volume %s: %w", v[0], err)
		}
		fmt.Printf("VOLUME %s ok\n", v[0])
	}
	return nil
}

func lines(name string) ([][]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out, nil
}

func checkVolume(i int, v []string, files [][]string) error {
	dev, key := v[0], v[1]
	sectors, _ := strconv.ParseUint(v[2], 10, 64)
	ss := v[3]
	fsBytes, _ := strconv.ParseInt(v[4], 10, 64)
	// The table libcryptsetup 2.6 loads for a LUKS2 segment at 16 MiB.
	name := fmt.Sprintf("luks%d", i)
	params := fmt.Sprintf("aes-xts-plain64 %s 0 %s 32768 1 sector_size:%s", key, dev, ss)
	if err := dmCreate(name, sectors, "crypt", params); err != nil {
		return err
	}
	node := fmt.Sprintf("/dev/dm-%d", i)
	// Beyond the filesystem the segment holds encrypted zeros (or, for
	// KeepHoles volumes, noise); report which.
	f, err := os.Open(node)
	if err != nil {
		return err
	}
	tail := make([]byte, int64(sectors)*512-fsBytes)
	_, err = f.ReadAt(tail, fsBytes)
	f.Close()
	if err != nil {
		return fmt.Errorf("reading the segment tail: %w", err)
	}
	fmt.Printf("TAIL %s zero=%v\n", dev, bytes.Count(tail, []byte{0}) == len(tail))
	mnt := fmt.Sprintf("/mnt/%d", i)
	os.MkdirAll(mnt, 0o755)
	if err := unix.Mount(node, mnt, "ext4", 0, ""); err != nil {
		return fmt.Errorf("mounting: %w", err)
	}
	for _, fl := range files {
		b, err := os.ReadFile(mnt + "/" + fl[0])
		if err != nil {
			return err
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != fl[1] {
			return fmt.Errorf("%s: content differs", fl[0])
		}
	}
	big := bytes.Repeat([]byte("written by the kernel\n"), 200000)
	if err := os.WriteFile(mnt+"/new", big, 0o644); err != nil {
		return err
	}
	unix.Sync()
	if err := unix.Unmount(mnt, 0); err != nil {
		return fmt.Errorf("unmounting: %w", err)
	}
	if err := unix.Mount(node, mnt, "ext4", unix.MS_RDONLY, ""); err != nil {
		return fmt.Errorf("remounting: %w", err)
	}
	b, err := os.ReadFile(mnt + "/new")
	if err != nil || !bytes.Equal(b, big) {
		return fmt.Errorf("re-reading the new file: %v", err)
	}
	return unix.Unmount(mnt, 0)
}

// Device-mapper ioctls (linux/dm-ioctl.h), as dmsetup issues them.
const (
	dmIoctlSize = 312
	dmSpecSize  = 40
	dmCreateCmd = 3
	dmSuspCmd   = 6
	dmLoadCmd   = 9
)

func dmIoctl(fd int, cmd uintptr, buf []byte) error {
	req := uintptr(3)<<30 | dmIoctlSize<<16 | 0xfd<<8 | cmd
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&buf[0])))
	if e != 0 {
		return e
	}
	return nil
}

// dmHeader fills struct dm_ioctl at the start of buf.
func dmHeader(buf []byte, name string, targets uint32) {
	le := binary.LittleEndian
	le.PutUint32(buf[0:], 4) // version 4.0.0
	le.PutUint32(buf[12:], uint32(len(buf)))
	le.PutUint32(buf[16:], dmIoctlSize)
	le.PutUint32(buf[20:], targets)
	copy(buf[48:48+127], name)
}

func dmCreate(name string, sectors uint64, target, params string) error {
	fd, err := unix.Open("/dev/mapper/control", unix.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("opening /dev/mapper/control: %w", err)
	}
	defer unix.Close(fd)
	buf := make([]byte, dmIoctlSize)
	dmHeader(buf, name, 0)
	if err := dmIoctl(fd, dmCreateCmd, buf); err != nil {
		return fmt.Errorf("DM_DEV_CREATE: %w", err)
	}
	n := dmIoctlSize + dmSpecSize + len(params) + 1
	n = (n + 7) &^ 7
	buf = make([]byte, n)
	dmHeader(buf, name, 1)
	spec := buf[dmIoctlSize:]
	binary.LittleEndian.PutUint64(spec[8:], sectors)
	copy(spec[24:24+15], target)
	copy(spec[dmSpecSize:], params)
	if err := dmIoctl(fd, dmLoadCmd, buf); err != nil {
		return fmt.Errorf("DM_TABLE_LOAD: %w", err)
	}
	buf = make([]byte, dmIoctlSize)
	dmHeader(buf, name, 0)
	if err := dmIoctl(fd, dmSuspCmd, buf); err != nil {
		return fmt.Errorf("DM_DEV_SUSPEND (resume): %w", err)
	}
	return nil
}
