package repart

import "strconv"

// FormatBytes renders a size the way systemd's FORMAT_BYTES does: base
// 1024, one decimal when it is not zero ("3.3M", "45M", "1G").
func FormatBytes(t uint64) string {
	units := []struct {
		suffix string
		factor uint64
	}{
		{"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10},
	}
	for _, u := range units {
		if t >= u.factor {
			rem := (t / (u.factor / 10)) % 10
			if rem > 0 {
				return strconv.FormatUint(t/u.factor, 10) + "." + strconv.FormatUint(rem, 10) + u.suffix
			}
			return strconv.FormatUint(t/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatUint(t, 10) + "B"
}
