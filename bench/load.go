package main

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// lateSend is how far behind its schedule a send may start before it counts
// as late: the load generator itself fell behind.
const lateSend = 10 * time.Millisecond

// Stats summarises one endpoint under load. Latencies are from the
// scheduled send time, so a send that started late counts its wait.
type Stats struct {
	Name      string  `json:"name"`
	Rate      float64 `json:"target_rate_per_s"`
	Sent      int     `json:"sent"`
	OK        int     `json:"ok"`
	Errors    int     `json:"errors"`
	Late      int     `json:"late_sends"`
	Dropped   int     `json:"dropped"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	Achieved  float64 `json:"achieved_ok_per_s"`
	FirstFail string  `json:"first_failure,omitempty"`
	// Samples are a closed loop's latencies in the order sent, so that a
	// tail can be told apart: the first reads (a cold cache) or some
	// along the way (the service busy with something else).
	Samples []float64 `json:"samples_ms,omitempty"`
}

// call is one request; it returns the HTTP status (or 200 for a call
// that is not HTTP and succeeded).
type call func(ctx context.Context, i int) (int, error)

// openLoop sends rate requests per second for d, each on its schedule
// whether or not earlier ones have returned, with at most maxInFlight
// outstanding (beyond that a send is dropped and counted).
func openLoop(ctx context.Context, name string, rate float64, d time.Duration, maxInFlight int, fn call) Stats {
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d / interval)
	var (
		mu        sync.Mutex
		lats      []time.Duration
		st        = Stats{Name: name, Rate: rate}
		wg        sync.WaitGroup
		inFlight  atomic.Int32
		firstFail string
	)
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return st
			}
		}
		st.Sent++
		if time.Since(at) > lateSend {
			st.Late++
		}
		if int(inFlight.Load()) >= maxInFlight {
			st.Dropped++
			continue
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			status, err := fn(ctx, i)
			lat := time.Since(at)
			mu.Lock()
			defer mu.Unlock()
			lats = append(lats, lat)
			if err != nil || status < 200 || status >= 300 {
				st.Errors++
				if firstFail == "" {
					if err != nil {
						firstFail = err.Error()
					} else {
						firstFail = http.StatusText(status)
					}
				}
				return
			}
			st.OK++
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	st.FirstFail = firstFail
	st.P50ms, st.P99ms, st.MaxMs = percentiles(lats)
	st.Achieved = float64(st.OK) / elapsed.Seconds()
	return st
}

// percentiles returns p50, p99 and max in milliseconds.
func percentiles(ds []time.Duration) (p50, p99, maxMs float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pick := func(q float64) float64 {
		i := int(q * float64(len(s)-1))
		return ms(s[i])
	}
	return pick(0.50), pick(0.99), ms(s[len(s)-1])
}

// each runs fn(i) for every i in [0, n), workers at a time, until ctx
// ends.
func each(ctx context.Context, n, workers int, fn func(i int)) {
	var (
		next atomic.Int32
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// closedLoop times n requests one after another (for the read model at
// scale, where each request is measured alone).
func closedLoop(ctx context.Context, name string, n int, fn call) Stats {
	st := Stats{Name: name}
	var lats []time.Duration
	start := time.Now()
	for i := range n {
		t := time.Now()
		status, err := fn(ctx, i)
		lat := time.Since(t)
		lats = append(lats, lat)
		st.Samples = append(st.Samples, ms(lat))
		st.Sent++
		if err != nil || status != http.StatusOK {
			st.Errors++
			if st.FirstFail == "" {
				if err != nil {
					st.FirstFail = err.Error()
				} else {
					st.FirstFail = http.StatusText(status)
				}
			}
			continue
		}
		st.OK++
	}
	st.P50ms, st.P99ms, st.MaxMs = percentiles(lats)
	st.Achieved = float64(st.OK) / time.Since(start).Seconds()
	return st
}
