package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/wuye/wuye/auth"
	"github.com/wuye/wuye/config"
	"github.com/wuye/wuye/models"
	"github.com/wuye/wuye/store"
)

// bootstrapAdmin creates the first company administrator when the database
// has no staff at all, with WUYE_ADMIN_PASSWORD or a generated password that
// is printed once and must be changed.
func bootstrapAdmin(ctx context.Context, s *store.Store, cfg config.Config, out io.Writer, log *slog.Logger) error {
	n, err := s.CountStaff(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	if n > 0 {
		return nil
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		if password, err = auth.NewPassword(); err != nil {
			return err
		}
		generated = true
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	admin := models.Staff{Username: cfg.AdminUsername, Name: "系统管理员", Role: models.RoleCompanyAdmin,
		PasswordHash: hash, Active: true, MustChangePassword: generated}
	if err := s.CreateStaff(ctx, store.AllEstates(), &admin); err != nil {
		return fmt.Errorf("bootstrap administrator: %w", err)
	}
	log.Info("first company administrator created", "username", admin.Username)
	if generated {
		fmt.Fprintf(out, "\nFirst company administrator: username %q, one-time password %q\n"+
			"  (shown only now; change it with PUT /api/v1/me/password after signing in)\n", admin.Username, password)
	} else {
		fmt.Fprintf(out, "\nFirst company administrator: username %q, password from WUYE_ADMIN_PASSWORD\n", admin.Username)
	}
	return nil
}
