package engine

import "go.temporal.io/server/common/dynamicconfig"

// historyCacheSize is how many workflows' mutable state the embedded history
// service keeps decoded in memory (the server's default is 128,000, sized
// for a host of a cluster). Measured at 10,000 open tickets, each cached
// state holds about 13 KiB of heap as profiled, more in RSS; 4,096 in
// place of all 10,000 took RSS from 918 to 659 MiB (docs/benchmarks.md,
// Memory at 10,000 open processes); a
// workflow out of the cache is read back from SQLite (one row set) when its
// next task or timer comes, which is cheap next to the task itself. 4,096
// is far above the workflows one process works on at once, and an entry in
// use is pinned, so a burst of timers never finds the cache full.
const historyCacheSize = 4096

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
		// Memory (issue 15): bounds the history service's mutable-state
		// cache, which otherwise grows with every workflow touched in the
		// last hour (history.cacheTTL) up to 128,000.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): historyCacheSize,
	}
}
