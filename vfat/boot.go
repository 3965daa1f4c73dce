package vfat

import "encoding/binary"

// bootSector encodes the boot sector (BPB and extended BPB) as mkfs.fat 4.2
// writes it: system id "mkfs.fat", media 0xF8, drive 0x80, hidden sectors
// 0, mkfs.fat's "not bootable" boot code. It is 512 bytes; larger sectors
// are zero beyond.
func bootSector(g *geometry, volumeID uint32, label [11]byte) []byte {
	b := make([]byte, 512)
	b[0], b[2] = 0xEB, 0x90
	copy(b[3:11], "mkfs.fat")
	binary.LittleEndian.PutUint16(b[11:], uint16(g.sectorSize))
	b[13] = byte(g.secPerCluster)
	binary.LittleEndian.PutUint16(b[14:], uint16(g.reserved))
	b[16] = numFATs
	binary.LittleEndian.PutUint16(b[17:], uint16(g.rootEntries))
	if g.totalSectors < 65536 {
		binary.LittleEndian.PutUint16(b[19:], uint16(g.totalSectors))
	} else {
		binary.LittleEndian.PutUint32(b[32:], g.totalSectors)
	}
	b[21] = media
	binary.LittleEndian.PutUint16(b[24:], g.secPerTrack)
	binary.LittleEndian.PutUint16(b[26:], g.heads)
	// b[28:32] hidden sectors: 0.

	vi, code, codeLen := 36, bootCodeOffset1216, bootCodeSize1216
	fsType := "FAT12   "
	if g.fatBits == 16 {
		fsType = "FAT16   "
	}
	if g.fatBits == 32 {
		vi, code, codeLen, fsType = 64, bootCodeOffset32, bootCodeSize32, "FAT32   "
		binary.LittleEndian.PutUint32(b[36:], g.fatLength)
		// flags 0 (mirrored FATs), version 0.0
		binary.LittleEndian.PutUint32(b[44:], rootCluster32)
		binary.LittleEndian.PutUint16(b[48:], infoSector)
		binary.LittleEndian.PutUint16(b[50:], backupBoot)
	} else {
		binary.LittleEndian.PutUint16(b[22:], uint16(g.fatLength))
	}
	b[1] = byte(code - 2)
	b[vi] = 0x80
	b[vi+2] = extBootSig
	binary.LittleEndian.PutUint32(b[vi+3:], volumeID)
	copy(b[vi+7:vi+18], label[:])
	copy(b[vi+18:vi+26], fsType)
	copy(b[code:code+codeLen-1], bootCode)
	msg := code + messageOffset + 0x7C00
	binary.LittleEndian.PutUint16(b[code+3:], uint16(msg))
	b[510], b[511] = 0x55, 0xAA
	return b
}

// fsInfo encodes the FAT32 FSInfo sector (its first 512 bytes).
func fsInfo(free, next uint32) []byte {
	b := make([]byte, 512)
	binary.LittleEndian.PutUint32(b[0:], fsInfoLeadSig)
	binary.LittleEndian.PutUint32(b[0x1E4:], fsInfoStructSig)
	binary.LittleEndian.PutUint32(b[0x1E8:], free)
	binary.LittleEndian.PutUint32(b[0x1EC:], next)
	b[0x1FE], b[0x1FF] = 0x55, 0xAA
	return b
}

// reservedArea encodes the sectors before the first FAT: boot sector and,
// on FAT32, FSInfo, backup boot sector and backup FSInfo.
func reservedArea(g *geometry, volumeID uint32, label [11]byte, free, next uint32) []byte {
	ss := g.sectorSize
	b := make([]byte, int(g.reserved)*ss)
	bs := bootSector(g, volumeID, label)
	copy(b, bs)
	if g.fatBits == 32 {
		fi := fsInfo(free, next)
		copy(b[infoSector*ss:], fi)
		copy(b[backupBoot*ss:], bs)
		copy(b[(backupBoot+infoSector)*ss:], fi)
	}
	return b
}
