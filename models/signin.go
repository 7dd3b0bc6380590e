package models

import (
	"strings"
	"time"
)

// Kinds of key that failed sign-ins are counted against.
const (
	SignInAccount = "account" // the username asked for, known or not
	SignInAddress = "address" // the client's address
)

// SignInKey is what a failed sign-in counts against: the username asked
// for, whether or not such an account exists (so that the answer never tells
// which), or the client's address.
type SignInKey struct {
	Kind, Key string
}

// AccountKey is the key of a username, in the case-insensitive form MySQL
// compares usernames in.
func AccountKey(username string) SignInKey {
	return SignInKey{Kind: SignInAccount, Key: strings.ToLower(strings.TrimSpace(username))}
}

// AddressKey is the key of a client address.
func AddressKey(addr string) SignInKey { return SignInKey{Kind: SignInAddress, Key: addr} }

// Throttle is the back-off of k. An address allows more failures than an
// account before it backs off: an office behind one NAT address shares it.
func (k SignInKey) Throttle() SignInThrottle {
	t := SignInThrottle{LockAfter: 5, First: time.Second, Max: 15 * time.Minute, Forget: time.Hour}
	if k.Kind == SignInAddress {
		t.LockAfter = 20
	}
	return t
}

// SignInThrottle is the exponential back-off after failed sign-ins against
// one key: from the LockAfter-th failure on, each failure locks the key for
// First, then twice as long at each further failure, at most Max. Failures
// are forgotten after Forget without one (Forget exceeds Max, so a lock
// always ends before its failures are forgotten).
type SignInThrottle struct {
	LockAfter  int
	First, Max time.Duration
	Forget     time.Duration
}

// Backoff is how long the failures-th failure locks the key: 0 below
// LockAfter, then First, 2×First, 4×First … capped at Max.
func (t SignInThrottle) Backoff(failures int) time.Duration {
	if failures < t.LockAfter {
		return 0
	}
	d := t.First
	for range failures - t.LockAfter {
		if d >= t.Max {
			break
		}
		d *= 2
	}
	return min(d, t.Max)
}

// SignInFailure counts the recent failed sign-ins against one key and how
// long it is locked for. A successful sign-in deletes its account's row;
// rows without a failure for the throttle's Forget are swept.
type SignInFailure struct {
	ID           uint64     `gorm:"primaryKey"`
	Kind         string     `gorm:"size:8;not null;uniqueIndex:idx_sign_in_failure"`
	Key          string     `gorm:"column:failure_key;size:128;not null;uniqueIndex:idx_sign_in_failure"`
	Failures     int        `gorm:"not null;default:0"`
	LastFailedAt time.Time  `gorm:"not null;index"`
	LockedUntil  *time.Time `gorm:"index"`
}
