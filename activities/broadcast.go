package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// Broadcasts sends one message to every household of some buildings (an
// outage's announcement, a community notice) in batches: one activity
// call per batch of households, each message idempotent by its key, so
// that a retried batch sends only what it had not.
type Broadcasts struct {
	Store    *store.Store
	Notifier *Notifier
	// Parallel is how many messages of a batch are sent at once; 0 is 8.
	Parallel int
}

// BatchInput is one batch of a broadcast: the households of the estate
// (in Buildings, empty: all) after household After, at most Limit.
type BatchInput struct {
	// Key prefixes the messages' keys: "<Key>/resident-<id>".
	Key       string
	Ref       string
	EstateID  uint64
	Buildings []string
	After     uint64
	Limit     int
	Template  string
	Params    map[string]string
	// CapSince, when set, applies the daily cap of ordinary notices
	// (Policy.UnderDailyCap): a resident who had that many messages of
	// Template since it is left out. Emergency notices leave it zero.
	CapSince time.Time `json:",omitempty"`
	Policy   models.NoticePolicy
}

// BatchResult is what a batch did. Last is its last household (the next
// batch's After); zero when the audience has no more households.
type BatchResult struct {
	Last       uint64
	Households int
	Residents  int
	Sent       int
	Failed     int
	Capped     int
}

// SendBatch sends in.Template to the residents of the next batch of
// households. A message that fails is counted, not retried here (the
// notifier's own record keeps its attempts); a store that does not answer
// fails the batch, which Temporal retries.
func (b *Broadcasts) SendBatch(ctx context.Context, in BatchInput) (BatchResult, error) {
	aud, err := b.Store.Audience(ctx, in.EstateID, in.Buildings, in.After, in.Limit)
	if err != nil {
		return BatchResult{}, fmt.Errorf("batch %s after %d: %w", in.Key, in.After, err)
	}
	var res BatchResult
	var to []uint64
	for _, a := range aud {
		res.Last = a.HouseholdID
		to = append(to, a.ResidentIDs...)
	}
	res.Households, res.Residents = len(aud), len(to)
	if !in.CapSince.IsZero() && len(to) > 0 {
		if to, err = b.underCap(ctx, in, to); err != nil {
			return BatchResult{}, err
		}
		res.Capped = res.Residents - len(to)
	}
	sent, failed := b.sendAll(ctx, in, to)
	res.Sent, res.Failed = sent, failed
	return res, nil
}

// underCap keeps the residents of to still under the daily cap.
func (b *Broadcasts) underCap(ctx context.Context, in BatchInput, to []uint64) ([]uint64, error) {
	counts, err := b.Store.NoticesSince(ctx, to, in.Template, in.Ref, in.CapSince)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", in.Key, err)
	}
	keep := to[:0:0]
	for _, id := range to {
		if in.Policy.UnderDailyCap(counts[id], false) {
			keep = append(keep, id)
		}
	}
	return keep, nil
}

// sendAll sends the message to each resident of to, Parallel at a time,
// and counts what went out and what failed.
func (b *Broadcasts) sendAll(ctx context.Context, in BatchInput, to []uint64) (sent, failed int) {
	n := b.Parallel
	if n <= 0 {
		n = 8
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, n)
	for _, id := range to {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			msg := SendInput{Key: fmt.Sprintf("%s/resident-%d", in.Key, id), EstateID: in.EstateID,
				RecipientKind: models.RecipientResident, RecipientID: id, Template: in.Template, Params: in.Params, Ref: in.Ref}
			_, err := b.Notifier.Send(ctx, msg)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
			} else {
				sent++
			}
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, sent+failed)
			}
		}()
	}
	wg.Wait()
	return sent, failed
}

// LinkTicketInput names a repair ticket just opened.
type LinkTicketInput struct {
	TicketID uint64
	At       time.Time
}

// LinkTicketResult is the outage that explains the ticket; OutageID 0 for
// none.
type LinkTicketResult struct {
	OutageID uint64
	Utility  models.Utility
}

// LinkTicket links a repair ticket to the active outage that explains it
// (store.LinkOutageTicket), once.
func (b *Broadcasts) LinkTicket(ctx context.Context, in LinkTicketInput) (LinkTicketResult, error) {
	o, err := b.Store.LinkOutageTicket(ctx, in.TicketID, in.At)
	if err != nil {
		return LinkTicketResult{}, err
	}
	return LinkTicketResult{OutageID: o.ID, Utility: o.Utility}, nil
}
