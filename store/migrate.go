package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/wuye/wuye/models"
)

// tables lists every record the store keeps, in creation order.
func tables() []any {
	return []any{
		&models.Estate{}, &models.Building{}, &models.Unit{}, &models.Household{}, &models.Resident{},
		&models.Staff{}, &models.Session{}, &models.APIToken{}, &models.SignInFailure{}, &models.IdempotencyKey{},
		&models.EstatePolicy{}, &models.PolicyChange{},
		&models.Message{}, &models.MessageAttempt{}, &models.MessageDelivery{},
		&models.Ticket{}, &models.CaseEvent{},
		&models.MoveIn{}, &models.FollowUp{},
		&models.FeeItem{}, &models.HouseholdBill{}, &models.BillingRun{}, &models.FeePayment{},
		&models.BillDispute{}, &models.LateFeeWaiver{}, &models.InstalmentPlan{},
		&models.CollectionCase{}, &models.CollectionTask{}, &models.DemandLetter{},
		&models.PhoneReveal{},
		&models.SavedFilter{},
		&models.ReceiptCounter{}, &models.Receipt{},
		&models.Reconciliation{}, &models.Mismatch{},
		&models.PaymentNonce{}, &models.PaymentReversal{},
		&models.FeeStandard{}, &models.FeeStandardVersion{}, &models.BillLine{}, &models.MeterReading{}, &models.BillAdjustment{},
		&models.Import{}, &models.ImportRow{},
		&models.Attachment{},
		&models.ResidentLink{}, &models.ResidentLinkUse{},
		&models.Upgrade{}, &models.SLADeadline{}, &models.SLADay{}, &models.CaseStageTotal{}, &models.TicketStatusTotal{},
		&models.BillSettlement{}, &models.CollectionPeriod{},
		&models.Equipment{}, &models.InspectionPlan{}, &models.Inspection{},
		// Service contracts (物业服务合同).
		&models.Contract{}, &models.ContractVersion{},
		// The numbers of bulk messages in their release batches (issue 15).
		&models.ReleaseSlot{}, &models.ReleaseCounter{},

		&models.Outage{}, &models.OutageTicket{}, &models.Notice{},

		&models.SurveyCampaign{}, &models.SurveyInvitation{}, &models.SurveyResponse{},
	}
}

// Migrate creates the schema or upgrades it to this version: new tables,
// columns and indexes are added, nothing is dropped but the indexes a
// wider one replaced (replacedIndexes). It is safe to run twice
// and, on MySQL, from several processes at once (they take turns under a
// named lock).
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if s.driver == MySQL {
		sqlDB, err := s.db.DB()
		if err != nil {
			return err
		}
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		var got int
		// The lock is named after the database: services (or tests) on
		// other databases of the same server never wait for each other.
		const lock = "CONCAT('wuye_migrate_', DATABASE())"
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lock+", 60)").Scan(&got); err != nil || got != 1 {
			return fmt.Errorf("migrate: take the migration lock: got %d, %v", got, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+lock+")") //nolint:errcheck // released with the connection anyway
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := db.AutoMigrate(tables()...); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, step := range upgrades {
		if err := step(db); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// upgrades bring rows written by earlier versions in line, in order, after
// the schema is; each is safe to run at every Migrate (the fills of the
// summary rows work once, and record that they did).
var upgrades = []func(*gorm.DB) error{dropReplacedIndexes, copyOldJournals, copyOldAreas, issueMissingReceipts, fillSLASummary, fillSLADaysOpen, fillCaseTotals, fillCollection, fillTicketTotals}

// replacedIndexes are the indexes of earlier versions that a wider one took
// over (every read they served, it serves), by table: left in place, they
// would cost every write and serve no read.
var replacedIndexes = []struct {
	model any
	name  string
}{
	{&models.CaseEvent{}, "idx_case_event_type_at"},        // idx_case_event_kind_type_at
	{&models.CaseEvent{}, "idx_case_event_estate_type_at"}, // idx_case_event_estate_kind_type_at
	{&models.SLADeadline{}, "idx_sla_deadline_due"},        // idx_sla_deadline_due_ticket
	{&models.SLADeadline{}, "idx_sla_deadline_estate"},     // idx_sla_deadline_estate_ticket
}

// dropReplacedIndexes drops the replacedIndexes a database still has.
func dropReplacedIndexes(db *gorm.DB) error {
	m := db.Session(&gorm.Session{NewDB: true}).Migrator()
	for _, r := range replacedIndexes {
		if !m.HasIndex(r.model, r.name) {
			continue
		}
		if err := m.DropIndex(r.model, r.name); err != nil {
			return fmt.Errorf("drop index %s: %w", r.name, err)
		}
	}
	return nil
}

// copyOldAreas fills units' area (hundredths of m², area_centi) from the
// float area_m2 units had before, once: a unit whose area is still 0 takes
// the old figure rounded to 0.01 m². The old column stays, unread.
func copyOldAreas(db *gorm.DB) error {
	if !db.Migrator().HasColumn(&models.Unit{}, "area_m2") {
		return nil
	}
	err := db.Exec("UPDATE units SET area_centi = ROUND(area_m2 * 100) WHERE area_centi = 0 AND area_m2 > 0 AND area_m2 <= ?",
		float64(models.MaxArea)/100).Error
	if err != nil {
		return fmt.Errorf("copy units' areas: %w", err)
	}
	return nil
}
