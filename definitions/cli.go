package definitions

// ParseSize parses a size as systemd's parse_size(…, 1024) does ("100M",
// "1.5G", "4096"), for command-line flags such as --size=.
func ParseSize(s string) (uint64, error) { return parseSize(s) }
