package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/notify"
)

// mailbox is a real SMTP server on a loopback port that keeps what arrives.
type mailbox struct {
	user, pass string // when set, MAIL needs AUTH PLAIN with them (over TLS)
	mu         sync.Mutex
	got        []delivery
}

type delivery struct {
	from string
	to   []string
	data []byte
	user string
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: b}, nil }

func (b *mailbox) deliveries() []delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]delivery(nil), b.got...)
}

type mailSession struct {
	box  *mailbox
	user string
	cur  delivery
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.box.user || password != s.box.pass {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.box.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = delivery{from: from, user: s.user}
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@nowhere.test") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.box.mu.Lock()
	s.box.got = append(s.box.got, s.cur)
	s.box.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.cur = delivery{} }
func (s *mailSession) Logout() error { return nil }

// startSMTP serves box on 127.0.0.1 and returns its port. With cert it
// offers STARTTLS.
func startSMTP(t *testing.T, box *mailbox, cert *tls.Certificate) int {
	t.Helper()
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	if cert != nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "wuye test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// readMail parses a delivered message and decodes its subject and body.
func readMail(t *testing.T, data []byte) (h netmail.Header, subject, body string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse the delivered message: %v\n%s", err, data)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return msg.Header, subject, string(b)
}

func TestEmailChannelDelivers(t *testing.T) {
	cert, roots := selfSigned(t)
	subject, body, err := notify.Render(notify.TemplatePaymentReminderBefore, map[string]string{
		"estate": "阳光花园", "period": "2026年12月", "amount": "1,280.00", "due_date": "12月10日", "service_phone": "0571-88886666",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		box      *mailbox
		tls      bool
		channel  notify.EmailChannel
		give     notify.Outgoing
		wantTo   string
		wantUser string
	}{
		{
			name:     "resident through STARTTLS and AUTH, to the redirect inbox",
			box:      &mailbox{user: "wuye", pass: "s3cret-pass"},
			tls:      true,
			channel:  notify.EmailChannel{Username: "wuye", Password: "s3cret-pass", TLS: notify.TLSMandatory, Redirect: "inbox@wuye.test"},
			give:     notify.Outgoing{Key: "bill-9/before", To: "13812345678", RecipientKind: models.RecipientResident, Subject: subject, Body: body},
			wantTo:   "inbox@wuye.test",
			wantUser: "wuye",
		},
		{
			name:    "staff with an email address, opportunistic TLS on a plain server",
			box:     &mailbox{},
			channel: notify.EmailChannel{Redirect: "inbox@wuye.test"},
			give:    notify.Outgoing{Key: "bill-9/task", To: "li@wuye.test", RecipientKind: models.RecipientStaff, Subject: subject, Body: body},
			wantTo:  "li@wuye.test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *tls.Certificate
			if tt.tls {
				c = &cert
			}
			ch := tt.channel
			ch.Host, ch.Port, ch.From = "127.0.0.1", startSMTP(t, tt.box, c), "物业服务中心 <noreply@wuye.test>"
			ch.TLSConfig = &tls.Config{RootCAs: roots}
			ch.Timeout = 10 * time.Second
			if err := ch.Send(context.Background(), tt.give); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := tt.box.deliveries()
			if len(got) != 1 {
				t.Fatalf("deliveries: got %d, want 1", len(got))
			}
			d := got[0]
			if len(d.to) != 1 || d.to[0] != tt.wantTo || d.from != "noreply@wuye.test" || d.user != tt.wantUser {
				t.Errorf("envelope: got from %q to %v as %q, want from noreply@wuye.test to %s as %q", d.from, d.to, d.user, tt.wantTo, tt.wantUser)
			}
			h, gotSubject, gotBody := readMail(t, d.data)
			if gotSubject != subject {
				t.Errorf("subject: got %q, want %q", gotSubject, subject)
			}
			if strings.TrimRight(gotBody, "\r\n") != body {
				t.Errorf("body: got %q, want %q", gotBody, body)
			}
			if ct := h.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
				t.Errorf("Content-Type: got %q, want UTF-8 text", ct)
			}
			if k := h.Get(notify.HeaderEmailKey); k != tt.give.Key {
				t.Errorf("%s: got %q, want %q", notify.HeaderEmailKey, k, tt.give.Key)
			}
			if strings.Contains(string(d.data), "13812345678") {
				t.Errorf("the resident's phone travelled in the email:\n%s", d.data)
			}
		})
	}
}

func TestEmailChannelFailures(t *testing.T) {
	cert, roots := selfSigned(t)
	out := notify.Outgoing{Key: "k", To: "13812345678", RecipientKind: models.RecipientResident, Subject: "主题", Body: "正文"}
	ctx := context.Background()

	// No address and no redirect: nothing to try, and nothing to retry.
	err := notify.EmailChannel{Host: "127.0.0.1", Port: 1, From: "noreply@wuye.test"}.Send(ctx, out)
	if !notify.IsPermanent(err) || !errors.Is(err, notify.ErrNoAddress) {
		t.Errorf("no address: got %v, want a permanent ErrNoAddress", err)
	}

	tests := []struct {
		name          string
		box           *mailbox
		tls           bool
		channel       notify.EmailChannel
		to            string
		wantPermanent bool
	}{
		{"recipient rejected with 550", &mailbox{}, false, notify.EmailChannel{}, "gone@nowhere.test", true},
		{"wrong password", &mailbox{user: "wuye", pass: "right"}, true, notify.EmailChannel{Username: "wuye", Password: "wrong"}, "li@wuye.test", false},
		{"mandatory TLS, server without STARTTLS", &mailbox{}, false, notify.EmailChannel{TLS: notify.TLSMandatory}, "li@wuye.test", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *tls.Certificate
			if tt.tls {
				c = &cert
			}
			ch := tt.channel
			ch.Host, ch.Port, ch.From = "127.0.0.1", startSMTP(t, tt.box, c), "noreply@wuye.test"
			ch.TLSConfig = &tls.Config{RootCAs: roots}
			ch.Timeout = 10 * time.Second
			o := out
			o.To = tt.to
			o.RecipientKind = models.RecipientStaff
			err := ch.Send(ctx, o)
			if err == nil || notify.IsPermanent(err) != tt.wantPermanent {
				t.Errorf("got %v, want an error, permanent=%v", err, tt.wantPermanent)
			}
			if n := len(tt.box.deliveries()); n != 0 {
				t.Errorf("deliveries: got %d, want 0", n)
			}
		})
	}

	// A closed port: retry later.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	err = notify.EmailChannel{Host: "127.0.0.1", Port: port, From: "noreply@wuye.test", Redirect: "inbox@wuye.test", Timeout: time.Second}.Send(ctx, out)
	if err == nil || notify.IsPermanent(err) {
		t.Errorf("server down on port %s: got %v, want a retryable error", strconv.Itoa(port), err)
	}
}
