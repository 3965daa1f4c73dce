package vfat

// On-disk constants of the FAT file system. References: Microsoft "FAT32 File
// System Specification" (fatgen103, 2000), dosfstools 4.2 src/mkfs.fat.c (the
// choices gorepart copies), Linux fs/fat (msdos_fs.h, namei_vfat.c).

const (
	dirEntrySize = 32 // bytes per directory slot

	attrReadOnly = 0x01
	attrHidden   = 0x02
	attrSystem   = 0x04
	attrVolume   = 0x08
	attrDir      = 0x10
	attrArchive  = 0x20
	attrLFN      = attrReadOnly | attrHidden | attrSystem | attrVolume // 0x0F

	lfnLast      = 0x40 // ordinal flag of the last (first stored) LFN slot
	lfnCharsSlot = 13   // UTF-16 units per LFN slot
	maxLFNUnits  = 255  // longest long name in UTF-16 units

	// maxDirSlots is the most slots a directory may hold: Linux refuses
	// to grow a directory past FAT_MAX_DIR_SIZE (2 MiB = 65536 slots).
	maxDirSlots = 65536

	// maxFileSize is the largest file a FAT directory entry can describe.
	maxFileSize = 1<<32 - 1

	media = 0xF8 // fixed disk, mkfs.fat's default

	// Cluster-count limits as mkfs.fat 4.2 enforces them.
	maxClust12 = 4084
	minClust16 = 4087
	maxClust16 = 65524
	minClust32 = 65525
	maxClust32 = 268435446

	fat32EOC = 0x0FFFFFFF // end of chain, as Linux and mtools write it
	fat16EOC = 0xFFFF
	fat12EOC = 0x0FFF

	rootCluster32   = 2 // FAT32 root directory starts at cluster 2
	infoSector      = 1 // FAT32 FSInfo sector
	backupBoot      = 6 // FAT32 backup boot sector (backup FSInfo follows at 7)
	reserved32      = 32
	reserved1216    = 1
	numFATs         = 2
	rootEntries1216 = 512 // mkfs.fat's default root directory size (FAT12/16)

	extBootSig = 0x29

	bootCodeOffset32   = 0x5A
	bootCodeOffset1216 = 0x3E
	bootCodeSize32     = 420
	bootCodeSize1216   = 448
	messageOffset      = 29 // offset of the message inside bootCode

	fsInfoLeadSig   = 0x41615252 // "RRaA"
	fsInfoStructSig = 0x61417272 // "rrAa"
)

// noName is the label of a volume without one.
const noName = "NO NAME    "

// bootCode is mkfs.fat's dummy boot program: it prints the message and waits
// for a key, then reboots. Bytes 3-4 hold the message address (patched for
// FAT32, whose boot code sits further into the sector).
var bootCode = []byte("\x0e" + // push cs
	"\x1f" + // pop ds
	"\xbe\x5b\x7c" + // mov si, offset message_txt
	"\xac" + // write_msg: lodsb
	"\x22\xc0" + // and al, al
	"\x74\x0b" + // jz key_press
	"\x56" + // push si
	"\xb4\x0e" + // mov ah, 0eh
	"\xbb\x07\x00" + // mov bx, 0007h
	"\xcd\x10" + // int 10h
	"\x5e" + // pop si
	"\xeb\xf0" + // jmp write_msg
	"\x32\xe4" + // key_press: xor ah, ah
	"\xcd\x16" + // int 16h
	"\xcd\x19" + // int 19h
	"\xeb\xfe" + // foo: jmp foo
	"This is not a bootable disk.  Please insert a bootable floppy and\r\n" +
	"press any key to try again ... \r\n")
