package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MinLinkSecret is the shortest secret Links accepts, in bytes.
const MinLinkSecret = 32

// ConfirmPath is the public page a resident opens to confirm a repair.
const ConfirmPath = "/r/confirm"

// Errors of Links.VerifyConfirm.
var (
	// ErrLinkInvalid: the token is malformed or its signature does not match.
	ErrLinkInvalid = errors.New("link token is not valid")
	// ErrLinkExpired: the token was good until its expiry, which has passed.
	ErrLinkExpired = errors.New("link token has expired")
)

// Links signs and checks the links sent to residents. A confirmation token
// is "<ticketID>.<expiry unix seconds>.<mac>", mac being the base64url
// HMAC-SHA256 of "<ticketID>|<expiry>|confirm" under the secret.
type Links struct {
	secret  []byte
	baseURL string
}

// NewLinks returns the links of the service reachable at baseURL (scheme and
// host, as residents reach it), signed with secret.
func NewLinks(secret []byte, baseURL string) (*Links, error) {
	if len(secret) < MinLinkSecret {
		return nil, fmt.Errorf("link secret: got %d bytes, want at least %d", len(secret), MinLinkSecret)
	}
	if u, err := url.Parse(baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("link base URL %q: want http(s)://host[:port]", baseURL)
	}
	return &Links{secret: append([]byte(nil), secret...), baseURL: strings.TrimRight(baseURL, "/")}, nil
}

// ConfirmToken is the token of ticketID's confirmation, valid until until
// (to the second).
func (l *Links) ConfirmToken(ticketID uint64, until time.Time) string {
	id, exp := strconv.FormatUint(ticketID, 10), strconv.FormatInt(until.Unix(), 10)
	return id + "." + exp + "." + l.mac(id, exp)
}

// ConfirmURL is the page where the resident confirms ticketID's repair.
func (l *Links) ConfirmURL(ticketID uint64, until time.Time) string {
	return l.baseURL + ConfirmPath + "?t=" + l.ConfirmToken(ticketID, until)
}

// VerifyConfirm checks token at now and returns the ticket and the expiry it
// names: ErrLinkInvalid when it was not signed here (or was changed),
// ErrLinkExpired once its expiry has passed.
func (l *Links) VerifyConfirm(token string, now time.Time) (ticketID uint64, until time.Time, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, time.Time{}, ErrLinkInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return 0, time.Time{}, ErrLinkInvalid
	}
	want, _ := base64.RawURLEncoding.DecodeString(l.mac(parts[0], parts[1]))
	if !hmac.Equal(got, want) {
		return 0, time.Time{}, ErrLinkInvalid
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id == 0 {
		return 0, time.Time{}, ErrLinkInvalid
	}
	until = time.Unix(exp, 0)
	if now.After(until) {
		return id, until, ErrLinkExpired
	}
	return id, until, nil
}

func (l *Links) mac(id, exp string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte(id + "|" + exp + "|confirm"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
