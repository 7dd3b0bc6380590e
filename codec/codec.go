// Package codec seals the payloads the service hands to Temporal (workflow
// inputs, signals, updates, queries, activity arguments and results, and the
// messages of failures) with AES-256-GCM, so that residents' names, phones
// and free text never rest in clear in Temporal's histories (个人信息保护).
// Workflow IDs, type names and search attributes are never payloads: they
// must carry no personal data (and do not).
//
// Each sealed payload names its key in its metadata, so keys rotate: the
// first key of a Keyring seals, every key opens. Payloads that are not
// sealed (histories written before the codec) pass through unchanged.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of a sealed payload.
const (
	// Encoding is the metadata "encoding" of a sealed payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the key that sealed the payload.
	MetadataKeyID = "encryption-key-id"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// Key is one named AES-256 key.
type Key struct {
	ID     string
	Secret []byte
}

var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseKeys reads keys written as "id:base64,id:base64" (standard or URL
// base64 of 32 bytes each), the sealing key first. Line breaks separate keys
// as well as commas, so a key file can hold one per line; "#" starts a
// comment that runs to the end of its line.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		if line, _, _ = strings.Cut(line, "#"); strings.TrimSpace(line) != "" {
			parts = append(parts, strings.Split(line, ",")...)
		}
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, enc, ok := strings.Cut(part, ":")
		if !ok || !keyID.MatchString(id) {
			return nil, fmt.Errorf("payload key %d: want id:base64 with an id of letters, digits, '.', '_' or '-'", len(keys)+1)
		}
		secret, err := decodeBase64(enc)
		if err != nil || len(secret) != KeySize {
			// The value is a secret: never echoed.
			return nil, fmt.Errorf("payload key %q: want %d bytes in base64, e.g. from `openssl rand -base64 32`", id, KeySize)
		}
		if seen[id] {
			return nil, fmt.Errorf("payload key %q: given twice", id)
		}
		seen[id] = true
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("payload keys: none given")
	}
	return keys, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// NewKey returns a fresh random key named id.
func NewKey(id string) (Key, error) {
	k := Key{ID: id, Secret: make([]byte, KeySize)}
	if _, err := rand.Read(k.Secret); err != nil {
		return Key{}, fmt.Errorf("new payload key: %w", err)
	}
	return k, nil
}

// Format writes keys the way ParseKeys reads them, one per line.
func Format(keys []Key) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s:%s\n", k.ID, base64.StdEncoding.EncodeToString(k.Secret))
	}
	return b.String()
}

// Codec is a converter.PayloadCodec that seals with its first key and opens
// with any of its keys.
type Codec struct {
	sealWith string
	aeads    map[string]cipher.AEAD
}

// New returns a Codec over keys, the first of which seals.
func New(keys []Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("payload codec: no keys")
	}
	c := &Codec{sealWith: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("payload key %q: %w", k.ID, err)
		}
		if c.aeads[k.ID], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("payload key %q: %w", k.ID, err)
		}
	}
	return c, nil
}

// Encode seals each payload whole (its metadata and data) into a new payload
// that names the key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.sealWith]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("seal payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("seal payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.sealWith),
			},
			Data: aead.Seal(nonce, nonce, plain, []byte(c.sealWith)),
		}
	}
	return out, nil
}

// Decode opens sealed payloads and passes others through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			return nil, fmt.Errorf("open payload: no key %q (add it to the payload keys to read older histories)", id)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return nil, errors.New("open payload: too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("open payload sealed with key %q: %w", id, err)
		}
		var inner commonpb.Payload
		if err := proto.Unmarshal(plain, &inner); err != nil {
			return nil, fmt.Errorf("open payload: %w", err)
		}
		out[i] = &inner
	}
	return out, nil
}

// DataConverter is the SDK's default converter with c sealing every payload.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves failures' messages and stack traces into a sealed
// payload too: an error may quote what a resident wrote.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: c.DataConverter(), EncodeCommonAttributes: true,
	})
}
