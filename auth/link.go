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

// The public pages residents open from their links.
const (
	ConfirmPath = "/r/confirm" // confirm a repair (确认完成)
	BillPath    = "/r/bill"    // the household's statement (我的账单)
	DisputePath = "/r/dispute" // dispute a bill (异议)
	PromisePath = "/r/promise" // promise to pay (承诺缴费)
	RatePath    = "/r/rate"    // rate a repair (评价)
	ReportPath  = "/r/report"  // report a repair or complaint (报事报修)
	TicketPath  = "/r/ticket"  // follow a ticket and press 催单 (工单进度)
	HurryPath   = "/r/hurry"   // the 催单 form's action

	SurveyPath = "/r/survey" // answer a satisfaction survey (满意度调查)
)

// PagePath is the page a link of purpose (models.LinkPurpose) opens, ""
// for an unknown purpose.
func PagePath(purpose string) string {
	return map[string]string{
		"confirm": ConfirmPath, "my_bill": BillPath, "dispute": DisputePath,
		"promise": PromisePath, "rate": RatePath, "report": ReportPath, "ticket": TicketPath,
		"survey": SurveyPath,
	}[purpose]
}

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
	return l.sign(id + "|" + exp + "|confirm")
}

func (l *Links) sign(text string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte(text))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// A resident link's token is "r<linkID>.<mac>", mac being the base64url
// HMAC-SHA256 of "<linkID>|resident-link" under the secret: a signed
// reference to the row that holds the link's resident, purpose, expiry and
// revocation. Its leading "r" and two parts tell it from a confirmation
// token.

// LinkToken is the token of resident link id.
func (l *Links) LinkToken(id uint64) string {
	s := strconv.FormatUint(id, 10)
	return "r" + s + "." + l.sign(s+"|resident-link")
}

// LinkURL is the page at path (one of the resident pages) opened by
// resident link id.
func (l *Links) LinkURL(path string, id uint64) string {
	return l.baseURL + path + "?t=" + l.LinkToken(id)
}

// IsLinkToken reports whether token has the shape of a resident link's
// token (signed or not), as opposed to a confirmation token.
func IsLinkToken(token string) bool { return strings.HasPrefix(token, "r") }

// VerifyLink checks token and returns the link it names; ErrLinkInvalid
// when it was not signed here (or was changed). Expiry and revocation are
// the row's to tell.
func (l *Links) VerifyLink(token string) (uint64, error) {
	rest, ok := strings.CutPrefix(token, "r")
	idText, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return 0, ErrLinkInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil {
		return 0, ErrLinkInvalid
	}
	want, _ := base64.RawURLEncoding.DecodeString(l.sign(idText + "|resident-link"))
	if !hmac.Equal(got, want) {
		return 0, ErrLinkInvalid
	}
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil || id == 0 {
		return 0, ErrLinkInvalid
	}
	return id, nil
}
