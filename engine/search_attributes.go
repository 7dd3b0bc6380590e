package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// namespaceRefresh is how long every service of the server may take to see a change to a
// namespace, such as a new search attribute (the server's namespace cache refreshes every
// 2 seconds by default).
const namespaceRefresh = 3 * time.Second

// DefaultSearchAttributes returns the custom search attributes the service's workflows
// use. Their values are stored in clear: never names or phone numbers.
func DefaultSearchAttributes() map[string]enums.IndexedValueType {
	return map[string]enums.IndexedValueType{
		"WuyeEstate":          enums.INDEXED_VALUE_TYPE_KEYWORD,
		"WuyeCaseKind":        enums.INDEXED_VALUE_TYPE_KEYWORD,
		"WuyeStage":           enums.INDEXED_VALUE_TYPE_KEYWORD,
		"WuyeEscalationLevel": enums.INDEXED_VALUE_TYPE_INT,
		"WuyeDueAt":           enums.INDEXED_VALUE_TYPE_DATETIME,
	}
}

// RegisterSearchAttributes adds the attributes the namespace lacks (also used
// against an external cluster at start). An attribute that
// exists with the same type is left alone; one that exists with another type is an error,
// returned after the missing ones were added.
// When it added any, it waits until every service can have seen them.
func RegisterSearchAttributes(
	ctx context.Context,
	c client.Client,
	namespace string,
	want map[string]enums.IndexedValueType,
) error {
	if len(want) == 0 {
		return nil
	}
	ops := c.OperatorService()
	list, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	have := list.GetCustomAttributes()
	missing := make(map[string]enums.IndexedValueType)
	var mismatch []error
	for _, name := range slices.Sorted(maps.Keys(want)) {
		got, ok := have[name]
		switch {
		case !ok:
			missing[name] = want[name]
		case got != want[name]:
			mismatch = append(mismatch, fmt.Errorf("search attribute %s is %s, want %s", name, got, want[name]))
		}
	}
	if len(missing) == 0 {
		return errors.Join(mismatch...)
	}

	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes: %w", err)
	}

	select {
	case <-time.After(namespaceRefresh):
		return errors.Join(mismatch...)
	case <-ctx.Done():
		return fmt.Errorf("wait for new search attributes: %w", ctx.Err())
	}
}
