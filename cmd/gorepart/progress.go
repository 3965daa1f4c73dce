package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/repart"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progressPrinter renders repart.Progress: on a terminal one line per
// partition rewritten in place while it is written; elsewhere (a Nix
// builder, CI) only the final line of each partition — every update with
// --verbose — without control characters.
func progressPrinter(w io.Writer, tty, verbose bool) func(repart.Progress) {
	return func(p repart.Progress) {
		line := progressLine(p)
		switch {
		case tty && !p.Done:
			fmt.Fprintf(w, "\r\x1b[K%s", line)
		case tty:
			fmt.Fprintf(w, "\r\x1b[K%s\n", line)
		case p.Done || verbose:
			fmt.Fprintln(w, line)
		}
	}
}

func progressLine(p repart.Progress) string {
	secs := p.Elapsed.Seconds()
	rate := ""
	if secs > 0 {
		rate = fmt.Sprintf(", %s/s", repart.FormatBytes(uint64(float64(p.Bytes)/secs)))
	}
	files := ""
	if p.Files > 0 {
		files = fmt.Sprintf("%d files, ", p.Files)
	}
	verb := "Writing"
	if p.Done {
		verb = "Wrote"
	}
	return fmt.Sprintf("%s partition %d (%s, %q): %s%s%s, %s", verb, p.PartNo, p.What, p.Label, files,
		repart.FormatBytes(uint64(p.Bytes)), rate, p.Elapsed.Round(time.Millisecond))
}
