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
	"github.com/wuye/wuye/config"
)

// linkSecretFile keeps the embedded default's generated link secret, so
// that links sent before a restart still open after it.
const linkSecretFile = "link_secret"

// residentLinks signs and checks the links sent to residents, under
// WUYE_LINK_SECRET or, when it is unset (config.Load allows that only for
// the embedded default), a secret generated once into the data directory.
func residentLinks(cfg config.Config) (*auth.Links, error) {
	secret := []byte(cfg.LinkSecret)
	if len(secret) == 0 {
		var err error
		if secret, err = storedLinkSecret(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	return auth.NewLinks(secret, cfg.PublicURL)
}

func storedLinkSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, linkSecretFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("link secret: %w", err)
		}
		b := make([]byte, 48)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("link secret: %w", err)
		}
		raw = []byte(base64.RawURLEncoding.EncodeToString(b))
		err = os.WriteFile(path, raw, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("link secret %s: %w", path, err)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < auth.MinLinkSecret {
		return nil, fmt.Errorf("link secret %s: got %d bytes, want at least %d (delete the file to generate a new one)", path, len(raw), auth.MinLinkSecret)
	}
	return raw, nil
}
