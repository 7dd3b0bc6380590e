package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateStaff adds a staff account. Company-level accounts (no estate) need
// the AllEstates scope.
func (s *Store) CreateStaff(ctx context.Context, scope Scope, st *models.Staff) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if st.EstateID == nil {
			if !scope.All() {
				return models.Invalid("estate_id", "必填")
			}
		} else if err := refEstate(tx, scope, *st.EstateID); err != nil {
			return err
		}
		return translate(tx.Create(st).Error)
	})
	if err != nil {
		return fmt.Errorf("create staff %q: %w", st.Username, err)
	}
	return nil
}

func staffScope(scope Scope, q *gorm.DB) *gorm.DB {
	if scope.All() {
		return q
	}
	return scope.where(q.Where("estate_id IS NOT NULL"), "estate_id")
}

// StaffMember reads one staff account inside scope.
func (s *Store) StaffMember(ctx context.Context, scope Scope, id uint64) (models.Staff, error) {
	var st models.Staff
	if err := staffScope(scope, s.db.WithContext(ctx)).First(&st, id).Error; err != nil {
		return st, fmt.Errorf("staff %d: %w", id, translate(err))
	}
	return st, nil
}

// StaffByUsername reads an account for sign-in, whatever its estate.
func (s *Store) StaffByUsername(ctx context.Context, username string) (models.Staff, error) {
	var st models.Staff
	if err := s.db.WithContext(ctx).Where("username = ?", username).First(&st).Error; err != nil {
		return st, fmt.Errorf("staff %q: %w", username, translate(err))
	}
	return st, nil
}

// StaffFilter narrows a staff list.
type StaffFilter struct {
	EstateID uint64
	Role     models.Role
	Active   *bool
}

// Staff lists staff accounts inside scope, by estate and username.
func (s *Store) Staff(ctx context.Context, scope Scope, f StaffFilter, page Page) (List[models.Staff], error) {
	q := staffScope(scope, s.db.WithContext(ctx).Model(&models.Staff{}))
	q = match(q, "estate_id", f.EstateID)
	q = match(q, "role", f.Role)
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	return list[models.Staff](q, page, "estate_id, username")
}

// CountStaff counts every staff account.
func (s *Store) CountStaff(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Staff{}).Count(&n).Error
	return n, translate(err)
}

// StaffUpdate lists the fields of an account to change; nil leaves one as is.
type StaffUpdate struct {
	Name, Phone, Email *string
	Role               *models.Role
	Active             *bool
	PasswordHash       *string
	MustChangePassword *bool
}

// UpdateStaff changes an account inside scope and returns it. Deactivating an
// account or changing its password ends its sessions and revokes its API
// tokens.
func (s *Store) UpdateStaff(ctx context.Context, scope Scope, id uint64, u StaffUpdate) (models.Staff, error) {
	var st models.Staff
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := staffScope(scope, tx).First(&st, id).Error; err != nil {
			return translate(err)
		}
		set := map[string]any{"updated_at": s.now().UTC()}
		setIf(set, "name", u.Name)
		setIf(set, "phone", u.Phone)
		setIf(set, "email", u.Email)
		setIf(set, "role", u.Role)
		setIf(set, "active", u.Active)
		setIf(set, "password_hash", u.PasswordHash)
		setIf(set, "must_change_password", u.MustChangePassword)
		if err := tx.Model(&st).Updates(set).Error; err != nil {
			return translate(err)
		}
		if (u.Active != nil && !*u.Active) || u.PasswordHash != nil {
			if err := tx.Where("staff_id = ?", id).Delete(&models.Session{}).Error; err != nil {
				return translate(err)
			}
			if err := tx.Model(&models.APIToken{}).Where("staff_id = ? AND revoked_at IS NULL", id).
				Update("revoked_at", s.now().UTC()).Error; err != nil {
				return translate(err)
			}
		}
		return translate(tx.First(&st, id).Error)
	})
	if err != nil {
		return st, fmt.Errorf("update staff %d: %w", id, err)
	}
	return st, nil
}

// setIf sets column to *v in an update, unless v is nil.
func setIf[T any](set map[string]any, column string, v *T) {
	if v != nil {
		set[column] = *v
	}
}

// CreateSession records a new sign-in.
func (s *Store) CreateSession(ctx context.Context, staffID uint64, tokenHash string, expires time.Time) error {
	now := s.now().UTC()
	sess := models.Session{TokenHash: tokenHash, StaffID: staffID, ExpiresAt: expires.UTC(), LastSeenAt: now}
	if err := s.db.WithContext(ctx).Create(&sess).Error; err != nil {
		return fmt.Errorf("create session: %w", translate(err))
	}
	return nil
}

// SessionStaff returns the active account behind an unexpired session.
func (s *Store) SessionStaff(ctx context.Context, tokenHash string) (models.Staff, error) {
	var st models.Staff
	err := s.db.WithContext(ctx).Model(&models.Staff{}).
		Joins("JOIN sessions ON sessions.staff_id = staffs.id").
		Where("sessions.token_hash = ? AND sessions.expires_at > ? AND staffs.active = ?", tokenHash, s.now().UTC(), true).
		Take(&st).Error
	if err != nil {
		return st, fmt.Errorf("session: %w", translate(err))
	}
	return st, nil
}

// DeleteSession signs a session out; expired sessions are swept at the same time.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	err := s.db.WithContext(ctx).Where("token_hash = ? OR expires_at <= ?", tokenHash, s.now().UTC()).
		Delete(&models.Session{}).Error
	if err != nil {
		return fmt.Errorf("delete session: %w", translate(err))
	}
	return nil
}

// CreateAPIToken records a new integration token.
func (s *Store) CreateAPIToken(ctx context.Context, t *models.APIToken) error {
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("create API token: %w", translate(err))
	}
	return nil
}

// TokenStaff returns an unrevoked, unexpired API token and the active account
// behind it, and notes when the token was last used.
func (s *Store) TokenStaff(ctx context.Context, tokenHash string) (models.Staff, models.APIToken, error) {
	var (
		st models.Staff
		t  models.APIToken
	)
	now := s.now().UTC()
	db := s.db.WithContext(ctx)
	err := db.Where("token_hash = ? AND revoked_at IS NULL", tokenHash).
		Where("expires_at IS NULL OR expires_at > ?", now).Take(&t).Error
	if err == nil {
		err = db.Where("active = ?", true).Take(&st, t.StaffID).Error
	}
	if err != nil {
		return st, t, fmt.Errorf("API token: %w", translate(err))
	}
	db.Model(&t).Update("last_used_at", now)
	return st, t, nil
}

// APITokens lists the tokens of the accounts inside scope.
func (s *Store) APITokens(ctx context.Context, scope Scope, staffID uint64, page Page) (List[models.APIToken], error) {
	q := s.db.WithContext(ctx).Model(&models.APIToken{}).
		Where("staff_id IN (?)", staffScope(scope, s.db.Model(&models.Staff{})).Select("id"))
	if staffID != 0 {
		q = q.Where("staff_id = ?", staffID)
	}
	return list[models.APIToken](q, page, "id DESC")
}

// APIToken reads a token of an account inside scope.
func (s *Store) APIToken(ctx context.Context, scope Scope, id uint64) (models.APIToken, error) {
	var t models.APIToken
	err := s.db.WithContext(ctx).Where("staff_id IN (?)", staffScope(scope, s.db.Model(&models.Staff{})).Select("id")).
		First(&t, id).Error
	if err != nil {
		return t, fmt.Errorf("API token %d: %w", id, translate(err))
	}
	return t, nil
}

// RevokeAPIToken revokes a token of an account inside scope.
func (s *Store) RevokeAPIToken(ctx context.Context, scope Scope, id uint64) error {
	res := s.db.WithContext(ctx).Model(&models.APIToken{}).
		Where("id = ? AND revoked_at IS NULL", id).
		Where("staff_id IN (?)", staffScope(scope, s.db.Model(&models.Staff{})).Select("id")).
		Update("revoked_at", s.now().UTC())
	if res.Error != nil {
		return fmt.Errorf("revoke API token %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("API token %d: %w", id, models.ErrNotFound)
	}
	return nil
}
