package engine

import "go.temporal.io/server/common/dynamicconfig"

// dynamicConfig is the embedded server's dynamic configuration: the
// settings that differ from the server's defaults for one process on one
// SQLite file, each with why. A key is the server's own name (see
// go.temporal.io/server/common/dynamicconfig/constants.go).
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Tasks are written to one partition of each task queue: one worker
		// process polls them, and with the server's four a task often waits
		// in one partition while a poll lands on another, to be forwarded or
		// written to the store and read back; partitions spread load across
		// matching hosts, of which there is one here. The read partitions
		// stay at the server's four, so that tasks an older version left in
		// the others are still read (a task queue's partitions are lowered
		// writes first, reads once the rest is drained).
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}
