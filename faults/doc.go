// Package faults holds tests that break a running wuye process on purpose —
// kill -9 under load, a restart with an escalation pending, the database
// cut off, the notification gateway down, duplicate requests racing — and
// check what survives. The tests build the binary once per run (see
// TestMain) and drive it through its HTTP API and its database, as an
// operator would.
package faults
