package store

import (
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
)

// sqliteDialect is gorm's SQLite dialector with a migrator that knows
// SQLite keeps no column lengths.
//
// gorm reads a column's length from a row of the table. On an empty table
// there is none, but once the table has rows the driver reports every text
// column as "length 2^63-1", and AutoMigrate takes each text column with a
// size tag and NOT NULL for a changed column: it rebuilt the table (copied
// every row into a new one and built every index again) at every start. At
// 100,000 tickets and 300,000 bills that was 15 of the 17 seconds a start
// took. A length SQLite does not keep is not a change.
type sqliteDialect struct{ *sqlite.Dialector }

func newSQLiteDialect(cfg sqlite.Config) sqliteDialect {
	return sqliteDialect{sqlite.New(cfg).(*sqlite.Dialector)}
}

// Migrator is the SQLite migrator with lengths left unknown.
func (d sqliteDialect) Migrator(db *gorm.DB) gorm.Migrator {
	return sqliteMigrator{d.Dialector.Migrator(db).(sqlite.Migrator)}
}

type sqliteMigrator struct{ sqlite.Migrator }

// ColumnTypes are the table's columns, each without a length.
func (m sqliteMigrator) ColumnTypes(value any) ([]gorm.ColumnType, error) {
	cols, err := m.Migrator.ColumnTypes(value)
	for i, c := range cols {
		cols[i] = noLength{c}
	}
	return cols, err
}

// noLength is a column whose length is not known, as SQLite has none.
type noLength struct{ column }

// column names gorm.ColumnType as a field that does not hide its method
// ColumnType.
type column = gorm.ColumnType

func (noLength) Length() (int64, bool) { return 0, false }
