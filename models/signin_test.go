package models

import (
	"testing"
	"time"
)

func TestSignInBackoff(t *testing.T) {
	account := AccountKey("Zhang").Throttle()
	address := AddressKey("10.0.0.1").Throttle()
	tests := []struct {
		name     string
		throttle SignInThrottle
		give     int
		want     time.Duration
	}{
		{"account, 1st failure", account, 1, 0},
		{"account, 4th failure", account, 4, 0},
		{"account, 5th failure", account, 5, time.Second},
		{"account, 6th failure", account, 6, 2 * time.Second},
		{"account, 7th failure", account, 7, 4 * time.Second},
		{"account, 14th failure", account, 14, 512 * time.Second},
		{"account, 15th failure", account, 15, 15 * time.Minute},
		{"account, 1000th failure", account, 1000, 15 * time.Minute},
		{"address, 19th failure", address, 19, 0},
		{"address, 20th failure", address, 20, time.Second},
		{"address, 21st failure", address, 21, 2 * time.Second},
	}
	for _, tt := range tests {
		if got := tt.throttle.Backoff(tt.give); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, th := range []SignInThrottle{account, address} {
		if th.Forget <= th.Max {
			t.Errorf("throttle %+v: got Forget %v, want more than Max", th, th.Forget)
		}
	}
}

func TestAccountKeyIgnoresCase(t *testing.T) {
	if got, want := AccountKey(" Zhang.San "), (SignInKey{Kind: SignInAccount, Key: "zhang.san"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
