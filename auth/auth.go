// Package auth holds the credentials arithmetic: bcrypt passwords and random
// bearer tokens of which only a SHA-256 digest is ever stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Token prefixes tell a session token from an integration token at a glance.
const (
	SessionPrefix  = "wys_"
	APITokenPrefix = "wyt_"
)

// MinPasswordLength is the shortest password accepted for a staff account.
const MinPasswordLength = 8

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", fmt.Errorf("密码不能少于 %d 个字符", MinPasswordLength)
	}
	if len(password) > 72 {
		return "", errors.New("密码不能超过 72 个字节")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// dummyHash is compared against when a username does not exist, so that a
// sign-in takes as long whether or not the account exists.
var dummyHash = []byte("$2a$10$YZcE4sSL325PAWUI9UpBZup9V2TAw2KRUiR/bevNZYXdzfrjjPMpC")

// BurnPasswordCheck spends the time of one bcrypt comparison.
func BurnPasswordCheck(password string) {
	_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
}

// NewToken returns a random token with prefix and the digest to store.
func NewToken(prefix string) (token, digest string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Digest(token), nil
}

// Digest is the stored form of a token.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random password for a first administrator.
func NewPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
