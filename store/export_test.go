package store

import "gorm.io/gorm"

// DB exposes the GORM handle to the package's external tests.
func (s *Store) DB() *gorm.DB { return s.db }

// Tables exposes the list of records Migrate creates.
func Tables() []any { return tables() }
