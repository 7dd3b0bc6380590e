// Package attachments keeps the photos staff and residents attach to
// tickets, follow-up visits and bill disputes: the checks an image must pass
// (JPEG or PNG by content, a size limit), the re-encoding that strips its
// metadata (EXIF location included), its thumbnail, and the blob stores that
// hold the bytes under the SHA-256 of their content: a directory under the
// data directory for the embedded default, S3-compatible object storage for
// production.
package attachments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wuye/wuye/models"
)

// Blobs holds content-addressed bytes: a name is the lowercase hex SHA-256
// of the bytes stored under it (see Name), so a Put of a name already held
// changes nothing. A missing name is models.ErrNotFound.
type Blobs interface {
	Put(ctx context.Context, name string, data []byte, contentType string) error
	Get(ctx context.Context, name string) ([]byte, error)
	Stat(ctx context.Context, name string) (Info, error)
}

// Info describes a stored blob.
type Info struct {
	Size int64
}

// Name is the content-hash name of data.
func Name(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkName refuses anything but a content-hash name, so that no name can
// reach outside the store (a path, a key prefix).
func checkName(name string) error {
	if len(name) != sha256.Size*2 {
		return fmt.Errorf("blob name %q: %w", name, models.ErrNotFound)
	}
	for _, r := range name {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return fmt.Errorf("blob name %q: %w", name, models.ErrNotFound)
		}
	}
	return nil
}

// Dir keeps blobs as files under a directory, in subfolders named by the
// first two characters of the name (ab/abcd…).
type Dir struct {
	root string
}

// NewDir returns the store in root, creating it.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("attachments directory: %w", err)
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(name string) string { return filepath.Join(d.root, name[:2], name) }

// Put writes data under name through a temporary file renamed into place,
// so that a reader never sees half a file.
func (d *Dir) Put(_ context.Context, name string, data []byte, _ string) error {
	if err := checkName(name); err != nil {
		return err
	}
	p := d.path(name)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("put blob %s: %w", name, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), name+".*.tmp")
	if err != nil {
		return fmt.Errorf("put blob %s: %w", name, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("put blob %s: %w", name, err)
	}
	return nil
}

// Get reads the blob name.
func (d *Dir) Get(_ context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(d.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", name, models.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", name, err)
	}
	return data, nil
}

// Stat describes the blob name.
func (d *Dir) Stat(_ context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(d.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, fmt.Errorf("blob %s: %w", name, models.ErrNotFound)
	}
	if err != nil {
		return Info{}, fmt.Errorf("stat blob %s: %w", name, err)
	}
	return Info{Size: fi.Size()}, nil
}
