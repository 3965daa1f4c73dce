package iso9660

// Layout of the header, as systemd-repart 262 writes it (iso9660.h).
const (
	BlockSize = 2048 // ISO 9660 logical block size

	Offset = firstBlock * BlockSize   // byte offset of the header: 32768
	Size   = headerBlocks * BlockSize // bytes of the header: 10240
	End    = Offset + Size            // first byte after it: 43008

	firstBlock   = 16 // the system area (blocks 0–15) holds the MBR and GPT
	pvdBlock     = firstBlock
	bootBlock    = firstBlock + 1
	termBlock    = firstBlock + 2
	catalogBlock = firstBlock + 3
	rootDirBlock = firstBlock + 4
	headerBlocks = 5
	volumeBlocks = firstBlock + headerBlocks // volume space size: 21

	standardIdent = "CD001"
	application   = "SYSTEMD-REPART"
	elToritoIdent = "EL TORITO SPECIFICATION"
)

// Volume descriptor header (ECMA-119 §8.1).
const (
	typeBootRecord = 0
	typePrimary    = 1
	typeTerminator = 255

	vdType    = 0 // 1 byte
	vdIdent   = 1 // 5 bytes "CD001"
	vdVersion = 6 // 1 byte, 1
)

// Primary volume descriptor (ECMA-119 §8.4). "Both-endian" fields hold the
// little-endian value followed by the big-endian one (§7.2.3, §7.3.3).
const (
	pvdSystem        = 8   // 32 a-characters
	pvdVolume        = 40  // 32 d-characters (repart allows a-characters)
	pvdSpaceSize     = 80  // both-endian uint32
	pvdSetSize       = 120 // both-endian uint16
	pvdSequence      = 124 // both-endian uint16
	pvdBlockSize     = 128 // both-endian uint16
	pvdPathTableSize = 132 // both-endian uint32; 0 and no path tables
	pvdRootRecord    = 156 // 34-byte directory record
	pvdVolumeSet     = 190 // 128 d-characters
	pvdPublisher     = 318 // 128 a-characters
	pvdPreparer      = 446 // 128 a-characters
	pvdApplication   = 574 // 128 a-characters
	pvdCopyright     = 702 // 37 d-characters
	pvdAbstract      = 739 // 37 d-characters
	pvdBibliographic = 776 // 37 d-characters
	pvdCreated       = 813 // long date
	pvdModified      = 830 // long date
	pvdExpires       = 847 // long date, all "0"
	pvdEffective     = 864 // long date, all "0"
	pvdFileStructure = 881 // 1

	systemLen    = 32
	volumeLen    = 32
	publisherLen = 128
	textLen      = 128 // volume set, preparer, application
	fileIdentLen = 37
)

// Dates: the 17-byte "long" form of the volume descriptor (ECMA-119
// §8.4.26.1, "YYYYMMDDhhmmsscc" and a zone byte) and the 7-byte form of a
// directory record (§9.1.5, years since 1900 in one byte). Zones count
// 15-minute steps east of UTC.
const (
	longDateLen     = 17
	shortDateLen    = 7
	zoneUnitSeconds = 15 * 60
	minYear         = 1900
	maxYear         = 1900 + 255
)

// Directory record (ECMA-119 §9.1) with a one-byte identifier.
const (
	recordLen  = 34
	rootDirLen = 2 * recordLen // "." and ".."

	recLen      = 0
	recExtent   = 2  // both-endian uint32
	recDataLen  = 10 // both-endian uint32
	recDate     = 18 // short date
	recFlags    = 25
	recSequence = 28 // both-endian uint16
	recIdentLen = 32
	recIdent    = 33

	flagDirectory = 2
	identSelf     = 0 // "." (and the root record of the PVD)
	identParent   = 1 // ".."
)

// El Torito boot record volume descriptor (El Torito 1.0 §2.0).
const (
	bootSystemIdent    = 7  // 32 bytes, NUL padded
	bootSystemIdentLen = 32 //
	bootCatalogPointer = 71 // little-endian uint32
)

// Boot catalog, 32-byte entries (El Torito 1.0 §2.1–2.4).
const (
	entrySize = 32

	// Validation entry.
	valHeader   = 0x01
	platformEFI = 0xEF
	valPlatform = 1
	valChecksum = 28 // little-endian uint16; the 16 words sum to 0
	valKey      = 30 // keyByte1, keyByte2
	keyByte1    = 0x55
	keyByte2    = 0xAA

	// Default (initial) entry.
	bootable       = 0x88
	noEmulation    = 0
	defMedia       = 1
	defSectorCount = 6 // little-endian uint16; 0: to the end of the medium
	defLoadRBA     = 8 // little-endian uint32, in 2048-byte blocks

	// Section header.
	finalSection  = 0x91
	secPlatform   = 1
	secEntryCount = 2 // little-endian uint16
)
