package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// ClaimDelivery returns the delivery of message messageID by channel ch,
// inserting it pending when there is none: one delivery per message and
// channel, however often the sender is retried.
func (s *Store) ClaimDelivery(ctx context.Context, messageID uint64, ch models.Channel) (models.MessageDelivery, error) {
	db := s.db.WithContext(ctx)
	var d models.MessageDelivery
	find := func() error { return db.Where("message_id = ? AND channel = ?", messageID, ch).First(&d).Error }
	err := find()
	if errors.Is(err, gorm.ErrRecordNotFound) {
		d = models.MessageDelivery{MessageID: messageID, Channel: ch, Status: models.DeliveryPending}
		err = translate(db.Create(&d).Error)
		if errors.Is(err, models.ErrConflict) {
			err = find() // a concurrent claim won
		}
	}
	if err != nil {
		return d, fmt.Errorf("claim delivery of message %d by %s: %w", messageID, ch, translate(err))
	}
	return d, nil
}

// MarkDelivery moves the delivery of message messageID by ch to status to,
// at at, when it stands at one of from; reason (cut to MaxErrorTextLen)
// says why it failed. It reports whether the delivery moved: false for a
// repeated receipt, or one that comes too late to change it.
func (s *Store) MarkDelivery(ctx context.Context, messageID uint64, ch models.Channel, from []models.DeliveryStatus,
	to models.DeliveryStatus, reason string, at time.Time) (bool, error) {
	at = at.UTC()
	set := map[string]any{"status": to, "reason": clipMessageText(reason, models.MaxErrorTextLen), "updated_at": s.now().UTC()}
	switch to {
	case models.DeliverySent:
		set["sent_at"] = at
	case models.DeliveryDelivered:
		set["delivered_at"] = at
	case models.DeliveryFailed:
		set["failed_at"] = at
	}
	res := s.db.WithContext(ctx).Model(&models.MessageDelivery{}).
		Where("message_id = ? AND channel = ? AND status IN ?", messageID, ch, from).UpdateColumns(set)
	if res.Error != nil {
		return false, fmt.Errorf("mark delivery of message %d by %s %s: %w", messageID, ch, to, translate(res.Error))
	}
	return res.RowsAffected > 0, nil
}

// Deliveries lists the deliveries of the messages ids, each message's in
// the order its channels were tried.
func (s *Store) Deliveries(ctx context.Context, ids ...uint64) ([]models.MessageDelivery, error) {
	out := []models.MessageDelivery{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("message_id IN ?", ids).Order("message_id, id").Find(&out).Error
	if err != nil {
		return out, fmt.Errorf("deliveries of %d messages: %w", len(ids), translate(err))
	}
	return out, nil
}

// WithDeliveries fills each message's Deliveries.
func (s *Store) WithDeliveries(ctx context.Context, msgs []models.Message) error {
	ids := make([]uint64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	ds, err := s.Deliveries(ctx, ids...)
	if err != nil {
		return err
	}
	by := map[uint64][]models.MessageDelivery{}
	for _, d := range ds {
		by[d.MessageID] = append(by[d.MessageID], d)
	}
	for i := range msgs {
		msgs[i].Deliveries = by[msgs[i].ID]
	}
	return nil
}

// MessageByKey reads the message named key, whatever its estate (the
// receipt route works for the gateway, not for one caller).
func (s *Store) MessageByKey(ctx context.Context, key string) (models.Message, error) {
	var m models.Message
	if err := s.db.WithContext(ctx).Where("message_key = ?", key).First(&m).Error; err != nil {
		return m, fmt.Errorf("message %q: %w", key, translate(err))
	}
	return m, nil
}

// SetMessageChannel notes the channel (and the address shown for it) a
// message is now going by.
func (s *Store) SetMessageChannel(ctx context.Context, id uint64, ch models.Channel, address string) error {
	err := s.db.WithContext(ctx).Model(&models.Message{}).Where("id = ?", id).
		UpdateColumns(map[string]any{"channel": string(ch), "address": clipMessageText(address, 254), "updated_at": s.now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("channel of message %d: %w", id, translate(err))
	}
	return nil
}

// FailMessage marks message id failed for good with reason: every channel
// of its plan failed.
func (s *Store) FailMessage(ctx context.Context, id uint64, reason string) error {
	err := s.db.WithContext(ctx).Model(&models.Message{}).Where("id = ?", id).
		UpdateColumns(map[string]any{"status": models.MessageFailed, "last_error": clipMessageText(reason, models.MaxErrorTextLen),
			"updated_at": s.now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("fail message %d: %w", id, translate(err))
	}
	return nil
}
