package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wuye/wuye/models"
)

// Failed sign-ins live in the database, like sessions, so that every API
// replica counts the same failures and a restart forgets none. Every method
// takes now from the caller, whose clock decides the locks.

// SignInLockedUntil returns the end of the latest lock among keys still in
// force at now; the zero time when none is locked.
func (s *Store) SignInLockedUntil(ctx context.Context, now time.Time, keys ...models.SignInKey) (time.Time, error) {
	var until time.Time
	if len(keys) == 0 {
		return until, nil
	}
	q := s.db.WithContext(ctx).Model(&models.SignInFailure{})
	match := s.db.Where("kind = ? AND failure_key = ?", keys[0].Kind, keys[0].Key)
	for _, k := range keys[1:] {
		match = match.Or("kind = ? AND failure_key = ?", k.Kind, k.Key)
	}
	var locked []models.SignInFailure
	if err := q.Where(match).Where("locked_until > ?", now.UTC()).Find(&locked).Error; err != nil {
		return until, fmt.Errorf("sign-in locks: %w", translate(err))
	}
	for _, f := range locked {
		if f.LockedUntil.After(until) {
			until = *f.LockedUntil
		}
	}
	return until, nil
}

// RecordSignInFailure counts a failed sign-in against key at now and returns
// its record: the failures so far and, once the key's throttle backs off, the
// end of the lock this failure sets. Records of the same kind without a
// failure for the throttle's Forget are swept first.
func (s *Store) RecordSignInFailure(ctx context.Context, key models.SignInKey, now time.Time) (models.SignInFailure, error) {
	t := key.Throttle()
	now = now.UTC()
	forgotten := now.Add(-t.Forget)
	db := s.db.WithContext(ctx)
	if err := db.Where("kind = ? AND last_failed_at < ?", key.Kind, forgotten).Delete(&models.SignInFailure{}).Error; err != nil {
		return models.SignInFailure{}, fmt.Errorf("sweep sign-in failures: %w", translate(err))
	}
	var f models.SignInFailure
	err := s.tx(ctx, func(tx *gorm.DB) error {
		fresh := models.SignInFailure{Kind: key.Kind, Key: key.Key, LastFailedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
			return translate(err)
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("kind = ? AND failure_key = ?", key.Kind, key.Key).Take(&f).Error; err != nil {
			return translate(err)
		}
		if f.LastFailedAt.Before(forgotten) {
			f.Failures = 0
		}
		f.Failures++
		f.LastFailedAt = now
		f.LockedUntil = nil
		if d := t.Backoff(f.Failures); d > 0 {
			until := now.Add(d)
			f.LockedUntil = &until
		}
		return translate(tx.Model(&f).Select("Failures", "LastFailedAt", "LockedUntil").Updates(&f).Error)
	})
	if err != nil {
		return f, fmt.Errorf("record sign-in failure: %w", err)
	}
	return f, nil
}

// ClearSignInFailures forgets the failures against key: a successful sign-in
// clears its account's.
func (s *Store) ClearSignInFailures(ctx context.Context, key models.SignInKey) error {
	err := s.db.WithContext(ctx).Where("kind = ? AND failure_key = ?", key.Kind, key.Key).Delete(&models.SignInFailure{}).Error
	if err != nil {
		return fmt.Errorf("clear sign-in failures: %w", translate(err))
	}
	return nil
}
