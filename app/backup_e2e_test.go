package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wuye/wuye/attachments/attachtest"
	"github.com/wuye/wuye/backup"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/models"
)

// TestBackupRestoreKeepsTicketsAndTimers is the operator's path: a running
// service with a critical ticket whose on-site deadline is seconds away is
// backed up while it runs, stopped, restored into a fresh data directory and
// started there. The tickets, accounts and generated secrets are there (the
// sealed histories open with the restored payload keys), the ticket's timer fires
// on the restored service and escalates to the supervisor, and the staff's
// actions on the ticket work.
func TestBackupRestoreKeepsTicketsAndTimers(t *testing.T) {
	// As operators run it: with the payload keys generated into the data
	// directory, not the fixed test keys.
	config := func(dir string) config.Config {
		cfg := testConfig(t, dir)
		cfg.PayloadKeysFile = ""
		return cfg
	}
	liveDir := t.TempDir()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Start(context.Background(), config(liveDir), Options{Out: io.Discard, Log: log})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			a.Stop(context.Background())
		}
	})

	// Deadlines far enough out that the backup holds the timers still
	// pending; they fall due about when the restored service starts (a
	// deadline that passed while it was stopped fires as it starts).
	estateID, as, ids := estateWithStaff(t, a, "BAK", func(p *models.Policy) {
		secondScaleRepairs(p)
		for i := range p.Repair.Tiers {
			if p.Repair.Tiers[i].Urgency == models.UrgencyCritical {
				p.Repair.Tiers[i].Contact = models.Duration(6 * time.Second)
				p.Repair.Tiers[i].OnSite = models.Duration(8 * time.Second)
			}
		}
	})
	desk := as[models.RoleCustomerService]
	var critical, normal idOnly
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "critical",
		"category": "水管", "description": "地下车库水管爆裂", "location": "2栋地下车库", "channel": "phone"}, &critical, http.StatusCreated)
	desk.mustCall(http.MethodPost, "/api/v1/tickets", map[string]any{"estate_id": estateID, "kind": "repair", "urgency": "normal",
		"category": "门窗", "description": "窗户关不上", "location": "3栋 502", "channel": "walk_in"}, &normal, http.StatusCreated)

	// A photo of the normal ticket, kept in the data directory.
	if got := desk.uploadForm(fmt.Sprintf("/api/v1/tickets/%d/attachments", normal.ID), map[string]string{"kind": "before"},
		"before.jpg", attachtest.JPEG(320, 240), nil); got != http.StatusCreated {
		t.Fatalf("photo upload: got %d, want 201", got)
	}
	livePhoto := photoOf(t, desk, normal.ID)

	files, err := StateFiles(config(liveDir))
	if err != nil {
		t.Fatal(err)
	}
	backupDir := filepath.Join(t.TempDir(), "backup")
	started := time.Now()
	m, err := backup.Create(context.Background(), backupDir, files, started)
	if err != nil {
		t.Fatalf("backup of the running service: %v", err)
	}
	t.Logf("backup of %d files took %v", len(m.Files), time.Since(started))
	path := fmt.Sprintf("/api/v1/tickets/%d", critical.ID)
	var d ticketDetail
	desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
	if len(d.Escalations) != 0 {
		t.Fatalf("escalations before the restore: got %+v, want none yet (the deadline is 8 s out)", d.Escalations)
	}
	a.Stop(context.Background())
	stopped = true

	restoredDir := filepath.Join(t.TempDir(), "restored")
	cfg := config(restoredDir)
	rfiles, err := StateFiles(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(backupDir, restoredDir, rfiles); err != nil {
		t.Fatalf("restore: %v", err)
	}
	// The generated secrets come back too: without the payload keys the
	// restored histories could not be opened.
	for _, name := range []string{linkSecretFile, payloadKeysFile} {
		live, _ := os.ReadFile(filepath.Join(liveDir, name))
		got, err := os.ReadFile(filepath.Join(restoredDir, name))
		if err != nil || len(live) == 0 || !bytes.Equal(got, live) {
			t.Errorf("restored %s: got %d bytes (%v), want the live service's %d bytes", name, len(got), err, len(live))
		}
	}

	restarted := time.Now()
	t.Logf("restored, starting %v after the backup", restarted.Sub(started))
	b := startApp(t, cfg)
	desk = signIn(t, b, "BAK-"+string(models.RoleCustomerService), "staff-password")
	desk.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", normal.ID), nil, nil, http.StatusOK)
	if got := photoOf(t, desk, normal.ID); !bytes.Equal(got, livePhoto) {
		t.Errorf("the photo after the restore: got %d bytes, want the live service's %d", len(got), len(livePhoto))
	}

	waitFor(t, 60*time.Second, "escalation to the supervisor on the restored service", func() bool {
		desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
		for _, e := range d.Escalations {
			if e.Detail["role"] == string(models.RoleSupervisor) { // the first breach, contact, climbs the ladder
				return hasMessage(d.Messages, ids[models.RoleSupervisor], "escalation")
			}
		}
		return false
	})
	for _, e := range d.Escalations {
		if e.At.Before(restarted) {
			t.Errorf("escalation %v at %v: before the restored service started (%v)", e.Detail, e.At, restarted)
		}
	}

	tech := signIn(t, b, "BAK-"+string(models.RoleTechnician), "staff-password")
	desk.mustCall(http.MethodPost, path+"/actions/dispatch", map[string]any{"assignee_id": ids[models.RoleTechnician]}, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/accept", nil, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/contact", nil, nil, http.StatusOK)
	tech.mustCall(http.MethodPost, path+"/actions/arrive", nil, nil, http.StatusOK)
	desk.mustCall(http.MethodGet, path, nil, &d, http.StatusOK)
	if d.Process == nil {
		t.Fatal("process state after the restore: got none, want the live state")
	}
	for _, dl := range d.Process.Deadlines {
		if dl.Milestone == models.MilestoneOnSite && !dl.Done {
			t.Errorf("on-site deadline after arrival on the restored service: got not done, want done")
		}
	}
}

// photoOf is the bytes of ticket id's only photo, as staff get them.
func photoOf(t *testing.T, c *apiClient, id uint64) []byte {
	t.Helper()
	var photos struct {
		Items []struct {
			URL string `json:"url"`
		} `json:"items"`
	}
	c.mustCall(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/attachments", id), nil, &photos, http.StatusOK)
	if len(photos.Items) != 1 {
		t.Fatalf("photos of ticket %d: got %d, want 1", id, len(photos.Items))
	}
	status, raw := c.get(photos.Items[0].URL)
	if status != http.StatusOK || len(raw) == 0 {
		t.Fatalf("photo of ticket %d: got %d, %d bytes, want 200 and the photo", id, status, len(raw))
	}
	return raw
}
