package store

import "gorm.io/gorm"

// DB exposes the GORM handle to the package's external tests.
func (s *Store) DB() *gorm.DB { return s.db }
