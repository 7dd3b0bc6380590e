package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// slaRow is the part of a ticket the SLA tally reads. Deadlines hold Due
// and DoneAt only: the tally never reads the milestone.
type slaRow struct {
	ID        uint64
	Urgency   models.Urgency
	Status    models.TicketStatus
	ClosedAt  *time.Time
	Deadlines []models.TicketDeadline
}

// eachSLARow streams the tickets of q to fn, one row at a time and without
// GORM's per-row reflection: with 100,000 tickets the tally is this loop.
// fn must not keep r.Deadlines, which is reused.
func eachSLARow(q *gorm.DB, fn func(r slaRow)) error {
	rows, err := q.Select("id, urgency, status, closed_at, deadlines").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		r                          slaRow
		urgency, status, deadlines sql.RawBytes
		closed                     sql.NullTime
	)
	for rows.Next() {
		if err := rows.Scan(&r.ID, &urgency, &status, &closed, &deadlines); err != nil {
			return err
		}
		r.Urgency, r.Status, r.ClosedAt = models.Urgency(urgency), models.TicketStatus(status), nil
		if closed.Valid {
			r.ClosedAt = &closed.Time
		}
		if r.Deadlines, err = decodeDeadlines(deadlines, r.Deadlines[:0]); err != nil {
			return fmt.Errorf("ticket %d: deadlines: %w", r.ID, err)
		}
		fn(r)
	}
	return rows.Err()
}

// decodeDeadlines appends the due and done times of a deadlines column to
// buf. The column is what encoding/json wrote for []models.TicketDeadline;
// that shape (an array of objects with the keys milestone, due and done_at,
// whose values are strings without escapes, or null) is read here without
// reflection, and anything else is handed to encoding/json, so the result is
// always what json.Unmarshal gives (GORM's serializer reads an empty column
// as none).
func decodeDeadlines(raw []byte, buf []models.TicketDeadline) ([]models.TicketDeadline, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out, ok := scanDeadlines(raw, buf)
	if ok {
		return out, nil
	}
	var slow []models.TicketDeadline
	if err := json.Unmarshal(raw, &slow); err != nil {
		return nil, err
	}
	for i := range slow {
		slow[i].Milestone = ""
	}
	return slow, nil
}

// scanDeadlines is decodeDeadlines' fast path; ok is false for anything
// outside the shape it reads.
func scanDeadlines(b []byte, buf []models.TicketDeadline) (out []models.TicketDeadline, ok bool) {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	// str reads a string without escapes and returns it with its quotes.
	str := func() ([]byte, bool) {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		start := i
		for i++; i < len(b); i++ {
			switch c := b[i]; {
			case c == '"':
				i++
				return b[start:i], true
			case c == '\\' || c < 0x20:
				return nil, false
			}
		}
		return nil, false
	}
	// eat consumes c if it comes next.
	eat := func(c byte) bool {
		if i < len(b) && b[i] == c {
			i++
			return true
		}
		return false
	}
	isNull := func() bool {
		if len(b)-i >= 4 && string(b[i:i+4]) == "null" {
			i += 4
			return true
		}
		return false
	}
	ws()
	if isNull() {
		ws()
		return nil, i == len(b)
	}
	if !eat('[') {
		return nil, false
	}
	out = buf[:0]
	ws()
	if eat(']') {
		ws()
		return out, i == len(b)
	}
	for {
		ws()
		if !eat('{') {
			return nil, false
		}
		var d models.TicketDeadline
		ws()
		if !eat('}') {
			for {
				ws()
				key, ok := str()
				if !ok {
					return nil, false
				}
				ws()
				if !eat(':') {
					return nil, false
				}
				ws()
				null := isNull()
				var val []byte
				if !null {
					if val, ok = str(); !ok {
						return nil, false
					}
				}
				switch string(key) {
				case `"milestone"`:
				case `"due"`:
					if !null {
						if d.Due.UnmarshalJSON(val) != nil {
							return nil, false
						}
					}
				case `"done_at"`:
					d.DoneAt = nil
					if !null {
						var t time.Time
						if t.UnmarshalJSON(val) != nil {
							return nil, false
						}
						d.DoneAt = &t
					}
				default:
					return nil, false
				}
				ws()
				if eat(',') {
					continue
				}
				if eat('}') {
					break
				}
				return nil, false
			}
		}
		out = append(out, d)
		ws()
		if eat(',') {
			continue
		}
		if eat(']') {
			ws()
			return out, i == len(b)
		}
		return nil, false
	}
}
