package models

import (
	"reflect"
	"slices"
	"testing"
)

func TestParseLookup(t *testing.T) {
	mobile := []string{"13800130001", "+8613800130001"}
	tests := []struct {
		give string
		want Lookup
	}{
		{"", Lookup{}},
		{"   ", Lookup{}},
		{"13800130001", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{"138 0013 0001", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{"138-0013-0001", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{"+86 138 0013 0001", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{"8613800130001", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{" 13800130001\n", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: mobile}},
		{"0755-12345678", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: []string{"075512345678", "0755-12345678"}}},
		{"(0755) 1234 5678", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: []string{"075512345678", "0755-12345678"}}},
		{"010-12345678", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: []string{"01012345678", "010-12345678"}}},
		{"+86 10 12345678", Lookup{Kinds: []LookupKind{LookupPhone}, Phones: []string{"01012345678", "010-12345678"}}},
		{"1-101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}, {Number: "1-101"}}}},
		{"1号楼101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}}}},
		{"1栋101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}}}},
		{"1栋 101室", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}}}},
		{"01栋101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}}}},
		{"1栋1单元101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Entrance: "1", Number: "101"}}}},
		{"1-1-101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Entrance: "1", Number: "101"}}}},
		{"1#101", Lookup{Kinds: []LookupKind{LookupRoom}, Rooms: []Room{{Building: "1", Number: "101"}}}},
		{"101", Lookup{Kinds: []LookupKind{LookupRoom, LookupTicket}, Rooms: []Room{{Number: "101"}}, TicketID: 101}},
		{"1203", Lookup{Kinds: []LookupKind{LookupRoom, LookupTicket}, Rooms: []Room{{Number: "1203"}}, TicketID: 1203}},
		{"#12", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 12}},
		{"＃12", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 12}},
		{"工单12", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 12}},
		{"工单 #12", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 12}},
		{"12", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 12}},
		{"123456", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 123456}},
		{"#0", Lookup{}},
		{"0", Lookup{}},
		{"张先生", Lookup{Kinds: []LookupKind{LookupName}, Name: "张先生"}},
		{" 王 ", Lookup{Kinds: []LookupKind{LookupName}, Name: "王"}},
		{"张先生2", Lookup{}}, // neither a name nor a number
		{"99999999999999999999999", Lookup{}},
		{"9223372036854775808", Lookup{}}, // past the largest key
		{"#9223372036854775807", Lookup{Kinds: []LookupKind{LookupTicket}, TicketID: 9223372036854775807}},
	}
	for _, tt := range tests {
		if got := ParseLookup(tt.give); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLookup(%q) = %+v, want %+v", tt.give, got, tt.want)
		}
	}
}

func TestRoomSpellings(t *testing.T) {
	r := Room{Building: "1", Entrance: "2", Number: "101"}
	if got, want := r.UnitNumbers(), []string{"2-101", "2单元101", "101"}; !reflect.DeepEqual(got, want) {
		t.Errorf("UnitNumbers = %v, want %v", got, want)
	}
	if got := (Room{Number: "101"}).BuildingNames(); got != nil {
		t.Errorf("BuildingNames of a room in no building = %v, want nil", got)
	}
	names := r.BuildingNames()
	for _, want := range []string{"1栋", "1号楼", "1#", "1"} {
		if !slices.Contains(names, want) {
			t.Errorf("BuildingNames = %v, want it to hold %q", names, want)
		}
	}
}
