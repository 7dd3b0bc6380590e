package models

import "time"

// Staff is an employee who signs in to the service. EstateID is nil for
// company-level staff, who see every estate.
type Staff struct {
	ID       uint64  `gorm:"primaryKey" json:"id"`
	EstateID *uint64 `gorm:"index" json:"estate_id"`
	Username string  `gorm:"size:64;not null;uniqueIndex" json:"username"`
	Name     string  `gorm:"size:50;not null" json:"name"`
	Phone    string  `gorm:"size:20" json:"phone"`
	// Email is where the email channel reaches the staff member; empty for
	// none (their messages then take the staff channel plan's others).
	Email              string    `gorm:"size:254;not null;default:''" json:"email,omitempty"`
	Role               Role      `gorm:"size:32;not null" json:"role"`
	PasswordHash       string    `gorm:"size:100;not null" json:"-"`
	Active             bool      `gorm:"not null;default:true" json:"active"`
	MustChangePassword bool      `gorm:"not null;default:false" json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// CompanyLevel reports whether s sees every estate.
func (s Staff) CompanyLevel() bool { return s.EstateID == nil }

// Session is a signed-in browser or client. Only the token's SHA-256 is kept.
type Session struct {
	ID         uint64    `gorm:"primaryKey"`
	TokenHash  string    `gorm:"size:64;not null;uniqueIndex"`
	StaffID    uint64    `gorm:"not null;index"`
	ExpiresAt  time.Time `gorm:"not null;index"`
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// TokenScope is what an API token may do on behalf of its account.
type TokenScope string

// The token scopes. Neither lets a token manage accounts or tokens: minting
// or revoking tokens, changing a password, adding or changing staff take a
// person signed in with a password.
const (
	// ScopeRead calls only the GET routes the account's role may call.
	ScopeRead TokenScope = "read"
	// ScopeWrite calls every route the account's role may call.
	ScopeWrite TokenScope = "write"
)

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// APIToken lets an integration (a call centre, a payment gateway) act as the
// staff account it belongs to, within its Scope. Only the token's SHA-256 is
// kept. A password change or a deactivation of the account revokes its
// tokens. Tokens made before scopes existed are write tokens (the column's
// default), as they could write then.
type APIToken struct {
	ID         uint64     `gorm:"primaryKey" json:"id"`
	StaffID    uint64     `gorm:"not null;index" json:"staff_id"`
	Name       string     `gorm:"size:100;not null" json:"name"`
	Prefix     string     `gorm:"size:16;not null" json:"prefix"`
	Scope      TokenScope `gorm:"size:16;not null;default:write" json:"scope"`
	TokenHash  string     `gorm:"size:64;not null;uniqueIndex" json:"-"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// EstatePolicy is an estate's current policy; Version grows by one with each
// change so that concurrent edits are detected.
type EstatePolicy struct {
	EstateID  uint64    `gorm:"primaryKey;autoIncrement:false" json:"estate_id"`
	Version   int       `gorm:"not null" json:"version"`
	Policy    Policy    `gorm:"serializer:json;type:text;not null" json:"policy"`
	UpdatedBy *uint64   `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PolicyChange records who set an estate's policy to what, and when.
type PolicyChange struct {
	ID        uint64    `gorm:"primaryKey" json:"id"`
	EstateID  uint64    `gorm:"not null;uniqueIndex:idx_policy_version" json:"estate_id"`
	Version   int       `gorm:"not null;uniqueIndex:idx_policy_version" json:"version"`
	ChangedBy *uint64   `json:"changed_by"`
	Policy    Policy    `gorm:"serializer:json;type:text;not null" json:"policy"`
	CreatedAt time.Time `json:"changed_at"`
}

// IdempotencyKey binds a client's Idempotency-Key to the caller who sent it
// and to the request it was first sent with, so that a reused key with
// another request is refused rather than silently answered with the first
// one's result. The key itself is kept only as a digest.
type IdempotencyKey struct {
	ID      uint64 `gorm:"primaryKey"`
	StaffID uint64 `gorm:"not null;uniqueIndex:idx_idempotency_key"`
	// KeyHash is the SHA-256 of the header's value, in hex.
	KeyHash string `gorm:"size:64;not null;uniqueIndex:idx_idempotency_key"`
	// Fingerprint is the SHA-256 of the route, its path parameters and the
	// decoded request, in hex.
	Fingerprint string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}
