package engine

import (
	"testing"

	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
)

// TestDynamicConfigHistoryCache holds that the server reads the history
// cache's size from the embedded configuration (a misspelt key or a value
// of the wrong type would leave the default of 128,000 in place).
func TestDynamicConfigHistoryCache(t *testing.T) {
	dc := dynamicconfig.NewCollection(dynamicConfig(), log.NewNoopLogger())
	dc.Start()
	defer dc.Stop()
	if got := dynamicconfig.HistoryCacheHostLevelMaxSize.Get(dc)(); got != historyCacheSize {
		t.Errorf("got history.hostLevelCacheMaxSize %d, want %d", got, historyCacheSize)
	}
}
