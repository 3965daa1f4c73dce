package iso9660

import (
	"fmt"
	"time"
)

// zone returns t's offset from UTC in 15-minute steps, truncated toward
// zero as repart's tm_gmtoff / (15*60) is.
func zone(t time.Time) (int8, error) {
	_, off := t.Zone()
	z := off / zoneUnitSeconds
	if z < -128 || z > 127 {
		return 0, fmt.Errorf("%w: %s", ErrZone, t.Format("-07:00"))
	}
	return int8(z), nil
}

// checkTime refuses what repart's iso9660_dir_datetime_from_usec refuses,
// the stricter of its two date conversions.
func checkTime(t time.Time) error {
	if y := t.Year(); y < minYear || y > maxYear {
		return fmt.Errorf("%w: %d is outside %d–%d", ErrYear, y, minYear, maxYear)
	}
	_, err := zone(t)
	return err
}

// putLongDate writes the 17-byte volume descriptor date: digits in t's
// location, hundredths always 0, then the zone.
func putLongDate(b []byte, t time.Time) {
	z, _ := zone(t)
	copy(b, fmt.Sprintf("%04d%02d%02d%02d%02d%02d00",
		t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()))
	b[16] = byte(z)
}

// putZeroLongDate writes the "not specified" date: sixteen "0" and zone 0.
func putZeroLongDate(b []byte) {
	for i := 0; i < 16; i++ {
		b[i] = '0'
	}
	b[16] = 0
}

// putShortDate writes the 7-byte directory record date.
func putShortDate(b []byte, t time.Time) {
	z, _ := zone(t)
	b[0] = byte(t.Year() - minYear)
	b[1] = byte(t.Month())
	b[2] = byte(t.Day())
	b[3] = byte(t.Hour())
	b[4] = byte(t.Minute())
	b[5] = byte(t.Second())
	b[6] = byte(z)
}
