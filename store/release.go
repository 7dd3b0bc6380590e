package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// releaseAttempts bounds the retries of a key two attempts drew at once.
const releaseAttempts = 5

// ReleaseSlot hands the bulk message key its number in the batch of the
// estate's channel due at batch (to the minute): the batch's next, from 0,
// or the number key drew before, so that a retried activity is released
// at its first slot and no two messages share one (models.ReleaseAt turns
// it into a time). The count lives in the database (one counter row per
// batch, raised under its row lock), so that any number of stateless
// workers share one count per estate and channel.
func (s *Store) ReleaseSlot(ctx context.Context, estateID uint64, ch models.Channel, batch time.Time, key string) (int64, error) {
	if key == "" || len([]rune(key)) > models.MaxMessageKeyLen {
		return 0, models.Invalid("key", "应为 1 至 %d 个字", models.MaxMessageKeyLen)
	}
	batch = batch.UTC().Truncate(time.Minute)
	for attempt := 1; ; attempt++ {
		var n int64
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var slot models.ReleaseSlot
			err := tx.Where("message_key = ?", key).Take(&slot).Error
			if err == nil {
				n = slot.N
				return nil
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return translate(err)
			}
			where := tx.Model(&models.ReleaseCounter{}).Where("estate_id = ? AND channel = ? AND batch = ?", estateID, ch, batch)
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&models.ReleaseCounter{EstateID: estateID, Channel: ch, Batch: batch}).Error; err != nil {
				return translate(err)
			}
			if err := where.Session(&gorm.Session{}).Update("next", gorm.Expr("next + 1")).Error; err != nil {
				return translate(err)
			}
			var c models.ReleaseCounter
			if err := tx.Where("estate_id = ? AND channel = ? AND batch = ?", estateID, ch, batch).Take(&c).Error; err != nil {
				return translate(err)
			}
			n = c.Next - 1
			return translate(tx.Create(&models.ReleaseSlot{Key: key, EstateID: estateID, Channel: ch, Batch: batch, N: n}).Error)
		})
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, models.ErrConflict) && attempt < releaseAttempts:
			continue // the key drawn by another attempt meanwhile: read its number
		default:
			return 0, fmt.Errorf("release slot %q: %w", key, err)
		}
	}
}
