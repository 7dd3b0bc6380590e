package engine

import (
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
)

// clusterName is stored in the file's cluster metadata: it must never change.
const clusterName = "active"

// serverConfig is the configuration of a single-node server on host, keeping its
// persistence in store and its visibility records in visibility (the same SQLite store
// by default). Metrics, pprof and the frontend's HTTP API stay off.
func serverConfig(host string, ports servicePorts, store, visibility *config.SQL) *config.Config {
	frontend := dialAddr(host, ports.frontend)
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: host}}
	}
	disabled := "disabled"
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{BroadcastAddress: dialHost(host)},
		},
		Persistence: stores(store, visibility),
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			string(primitives.FrontendService): service(ports.frontend),
			string(primitives.HistoryService):  service(ports.history),
			string(primitives.MatchingService): service(ports.matching),
			string(primitives.WorkerService):   service(ports.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: disabled},
			Visibility: config.VisibilityArchival{State: disabled},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: disabled},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: disabled},
			},
		},
		// The server's own worker service reaches the frontend through this address.
		PublicClient: config.PublicClient{HostPort: frontend},
	}
}

// stores names the stores by their plugin: "sqlite" alone by default, or
// "mysql8" for persistence beside "sqlite" for visibility.
func stores(store, visibility *config.SQL) config.Persistence {
	p := config.Persistence{
		DefaultStore:     store.PluginName,
		VisibilityStore:  visibility.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{store.PluginName: {SQL: store}},
	}
	if visibility != store {
		p.DataStores[visibility.PluginName] = config.DataStore{SQL: visibility}
	}
	return p
}

// staticHosts lets each service find the others at fixed addresses, so that no
// membership (ringpop) ports are needed and start-up does not wait for a ring to form.
func staticHosts(host string, ports servicePorts) map[primitives.ServiceName]static.Hosts {
	addr := func(port int) static.Hosts {
		return static.SingleLocalHost(dialAddr(host, port))
	}
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: addr(ports.frontend),
		primitives.HistoryService:  addr(ports.history),
		primitives.MatchingService: addr(ports.matching),
		primitives.WorkerService:   addr(ports.worker),
	}
}
