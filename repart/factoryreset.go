package repart

import (
	"fmt"

	"github.com/gorepart/gorepart/definitions"
)

// factoryResetEntries returns the existing entries with those removed
// that partitions of FactoryReset=yes definitions claim, as repart's
// context_factory_reset() removes them from the table before planning:
// they are then made anew. In a dry run nothing is removed.
func factoryResetEntries(defs []*definitions.Definition, o *BuildOptions, entries []Existing) ([]Existing, error) {
	if o.DryRun {
		o.log("Refusing to factory reset, please re-run with --dry-run=no.")
		return entries, nil
	}
	o.log("Applying factory reset.")
	reset, err := resettable(defs, o, entries)
	if err != nil {
		return nil, err
	}
	var kept []Existing
	for _, e := range entries {
		if reset[e.PartNo] {
			o.log("Removing partition %d for factory reset.", e.PartNo)
			continue
		}
		kept = append(kept, e)
	}
	if len(reset) == 0 {
		o.log("Factory reset requested, but no partitions to delete found.")
	} else {
		o.log("Successfully deleted %d partitions.", len(reset))
	}
	return kept, nil
}

// resettable are the partition numbers of the existing entries claimed
// by FactoryReset=yes partitions.
func resettable(defs []*definitions.Definition, o *BuildOptions, entries []Existing) (map[int]bool, error) {
	copied, err := ReadCopyFrom(o.CopyFrom, o.ExcludeType)
	if err != nil {
		return nil, err
	}
	parts, _, err := identify(copied, defs, o.Plan.Seed, entries)
	if err != nil {
		return nil, err
	}
	reset := map[int]bool{}
	for _, p := range parts {
		if p.Exists && p.Def.FactoryReset {
			reset[p.PartNo] = true
		}
	}
	return reset, nil
}

// CanFactoryReset reports whether --factory-reset=yes would remove a
// partition of the image (--can-factory-reset): whether a FactoryReset=yes
// definition claims one of its existing partitions.
func CanFactoryReset(defs []*definitions.Definition, o BuildOptions) (bool, error) {
	if o.Empty == "" {
		o.Empty = "refuse"
	}
	if o.Empty == "create" {
		return false, nil
	}
	if err := checkOutput(o); err != nil {
		return false, err
	}
	old, err := loadExisting(&o)
	if err != nil {
		return false, err
	}
	reset, err := resettable(defs, &o, old.entries)
	if err != nil {
		return false, fmt.Errorf("matching partitions: %w", err)
	}
	return len(reset) > 0, nil
}
