package xfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// dinode is one on-disk inode, read whole.
type dinode []byte

func (d dinode) u16(off int) uint16 { return binary.BigEndian.Uint16(d[off:]) }
func (d dinode) u32(off int) uint32 { return binary.BigEndian.Uint32(d[off:]) }
func (d dinode) u64(off int) uint64 { return binary.BigEndian.Uint64(d[off:]) }

func (d dinode) v3() bool { return d[diVersion] == 3 }

func (d dinode) check(ino uint64) error {
	if d.u16(diMagic) != diMagicValue {
		return fmt.Errorf("inode %d: bad magic %#x", ino, d.u16(diMagic))
	}
	if v := d[diVersion]; v != 2 && v != 3 {
		return fmt.Errorf("inode %d: version %d", ino, v)
	}
	return nil
}

// nextents is the data fork's extent count.
func (d dinode) nextents() uint64 {
	if d.v3() && d.u64(diFlags2)&flags2Nrext64 != 0 {
		return d.u64(diBigNext)
	}
	return uint64(d.u32(diNextents))
}

// setTimes sets atime, mtime, ctime and (version 3) crtime to t, in the
// inode's timestamp format. It reports whether t had to be clamped.
func (d dinode) setTimes(t time.Time, atime bool) bool {
	v, clamped := d.timestamp(t)
	offs := []int{diMtime, diCtime}
	if atime {
		offs = append(offs, diAtime)
	}
	if d.v3() {
		offs = append(offs, diCrtime)
	}
	for _, off := range offs {
		binary.BigEndian.PutUint64(d[off:], v)
	}
	return clamped
}

// timestamp encodes t: nanoseconds since 1901-12-13 with bigtime (until
// 2486), else 32-bit seconds and nanoseconds (1901..2038).
func (d dinode) timestamp(t time.Time) (uint64, bool) {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	if d.v3() && d.u64(diFlags2)&flags2Bigtime != 0 {
		const maxSec = (1<<64-1)/1_000_000_000 - bigtimeOffset
		switch {
		case sec < -bigtimeOffset:
			return 0, true
		case sec >= maxSec:
			return uint64(maxSec+bigtimeOffset) * 1_000_000_000, true
		}
		return uint64(sec+bigtimeOffset)*1e9 + uint64(nsec), false
	}
	switch {
	case sec < -1<<31:
		return uint64(1<<31) << 32, true
	case sec > 1<<31-1:
		return uint64(1<<31-1)<<32 | 999999999, true
	}
	return uint64(uint32(int32(sec)))<<32 | uint64(nsec), false
}

// setMode sets the permission bits (07777) and keeps the file type.
func (d dinode) setMode(perm uint32) {
	m := d.u16(diMode)&0o170000 | uint16(perm&0o7777)
	binary.BigEndian.PutUint16(d[diMode:], m)
}

// seal recomputes the CRC of a version 3 inode (crc32c over the inode
// with its CRC field zeroed, stored little-endian).
func (d dinode) seal() {
	if !d.v3() {
		return
	}
	copy(d[diCRC:diCRC+4], []byte{0, 0, 0, 0})
	binary.LittleEndian.PutUint32(d[diCRC:], crc32.Checksum(d, castagnoli))
}

// sealed reports whether a version 3 inode's CRC is right.
func (d dinode) sealed() bool {
	if !d.v3() {
		return true
	}
	c := dinode(bytes.Clone(d))
	c.seal()
	return bytes.Equal(c[diCRC:diCRC+4], d[diCRC:diCRC+4])
}
