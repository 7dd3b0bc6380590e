package models

import (
	"math"
	"strconv"
)

// Money is an amount in fen (分), the smallest unit of the yuan. All money
// arithmetic is integer arithmetic on fen; no float ever holds an amount. In
// JSON it is the bare integer number of fen (12345 is ¥123.45).
type Money int64

// String formats m as yuan with thousands separators: "¥1,234.56", and
// "-¥1,234.56" when negative.
func (m Money) String() string {
	sign, whole, frac := m.parts()
	s := strconv.FormatUint(whole, 10)
	grouped := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			grouped = append(grouped, ',')
		}
		grouped = append(grouped, s[i])
	}
	return sign + "¥" + string(grouped) + "." + frac
}

// Yuan formats m as a plain decimal number of yuan, "1234.56" or "-0.05", for
// forms and exports that want no symbol or separators.
func (m Money) Yuan() string {
	sign, whole, frac := m.parts()
	return sign + strconv.FormatUint(whole, 10) + "." + frac
}

// parts splits m into its sign, whole yuan and two-digit fen.
func (m Money) parts() (sign string, whole uint64, frac string) {
	// Work in uint64 so that the most negative value negates safely.
	u := uint64(m)
	if m < 0 {
		sign = "-"
		u = -u
	}
	fen := u % 100
	return sign, u / 100, string([]byte{byte('0' + fen/10), byte('0' + fen%10)})
}

// mulSat returns a*b for non-negative a and b, saturating at math.MaxInt64
// instead of wrapping.
func mulSat(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// addSat returns a+b for non-negative a and b, saturating at math.MaxInt64.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
