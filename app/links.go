package app

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/codec"
	"github.com/wuye/wuye/config"
)

// Files of secrets the embedded default generates once into its data
// directory, so that what was signed or sealed before a restart still opens
// after it. They belong in every backup of the data directory.
const (
	linkSecretFile  = "link_secret"
	payloadKeysFile = "payload_keys"
)

// residentLinks signs and checks the links sent to residents, under
// WUYE_LINK_SECRET or, when it is unset (config.Load allows that only for
// the embedded default), a secret generated once into the data directory.
func residentLinks(cfg config.Config) (*auth.Links, error) {
	secret := []byte(cfg.LinkSecret)
	if len(secret) == 0 {
		var err error
		secret, err = generatedSecret(cfg.DataDir, linkSecretFile, func() ([]byte, error) {
			b := make([]byte, 48)
			if _, err := rand.Read(b); err != nil {
				return nil, err
			}
			return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
		})
		if err != nil {
			return nil, err
		}
		if len(secret) < auth.MinLinkSecret {
			return nil, fmt.Errorf("link secret %s: got %d bytes, want at least %d (delete the file to generate a new one)",
				filepath.Join(cfg.DataDir, linkSecretFile), len(secret), auth.MinLinkSecret)
		}
	}
	return auth.NewLinks(secret, cfg.PublicURL)
}

// payloadCodec seals the payloads handed to Temporal with WUYE_PAYLOAD_KEYS,
// the keys in WUYE_PAYLOAD_KEYS_FILE, or, when both are unset (config.Load
// allows that only for the embedded default), a key generated once into the
// data directory.
func payloadCodec(cfg config.Config) (*codec.Codec, error) {
	raw := []byte(cfg.PayloadKeys)
	var err error
	switch {
	case len(raw) > 0:
	case cfg.PayloadKeysFile != "":
		if raw, err = os.ReadFile(cfg.PayloadKeysFile); err != nil {
			return nil, fmt.Errorf("payload keys: %w", err)
		}
	default:
		raw, err = generatedSecret(cfg.DataDir, payloadKeysFile, func() ([]byte, error) {
			k, err := codec.NewKey("k1")
			return []byte(codec.Format([]codec.Key{k})), err
		})
		if err != nil {
			return nil, err
		}
	}
	keys, err := codec.ParseKeys(string(raw))
	if err != nil {
		return nil, err
	}
	return codec.New(keys)
}

// generatedSecret reads the secret file name in dir, first writing what
// generate makes when there is none.
func generatedSecret(dir, name string, generate func() ([]byte, error)) ([]byte, error) {
	path := filepath.Join(dir, name)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if raw, err = generate(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		err = os.WriteFile(path, raw, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", name, path, err)
	}
	return bytes.TrimSpace(raw), nil
}
