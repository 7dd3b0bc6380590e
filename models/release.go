package models

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// The release of bulk messages (群发放行): month-end collection reminders
// (催缴提醒) of thousands of households fall due at one local minute, and a
// gateway takes only so many a second. Each reminder is released at a
// slot of its channel's rate inside the sending window (outside quiet
// hours); calendar work with no promise to the minute (billing runs,
// month-start reminders) is spread with a jitter drawn from its business
// key. SLA timers (deadlines, escalations) are never spread.
//
// The mechanism: a per-estate, per-channel counter kept in the database
// hands each message of a batch its number n (once per message key, so a
// retry gets its number again), and ReleaseAt, a pure function, turns
// (batch start, n, rate, quiet hours) into the message's release time; the
// process sleeps until then (a durable timer). Rejected: a limiter in the
// worker process (the API and worker processes are stateless and several:
// each would allow the full rate, and a restart forgets what it let
// through), and Temporal's task-queue rate limit (one per task queue, not
// per estate or channel, and it would hold back SLA work on the same
// queue). The counter makes the rate exact across processes and replays
// safe: the slot is an activity's result, recorded in the history.

// ReleasePolicy is how an estate releases bulk messages. Zero values mean
// the defaults (DefaultReleasePolicy), so policies saved before it hold.
type ReleasePolicy struct {
	// Rates are the messages per second released on each channel, as
	// the estate's gateways accept them; a channel not listed takes the
	// default rate.
	Rates map[Channel]int `json:"rates,omitempty"`
	// JitterWindow is how far calendar work with no promise to the
	// minute is spread after its time (see Jitter); zero means the
	// default.
	JitterWindow Duration `json:"jitter_window,omitempty"`
}

// Release bounds: a rate a gateway could plausibly take, and a spread of
// at most a day.
const (
	MaxReleaseRate   = 10000
	MaxJitterWindow  = Duration(24 * time.Hour)
	defaultRateOther = 20
)

// DefaultReleasePolicy: SMS 50/s (a common gateway account's limit),
// WeChat template messages 100/s, the app's push 200/s, email 20/s; calendar
// work spread over 30 minutes.
func DefaultReleasePolicy() ReleasePolicy {
	return ReleasePolicy{
		Rates:        map[Channel]int{ChannelSMS: 50, ChannelWeChat: 100, ChannelApp: 200, ChannelEmail: 20},
		JitterWindow: Duration(30 * time.Minute),
	}
}

// OrDefault fills what p leaves empty from DefaultReleasePolicy.
func (p ReleasePolicy) OrDefault() ReleasePolicy {
	d := DefaultReleasePolicy()
	for ch, r := range p.Rates {
		if r > 0 {
			d.Rates[ch] = r
		}
	}
	if p.JitterWindow > 0 {
		d.JitterWindow = p.JitterWindow
	}
	return d
}

// Rate is the release rate of channel ch, messages per second.
func (p ReleasePolicy) Rate(ch Channel) int {
	if r := p.OrDefault().Rates[ch]; r > 0 {
		return r
	}
	return defaultRateOther
}

func (p ReleasePolicy) validate(path string) error {
	chs := make([]Channel, 0, len(p.Rates))
	for ch := range p.Rates {
		chs = append(chs, ch)
	}
	slices.Sort(chs)
	for _, ch := range chs {
		switch ch {
		case ChannelSMS, ChannelWeChat, ChannelApp, ChannelEmail, ChannelWeCom:
		default:
			return Invalid(path+".rates", "未知渠道“%s”，应为 sms（短信）、wechat（微信）、app、email（邮件）或 wecom（企业微信）", ch)
		}
		if r := p.Rates[ch]; r < 1 || r > MaxReleaseRate {
			return Invalid(fmt.Sprintf("%s.rates.%s", path, ch), "%d 无效，应为每秒 1 至 %d 条", r, MaxReleaseRate)
		}
	}
	if p.JitterWindow < 0 || p.JitterWindow > MaxJitterWindow {
		return Invalid(path+".jitter_window", "%s 无效，应为 0 至 24h", p.JitterWindow.Std())
	}
	return nil
}

// ReleaseAt is when message n (from 0) of a batch due at start goes out on
// a channel released at rate a second: slot n is n/rate seconds into the
// sending window, which opens at start or, inside quiet hours, at their
// end. The slots a quiet window would hold move past it, in order: no two
// messages share a slot and none falls in quiet hours. A rate below 1
// counts as 1.
func ReleaseAt(start time.Time, n int64, rate int, quiet QuietHours, loc *time.Location) time.Time {
	if rate < 1 {
		rate = 1
	}
	t := quiet.NextAllowed(start, loc)
	for {
		offset := time.Duration(n * int64(time.Second) / int64(rate))
		end := quiet.nextQuiet(t, loc)
		if end.IsZero() || t.Add(offset).Before(end) {
			return t.Add(offset)
		}
		// The slots before the quiet window: k/rate < end-t.
		span := int64(end.Sub(t))
		capacity := (span*int64(rate) + int64(time.Second) - 1) / int64(time.Second)
		n -= capacity
		t = quiet.NextAllowed(end, loc)
	}
}

// nextQuiet is when the quiet hours next begin at or after t (outside
// them); zero for an estate that keeps none.
func (q QuietHours) nextQuiet(t time.Time, loc *time.Location) time.Time {
	start, err1 := parseClock(q.Start)
	end, err2 := parseClock(q.End)
	if err1 != nil || err2 != nil || start == end {
		return time.Time{}
	}
	lt := t.In(loc)
	at := atClock(lt, 0, q.Start, loc)
	if at.Before(lt) {
		at = atClock(lt, 1, q.Start, loc)
	}
	return at
}

// Jitter is how far work with business key key is put off inside window:
// drawn from the key's FNV-1a hash, so the same key always waits the same
// (replay-safe, and a retried start lands where the first did), in [0,
// window), to the second. Zero for no window. Never for an SLA timer.
func Jitter(key string, window Duration) time.Duration {
	secs := int64(window.Std() / time.Second)
	if secs <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum64()%uint64(secs)) * time.Second
}

// ReleaseSlot is the number a bulk message drew in its batch: the messages
// of one estate's channel due at one minute (Batch) are numbered from 0 in
// the order they asked, once per message key, and ReleaseAt turns the
// number into the message's release time.
type ReleaseSlot struct {
	ID       uint64    `gorm:"primaryKey" json:"id"`
	Key      string    `gorm:"column:message_key;size:150;not null;uniqueIndex" json:"key"`
	EstateID uint64    `gorm:"not null;uniqueIndex:idx_release_slot_n,priority:1" json:"estate_id"`
	Channel  Channel   `gorm:"size:16;not null;uniqueIndex:idx_release_slot_n,priority:2" json:"channel"`
	Batch    time.Time `gorm:"not null;uniqueIndex:idx_release_slot_n,priority:3" json:"batch"`
	N        int64     `gorm:"not null;uniqueIndex:idx_release_slot_n,priority:4" json:"n"`
}

// ReleaseCounter is the next number of a release batch (ReleaseSlot).
type ReleaseCounter struct {
	ID       uint64    `gorm:"primaryKey" json:"id"`
	EstateID uint64    `gorm:"not null;uniqueIndex:idx_release_counter,priority:1" json:"estate_id"`
	Channel  Channel   `gorm:"size:16;not null;uniqueIndex:idx_release_counter,priority:2" json:"channel"`
	Batch    time.Time `gorm:"not null;uniqueIndex:idx_release_counter,priority:3" json:"batch"`
	Next     int64     `gorm:"not null;default:0" json:"next"`
}
