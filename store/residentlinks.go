package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// CreateResidentLink issues l inside scope at now: the resident gives the
// estate and household, and a subject (a ticket or bill) must be the
// household's.
func (s *Store) CreateResidentLink(ctx context.Context, scope Scope, l *models.ResidentLink, now time.Time) error {
	if err := l.CheckNew(now); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var r models.Resident
		if err := scope.where(tx, "estate_id").First(&r, l.ResidentID).Error; err != nil {
			return refError("resident_id", "居民", l.ResidentID, err)
		}
		l.EstateID, l.HouseholdID = r.EstateID, r.HouseholdID
		if err := subjectOfResident(tx, l.Purpose, l.SubjectID, r); err != nil {
			return err
		}
		l.RevokedAt, l.UsedAt, l.RevokedBy = nil, nil, 0
		return translate(tx.Create(l).Error)
	})
	if err != nil {
		return fmt.Errorf("create %s link of resident %d: %w", l.Purpose, l.ResidentID, err)
	}
	return nil
}

// subjectOfResident refuses a subject that is not a record of r's
// household of the purpose's kind; a ticket may also be r's own (a reporter
// contact, 报事人, is in no household).
func subjectOfResident(tx *gorm.DB, p models.LinkPurpose, id uint64, r models.Resident) error {
	household := r.HouseholdID
	if id == 0 {
		return nil
	}
	var n int64
	var err error
	switch p.SubjectKind() {
	case "ticket":
		err = tx.Model(&models.Ticket{}).Where("id = ? AND (household_id = ? OR resident_id = ?)", id, household, r.ID).Count(&n).Error
	case "bill":
		err = tx.Model(&models.HouseholdBill{}).Where("id = ? AND household_id = ?", id, household).Count(&n).Error
	case "survey":
		err = tx.Model(&models.SurveyInvitation{}).Where("campaign_id = ? AND household_id = ?", id, household).Count(&n).Error
	}
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return models.Invalid("subject_id", "不是该住户家庭的%s", map[string]string{"ticket": "工单", "bill": "账单", "survey": "调查"}[p.SubjectKind()])
	}
	return nil
}

// ResidentLink reads one link inside scope.
func (s *Store) ResidentLink(ctx context.Context, scope Scope, id uint64) (models.ResidentLink, error) {
	return scoped[models.ResidentLink](s, ctx, scope, id, "resident link")
}

// ResidentLinkWithUses is a link with its uses, latest first.
type ResidentLinkWithUses struct {
	models.ResidentLink
	Uses []models.ResidentLinkUse `json:"uses"`
}

// ResidentLinks lists resident's links inside scope, latest first, each
// with its uses (latest first).
func (s *Store) ResidentLinks(ctx context.Context, scope Scope, resident uint64, page Page) (List[ResidentLinkWithUses], error) {
	out := List[ResidentLinkWithUses]{Items: []ResidentLinkWithUses{}}
	l, err := listIn[models.ResidentLink](s, ctx, scope, 0, page, "id DESC", eq("resident_id", resident))
	if err != nil {
		return out, fmt.Errorf("links of resident %d: %w", resident, err)
	}
	out.Total = l.Total
	ids := make([]uint64, 0, len(l.Items))
	for _, x := range l.Items {
		ids = append(ids, x.ID)
	}
	var uses []models.ResidentLinkUse
	if len(ids) > 0 {
		if err := s.db.WithContext(ctx).Where("link_id IN ?", ids).Order("used_at DESC, id DESC").Find(&uses).Error; err != nil {
			return out, fmt.Errorf("uses of resident %d's links: %w", resident, translate(err))
		}
	}
	byLink := map[uint64][]models.ResidentLinkUse{}
	for _, u := range uses {
		byLink[u.LinkID] = append(byLink[u.LinkID], u)
	}
	for _, x := range l.Items {
		us := byLink[x.ID]
		if us == nil {
			us = []models.ResidentLinkUse{}
		}
		out.Items = append(out.Items, ResidentLinkWithUses{ResidentLink: x, Uses: us})
	}
	return out, nil
}

// RevokeResidentLink revokes link id inside scope at now, by staff member
// by; revoking it again changes nothing and returns it as it is.
func (s *Store) RevokeResidentLink(ctx context.Context, scope Scope, id, by uint64, now time.Time) (models.ResidentLink, error) {
	var l models.ResidentLink
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scope.where(tx, "estate_id").First(&l, id).Error; err != nil {
			return translate(err)
		}
		if l.RevokedAt != nil {
			return nil
		}
		l.RevokedAt, l.RevokedBy = &now, by
		return translate(tx.Model(&l).Select("RevokedAt", "RevokedBy").Updates(&l).Error)
	})
	if err != nil {
		return l, fmt.Errorf("revoke resident link %d: %w", id, err)
	}
	return l, nil
}

// UseResidentLink marks one-shot link id used at now, once: a link already
// used, revoked or expired at now is refused with models.ErrConflict.
func (s *Store) UseResidentLink(ctx context.Context, id uint64, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.ResidentLink{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", id, now).
		Update("used_at", now)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("use resident link %d: %w", id, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("use resident link %d: %w", id, models.ErrConflict)
	}
	return nil
}

// RecordResidentLinkUse records one use of a link; the link gives the
// estate and resident.
func (s *Store) RecordResidentLinkUse(ctx context.Context, l models.ResidentLink, u *models.ResidentLinkUse) error {
	u.LinkID, u.EstateID, u.ResidentID = l.ID, l.EstateID, l.ResidentID
	if u.Action == "" || len(u.Action) > models.MaxLinkActionLen {
		return models.Invalid("action", "应为 1 至 %d 个字", models.MaxLinkActionLen)
	}
	if len(u.ClientIP) > 64 {
		u.ClientIP = u.ClientIP[:64]
	}
	if err := translate(s.db.WithContext(ctx).Create(u).Error); err != nil {
		return fmt.Errorf("record use of resident link %d: %w", l.ID, err)
	}
	return nil
}

// IssueResidentLinkOnce issues l as CreateResidentLink does, unless a link
// of the same resident, purpose, subject and note was issued already (a
// message's link, its note naming the message): then l becomes that one, so
// that a retried send issues one link.
func (s *Store) IssueResidentLinkOnce(ctx context.Context, l *models.ResidentLink, now time.Time) error {
	var found models.ResidentLink
	err := s.db.WithContext(ctx).Where("resident_id = ? AND purpose = ? AND subject_id = ? AND note = ?",
		l.ResidentID, l.Purpose, l.SubjectID, l.Note).Order("id").First(&found).Error
	switch err = translate(err); {
	case err == nil:
		*l = found
		return nil
	case !errors.Is(err, models.ErrNotFound):
		return fmt.Errorf("find %s link of resident %d: %w", l.Purpose, l.ResidentID, err)
	}
	return s.CreateResidentLink(ctx, AllEstates(), l, now)
}
