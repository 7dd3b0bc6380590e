package models

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// LookupKind is one way of reading what a member of staff typed to find a
// caller (来电查询).
type LookupKind string

// The kinds of lookup, in the order they are reported.
const (
	LookupPhone  LookupKind = "phone"
	LookupRoom   LookupKind = "room"
	LookupTicket LookupKind = "ticket"
	LookupName   LookupKind = "name"
)

// Room is a room as staff spell it: 1栋101, 1号楼101, 1-101, 1栋1单元101,
// 1#101, or 101 alone.
type Room struct {
	// Building is the building's number ("1"), "" when not said.
	Building string
	// Entrance is the 单元 number, "" when not said.
	Entrance string
	// Number is the room ("101").
	Number string
}

// BuildingNames are the names a building with Building's number may have
// been given ("1栋", "1号楼", …); nil when the room names no building.
func (r Room) BuildingNames() []string {
	if r.Building == "" {
		return nil
	}
	out := []string{r.Building}
	for _, suffix := range []string{"栋", "号楼", "幢", "座", "号", "#", "楼"} {
		out = append(out, r.Building+suffix)
	}
	return out
}

// UnitNumbers are the numbers a unit for the room may have been given: the
// room alone, or with its entrance ("1-101", "1单元101").
func (r Room) UnitNumbers() []string {
	if r.Entrance == "" {
		return []string{r.Number}
	}
	return []string{r.Entrance + "-" + r.Number, r.Entrance + "单元" + r.Number, r.Number}
}

// Lookup is what a search text may mean: each field is set for the kinds
// listed in Kinds.
type Lookup struct {
	Kinds []LookupKind
	// Phones are the forms a phone number may be stored in (13812345678 and
	// +8613812345678; 0755-12345678 and 075512345678).
	Phones   []string
	Rooms    []Room
	TicketID uint64
	Name     string
}

// Has reports whether the text may be read as kind k.
func (l Lookup) Has(k LookupKind) bool {
	return slices.Contains(l.Kinds, k)
}

var (
	// phoneNoise is what people put inside a phone number they write down.
	phoneNoise  = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "（", "", "）", "", "\u00a0", "")
	mobileForm  = regexp.MustCompile(`^(?:\+?86|0086)?(1[3-9][0-9]{9})$`)
	landline    = regexp.MustCompile(`^0[1-9][0-9]{8,10}$`)
	roomForm    = regexp.MustCompile(`^([0-9]+)(?:栋|号楼|幢|座|号|#|-|－)(?:([0-9]+)(?:单元|-|－))?([0-9]+)(?:室|号)?$`)
	bareRoom    = regexp.MustCompile(`^[0-9]{3,4}$`)
	ticketForm  = regexp.MustCompile(`^(?:#|＃|工单|单号)\s*#?\s*([0-9]+)$`)
	digitsOnly  = regexp.MustCompile(`^[0-9]+$`)
	innerSpaces = regexp.MustCompile(`\s+`)
)

// ParseLookup reads what staff typed or pasted to find a caller: a phone
// number, a room, a ticket number or a name. Digits that are nothing else
// are a ticket number (up to the largest signed 64-bit key); 3 or 4 digits
// are also a room in any building.
func ParseLookup(text string) Lookup {
	s := strings.TrimSpace(text)
	var l Lookup
	if s == "" {
		return l
	}
	if phones := storedPhones(s); phones != nil {
		l.Kinds, l.Phones = []LookupKind{LookupPhone}, phones
		return l
	}
	compact := innerSpaces.ReplaceAllString(s, "")
	if m := ticketForm.FindStringSubmatch(compact); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil && id > 0 {
			l.Kinds, l.TicketID = []LookupKind{LookupTicket}, uint64(id)
			return l
		}
	}
	if m := roomForm.FindStringSubmatch(compact); m != nil {
		l.Kinds = []LookupKind{LookupRoom}
		l.Rooms = []Room{{Building: trimZeros(m[1]), Entrance: trimZeros(m[2]), Number: m[3]}}
		if strings.ContainsAny(compact, "-－") && m[2] == "" {
			// "2-502" may also be a unit numbered so, in any building.
			l.Rooms = append(l.Rooms, Room{Number: compact})
		}
		return l
	}
	if digitsOnly.MatchString(compact) {
		if bareRoom.MatchString(compact) {
			l.Kinds = append(l.Kinds, LookupRoom)
			l.Rooms = []Room{{Number: compact}}
		}
		if id, err := strconv.ParseInt(compact, 10, 64); err == nil && id > 0 {
			l.Kinds, l.TicketID = append(l.Kinds, LookupTicket), uint64(id)
		}
		return l
	}
	if strings.IndexFunc(s, unicode.IsDigit) < 0 {
		l.Kinds, l.Name = []LookupKind{LookupName}, s
	}
	return l
}

// PhoneVariants are the forms phone may be stored in (see storedPhones),
// or phone alone when it is none of the known forms.
func PhoneVariants(phone string) []string {
	if forms := storedPhones(phone); forms != nil {
		return forms
	}
	return []string{phone}
}

// storedPhones are the stored forms of the phone number s, or nil when s is
// not one.
func storedPhones(s string) []string {
	d := phoneNoise.Replace(s)
	if m := mobileForm.FindStringSubmatch(d); m != nil {
		return []string{m[1], "+86" + m[1]}
	}
	if strings.HasPrefix(d, "+86") {
		d = "0" + d[3:]
	}
	if !landline.MatchString(d) {
		return nil
	}
	// The area code is 3 digits for 010 and 02x, 4 for the rest; a number
	// may have been stored with or without the dash.
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	return []string{d, d[:area] + "-" + d[area:]}
}

func trimZeros(s string) string {
	if t := strings.TrimLeft(s, "0"); t != "" || s == "" {
		return t
	}
	return "0"
}
