package auth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") {
		t.Error("got mismatch for the right password, want match")
	}
	if CheckPassword(h, "wrong horse") {
		t.Error("got match for a wrong password, want mismatch")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("got nil error for a 5-character password, want an error")
	}
}

func TestNewToken(t *testing.T) {
	tok, digest, err := NewToken(APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, APITokenPrefix) || len(tok) < 40 {
		t.Errorf("got token %q, want prefix %q and 40+ characters", tok, APITokenPrefix)
	}
	if digest != Digest(tok) || len(digest) != 64 || strings.Contains(digest, tok) {
		t.Errorf("got digest %q, want the hex SHA-256 of the token", digest)
	}
	tok2, _, _ := NewToken(APITokenPrefix)
	if tok2 == tok {
		t.Error("got the same token twice, want random tokens")
	}
}

func TestDummyHashIsBcrypt(t *testing.T) {
	// The dummy must be a valid hash or the timing equaliser does nothing.
	if CheckPassword(string(dummyHash), "anything") {
		t.Error("got match against the dummy hash, want mismatch")
	}
	if cost, err := bcrypt.Cost(dummyHash); err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("got cost %d, %v, want a well-formed hash of cost %d", cost, err, bcrypt.DefaultCost)
	}
}
