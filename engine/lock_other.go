//go:build !unix

package engine

// dirLock does nothing where flock(2) is missing: there, nothing stops a second
// process from opening the same store.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}
