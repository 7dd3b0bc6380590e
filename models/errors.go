package models

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by the store, the workflows and the API. The API maps
// each to one status code in one place (api/errors.go).
var (
	// ErrNotFound: the record does not exist, or lies outside the caller's estates.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record already exists (a duplicate key or business key).
	ErrConflict = errors.New("conflict")
	// ErrInvalidState: the process's current state does not allow the action.
	ErrInvalidState = errors.New("invalid state")
	// ErrForbidden: the caller's role may not perform the action.
	ErrForbidden = errors.New("forbidden")
	// ErrUnavailable: a backing service (the database, Temporal) did not
	// answer; the request may succeed when it is back.
	ErrUnavailable = errors.New("unavailable")
)

// ValidationError reports one invalid input field. Field uses the JSON name
// (dotted for nested values, e.g. "repair.tiers[0].on_site").
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
