// Package iso9660 writes the ISO 9660 + El Torito header systemd-repart 262
// puts into a GPT image with --el-torito=yes, so that firmware which boots
// from optical media (or an image written to a USB stick and attached as a
// CD) finds the EFI System Partition.
//
// The header is five 2048-byte blocks at byte 32768 (ISO blocks 16–20),
// between the GPT entry array and the first partition (repart.c
// write_eltorito, iso9660.c; ECMA-119 and the El Torito 1.0 specification):
//
//	16  primary volume descriptor: system, volume and publisher
//	    identifiers (a-characters, space padded), application identifier
//	    SYSTEMD-REPART, volume space size 21 blocks, no path tables, root
//	    directory at block 20, creation and modification dates from Time
//	17  El Torito boot record volume descriptor, boot catalog at block 19
//	18  volume descriptor set terminator
//	19  boot catalog: validation entry (platform 0xEF EFI, checksum, 55 AA),
//	    default entry (bootable, no emulation, sector count 0, load RBA =
//	    ESP offset / 2048), final section header (platform 0) with no
//	    entries
//	20  root directory holding only "." and ".."
//
// Nothing else of the image changes: no BIOS entry, no hybrid MBR, the
// protective MBR and the GPT stay as they are. The ISO file system is empty;
// firmware loads the ESP through the catalog (sector count 0 means "to the
// end of the medium", UEFI specification, "ISO-9660 and El Torito").
//
// Encode is pure and returns the five blocks for Offset. It refuses (with
// repart's words, see the Err variables) an ESP offset not a multiple of
// 2048 or beyond what a 32-bit block number reaches, a time whose year is
// outside 1900–2155 (a directory record keeps years since 1900 in one
// byte) or whose zone offset does not fit the 15-minute byte, and
// identifiers repart's option parser refuses: characters outside the
// a-characters plus lower-case letters, or longer than the field
// (ValidSystem, ValidVolume, ValidPublisher).
// CheckTable refuses a GPT whose entry array reaches into block 16 or whose
// first usable byte lies before block 21, as repart checks before placing
// partitions. Read parses the header back; the tests use it.
//
// Dates are written in Time's location: pass SOURCE_DATE_EPOCH as UTC (as
// repart does); repart without SOURCE_DATE_EPOCH writes the current local
// time, which time.Now() reproduces. The bytes are written by hand: the
// Go ISO 9660 libraries (kdomanski/iso9660, diskfs/go-diskfs) write whole
// file systems with their own path tables, identifiers and layout, not
// repart's five blocks.
package iso9660
