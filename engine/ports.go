package engine

import (
	"fmt"
	"net"
	"strconv"
)

// servicePorts are the gRPC ports of the four server services.
type servicePorts struct {
	frontend, history, matching, worker int
}

// portNames names the services in the order their ports are derived from the frontend port.
var portNames = [...]string{"frontend", "history", "matching", "worker"}

func (p servicePorts) list() [4]int {
	return [4]int{p.frontend, p.history, p.matching, p.worker}
}

// choosePorts returns the services' ports. With frontend 0 it takes free ports from the
// kernel; otherwise the others follow the frontend port (+1, +2, +3) and each must be free.
func choosePorts(host string, frontend int) (servicePorts, error) {
	if frontend == 0 {
		ports, err := freePorts(host, len(portNames))
		if err != nil {
			return servicePorts{}, err
		}
		return servicePorts{ports[0], ports[1], ports[2], ports[3]}, nil
	}
	p := servicePorts{frontend, frontend + 1, frontend + 2, frontend + 3}
	for i, port := range p.list() {
		if err := checkFree(host, port); err != nil {
			return servicePorts{}, fmt.Errorf("port for the %s service: %w", portNames[i], err)
		}
	}
	return p, nil
}

// freePorts asks the kernel for n distinct free ports. The listeners stay open until all
// are chosen so that no port is handed out twice.
func freePorts(host string, n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("find a free port on %s: %w", host, err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// checkFree reports an error when port cannot be listened on.
func checkFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d on %s is not free: %w", port, host, err)
	}
	return l.Close()
}

// dialHost is the address clients use to reach a service listening on host.
func dialHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}

// dialAddr is the address clients use to reach the service listening on host at port.
func dialAddr(host string, port int) string {
	return net.JoinHostPort(dialHost(host), strconv.Itoa(port))
}
