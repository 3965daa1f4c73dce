// Package vdisk writes a finished raw disk image into a virtual machine
// disk container, named as qemu-img names them: raw, qcow2, vmdk, vhdx,
// vpc (VHD) and vdi. It needs no qemu-img: Write reads the data extents of
// the raw image once, in order (SEEK_DATA/SEEK_HOLE), drops grains that
// hold only zeros, and writes the container front to back, its tables at
// offsets reserved for them. Same bytes of the image and same Params give
// the same container, whatever holes the raw file has: ids come from
// Params.Seed, VHD's timestamp from Params.Time, nothing from the host.
//
// What is written:
//
//   - raw: the image, data extents copied in the kernel (copy_file_range,
//     reflinks where the file system shares extents), holes kept.
//   - qcow2: version 3, 64 KiB clusters, 16-bit refcounts, no feature bits
//     (clean, lazy refcounts off), no header extensions; zero clusters are
//     unallocated. Data clusters in guest order, each 512 MiB span followed
//     by its L2 table, then the refcount blocks and table (qemu
//     docs/interop/qcow2.txt). qemu-img check finds no error and no leak.
//   - vmdk, monolithicSparse (default): the hosted sparse extent as qemu
//     lays it out (64 KiB grains, both grain directories with all their
//     grain tables, embedded descriptor with a seeded CID and ddb.uuid.*,
//     ddb.geometry for an IDE adapter, virtualHWVersion 4).
//     streamOptimized, the disk of an OVA: zlib-compressed grains with
//     markers, grain directory and footer at the end (VMware "Virtual Disk
//     Format 1.1"); grains are compressed on all cores.
//   - vhdx: dynamic, 1 MiB payload blocks, two headers and region tables
//     (CRC-32C), empty log, metadata with the image's logical sector size
//     (512 or 4096) and 4096-byte physical sectors, page 83 id from the
//     seed ([MS-VHDX] 1.0). Zero blocks are PAYLOAD_BLOCK_ZERO: a
//     not-present block of a dynamic VHDX may read as anything (§2.5.1.1).
//     The blocks are 1 MiB, not Hyper-V's default 32 MiB, as WSL's ext4
//     disks are: a 4 GiB ext4 image holding 881 MiB (mkfs.ext4 -d
//     /usr/share) makes a 835 MiB VHDX with 1 MiB blocks and a 1064 MiB
//     one with 32 MiB blocks (qemu-img convert -o block_size=).
//   - vpc: subformat "dynamic" (default; 2 MiB blocks, all-set sector
//     bitmaps, zero blocks not in the file) or "fixed" (the image and a
//     footer). The footer's creator is "qem2", which makes qemu (block/vpc.c)
//     take the size from current_size, as Hyper-V and Azure do, instead of
//     from the CHS geometry (written as the VHD specification computes it,
//     rounded down); qemu would otherwise read most sizes smaller. The
//     timestamp is Params.Time, clamped to 2000-01-01 (the VHD epoch; nixpkgs'
//     SOURCE_DATE_EPOCH of 1980 gives 0).
//   - vdi: dynamic VDI 1.1, 1 MiB blocks, data area aligned to 1 MiB as
//     VirtualBox does, UUIDs from the seed. Zero blocks are
//     VDI_IMAGE_BLOCK_ZERO (0xFFFFFFFE), which VirtualBox and qemu read as
//     zeros: VirtualBox documents a free block (0xFFFFFFFF) as reading
//     anything, and a hole of the raw file and written zeros must give the
//     same container anyway.
//
// Block containers (VHD, VHDX, VDI) store a block whole once any of it
// holds data; pages of zeros inside such a block are left as holes of the
// container file.
//
// Refused, with an error naming the value: unknown formats and
// subformats (vhdx fixed, vpc differencing, any subformat of qcow2, vdi,
// raw), sector sizes other than 512 and 4096, image sizes that are not a
// multiple of the sector size, a raw file of another size than given, a
// fixed VHD whose size is not a multiple of 1 MiB (Azure refuses those;
// rounding up would move the end of the disk, where the backup GPT is),
// VHDs over 2040 GiB, VHDX over 64 TiB, VDIs over 2^30-1 blocks,
// monolithicSparse VMDKs whose grain offsets overflow 32 bits, and vmdk
// file names the descriptor's extent line cannot hold.
//
// The tests check every container with qemu-img 7.2 (check for qcow2,
// vmdk, vhdx and vdi; compare against the raw image and info's virtual
// size for all) and with a reader per format, except a VHDX with
// 4096-byte logical sectors, which qemu refuses to open (it supports 512
// only) and only the reader checks. Hypervisors see 512-byte sectors in
// the other containers, which have no field for a sector size.
//
// Why a conversion of the finished raw image and not a WriterAt that the
// image assembler writes through: the assembler writes partitions out of
// order, on both cores, so a container allocating clusters in write order
// would not be reproducible; allocating them by guest offset needs to know
// which clusters hold data before any is placed, i.e. a pass over the
// finished image anyway, and a WriterAt would also have to merge the
// partial writes of a cluster and tell zeros from data. The conversion
// reads only the data extents of the raw temporary file, mostly from the
// page cache right after it was written, and writes the container once.
// For a 4 GiB image holding 500 MiB (BenchmarkConvert, on a shared
// 2-core machine) the qcow2 takes 0.4 to 1.2 s and 0.3 to 0.4 s of
// processor time, as long as qemu-img convert in the same runs (0.4 to
// 2.0 s), while writing the 500 MiB of the raw image took 1.4 s; vmdk and
// vhdx take a half to a quarter of qemu-img's time. What the conversion costs
// besides time is the raw file's disk space until the container is
// renamed into place. Tables stay in memory: 8 bytes per MiB of image for
// VHDX, 4 for VDI, 2 for VHD, less for qcow2 and VMDK.
//
// Split files (--split) are cut from the raw image and stay raw: this
// package has nothing to do with them. File compression (zstd, xz) suits
// the raw image and a fixed VHD (Azure images travel as .vhd.xz); the
// other containers already leave zeros out, a streamOptimized VMDK is
// compressed, and no hypervisor opens a compressed container.
//
// No Go library writes these containers: lima-vm/go-qcow2reader only
// reads, go-winio's vhd calls Windows, go-diskfs has no qcow2 or VHDX.
// Each writer here is one file of 100 to 200 lines with a reader in its
// tests.
package vdisk
