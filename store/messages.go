package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// ClaimMessage inserts m unless a message with m.Key exists, and returns the
// stored message: fresh is true when this call inserted it. A second claim
// with the same key returns the first message untouched, whatever the
// second call's fields, so that a retried sender finds its earlier attempts.
// A subject or address longer than its column is cut.
func (s *Store) ClaimMessage(ctx context.Context, m *models.Message) (existing models.Message, fresh bool, err error) {
	if m.Key == "" || len([]rune(m.Key)) > models.MaxMessageKeyLen {
		return existing, false, models.Invalid("key", "应为 1 至 %d 个字", models.MaxMessageKeyLen)
	}
	db := s.db.WithContext(ctx)
	existing, fresh, err = createOnce(db, "message_key", m.Key, m, func() error {
		m.ID = 0
		m.Subject = clipMessageText(m.Subject, 200)
		m.Address = clipMessageText(m.Address, 254)
		m.Status = models.MessagePending
		m.Attempts = 0
		m.LastError = ""
		m.SentAt = nil
		return translate(db.Create(m).Error)
	})
	if err != nil {
		return existing, false, fmt.Errorf("claim message %q: %w", m.Key, err)
	}
	return existing, fresh, nil
}

// RecordAttempt notes one delivery attempt of message id at the given time:
// it counts the attempt, appends a MessageAttempt and sets the message sent
// (with SentAt) or failed (with LastError). A failure recorded after a
// success leaves the message sent. errText is cut to MaxErrorTextLen.
func (s *Store) RecordAttempt(ctx context.Context, id uint64, ok bool, errText string, at time.Time) error {
	at = at.UTC()
	errText = clipMessageText(errText, models.MaxErrorTextLen)
	if ok {
		errText = ""
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// The increment locks the row on MySQL, so concurrent attempts number
		// themselves one after the other.
		res := tx.Model(&models.Message{}).Where("id = ?", id).
			UpdateColumn("attempts", gorm.Expr("attempts + 1"))
		if res.Error != nil {
			return translate(res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrNotFound
		}
		var m models.Message
		if err := tx.First(&m, id).Error; err != nil {
			return translate(err)
		}
		set := map[string]any{"updated_at": s.now().UTC()}
		switch {
		case ok:
			set["status"] = models.MessageSent
			set["last_error"] = ""
			if m.SentAt == nil {
				set["sent_at"] = at
			}
		case m.Status != models.MessageSent:
			set["status"] = models.MessageFailed
			set["last_error"] = errText
		}
		if err := tx.Model(&m).UpdateColumns(set).Error; err != nil {
			return translate(err)
		}
		a := models.MessageAttempt{MessageID: id, Attempt: m.Attempts, At: at, OK: ok, Error: errText}
		return translate(tx.Create(&a).Error)
	})
	if err != nil {
		return fmt.Errorf("record attempt of message %d: %w", id, err)
	}
	return nil
}

// MessageFilter narrows a message list; zero fields match everything.
type MessageFilter struct {
	EstateID      uint64
	Ref           string
	RecipientKind models.RecipientKind
	RecipientID   uint64
	Status        models.MessageStatus
}

// Messages lists the messages of the estates inside scope, newest first.
func (s *Store) Messages(ctx context.Context, scope Scope, f MessageFilter, page Page) (List[models.Message], error) {
	out, err := listIn[models.Message](s, ctx, scope, f.EstateID, page, "created_at DESC, id DESC",
		eq("ref", f.Ref), eq("recipient_kind", f.RecipientKind), eq("recipient_id", f.RecipientID), eq("status", f.Status))
	if err != nil {
		return out, fmt.Errorf("list messages: %w", err)
	}
	return out, nil
}

// Message reads one message inside scope.
func (s *Store) Message(ctx context.Context, scope Scope, id uint64) (models.Message, error) {
	return scoped[models.Message](s, ctx, scope, id, "message")
}

// MessageAttempts lists a message's delivery attempts, first to last. The
// caller checks the message's scope first (with Message or Messages).
func (s *Store) MessageAttempts(ctx context.Context, messageID uint64) ([]models.MessageAttempt, error) {
	out := []models.MessageAttempt{}
	err := s.db.WithContext(ctx).Where("message_id = ?", messageID).Order("attempt").Find(&out).Error
	if err != nil {
		return out, fmt.Errorf("attempts of message %d: %w", messageID, translate(err))
	}
	return out, nil
}

// Contact is where a message to one person goes. Phone is in clear: it is
// for the channel only, never for logs or stored messages.
type Contact struct {
	// EstateID is the person's estate; 0 for company-level staff.
	EstateID uint64
	Phone    string
	// Active is false for a deactivated staff account; residents are always
	// active.
	Active bool
	// Email is the resident's or staff member's; the preferred channel and
	// the contact window are a resident's (empty for staff).
	Email            string
	PreferredChannel models.Channel
	ContactWindow    *models.ContactWindow
}

// ResidentContact reads the phone of resident id, whatever its estate (the
// notifier works for the service, not for one caller).
func (s *Store) ResidentContact(ctx context.Context, id uint64) (Contact, error) {
	var r models.Resident
	if err := s.db.WithContext(ctx).Select("id", "estate_id", "phone", "email", "preferred_channel", "contact_window").First(&r, id).Error; err != nil {
		return Contact{}, fmt.Errorf("resident %d: %w", id, translate(err))
	}
	return Contact{EstateID: r.EstateID, Phone: r.Phone, Active: true, Email: r.Email,
		PreferredChannel: r.PreferredChannel, ContactWindow: r.ContactWindow}, nil
}

// StaffContact reads the phone of staff member id, whatever its estate.
func (s *Store) StaffContact(ctx context.Context, id uint64) (Contact, error) {
	var st models.Staff
	if err := s.db.WithContext(ctx).Select("id", "estate_id", "phone", "email", "active").First(&st, id).Error; err != nil {
		return Contact{}, fmt.Errorf("staff %d: %w", id, translate(err))
	}
	c := Contact{Phone: st.Phone, Active: st.Active, Email: st.Email}
	if st.EstateID != nil {
		c.EstateID = *st.EstateID
	}
	return c, nil
}

// clipMessageText shortens s to at most n characters.
func clipMessageText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
