package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// createOnce stores row, a record of type T identified by key in column,
// unless a record holds the key already, and returns the stored record:
// created is true when this call inserted row. insert prepares and inserts
// row; it runs only when no record holds the key. When a concurrent call
// inserts the key between the read and the insert (a conflict), its record
// is returned; a conflict on anything else stands. An empty key identifies
// nothing: insert always runs.
func createOnce[T any](db *gorm.DB, column, key string, row *T, insert func() error) (stored T, created bool, err error) {
	byKey := func() error { return db.Where(column+" = ?", key).First(&stored).Error }
	if key != "" {
		err := byKey()
		if err == nil {
			return stored, false, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return stored, false, translate(err)
		}
	}
	err = insert()
	if err == nil {
		return *row, true, nil
	}
	if key != "" && errors.Is(err, models.ErrConflict) && byKey() == nil {
		return stored, false, nil // another call with the same key won the race
	}
	var zero T
	return zero, false, err
}

// ErrKeyReused: the caller sent an Idempotency-Key already used with another
// request.
var ErrKeyReused = errors.New("idempotency key reused with another request")

// ClaimIdempotencyKey records that staffID sent the key whose digest is
// keyHash with the request whose digest is fingerprint. The same claim again
// is fine (a retry); the same key with another fingerprint is ErrKeyReused.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, staffID uint64, keyHash, fingerprint string) error {
	row := models.IdempotencyKey{StaffID: staffID, KeyHash: keyHash, Fingerprint: fingerprint}
	err := translate(s.db.WithContext(ctx).Create(&row).Error)
	if !errors.Is(err, models.ErrConflict) {
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		return nil
	}
	var got models.IdempotencyKey
	if err := s.db.WithContext(ctx).Where("staff_id = ? AND key_hash = ?", staffID, keyHash).First(&got).Error; err != nil {
		return fmt.Errorf("claim idempotency key: %w", translate(err))
	}
	if got.Fingerprint != fingerprint {
		return ErrKeyReused
	}
	return nil
}
