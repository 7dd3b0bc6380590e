package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wuye/wuye/bench/svc"
)

// runOutageBroadcast measures "outage planned → every household told":
// c.outage households, each with a resident, in one building; a company
// administrator declares an emergency water outage of it starting now
// (its announcement goes at once, whatever the hour), and the latency runs
// from the create request to the moment the outage's detail counts every
// message sent (its messages polled every 100 ms). One sample: the p50,
// p99 and max are that time; Achieved is messages sent per second.
func runOutageBroadcast(ctx context.Context, c config, tg target) (Stats, error) {
	st := Stats{Name: fmt.Sprintf("outage notice → %d households sent", c.outage)}
	e, err := svc.SetupEstate(ctx, tg.base, "OUT", nil)
	if err != nil {
		return st, err
	}
	admin := e.Admin
	var building idOnly
	if err := admin.Call(ctx, http.MethodPost, "/api/v1/buildings", map[string]any{"estate_id": e.ID, "name": "停水楼"}, http.StatusCreated, &building); err != nil {
		return st, err
	}
	for i := range c.outage {
		var unit, hh idOnly
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/units", map[string]any{"building_id": building.ID, "number": strconv.Itoa(1001 + i)}, http.StatusCreated, &unit); err != nil {
			return st, err
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/households", map[string]any{"unit_id": unit.ID}, http.StatusCreated, &hh); err != nil {
			return st, err
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/residents", map[string]any{"household_id": hh.ID, "name": "业主" + strconv.Itoa(i),
			"phone": fmt.Sprintf("139%08d", i), "role": "owner"}, http.StatusCreated, nil); err != nil {
			return st, err
		}
	}
	var created struct {
		Outage idOnly `json:"outage"`
	}
	start := time.Now()
	if err := admin.Call(ctx, http.MethodPost, "/api/v1/outages", map[string]any{"estate_id": e.ID, "utility": "water", "buildings": []string{"停水楼"},
		"starts_at": start, "ends_at": start.Add(2 * time.Hour), "reason": "基准测试", "emergency": true}, http.StatusCreated, &created); err != nil {
		return st, err
	}
	st.Sent = c.outage
	deadline := start.Add(10 * time.Minute)
	for {
		var d struct {
			Counts struct {
				Sent int `json:"sent"`
			} `json:"counts"`
		}
		if err := admin.Call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/outages/%d", created.Outage.ID), nil, http.StatusOK, &d); err != nil {
			return st, err
		}
		if d.Counts.Sent >= c.outage {
			break
		}
		if time.Now().After(deadline) {
			st.OK, st.Errors, st.FirstFail = d.Counts.Sent, c.outage-d.Counts.Sent, "not every household told in 10 minutes"
			return st, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	ms := float64(took) / float64(time.Millisecond)
	st.OK, st.P50ms, st.P99ms, st.MaxMs = c.outage, ms, ms, ms
	st.Achieved = float64(c.outage) / took.Seconds()
	return st, nil
}
