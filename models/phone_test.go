package models

import "testing"

func TestValidPhone(t *testing.T) {
	tests := []struct {
		phone string
		want  bool
	}{
		{"13812345678", true},
		{"19912345678", true},
		{"+8613812345678", true},
		{"0755-12345678", true},
		{"075512345678", true},
		{"010-1234567", true},
		{"0571-88880000-801", true},
		{"400-800-1234", true},
		{"4008001234", true},
		{"+85291234567", true},
		{"", false},
		{"12345", false},             // too short for anything
		{"12812345678", false},       // no mobile prefix 12
		{"1381234567", false},        // ten digits
		{"138123456789", false},      // twelve digits
		{"0755-123456", false},       // local number too short
		{"755-12345678", false},      // area code without its 0
		{"138 1234 5678", false},     // spaces
		{"+0123456789", false},       // no country code 0
		{"13812345678; DROP", false}, // trailing text
		{"400-800", false},           // incomplete service line
	}
	for _, tt := range tests {
		if got := ValidPhone(tt.phone); got != tt.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", tt.phone, got, tt.want)
		}
	}
}
