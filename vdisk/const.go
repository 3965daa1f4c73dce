package vdisk

// On-disk constants of every container, with the section of the
// specification (or the qemu source that is the de-facto one) they come from.

const (
	sectorSize = 512 // every container addresses 512-byte sectors
	kiB        = 1 << 10
	miB        = 1 << 20
	giB        = 1 << 30
)

// qcow2: qemu docs/interop/qcow2.txt ("Header", "Host cluster management",
// "Cluster mapping").
const (
	qcowMagic         = "QFI\xfb"
	qcowVersion       = 3
	qcowClusterBits   = 16
	qcowClusterSize   = 1 << qcowClusterBits
	qcowL2Entries     = qcowClusterSize / 8 // 64-bit entries, no extended L2
	qcowRefcountOrder = 4                   // 16-bit refcounts
	qcowRefcountBits  = 1 << qcowRefcountOrder
	qcowRefblockCount = qcowClusterSize * 8 / qcowRefcountBits // entries per refcount block
	qcowHeaderLength  = 112                                    // v3 fields through compression_type, padded to 8
	qcowOflagCopied   = 1 << 63                                // L1/L2 entry: refcount is exactly one
	qcowOffsetMask    = 0x00fffffffffffe00                     // bits 9-55 of L1/L2 entries
	qcowMaxL1Bytes    = 32 * miB                               // qemu's QCOW_MAX_L1_SIZE
)

// vpc (VHD): Microsoft "Virtual Hard Disk Image Format Specification" 1.0,
// "Hard Disk Footer Format" and "Dynamic Disk Header Format"; qemu
// block/vpc.c for the creator apps whose current_size it trusts.
const (
	vhdFooterSize     = 512
	vhdDynHeaderSize  = 1024
	vhdCookie         = "conectix"
	vhdDynCookie      = "cxsparse"
	vhdFeatures       = 2 // "reserved" bit, always set
	vhdVersion        = 0x00010000
	vhdTypeFixed      = 2
	vhdTypeDynamic    = 3
	vhdBlockSize      = 2 * miB
	vhdBitmapSize     = 512 // one bit per sector of a block, rounded to a sector
	vhdBATOffset      = vhdFooterSize + vhdDynHeaderSize
	vhdUnused         = 0xffffffff // BAT entry of a block not in the file
	vhdNoOffset       = 0xffffffffffffffff
	vhdEpoch          = 946684800 // 2000-01-01T00:00:00Z, the timestamp's zero
	vhdCreatorApp     = "qem2"    // qemu reads the size from current_size, not CHS
	vhdCreatorVersion = 0x00050003
	vhdCreatorOS      = "Wi2k"
	vhdMaxSectors     = 0xff000000 // 2040 GiB, qemu's VHD_MAX_SECTORS
	vhdMaxGeometry    = 65535 * 16 * 255
	vhdFixedAlign     = miB // Azure: a fixed VHD's virtual size is a whole number of MiB
	vhdCHS63Threshold = 65535 * 16 * 63
)

// vmdk: VMware "Virtual Disk Format 1.1", "Hosted Sparse Extent Header"
// and "The Descriptor File"; layout as qemu block/vmdk.c vmdk_init_extent.
const (
	vmdkMagic           = "KDMV"
	vmdkVersion         = 1
	vmdkVersionStream   = 3
	vmdkFlagNLTest      = 1 << 0 // valid new line detection test
	vmdkFlagRGD         = 1 << 1 // redundant grain table is used
	vmdkFlagCompressed  = 1 << 16
	vmdkFlagMarkers     = 1 << 17
	vmdkGrainSectors    = 128 // 64 KiB grains
	vmdkGrainSize       = vmdkGrainSectors * sectorSize
	vmdkGTEs            = 512 // entries per grain table
	vmdkGTSectors       = vmdkGTEs * 4 / sectorSize
	vmdkDescOffset      = 1  // sectors
	vmdkDescSectors     = 20 // room for the embedded descriptor
	vmdkCompressDeflate = 1
	vmdkGDAtEnd         = 0xffffffffffffffff
	vmdkMarkerEOS       = 0
	vmdkMarkerGT        = 1
	vmdkMarkerGD        = 2
	vmdkMarkerFooter    = 3
	vmdkHWVersion       = "4"   // qemu's default ddb.virtualHWVersion
	vmdkAdapter         = "ide" // qemu's default ddb.adapterType
	vmdkHeads           = 16    // IDE geometry, as qemu writes it
	vmdkSectorsPerTrack = 63
)

// vhdx: Microsoft [MS-VHDX] 1.0, §2.2 (header section), §2.3 (region
// table), §2.5 (BAT), §2.6 (metadata region).
const (
	vhdxFileSignature     = "vhdxfile"
	vhdxHeaderSignature   = "head"
	vhdxRegionSignature   = "regi"
	vhdxMetadataSignature = "metadata"
	vhdxHeader1Offset     = 64 * kiB
	vhdxHeader2Offset     = 128 * kiB
	vhdxRegion1Offset     = 192 * kiB
	vhdxRegion2Offset     = 256 * kiB
	vhdxHeaderCRCSize     = 4 * kiB  // a header's checksum covers 4 KiB
	vhdxRegionSize        = 64 * kiB // a region table's checksum covers 64 KiB
	vhdxLogOffset         = 1 * miB
	vhdxLogLength         = 1 * miB
	vhdxBATOffset         = vhdxLogOffset + vhdxLogLength
	vhdxMetadataLength    = 1 * miB
	vhdxMetadataItems     = 64 * kiB // items follow the 64 KiB table
	vhdxBlockSize         = 1 * miB  // Microsoft's choice for ext4 disks (WSL); see doc.go
	vhdxPhysicalSector    = 4096
	vhdxMaxSize           = 64 << 40
	vhdxChunkSectors      = 1 << 23 // 2^23 sectors per sector-bitmap block
	vhdxStateZero         = 2       // PAYLOAD_BLOCK_ZERO: reads as zeros
	vhdxStateFull         = 6       // PAYLOAD_BLOCK_FULLY_PRESENT
	vhdxRegionRequired    = 1
	vhdxMetaVirtualDisk   = 1 << 1
	vhdxMetaRequired      = 1 << 2
)

// Well-known VHDX GUIDs ([MS-VHDX] §2.3.1.2, §2.6.2), in textual order.
var (
	vhdxBATGUID          = mustGUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
	vhdxMetadataGUID     = mustGUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
	vhdxFileParamsGUID   = mustGUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
	vhdxDiskSizeGUID     = mustGUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
	vhdxPage83GUID       = mustGUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
	vhdxLogicalSectGUID  = mustGUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
	vhdxPhysicalSectGUID = mustGUID("CDA348C7-445D-4471-9CC9-E9885251C556")
)

// vdi: VirtualBox VDICore.h (VDIPREHEADER, VDIHEADER1PLUS); qemu
// block/vdi.c reads exactly this.
const (
	vdiSignature   = 0xbeda107f
	vdiVersion     = 0x00010001 // 1.1
	vdiHeaderSize  = 0x180      // VDIHEADER1PLUS
	vdiTypeDynamic = 1
	vdiBlockSize   = 1 * miB
	vdiBMapOffset  = 512
	vdiDataAlign   = 1 * miB // VirtualBox aligns the data area to 1 MiB
	vdiBlockZero   = 0xfffffffe
	vdiMaxBlocks   = 0x3fffffff
	vdiText        = "<<< gorepart Virtual Disk Image >>>\n"
)
