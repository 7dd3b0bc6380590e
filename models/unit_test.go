package models

import (
	"encoding/json"
	"testing"
)

func TestParseArea(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Area
		ok   bool
	}{
		{"89", 89_00, true},
		{"89.5", 89_50, true},
		{"89.35", 89_35, true},
		{" 0.01 ", 1, true},
		{"0", 0, true},
		{"100000", MaxArea, true},
		{"100000.01", 0, false},
		{"89.355", 0, false}, // finer than 0.01 m²
		{"-1", 0, false},
		{"1e3", 0, false},
		{"89.", 0, false},
		{".5", 0, false},
		{"", 0, false},
		{"八十", 0, false},
		{"9999999999", 0, false},
	} {
		got, err := ParseArea(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseArea(%q): got %d, %v, want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestAreaJSON(t *testing.T) {
	var v struct {
		A Area `json:"a"`
	}
	for in, want := range map[string]Area{`{"a":120.5}`: 120_50, `{"a":"88.08"}`: 88_08, `{"a":null}`: 0, `{"a":7}`: 7_00} {
		v.A = 0
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.A != want {
			t.Errorf("%s: got %d, %v, want %d", in, v.A, err, want)
		}
	}
	for _, in := range []string{`{"a":-3}`, `{"a":1.005}`, `{"a":true}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: got %d, want an error", in, v.A)
		}
	}
	b, _ := json.Marshal(struct{ A Area }{89_05})
	if string(b) != `{"A":89.05}` {
		t.Errorf("marshal: got %s, want {\"A\":89.05}", b)
	}
}

func TestUnitKindsByCodeOrLabel(t *testing.T) {
	for _, pt := range PropertyTypes() {
		for _, s := range []string{string(pt), pt.Label()} {
			if got, ok := ParsePropertyType(s); !ok || got != pt {
				t.Errorf("ParsePropertyType(%q): got %q, %v, want %q", s, got, ok, pt)
			}
		}
	}
	for _, o := range Occupancies() {
		if got, ok := ParseOccupancy(o.Label()); !ok || got != o {
			t.Errorf("ParseOccupancy(%q): got %q, %v, want %q", o.Label(), got, ok, o)
		}
	}
	if _, ok := ParsePropertyType("别墅"); ok {
		t.Error("ParsePropertyType(别墅): want not found")
	}
	if err := PropertyType("villa").Check("property_type"); err == nil {
		t.Error("Check(villa): want an error")
	}
}
