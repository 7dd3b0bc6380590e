package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// AttachmentOwner finds the estate of the record ref names ("ticket:12",
// "followup:3", "dispute:5") inside scope; a record outside it, or a ref
// of no known type, is models.ErrNotFound.
func (s *Store) AttachmentOwner(ctx context.Context, scope Scope, ref string) (uint64, error) {
	typ, id, ok := models.ParseRef(ref)
	if !ok {
		return 0, fmt.Errorf("attachment owner %q: %w", ref, models.ErrNotFound)
	}
	var (
		estate uint64
		err    error
	)
	switch typ {
	case models.RefTicket:
		var t models.Ticket
		t, err = s.Ticket(ctx, scope, id)
		estate = t.EstateID
	case models.RefFollowUp:
		var f models.FollowUp
		f, err = s.FollowUp(ctx, scope, id)
		estate = f.EstateID
	case models.RefDispute:
		var d models.BillDispute
		d, err = s.Dispute(ctx, scope, id)
		estate = d.EstateID
	case models.RefContractVersion:
		var v models.ContractVersion
		if err = scope.where(s.db.WithContext(ctx), "estate_id").Where("id = ?", id).Take(&v).Error; err != nil {
			err = translate(err)
		}
		estate = v.EstateID
	}
	if err != nil {
		return 0, fmt.Errorf("attachment owner %s: %w", ref, err)
	}
	return estate, nil
}

// AddAttachment records a stored photo. The same photo of the same kind
// again on the same record is not recorded twice: a is filled with the
// first record and created is false.
func (s *Store) AddAttachment(ctx context.Context, a *models.Attachment) (created bool, err error) {
	err = translate(s.db.WithContext(ctx).Create(a).Error)
	if errors.Is(err, models.ErrConflict) {
		var first models.Attachment
		if err := translate(s.db.WithContext(ctx).Where("ref = ? AND kind = ? AND hash = ?", a.Ref, a.Kind, a.Hash).First(&first).Error); err != nil {
			return false, fmt.Errorf("read attachment of %s: %w", a.Ref, err)
		}
		*a = first
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add attachment to %s: %w", a.Ref, err)
	}
	return true, nil
}

// Attachment reads one attachment inside scope.
func (s *Store) Attachment(ctx context.Context, scope Scope, id uint64) (models.Attachment, error) {
	return scoped[models.Attachment](s, ctx, scope, id, "attachment")
}

// Attachments lists the photos of the record ref inside scope, in the order
// they were uploaded.
func (s *Store) Attachments(ctx context.Context, scope Scope, ref string) ([]models.Attachment, error) {
	var out []models.Attachment
	q := scope.where(s.db.WithContext(ctx).Where("ref = ?", ref), "estate_id")
	if err := translate(q.Order("id").Find(&out).Error); err != nil {
		return nil, fmt.Errorf("attachments of %s: %w", ref, err)
	}
	return out, nil
}

// UploadsSince counts the photos uploader recorded after since, and when
// the earliest of them was: the hourly limit is free again an hour after it.
func (s *Store) UploadsSince(ctx context.Context, uploader string, since time.Time) (int64, time.Time, error) {
	q := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&models.Attachment{}).Where("uploader = ? AND uploaded_at > ?", uploader, since)
	}
	var n int64
	if err := translate(q().Count(&n).Error); err != nil {
		return 0, time.Time{}, fmt.Errorf("uploads of %s: %w", uploader, err)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	var first models.Attachment
	if err := translate(q().Order("uploaded_at").First(&first).Error); err != nil {
		return 0, time.Time{}, fmt.Errorf("first upload of %s: %w", uploader, err)
	}
	return n, first.UploadedAt, nil
}
