package gpt

// On-disk constants (UEFI 2.10 §5.2.3, §5.3.2, §5.3.3).
const (
	signature      = "EFI PART"
	revision       = 0x00010000
	headerSize     = 92
	NumEntries     = 128
	EntrySize      = 128
	entryArraySize = NumEntries * EntrySize
	nameUnits      = 36

	mbrTypeProtective = 0xEE
)
