package fstree

import (
	"fmt"
	"strings"
)

// CheckName refuses a name no directory entry can hold: empty, "." or
// "..", containing '/' or NUL, or longer than max bytes (the writer's
// limit).
func CheckName(name string, max int) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("invalid name %q", name)
	case len(name) > max:
		return fmt.Errorf("name longer than %d bytes", max)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("name %q contains '/' or NUL", name)
	}
	return nil
}
