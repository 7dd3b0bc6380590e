package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/wuye/wuye/models"
)

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
