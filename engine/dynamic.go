package engine

import "go.temporal.io/server/common/dynamicconfig"

// dynamicConfig is the embedded server's dynamic configuration: the
// settings that differ from the server's defaults for one process on one
// SQLite file, each with why. A key is the server's own name (see
// go.temporal.io/server/common/dynamicconfig/constants.go).
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{}
}
