package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// The inbox is the messages addressed to one staff member, whatever their
// channel, read in the console: a message is unread until its recipient
// marks it read (Message.ReadAt). Nobody else's messages are ever in it.

// InboxFilter narrows an inbox.
type InboxFilter struct {
	// Unread keeps the messages not yet marked read.
	Unread bool
}

// inbox is the query of staff member staffID's messages.
func (s *Store) inbox(ctx context.Context, staffID uint64) *gorm.DB {
	return s.db.WithContext(ctx).Model(&models.Message{}).
		Where("recipient_kind = ? AND recipient_id = ?", models.RecipientStaff, staffID)
}

// Inbox lists staff member staffID's messages, newest first.
func (s *Store) Inbox(ctx context.Context, staffID uint64, f InboxFilter, page Page) (List[models.Message], error) {
	q := s.inbox(ctx, staffID)
	if f.Unread {
		q = q.Where("read_at IS NULL")
	}
	out, err := list[models.Message](q, page, "id DESC")
	if err != nil {
		return out, fmt.Errorf("inbox of staff %d: %w", staffID, err)
	}
	return out, nil
}

// UnreadCount counts staff member staffID's unread messages.
func (s *Store) UnreadCount(ctx context.Context, staffID uint64) (int64, error) {
	var n int64
	if err := s.inbox(ctx, staffID).Where("read_at IS NULL").Count(&n).Error; err != nil {
		return 0, fmt.Errorf("unread messages of staff %d: %w", staffID, translate(err))
	}
	return n, nil
}

// InboxAfter reads up to limit of staff member staffID's messages with an id
// above afterID, oldest first: what arrived since the id last seen.
func (s *Store) InboxAfter(ctx context.Context, staffID, afterID uint64, limit int) ([]models.Message, error) {
	out := []models.Message{}
	err := s.inbox(ctx, staffID).Where("id > ?", afterID).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return out, fmt.Errorf("inbox of staff %d after %d: %w", staffID, afterID, translate(err))
	}
	return out, nil
}

// LastInboxID is the id of staff member staffID's newest message, 0 when
// there is none.
func (s *Store) LastInboxID(ctx context.Context, staffID uint64) (uint64, error) {
	var id *uint64
	if err := s.inbox(ctx, staffID).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("last message of staff %d: %w", staffID, translate(err))
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// MarkRead marks message id of staff member staffID read at the given time
// and returns it. A message read before keeps its first ReadAt; anyone
// else's message is not found.
func (s *Store) MarkRead(ctx context.Context, staffID, id uint64, at time.Time) (models.Message, error) {
	var m models.Message
	err := s.tx(ctx, func(tx *gorm.DB) error {
		mine := func() *gorm.DB {
			return tx.Model(&models.Message{}).Where("id = ? AND recipient_kind = ? AND recipient_id = ?", id, models.RecipientStaff, staffID)
		}
		if err := mine().Where("read_at IS NULL").UpdateColumn("read_at", at.UTC()).Error; err != nil {
			return translate(err)
		}
		return translate(mine().First(&m).Error)
	})
	if err != nil {
		return m, fmt.Errorf("mark message %d read: %w", id, err)
	}
	return m, nil
}

// MarkAllRead marks every unread message of staff member staffID read at the
// given time, and says how many it marked.
func (s *Store) MarkAllRead(ctx context.Context, staffID uint64, at time.Time) (int64, error) {
	res := s.inbox(ctx, staffID).Where("read_at IS NULL").UpdateColumn("read_at", at.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("mark the inbox of staff %d read: %w", staffID, translate(res.Error))
	}
	return res.RowsAffected, nil
}

// CaseHouseholds maps each of the collection cases ids inside scope to its
// household (the console opens a case by its household); a case outside
// scope is left out.
func (s *Store) CaseHouseholds(ctx context.Context, scope Scope, ids []uint64) (map[uint64]uint64, error) {
	out := map[uint64]uint64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []models.CollectionCase
	if err := queryIn[models.CollectionCase](s, ctx, scope, 0).Select("id", "household_id").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return out, fmt.Errorf("households of cases %v: %w", ids, translate(err))
	}
	for _, c := range rows {
		out[c.ID] = c.HouseholdID
	}
	return out, nil
}
