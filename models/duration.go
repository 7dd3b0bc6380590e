package models

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Day is the length of the "d" unit accepted by ParseDuration: 24 hours.
// Calendar-aware arithmetic (working days, holidays) lives in ServiceCalendar.
const Day = 24 * time.Hour

// Duration is a non-negative length of time whose JSON form is a string that
// managers edit by hand: Go duration syntax ("90s", "1h30m") plus a "d" unit
// for 24-hour days ("30d", "15d12h"). It marshals to the canonical form, with
// the largest units first and zero units left out ("1d12h", "10m", "0s").
type Duration time.Duration

// ParseDuration parses s as a sequence of decimal numbers, each with an
// optional fraction and a unit among "d", "h", "m", "s", "ms", "us", "µs" and
// "ns", such as "30d", "15d12h" or "1.5h". A bare "0" is zero. Negative values
// and anything else are rejected.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, errors.New(`时长为空：应如“30d”“1h30m”或“10m”`)
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("时长“%s”不能为负数", s)
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	for rest := s; rest != ""; {
		num, unit, tail, err := nextComponent(rest)
		if err != nil {
			return 0, fmt.Errorf("时长“%s”：%w", s, err)
		}
		rest = tail
		var part time.Duration
		if unit == "d" {
			hours, err := time.ParseDuration(num + "h")
			if err != nil || hours > math.MaxInt64/24 {
				return 0, fmt.Errorf("时长“%s”超出范围", s)
			}
			part = hours * 24
		} else {
			part, err = time.ParseDuration(num + unit)
			if err != nil {
				return 0, fmt.Errorf("时长“%s”无效", s)
			}
		}
		if total > math.MaxInt64-part {
			return 0, fmt.Errorf("时长“%s”超出范围", s)
		}
		total += part
	}
	return Duration(total), nil
}

// nextComponent splits the leading "<number><unit>" off s.
func nextComponent(s string) (num, unit, rest string, err error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 || s[:i] == "." {
		return "", "", "", fmt.Errorf("“%s”处应为数字", s)
	}
	j := i
	for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
		j++
	}
	unit = s[i:j]
	switch unit {
	case "d", "h", "m", "s", "ms", "us", "µs", "μs", "ns":
	case "":
		return "", "", "", fmt.Errorf("“%s”后缺少单位：应为 d（天）、h（小时）、m（分钟）或 s（秒）", s[:i])
	default:
		return "", "", "", fmt.Errorf("未知单位“%s”：应为 d（天）、h（小时）、m（分钟）或 s（秒）", unit)
	}
	return s[:i], unit, s[j:], nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String returns the canonical form: days, hours, minutes and seconds, largest
// first, zero units left out ("30d", "1d12h", "10m", "1.5s", "0s"). Sub-second
// durations use Go's form ("500ms"). A negative value, which ParseDuration and
// Policy.Validate reject, is shown with a leading "-".
func (d Duration) String() string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	// Work in uint64 so that the most negative value negates safely.
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u
	}
	if u < uint64(time.Second) {
		b.WriteString(time.Duration(u).String())
		return b.String()
	}
	units := []struct {
		size   uint64
		suffix string
	}{{uint64(Day), "d"}, {uint64(time.Hour), "h"}, {uint64(time.Minute), "m"}}
	for _, un := range units {
		if n := u / un.size; n > 0 {
			b.WriteString(strconv.FormatUint(n, 10))
			b.WriteString(un.suffix)
			u %= un.size
		}
	}
	if u > 0 {
		b.WriteString(strconv.FormatUint(u/uint64(time.Second), 10))
		if frac := u % uint64(time.Second); frac > 0 {
			digits := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
			b.WriteByte('.')
			b.WriteString(digits)
		}
		b.WriteByte('s')
	}
	return b.String()
}

// MarshalText encodes d in its canonical form; encoding/json writes it as a
// JSON string.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText decodes a duration written as ParseDuration accepts it.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
