package repart

import (
	"fmt"
	"os"
	"time"

	"github.com/gorepart/gorepart/iso9660"
)

// ElTorito are the --el-torito-* identifiers; a nil *ElTorito in
// BuildOptions means --el-torito=no.
type ElTorito struct {
	System, Volume, Publisher string
}

// checkElTorito is repart's check before placing partitions: the GPT must
// leave ISO blocks 16-20 free.
func checkElTorito(l *Layout) error {
	return iso9660.CheckTable(iso9660.Table{SectorSize: l.SectorSize, Entries: gptEntries, FirstLBA: l.FirstLBA})
}

// encodeElTorito makes the header pointing at the first ESP of the
// layout, before anything is written.
func (b *builder) encodeElTorito() ([]byte, error) {
	var esp *Placed
	for _, p := range b.layout.Partitions {
		if !p.Dropped && !p.Foreign && p.Type.Designator == "esp" {
			esp = p
			break
		}
	}
	if esp == nil {
		return nil, iso9660.ErrNoESP
	}
	t := time.Now()
	if b.opts.SourceDateEpoch != nil {
		t = b.opts.SourceDateEpoch.UTC()
	}
	et := b.opts.ElTorito
	hdr, err := iso9660.Encode(iso9660.Params{System: et.System, Volume: et.Volume, Publisher: et.Publisher,
		Time: t, ESPOffset: esp.Offset})
	if err != nil {
		return nil, fmt.Errorf("El Torito: %w", err)
	}
	return hdr, nil
}

// writeElTorito writes the header into f (the image being built, or an
// existing image nothing else changes in).
func writeElTorito(f *os.File, hdr []byte) error {
	if _, err := f.WriteAt(hdr, iso9660.Offset); err != nil {
		return fmt.Errorf("writing El Torito boot catalog: %w", err)
	}
	return nil
}

// rewriteElTorito writes the header into an existing image in place.
func rewriteElTorito(image string, hdr []byte) error {
	f, err := os.OpenFile(image, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("opening %s: %w", image, err)
	}
	if err := writeElTorito(f, hdr); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("syncing %s: %w", image, err)
	}
	return f.Close()
}
