#!/bin/sh
# One-shot job (temporalio/admin-tools), once the Temporal server is healthy:
# the service's namespace and the custom search attributes its workflows set
# (engine/search_attributes.go; config/compose_test.go keeps the two lists
# equal). Safe to run again: existing ones are left as they are.
# The temporal CLI reads TEMPORAL_ADDRESS from the environment.
set -eu

ns=${TEMPORAL_NAMESPACE:-wuye}
retention=${WUYE_NAMESPACE_RETENTION:-720h}

# retry runs a command until it succeeds, 30 tries 2 s apart: the frontend
# answers before it has loaded a new namespace.
retry() {
	n=0
	until "$@"; do
		n=$((n + 1))
		if [ "$n" -ge 30 ]; then
			echo "gave up: $*" >&2
			return 1
		fi
		sleep 2
	done
}

retry temporal operator cluster health
if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
	echo "namespace $ns exists"
else
	temporal operator namespace create --namespace "$ns" --retention "$retention"
fi

# search_attribute NAME TYPE adds one custom search attribute when missing.
search_attribute() {
	if retry temporal operator search-attribute list --namespace "$ns" | grep -qw "$1"; then
		echo "search attribute $1 exists"
	else
		retry temporal operator search-attribute create --namespace "$ns" --name "$1" --type "$2"
	fi
}

search_attribute WuyeEstate Keyword
search_attribute WuyeCaseKind Keyword
search_attribute WuyeStage Keyword
search_attribute WuyeEscalationLevel Int
search_attribute WuyeDueAt Datetime
echo "namespace $ns ready"
