package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The device-mapper ioctl interface (include/uapi/linux/dm-ioctl.h):
// struct dm_ioctl, then the payload.
const (
	dmHeaderSize     = 312 // sizeof(struct dm_ioctl)
	dmTargetSpecSize = 40  // sizeof(struct dm_target_spec)
	dmNameOff        = 48
	dmNameLen        = 128

	dmReadonlyFlag   = 1 << 0
	dmBufferFullFlag = 1 << 8

	dmDevCreate   = 3
	dmDevSuspend  = 6
	dmTableLoad   = 9
	dmTableStatus = 12
)

var le = binary.LittleEndian

// dmHeader returns a buffer of size bytes starting with a dm_ioctl
// header for the named device.
func dmHeader(name string, size int, flags uint32) []byte {
	b := make([]byte, size)
	le.PutUint32(b[0:], 4) // interface version 4.0.0
	le.PutUint32(b[12:], uint32(size))
	le.PutUint32(b[16:], dmHeaderSize)
	le.PutUint32(b[28:], flags)
	copy(b[dmNameOff:dmNameOff+dmNameLen-1], name)
	return b
}

func dmIoctl(nr uintptr, b []byte) error {
	ctl, err := os.OpenFile("/dev/mapper/control", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer ctl.Close()
	req := uintptr(3<<30 | dmHeaderSize<<16 | 0xfd<<8 | nr) // _IOWR(0xfd, nr, struct dm_ioctl)
	_, _, e := unix.Syscall(unix.SYS_IOCTL, ctl.Fd(), req, uintptr(unsafe.Pointer(&b[0])))
	if e != 0 {
		return e
	}
	return nil
}

// dmCreate creates a device with one target, read-only unless rw, and
// returns its node, /dev/mapper/NAME.
func dmCreate(name, target string, sectors uint64, params string, rw bool) (string, error) {
	h := dmHeader(name, dmHeaderSize, 0)
	if err := dmIoctl(dmDevCreate, h); err != nil {
		return "", fmt.Errorf("DM_DEV_CREATE: %w", err)
	}
	dev := le.Uint64(h[40:])

	specLen := (dmTargetSpecSize + len(params) + 1 + 7) &^ 7
	flags := uint32(dmReadonlyFlag)
	if rw {
		flags = 0
	}
	b := dmHeader(name, dmHeaderSize+specLen, flags)
	le.PutUint32(b[20:], 1) // target_count
	s := b[dmHeaderSize:]
	le.PutUint64(s[0:], 0)
	le.PutUint64(s[8:], sectors)
	le.PutUint32(s[20:], uint32(specLen)) // next
	copy(s[24:39], target)
	copy(s[dmTargetSpecSize:], params)
	if err := dmIoctl(dmTableLoad, b); err != nil {
		return "", fmt.Errorf("DM_TABLE_LOAD %s: %w", target, err)
	}
	if err := dmIoctl(dmDevSuspend, dmHeader(name, dmHeaderSize, 0)); err != nil { // no DM_SUSPEND_FLAG: resume
		return "", fmt.Errorf("DM_DEV_SUSPEND (resume): %w", err)
	}
	node := "/dev/mapper/" + name
	if err := unix.Mknod(node, unix.S_IFBLK|0o600, int(dev)); err != nil && err != unix.EEXIST {
		return "", fmt.Errorf("mknod %s: %w", node, err)
	}
	return node, nil
}

// dmStatus returns the status line of the device's first target
// (dmsetup status without the start, length and target name).
func dmStatus(name string) (string, error) {
	b := dmHeader(name, 16<<10, 0)
	if err := dmIoctl(dmTableStatus, b); err != nil {
		return "", fmt.Errorf("DM_TABLE_STATUS: %w", err)
	}
	if le.Uint32(b[28:])&dmBufferFullFlag != 0 || le.Uint32(b[20:]) == 0 {
		return "", fmt.Errorf("DM_TABLE_STATUS: no target status")
	}
	s := b[le.Uint32(b[16:]):]
	rest := s[dmTargetSpecSize:]
	for i, c := range rest {
		if c == 0 {
			rest = rest[:i]
			break
		}
	}
	return unix.ByteSliceToString(s[24:40]) + " " + string(rest), nil
}
