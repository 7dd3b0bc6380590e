package codec

import (
	"bytes"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func mustKey(t *testing.T, id string) Key {
	t.Helper()
	k, err := NewKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealAndOpen(t *testing.T) {
	old, cur := mustKey(t, "2026-01"), mustKey(t, "2026-12")
	sealedOld, err := New([]Key{old})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := New([]Key{cur, old})
	if err != nil {
		t.Fatal(err)
	}
	dc := converter.GetDefaultDataConverter()
	plain, err := dc.ToPayload(map[string]string{"name": "张三", "phone": "13812345678"})
	if err != nil {
		t.Fatal(err)
	}

	sealed, err := sealedOld.Encode([]*commonpb.Payload{plain})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed[0].Data, []byte("13812345678")) || bytes.Contains(sealed[0].Data, []byte("张三")) {
		t.Errorf("sealed payload: got the phone or name in clear")
	}
	if got := string(sealed[0].Metadata[MetadataKeyID]); got != "2026-01" {
		t.Errorf("key ID: got %q, want 2026-01", got)
	}
	// After rotation the new key seals and the old one still opens.
	opened, err := rotated.Decode(sealed)
	if err != nil {
		t.Fatalf("open with the old key kept: %v", err)
	}
	var back map[string]string
	if err := dc.FromPayload(opened[0], &back); err != nil || back["phone"] != "13812345678" {
		t.Errorf("round trip: got %v, %v, want the phone back", back, err)
	}
	resealed, err := rotated.Encode([]*commonpb.Payload{plain})
	if err != nil || string(resealed[0].Metadata[MetadataKeyID]) != "2026-12" {
		t.Errorf("after rotation: got key %q, %v, want 2026-12", resealed[0].Metadata[MetadataKeyID], err)
	}
	if _, err := sealedOld.Decode(resealed); err == nil || !strings.Contains(err.Error(), `no key "2026-12"`) {
		t.Errorf("open with a missing key: got %v, want it named", err)
	}

	// Tampering is detected; unsealed payloads (older histories) pass.
	tampered := &commonpb.Payload{Metadata: sealed[0].Metadata, Data: append([]byte(nil), sealed[0].Data...)}
	tampered.Data[len(tampered.Data)-1] ^= 1
	if _, err := rotated.Decode([]*commonpb.Payload{tampered}); err == nil {
		t.Errorf("tampered payload: got no error")
	}
	through, err := rotated.Decode([]*commonpb.Payload{plain})
	if err != nil || through[0] != plain {
		t.Errorf("unsealed payload: got %v, %v, want it unchanged", through, err)
	}
}

func TestParseKeys(t *testing.T) {
	k := mustKey(t, "a")
	good := Format([]Key{k, mustKey(t, "b")})
	keys, err := ParseKeys("# keys, newest first\n" + good + "# retired, kept to read old histories")
	if err != nil || len(keys) != 2 || keys[0].ID != "a" || !bytes.Equal(keys[0].Secret, k.Secret) {
		t.Fatalf("ParseKeys(Format(...)): got %v, %v", keys, err)
	}
	tests := []struct{ give, want string }{
		{"", "none given"},
		{"a", "want id:base64"},
		{"a:c2hvcnQ=", "want 32 bytes"},
		{"bad id:" + strings.Repeat("A", 44), "want id:base64"},
		{strings.TrimSpace(Format([]Key{k})) + "," + strings.TrimSpace(Format([]Key{k})), "given twice"},
	}
	for _, tt := range tests {
		_, err := ParseKeys(tt.give)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseKeys(%.20q): got %v, want an error with %q", tt.give, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "c2hvcnQ") {
			t.Errorf("ParseKeys: the error echoes the secret: %v", err)
		}
	}
}
