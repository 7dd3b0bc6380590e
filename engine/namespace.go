package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// CheckNamespace reports whether namespace exists on the cluster behind c and has each
// custom search attribute of want with its type. Workers started without them run, but
// every workflow task that sets a missing attribute fails (BAD_SEARCH_ATTRIBUTES) and the
// process stops moving, so the service checks at start. The error says what is wrong
// and, for the attributes, lists the temporal CLI commands that fix it, one a line.
func CheckNamespace(ctx context.Context, c client.Client, namespace string, want map[string]enums.IndexedValueType) error {
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var (
		nsNotFound *serviceerror.NamespaceNotFound
		notFound   *serviceerror.NotFound
	)
	switch {
	case errors.As(err, &nsNotFound), errors.As(err, &notFound):
		return fmt.Errorf("namespace %q does not exist: create it (temporal operator namespace create --namespace %s) or name another", namespace, namespace)
	case err != nil:
		return fmt.Errorf("describe namespace %q: %w", namespace, err)
	}
	if len(want) == 0 {
		return nil
	}
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of namespace %q: %w", namespace, err)
	}
	have := list.GetCustomAttributes()
	var problems, commands []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		create := fmt.Sprintf("temporal operator search-attribute create --namespace %s --name %s --type %s", namespace, name, want[name])
		switch got, ok := have[name]; {
		case !ok:
			problems = append(problems, name+" is missing")
			commands = append(commands, create)
		case got != want[name]:
			problems = append(problems, fmt.Sprintf("%s is %s, want %s", name, got, want[name]))
			commands = append(commands, fmt.Sprintf("temporal operator search-attribute remove --namespace %s --name %s", namespace, name), create)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("namespace %q lacks search attributes the workflows set (%s); run:\n  %s",
		namespace, strings.Join(problems, "; "), strings.Join(commands, "\n  "))
}
