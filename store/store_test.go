package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
	"github.com/wuye/wuye/store/storetest"
)

// fixture is one estate with a building, a unit, a household and a resident.
type fixture struct {
	estate    models.Estate
	building  models.Building
	unit      models.Unit
	household models.Household
	resident  models.Resident
}

func seed(t *testing.T, s *store.Store, code string) fixture {
	t.Helper()
	ctx := context.Background()
	all := store.AllEstates()
	f := fixture{estate: models.Estate{Code: code, Name: "阳光花园 " + code, TimeZone: "Asia/Shanghai"}}
	must(t, s.CreateEstate(ctx, &f.estate, models.DefaultPolicy(), nil))
	f.building = models.Building{EstateID: f.estate.ID, Name: "1栋"}
	must(t, s.CreateBuilding(ctx, all, &f.building))
	f.unit = models.Unit{BuildingID: f.building.ID, Number: "2-502", Floor: 5}
	must(t, s.CreateUnit(ctx, all, &f.unit))
	f.household = models.Household{UnitID: f.unit.ID}
	must(t, s.CreateHousehold(ctx, all, &f.household))
	f.resident = models.Resident{HouseholdID: f.household.ID, Name: "张三", Phone: "13812345678", Role: models.ResidentOwner}
	must(t, s.CreateResident(ctx, all, &f.resident))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) || ve.Field != field {
		t.Errorf("%s: got %v, want a validation error on %s", what, err, field)
	}
}

func TestMigrateTwice(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		seed(t, s, "A")
		must(t, s.Migrate(context.Background()))
		got, err := s.EstateByCode(context.Background(), "A")
		if err != nil || got.Name != "阳光花园 A" {
			t.Errorf("after a second migration: got %+v, %v, want estate A kept", got, err)
		}
	})
}

// TestMigrateGivesOldTokensAScope: a token made before api_tokens had a
// scope column is a write token after the upgrade, on SQLite and MySQL.
func TestMigrateGivesOldTokensAScope(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		db, err := s.SQL()
		must(t, err)
		_, err = db.ExecContext(ctx, "ALTER TABLE api_tokens DROP COLUMN scope")
		must(t, err)
		_, err = db.ExecContext(ctx, "INSERT INTO api_tokens (staff_id, name, prefix, token_hash, created_at) VALUES (1, 'old', 'wyt_old', 'old-hash', ?)", time.Now().UTC())
		must(t, err)
		must(t, s.Migrate(ctx))
		var scope string
		must(t, db.QueryRowContext(ctx, "SELECT scope FROM api_tokens WHERE token_hash = 'old-hash'").Scan(&scope))
		if scope != string(models.ScopeWrite) {
			t.Errorf("scope of a token older than scopes: got %q, want %q", scope, models.ScopeWrite)
		}
	})
}

func TestEstateScope(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := seed(t, s, "A"), seed(t, s, "B")
		onlyA := store.Estates(a.estate.ID)

		_, err := s.Estate(ctx, onlyA, b.estate.ID)
		wantErr(t, "estate B from estate A", err, models.ErrNotFound)
		_, err = s.Household(ctx, onlyA, b.household.ID)
		wantErr(t, "household B from estate A", err, models.ErrNotFound)
		_, err = s.Resident(ctx, onlyA, b.resident.ID)
		wantErr(t, "resident B from estate A", err, models.ErrNotFound)
		_, err = s.Building(ctx, onlyA, b.building.ID)
		wantErr(t, "building B from estate A", err, models.ErrNotFound)
		_, err = s.Unit(ctx, onlyA, b.unit.ID)
		wantErr(t, "unit B from estate A", err, models.ErrNotFound)
		_, err = s.Policy(ctx, onlyA, b.estate.ID)
		wantErr(t, "policy B from estate A", err, models.ErrNotFound)

		list, err := s.Households(ctx, onlyA, store.HouseholdFilter{}, store.Page{})
		must(t, err)
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != a.household.ID {
			t.Errorf("households seen from A: got %+v, want only A's", list)
		}
		if list.Items[0].Building != "1栋" || list.Items[0].UnitNumber != "2-502" {
			t.Errorf("household address: got %q %q, want 1栋 2-502", list.Items[0].Building, list.Items[0].UnitNumber)
		}
		ests, err := s.Estates(ctx, store.AllEstates(), store.Page{})
		must(t, err)
		if ests.Total != 2 {
			t.Errorf("estates seen by company: got %d, want 2", ests.Total)
		}

		// Writes that reference another estate's records are invalid input.
		wantField(t, "building in estate B", s.CreateBuilding(ctx, onlyA, &models.Building{EstateID: b.estate.ID, Name: "9栋"}), "estate_id")
		wantField(t, "unit in B's building", s.CreateUnit(ctx, onlyA, &models.Unit{BuildingID: b.building.ID, Number: "1"}), "building_id")
		wantField(t, "household in B's unit", s.CreateHousehold(ctx, onlyA, &models.Household{UnitID: b.unit.ID}), "unit_id")
		wantField(t, "resident in B's household", s.CreateResident(ctx, onlyA,
			&models.Resident{HouseholdID: b.household.ID, Name: "李四", Phone: "13900000000", Role: models.ResidentTenant}), "household_id")
		wantErr(t, "update B's resident", s.UpdateResident(ctx, onlyA, &models.Resident{ID: b.resident.ID, Name: "x"}), models.ErrNotFound)
	})
}

func TestDuplicatesConflict(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		all := store.AllEstates()
		wantErr(t, "estate code twice", s.CreateEstate(ctx, &models.Estate{Code: "A", Name: "x", TimeZone: "UTC"}, models.DefaultPolicy(), nil), models.ErrConflict)
		wantErr(t, "building name twice", s.CreateBuilding(ctx, all, &models.Building{EstateID: a.estate.ID, Name: "1栋"}), models.ErrConflict)
		wantErr(t, "unit number twice", s.CreateUnit(ctx, all, &models.Unit{BuildingID: a.building.ID, Number: "2-502"}), models.ErrConflict)
		wantErr(t, "second active household", s.CreateHousehold(ctx, all, &models.Household{UnitID: a.unit.ID}), models.ErrConflict)
		wantErr(t, "username twice", s.CreateStaff(ctx, all, &models.Staff{Username: "u", Name: "u", Role: models.RoleCompanyAdmin, PasswordHash: "h"}), nil)
		wantErr(t, "username twice", s.CreateStaff(ctx, all, &models.Staff{Username: "u", Name: "u", Role: models.RoleCompanyAdmin, PasswordHash: "h"}), models.ErrConflict)
	})
}

func TestHouseholdSearch(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		tests := []struct {
			give string
			want int64
		}{
			{"张三", 1}, {"张", 1}, {"502", 1}, {"王五", 0}, {"%", 0}, {"_", 0}, {"!", 0},
		}
		for _, tt := range tests {
			got, err := s.Households(ctx, store.AllEstates(), store.HouseholdFilter{EstateID: a.estate.ID, Query: tt.give}, store.Page{})
			must(t, err)
			if got.Total != tt.want {
				t.Errorf("search %q: got %d households, want %d", tt.give, got.Total, tt.want)
			}
		}
		// Only whole numbers match, and only for a caller who may see phones.
		for _, tt := range []struct {
			give       string
			matchPhone bool
			want       int64
		}{
			{"1381234", true, 0}, {"13812345678", true, 1}, {"13812345678", false, 0},
		} {
			got, err := s.Residents(ctx, store.AllEstates(), store.ResidentFilter{Query: tt.give, MatchPhone: tt.matchPhone}, store.Page{})
			must(t, err)
			if got.Total != tt.want {
				t.Errorf("resident search by phone %q (match phone %v): got %d, want %d", tt.give, tt.matchPhone, got.Total, tt.want)
			}
		}
	})
}

func TestPaging(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		for i := range 4 {
			must(t, s.CreateBuilding(ctx, store.AllEstates(), &models.Building{EstateID: a.estate.ID, Name: string(rune('A' + i))}))
		}
		page2, err := s.Buildings(ctx, store.AllEstates(), store.BuildingFilter{EstateID: a.estate.ID}, store.Page{Number: 2, Size: 2})
		must(t, err)
		if page2.Total != 5 || len(page2.Items) != 2 || page2.Items[0].Name != "B" || page2.Items[1].Name != "C" {
			t.Errorf("page 2 of 2: got total %d, %d items %+v, want 5 in all, B and C (after 1栋 and A)", page2.Total, len(page2.Items), page2.Items)
		}
	})
}

func TestPolicyVersions(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		all := store.AllEstates()
		cur, err := s.Policy(ctx, all, a.estate.ID)
		must(t, err)
		if cur.Version != 1 || cur.Policy.Fees.LateFeePerTenThousand != models.DefaultPolicy().Fees.LateFeePerTenThousand {
			t.Fatalf("new estate's policy: got version %d %+v, want version 1 with the defaults", cur.Version, cur.Policy.Fees)
		}
		p := cur.Policy
		p.Fees.LateFeePerTenThousand = 20
		by := uint64(7)
		next, err := s.SetPolicy(ctx, all, a.estate.ID, 1, p, &by)
		must(t, err)
		if next.Version != 2 || next.Policy.Fees.LateFeePerTenThousand != 20 || next.UpdatedBy == nil || *next.UpdatedBy != 7 {
			t.Errorf("after a change: got %+v, want version 2 with 2‰ by staff 7", next)
		}
		_, err = s.SetPolicy(ctx, all, a.estate.ID, 1, p, &by)
		wantErr(t, "stale version", err, models.ErrConflict)
		_, err = s.SetPolicy(ctx, store.Estates(a.estate.ID+100), a.estate.ID, 0, p, &by)
		wantErr(t, "another estate's policy", err, models.ErrNotFound)
		hist, err := s.PolicyChanges(ctx, all, a.estate.ID, store.Page{})
		must(t, err)
		if hist.Total != 2 || hist.Items[0].Version != 2 || hist.Items[1].Version != 1 {
			t.Errorf("history: got %+v, want versions 2 then 1", hist.Items)
		}
	})
}

func TestSessionsAndTokens(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	storetest.Each(t, storetest.Options{Now: clock}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := seed(t, s, "A")
		st := models.Staff{EstateID: &a.estate.ID, Username: "kefu", Name: "客服小王", Role: models.RoleCustomerService, PasswordHash: "h", Active: true}
		must(t, s.CreateStaff(ctx, store.AllEstates(), &st))

		must(t, s.CreateSession(ctx, st.ID, "sess1", now.Add(time.Hour)))
		got, err := s.SessionStaff(ctx, "sess1")
		if err != nil || got.ID != st.ID {
			t.Errorf("live session: got %+v, %v, want staff %d", got.ID, err, st.ID)
		}
		must(t, s.CreateSession(ctx, st.ID, "sess-old", now.Add(-time.Minute)))
		_, err = s.SessionStaff(ctx, "sess-old")
		wantErr(t, "expired session", err, models.ErrNotFound)

		tok := models.APIToken{StaffID: st.ID, Name: "呼叫中心", Prefix: "wyt_abcd", TokenHash: "tok1"}
		must(t, s.CreateAPIToken(ctx, &tok))
		if got, gotTok, err := s.TokenStaff(ctx, "tok1"); err != nil || got.ID != st.ID || gotTok.ID != tok.ID || gotTok.Scope != models.ScopeWrite {
			t.Errorf("token: got staff %d, token %d scope %q, %v, want staff %d, token %d of the default scope write", got.ID, gotTok.ID, gotTok.Scope, err, st.ID, tok.ID)
		}
		if got, err := s.APIToken(ctx, store.Estates(a.estate.ID), tok.ID); err != nil || got.StaffID != st.ID {
			t.Errorf("read token %d: got %+v, %v, want the token of staff %d", tok.ID, got, err, st.ID)
		}
		_, err = s.APIToken(ctx, store.Estates(a.estate.ID+1), tok.ID)
		wantErr(t, "read a token of another estate", err, models.ErrNotFound)
		wantErr(t, "revoke from another estate", s.RevokeAPIToken(ctx, store.Estates(a.estate.ID+1), tok.ID), models.ErrNotFound)
		must(t, s.RevokeAPIToken(ctx, store.Estates(a.estate.ID), tok.ID))
		_, _, err = s.TokenStaff(ctx, "tok1")
		wantErr(t, "revoked token", err, models.ErrNotFound)

		// A new password revokes every token of the account.
		tok2 := models.APIToken{StaffID: st.ID, Name: "缴费", Prefix: "wyt_efgh", Scope: models.ScopeRead, TokenHash: "tok2"}
		must(t, s.CreateAPIToken(ctx, &tok2))
		hash := "h2"
		_, err = s.UpdateStaff(ctx, store.Estates(a.estate.ID), st.ID, store.StaffUpdate{PasswordHash: &hash})
		must(t, err)
		_, _, err = s.TokenStaff(ctx, "tok2")
		wantErr(t, "token after a password change", err, models.ErrNotFound)

		off := false
		_, err = s.UpdateStaff(ctx, store.Estates(a.estate.ID), st.ID, store.StaffUpdate{Active: &off})
		must(t, err)
		_, err = s.SessionStaff(ctx, "sess1")
		wantErr(t, "session of a deactivated account", err, models.ErrNotFound)

		_, err = s.UpdateStaff(ctx, store.Estates(a.estate.ID+1), st.ID, store.StaffUpdate{Active: &off})
		wantErr(t, "update another estate's staff", err, models.ErrNotFound)
		list, err := s.Staff(ctx, store.Estates(a.estate.ID+1), store.StaffFilter{}, store.Page{})
		must(t, err)
		if list.Total != 0 {
			t.Errorf("staff seen from another estate: got %d, want 0", list.Total)
		}
	})
}

// A migration takes a lock named after its own database: one database's
// migration (here held open by another connection) never makes another
// database's wait. The lock used to be one name for the whole server, so
// a stuck migration anywhere on it stopped every service and test.
func TestMigrationLockIsPerDatabase(t *testing.T) {
	other, err := sql.Open("mysql", storetest.MySQLDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Held as this release names it, and as releases before it did (one
	// name for the server).
	for _, lock := range []string{"CONCAT('wuye_migrate_', DATABASE())", "'wuye_migrate'"} {
		var got int
		if err := conn.QueryRowContext(context.Background(), "SELECT GET_LOCK("+lock+", 5)").Scan(&got); err != nil || got != 1 {
			t.Fatalf("hold the other database's lock %s: got %d, %v", lock, got, err)
		}
	}
	s := storetest.MySQL(t, storetest.Options{}) // migrates its own, new database
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("migrate while another database's migration holds its lock: got %v, want nil", err)
	}
}

// Migrate holds a connection for its lock and needs another: a pool of one
// (WUYE_DB_MAX_OPEN_CONNS=1) must not wait forever.
func TestMigrateWithAPoolOfOne(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Driver: store.MySQL, DSN: storetest.MySQLDSN(t), MaxOpen: 1, MaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("migrate with MaxOpen 1: got %v, want nil", err)
	}
}

// TestMySQLGetsTimesItCanCompare checks what the store sends MySQL for a
// time with Go's nine decimals: six at most, which MariaDB reads as a
// datetime and compares with a DATETIME column on its index (with nine it
// walks every entry of the index instead).
func TestMySQLGetsTimesItCanCompare(t *testing.T) {
	s := storetest.MySQL(t, storetest.Options{})
	at := time.Date(2026, 12, 7, 7, 42, 10, 643503123, time.UTC)
	var sent string
	if err := s.DB().Raw("SELECT CAST(? AS CHAR)", at).Scan(&sent).Error; err != nil {
		t.Fatal(err)
	}
	if want := "2026-12-07 07:42:10.643503"; sent != want {
		t.Fatalf("sent %q, want %q", sent, want)
	}
}
