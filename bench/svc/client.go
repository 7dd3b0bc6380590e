package svc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/wuye/wuye/models"
)

// Client speaks JSON to the API as one signed-in account.
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// Response is a finished request.
type Response struct {
	Status int
	Body   []byte
}

// APIError is the API's error body.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		State   string `json:"state"`
	} `json:"error"`
}

// Do sends body as JSON (nil for none) with an Idempotency-Key when key is
// not empty.
func (c *Client) Do(ctx context.Context, method, path, key string, body any) (Response, error) {
	var rd io.Reader
	if body != nil {
		raw, ok := body.([]byte)
		if !ok {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				return Response{}, err
			}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: raw}, err
}

// Call sends a request, wants status want and decodes the answer into out
// when out is not nil.
func (c *Client) Call(ctx context.Context, method, path string, body any, want int, out any) error {
	r, err := c.Do(ctx, method, path, "", body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if r.Status != want {
		return fmt.Errorf("%s %s: got %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return fmt.Errorf("%s %s: decode %s: %w", method, path, r.Body, err)
		}
	}
	return nil
}

// Upload posts file as the multipart field "file" named name, wants status
// want and decodes the answer into out when out is not nil.
func (c *Client) Upload(ctx context.Context, path, name string, file []byte, want int, out any) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err == nil {
		_, err = fw.Write(file)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: got %d %.500s, want %d", path, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("POST %s: decode %.500s: %w", path, raw, err)
		}
	}
	return nil
}

// SignIn opens a session and returns a client for it.
func SignIn(ctx context.Context, base, username, password string) (*Client, error) {
	c := &Client{Base: base, HTTP: &http.Client{Timeout: 60 * time.Second}}
	var out struct {
		Token string `json:"token"`
	}
	err := c.Call(ctx, http.MethodPost, "/api/v1/sessions", map[string]string{"username": username, "password": password}, http.StatusCreated, &out)
	c.Token = out.Token
	return c, err
}

// Estate is an estate made through the API with one account of each
// working role.
type Estate struct {
	ID      uint64
	Admin   *Client
	Staff   map[models.Role]uint64
	Clients map[models.Role]*Client
}

// StaffPassword is the password the accounts SetupEstate creates choose at
// their first sign-in, replacing the one-time password they are given.
const (
	StaffPassword   = "staff-password"
	oneTimePassword = "one-time-password"
)

// firstSignIn signs a new account in with its one-time password, sets
// StaffPassword in its place (every session ends then) and signs in again.
func firstSignIn(ctx context.Context, base, user string) (*Client, error) {
	c, err := SignIn(ctx, base, user, oneTimePassword)
	if err != nil {
		return nil, err
	}
	if err := c.Call(ctx, http.MethodPut, "/api/v1/me/password",
		map[string]string{"current_password": oneTimePassword, "new_password": StaffPassword}, http.StatusNoContent, nil); err != nil {
		return nil, err
	}
	return SignIn(ctx, base, user, StaffPassword)
}

// SetupEstate creates an estate whose policy tune adjusts, and an account of
// each role in it, through the API as the first administrator.
func SetupEstate(ctx context.Context, base, code string, tune func(*models.Policy)) (*Estate, error) {
	admin, err := SignIn(ctx, base, "admin", AdminPassword)
	if err != nil {
		return nil, err
	}
	var estate struct {
		ID uint64 `json:"id"`
	}
	if err := admin.Call(ctx, http.MethodPost, "/api/v1/estates", map[string]any{"code": code, "name": "压测小区 " + code}, http.StatusCreated, &estate); err != nil {
		return nil, err
	}
	if tune != nil {
		if err := TunePolicy(ctx, admin, estate.ID, tune); err != nil {
			return nil, err
		}
	}
	e := &Estate{ID: estate.ID, Admin: admin, Staff: map[models.Role]uint64{}, Clients: map[models.Role]*Client{models.RoleCompanyAdmin: admin}}
	for i, role := range []models.Role{models.RoleCustomerService, models.RoleTechnician, models.RoleSupervisor, models.RoleEstateManager} {
		user := fmt.Sprintf("%s-%s", code, role)
		var st struct {
			ID uint64 `json:"id"`
		}
		if err := admin.Call(ctx, http.MethodPost, "/api/v1/staff", map[string]any{"estate_id": estate.ID, "username": user, "name": user,
			"role": role, "password": oneTimePassword, "phone": fmt.Sprintf("1390000%04d", i)}, http.StatusCreated, &st); err != nil {
			return nil, err
		}
		e.Staff[role] = st.ID
		if e.Clients[role], err = firstSignIn(ctx, base, user); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// TunePolicy changes the estate's policy by tune through the API (read,
// changed, saved at the version read).
func TunePolicy(ctx context.Context, admin *Client, estateID uint64, tune func(*models.Policy)) error {
	var pol models.EstatePolicy
	path := fmt.Sprintf("/api/v1/estates/%d/policy", estateID)
	if err := admin.Call(ctx, http.MethodGet, path, nil, http.StatusOK, &pol); err != nil {
		return err
	}
	tune(&pol.Policy)
	return admin.Call(ctx, http.MethodPut, path, map[string]any{"version": pol.Version, "policy": pol.Policy}, http.StatusOK, nil)
}

// SecondScale makes critical repairs due on site window after they are
// reported (contact at the same instant), normal repairs due on site at their
// appointment (contact too), warns at 1% of each window, and escalates to the
// supervisor at the deadline, to the manager an hour later: every open
// ticket answers a deadline with exactly two level-1 escalations.
func SecondScale(window time.Duration) func(*models.Policy) {
	return func(p *models.Policy) {
		for i := range p.Repair.Tiers {
			t := &p.Repair.Tiers[i]
			switch t.Urgency {
			case models.UrgencyCritical:
				t.Contact, t.OnSite, t.Complete = models.Duration(window), models.Duration(window), models.Duration(2*time.Hour)
			case models.UrgencyNormal:
				// Contact is clamped to the appointment, which sets on_site.
				// Completion is ten days out, so that its warning (at 1 %: 2.4 h)
				// falls after any lateness window, not in it.
				t.OnSiteSameDay = false
				t.Contact, t.OnSite, t.Complete = models.Duration(24*time.Hour), models.Duration(24*time.Hour), models.Duration(240*time.Hour)
			}
		}
		p.Repair.WarnAtPercent = 1
		p.Escalation.Levels = []models.EscalationLevel{
			{Level: 1, Role: models.RoleSupervisor, After: 0},
			{Level: 2, Role: models.RoleEstateManager, After: models.Duration(time.Hour)},
			{Level: 3, Role: models.RoleCompanyAdmin, After: models.Duration(2 * time.Hour)},
		}
	}
}

// CriticalRepair is a valid create-ticket body for an estate.
func CriticalRepair(estateID uint64) map[string]any {
	return map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "critical", "category": "水管",
		"description": "地下车库水管爆裂", "location": "2栋地下车库", "channel": "phone"}
}

// AppointedRepair is a normal repair due on site at the appointment.
func AppointedRepair(estateID uint64, at time.Time) map[string]any {
	return map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "normal", "category": "门窗",
		"description": "窗户关不上", "location": "物业办公室", "channel": "walk_in", "appointment": at.UTC().Format(time.RFC3339Nano)}
}
