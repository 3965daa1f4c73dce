// Package gpt writes a GUID Partition Table: the protective MBR, the
// primary header and entry array at LBA 1 and 2, and the backup array and
// header at the end of the disk, with their CRC32s (UEFI 2.10 §5.3).
//
// It writes what libfdisk writes for a new table, so `sfdisk --dump` of
// our images equals that of systemd-repart's. go-diskfs's partition/gpt
// was not used: it also writes what it reads back from the disk, and we
// want a pure encoder of a table built in memory (Encode) that never reads
// the image. ReadTable is the reader the tests use.
//
// It refuses tables with more than 128 entries and names longer than 36
// UTF-16 code units.
package gpt
