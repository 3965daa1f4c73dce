package definitions

import (
	"math"
	"path/filepath"
	"strings"
)

// validateSet checks what involves several partitions: verity siblings
// (context_read_definitions) and SupplementFor= targets.
func validateSet(defs []*Definition) error {
	for _, d := range defs {
		if d.Verity == VerityOff {
			continue
		}
		for _, mode := range []Verity{VerityData, VerityHash, VeritySignature} {
			if mode == d.Verity {
				continue
			}
			var sib []*Definition
			for _, q := range defs {
				if q != d && q.Verity == mode && q.VerityMatchKey == d.VerityMatchKey {
					sib = append(sib, q)
				}
			}
			switch {
			case len(sib) == 0 && mode != VeritySignature:
				return refuse(d, "VerityMatchKey", "missing Verity=%s partition for this Verity=%s partition with VerityMatchKey=%s, refusing",
					mode, d.Verity, d.VerityMatchKey)
			case len(sib) > 1:
				return refuse(d, "VerityMatchKey", "several Verity=%s partitions (%s, %s) for this Verity=%s partition with VerityMatchKey=%s, refusing",
					mode, filepath.Base(sib[0].Path), filepath.Base(sib[1].Path), d.Verity, d.VerityMatchKey)
			case len(sib) == 1 && sib[0].Priority != d.Priority:
				return refuse(d, "Priority", "Priority=%d differs from Priority=%d of verity sibling %s (VerityMatchKey=%s); siblings must share it, refusing",
					d.Priority, sib[0].Priority, filepath.Base(sib[0].Path), d.VerityMatchKey)
			}
		}
	}
	// A hash or signature partition copied with CopyBlocks= needs its
	// earlier siblings copied too (repart checks data for hash, data and
	// hash for signature).
	for _, d := range defs {
		if d.Verity != VerityHash && d.Verity != VeritySignature || d.CopyBlocks == "" {
			continue
		}
		for _, q := range defs {
			if q.VerityMatchKey == d.VerityMatchKey && q.Verity != VerityOff && q.Verity < d.Verity && q.CopyBlocks == "" {
				return refuse(d, "CopyBlocks", "CopyBlocks= is set with Verity=%s but the Verity=%s partition %s does not set CopyBlocks=, refusing",
					d.Verity, q.Verity, filepath.Base(q.Path))
			}
		}
	}
	for _, d := range defs {
		if d.Verity != VerityHash || d.Minimize == MinimizeOff {
			continue
		}
		for _, q := range defs {
			if q.Verity == VerityData && q.VerityMatchKey == d.VerityMatchKey && q.Minimize == MinimizeOff && q.CopyBlocks == "" {
				return refuse(d, "Minimize", "Minimize= is set for this verity hash partition but its data partition %s sets neither CopyBlocks= nor Minimize=, refusing",
					filepath.Base(q.Path))
			}
		}
	}
	names := map[string]*Definition{}
	for _, d := range defs {
		names[d.Name] = d
	}
	target := map[string]string{}
	for _, d := range defs {
		if d.SupplementFor == "" {
			continue
		}
		name := strings.TrimSuffix(d.SupplementFor, ".conf")
		t := names[name]
		switch {
		case t == nil:
			return refuse(d, "SupplementFor", "SupplementFor=%s names no definition (no %s.conf among the definitions), refusing", d.SupplementFor, name)
		case t == d:
			return refuse(d, "SupplementFor", "a partition cannot supplement itself, refusing")
		case t.SupplementFor != "":
			return refuse(d, "SupplementFor", "SupplementFor=%s targets a partition that is itself a supplement (chains are not allowed), refusing", d.SupplementFor)
		case target[name] != "":
			return refuse(d, "SupplementFor", "%s already has the supplement %s; a partition takes at most one, refusing", name, target[name])
		}
		if t.CopyBlocks != "" || t.Encrypt != EncryptOff || t.Verity != VerityOff {
			return refuse(d, "SupplementFor", "SupplementFor=%s targets a partition that uses CopyBlocks=/Encrypt=/Verity=, refusing", d.SupplementFor)
		}
		if !rangesMeet(d.SizeMin, d.SizeMax, t.SizeMin, t.SizeMax) {
			return refuse(d, "SupplementFor", "SizeMinBytes= is larger than SizeMaxBytes= when merged with the SupplementFor= target %s, refusing", name)
		}
		if !rangesMeet(d.PaddingMin, d.PaddingMax, t.PaddingMin, t.PaddingMax) {
			return refuse(d, "SupplementFor", "PaddingMinBytes= is larger than PaddingMaxBytes= when merged with the SupplementFor= target %s, refusing", name)
		}
		target[name] = d.Name
	}
	return nil
}

// rangesMeet is repart's check_cross_def_ranges_valid: the larger of the
// two minimums must not exceed the smaller of the two maximums.
func rangesMeet(aMin, aMax, bMin, bMax *uint64) bool {
	if aMin == nil && bMin == nil || aMax == nil && bMax == nil {
		return true
	}
	val := func(p *uint64, unset uint64) uint64 {
		if p == nil {
			return unset
		}
		return *p
	}
	return max(val(aMin, 0), val(bMin, 0)) <= min(val(aMax, math.MaxUint64), val(bMax, math.MaxUint64))
}

func (v Verity) String() string {
	switch v {
	case VerityData:
		return "data"
	case VerityHash:
		return "hash"
	case VeritySignature:
		return "signature"
	}
	return "off"
}
