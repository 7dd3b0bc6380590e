package app

import (
	"os"
	"path/filepath"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/wuye/wuye/config"
)

// TestEmbeddedDefaultKeepsItsPayloadKey: without WUYE_PAYLOAD_KEYS the
// embedded default generates a key into its data directory (mode 0600) and
// reads the same one after a restart, so what it sealed still opens.
func TestEmbeddedDefaultKeepsItsPayloadKey(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Config{DataDir: dir}
	first, err := payloadCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, payloadKeysFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: got %v, %v, want mode 0600", fi, err)
	}
	p, err := converter.GetDefaultDataConverter().ToPayload("张三")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := first.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	again, err := payloadCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Decode(sealed); err != nil {
		t.Errorf("after a restart: got %v, want the same key to open what was sealed", err)
	}
}
