package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConfirmTokenSignAndVerify(t *testing.T) {
	secret := []byte(strings.Repeat("s", MinLinkSecret))
	l, err := NewLinks(secret, "https://wuye.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewLinks([]byte(strings.Repeat("o", MinLinkSecret)), "https://wuye.example.com")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)
	good := l.ConfirmToken(42, until)
	parts := strings.Split(good, ".")
	id, exp, mac := parts[0], parts[1], parts[2]
	tests := []struct {
		name    string
		give    string
		now     time.Time
		wantID  uint64
		wantErr error
	}{
		{"good", good, until.Add(-time.Hour), 42, nil},
		{"good at the last second", good, until, 42, nil},
		{"expired", good, until.Add(time.Second), 42, ErrLinkExpired},
		{"another ticket", "43." + exp + "." + mac, until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"a later expiry", id + "." + "1900000000" + "." + mac, until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"another secret", other.ConfirmToken(42, until), until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"mac changed", id + "." + exp + "." + strings.ToUpper(mac[:1]) + mac[1:] + "A", until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"no mac", id + "." + exp, until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"not base64", id + "." + exp + ".!!", until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"empty", "", until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"signed sign", "+42." + exp + "." + l.mac("+42", exp), until.Add(-time.Hour), 0, ErrLinkInvalid},
		{"ticket 0", "0." + exp + "." + l.mac("0", exp), until.Add(-time.Hour), 0, ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gotUntil, err := l.VerifyConfirm(tt.give, tt.now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyConfirm(%q): got error %v, want %v", tt.give, err, tt.wantErr)
			}
			if tt.wantErr == ErrLinkInvalid {
				return
			}
			if got != tt.wantID || !gotUntil.Equal(until) {
				t.Errorf("VerifyConfirm(%q): got %d until %v, want %d until %v", tt.give, got, gotUntil, tt.wantID, until)
			}
		})
	}
	if u := l.ConfirmURL(42, until); u != "https://wuye.example.com/r/confirm?t="+good {
		t.Errorf("ConfirmURL: got %q, want the base URL, the path and the token", u)
	}
}

func TestNewLinksRefusesWeakSettings(t *testing.T) {
	tests := []struct {
		secret, base string
	}{
		{strings.Repeat("s", MinLinkSecret-1), "http://localhost:8080"},
		{strings.Repeat("s", MinLinkSecret), "localhost:8080"},
		{strings.Repeat("s", MinLinkSecret), "ftp://example.com"},
	}
	for _, tt := range tests {
		if _, err := NewLinks([]byte(tt.secret), tt.base); err == nil {
			t.Errorf("NewLinks(%d bytes, %q): got nil error, want one", len(tt.secret), tt.base)
		}
	}
}

func TestLinkTokenSignAndVerify(t *testing.T) {
	l, err := NewLinks([]byte(strings.Repeat("s", MinLinkSecret)), "https://wuye.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewLinks([]byte(strings.Repeat("o", MinLinkSecret)), "https://wuye.example.com")
	if err != nil {
		t.Fatal(err)
	}
	good := l.LinkToken(42)
	_, mac, _ := strings.Cut(good, ".")
	tests := []struct {
		name    string
		give    string
		wantID  uint64
		wantErr error
	}{
		{"good", good, 42, nil},
		{"another link", "r43." + mac, 0, ErrLinkInvalid},
		{"leading zero", "r042." + mac, 0, ErrLinkInvalid},
		{"another secret", other.LinkToken(42), 0, ErrLinkInvalid},
		{"no mac", "r42", 0, ErrLinkInvalid},
		{"not base64", "r42.!!", 0, ErrLinkInvalid},
		{"a confirmation token", l.ConfirmToken(42, time.Now()), 0, ErrLinkInvalid},
		{"empty", "", 0, ErrLinkInvalid},
		{"link 0", "r0." + l.sign("0|resident-link"), 0, ErrLinkInvalid},
		{"signed sign", "r+42." + l.sign("+42|resident-link"), 0, ErrLinkInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.VerifyLink(tt.give)
			if !errors.Is(err, tt.wantErr) || got != tt.wantID {
				t.Errorf("VerifyLink(%q): got %d, %v, want %d, %v", tt.give, got, err, tt.wantID, tt.wantErr)
			}
		})
	}
	if got, want := l.LinkURL("/r/bill", 42), "https://wuye.example.com/r/bill?t="+good; got != want {
		t.Errorf("LinkURL: got %q, want %q", got, want)
	}
	if !IsLinkToken(good) || IsLinkToken(l.ConfirmToken(42, time.Now())) {
		t.Errorf("IsLinkToken: want true for a link token only")
	}
}
