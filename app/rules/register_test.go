package rules

import (
	"encoding/csv"
	"gongzhi/app/testkit/fixtures"
	"os"
	"slices"
	"strings"
	"testing"
)

// rosterFixture is a roster CSV from testdata/ read into register units.
type rosterFixture struct {
	Units       []RegisterUnit
	OwnerByName map[string]int64 // owner_name → OwnerID (names are unique in the fixtures' tests)
}

// fixturePath is the path of a shared test fixture from the package directory.
func fixturePath(name string) string { return fixtures.Path(name) }

// loadRosterFixture reads a roster CSV (building,unit,room,area,owner_name,id_number,phone,
// owner_kind,representative): one unit per room, OwnerIDs assigned per id_number in order of
// first appearance, every unit delivered and none a parking space.
func loadRosterFixture(t testing.TB, name string) rosterFixture {
	t.Helper()
	f, err := os.Open(fixturePath(name))
	if err != nil {
		t.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	col := make(map[string]int)
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"building", "unit", "room", "area", "owner_name", "id_number", "owner_kind"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("%s: no column %q", name, h)
		}
	}

	fx := rosterFixture{OwnerByName: make(map[string]int64)}
	ownerIDs := make(map[string]int64)
	unitOfRoom := make(map[string]int)
	for line, rec := range records[1:] {
		room := rec[col["building"]] + "-" + rec[col["room"]]
		if u := rec[col["unit"]]; u != "" {
			room = rec[col["building"]] + "-" + u + "-" + rec[col["room"]]
		}
		area, err := ParseArea(rec[col["area"]])
		if err != nil {
			t.Fatalf("%s line %d: %v", name, line+2, err)
		}
		id, ok := ownerIDs[rec[col["id_number"]]]
		if !ok {
			id = int64(len(ownerIDs) + 1)
			ownerIDs[rec[col["id_number"]]] = id
		}
		fx.OwnerByName[rec[col["owner_name"]]] = id
		kind := OwnerKind(rec[col["owner_kind"]])
		if !kind.Valid() {
			t.Fatalf("%s line %d: owner kind %q", name, line+2, kind)
		}

		ui, ok := unitOfRoom[room]
		if !ok {
			ui = len(fx.Units)
			unitOfRoom[room] = ui
			fx.Units = append(fx.Units, RegisterUnit{UnitID: int64(ui + 1), Room: room, Area: area, Delivered: true})
		} else if fx.Units[ui].Area != area {
			t.Fatalf("%s line %d: room %s area %s differs from %s", name, line+2, room, area, fx.Units[ui].Area)
		}
		fx.Units[ui].Owners = append(fx.Units[ui].Owners, RegisterOwner{OwnerID: id, Kind: kind})
	}
	return fx
}

// voterOfRoom returns the voter holding room, failing the test when there is none.
func voterOfRoom(t *testing.T, reg Register, room string) Voter {
	t.Helper()
	i, ok := reg.VoterIndexByRoom()[room]
	if !ok {
		t.Fatalf("no voter holds room %s", room)
	}
	return reg.Voters[i]
}

func TestBuildRegisterSmallRoster(t *testing.T) {
	fx := loadRosterFixture(t, "roster-small.csv")
	if len(fx.Units) != 24 {
		t.Fatalf("units = %d, want 24", len(fx.Units))
	}
	reg := BuildRegister(fx.Units, RegisterOptions{})
	if reg.TotalHeadcount != 20 || len(reg.Voters) != 20 {
		t.Errorf("headcount = %d (%d voters), want 20", reg.TotalHeadcount, len(reg.Voters))
	}
	if got := reg.TotalArea.String(); got != "2696.04" {
		t.Errorf("total area = %s, want 2696.04", got)
	}
	if reg.Rule != CoOwnerSet {
		t.Errorf("rule = %q, want the default %q", reg.Rule, CoOwnerSet)
	}
	var sum Area
	for _, v := range reg.Voters {
		sum += v.Area
	}
	if sum != reg.TotalArea {
		t.Errorf("voters' areas sum to %s, total is %s", sum, reg.TotalArea)
	}

	wang := fx.OwnerByName["王建国"]
	liu, chen := fx.OwnerByName["刘洋"], fx.OwnerByName["陈静"]
	company := fx.OwnerByName["安顺宏达商贸有限公司"]
	developer := fx.OwnerByName["恒泰置业有限公司"]
	tests := []struct {
		name      string
		room      string
		rooms     []string
		area      string
		owners    []int64
		developer bool
	}{
		{"one buyer of two units is one voter (C2b)", "2-1-101", []string{"1-1-101", "2-1-101"}, "181.95", []int64{wang}, false},
		{"a co-owner pair holding two units is one voter (C3)", "2-1-201", []string{"1-1-201", "2-1-201"}, "243.51", sortedIDs(liu, chen), false},
		{"the same person owning a unit alone is another voter (C3)", "1-1-202", []string{"1-1-202"}, "132.45", []int64{liu}, false},
		{"a co-owned unit is one voter", "1-1-102", []string{"1-1-102"}, "101.67", sortedIDs(fx.OwnerByName["李秀英"], fx.OwnerByName["张伟"]), false},
		{"the developer's units are one voter (C2a)", "2-1-601", []string{"1-1-602", "2-1-601", "2-1-602"}, "362.94", []int64{developer}, true},
		{"a company owner is one voter", "2-1-502", []string{"2-1-502"}, "113.51", []int64{company}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := voterOfRoom(t, reg, tc.room)
			if !slices.Equal(v.Rooms, tc.rooms) {
				t.Errorf("rooms = %v, want %v", v.Rooms, tc.rooms)
			}
			if v.Area.String() != tc.area {
				t.Errorf("area = %s, want %s", v.Area, tc.area)
			}
			if !slices.Equal(v.OwnerIDs, tc.owners) {
				t.Errorf("owners = %v, want %v", v.OwnerIDs, tc.owners)
			}
			if v.Developer != tc.developer {
				t.Errorf("developer = %v, want %v", v.Developer, tc.developer)
			}
		})
	}

	if first := reg.Voters[0]; first.Rooms[0] != "1-1-101" || first.Key != ownerSetKey([]int64{wang}) {
		t.Errorf("first voter = %s %v, want 王建国 at 1-1-101", first.Key, first.Rooms)
	}
	if dev := voterOfRoom(t, reg, "1-1-602"); dev.Key != "dev" {
		t.Errorf("developer key = %q, want dev", dev.Key)
	}
}

func TestBuildRegisterSmallRosterAnySharedOwner(t *testing.T) {
	fx := loadRosterFixture(t, "roster-small.csv")
	reg := BuildRegister(fx.Units, RegisterOptions{CoOwnerRule: AnySharedOwner})
	if reg.Rule != AnySharedOwner {
		t.Errorf("rule = %q", reg.Rule)
	}
	if reg.TotalHeadcount != 19 {
		t.Errorf("headcount = %d, want 19 (刘洋 alone merges with 刘洋+陈静)", reg.TotalHeadcount)
	}
	if reg.TotalArea.String() != "2696.04" {
		t.Errorf("total area = %s, want 2696.04", reg.TotalArea)
	}
	v := voterOfRoom(t, reg, "1-1-202")
	if want := []string{"1-1-201", "1-1-202", "2-1-201"}; !slices.Equal(v.Rooms, want) {
		t.Errorf("rooms = %v, want %v", v.Rooms, want)
	}
	if v.Area.String() != "375.96" {
		t.Errorf("area = %s, want 375.96", v.Area)
	}
}

func TestBuildRegisterMediumRoster(t *testing.T) {
	fx := loadRosterFixture(t, "roster-medium.csv")
	if len(fx.Units) != 1152 {
		t.Fatalf("units = %d, want 1152", len(fx.Units))
	}
	reg := BuildRegister(fx.Units, RegisterOptions{CoOwnerRule: CoOwnerSet})
	if reg.TotalHeadcount != 1089 {
		t.Errorf("headcount = %d, want 1089", reg.TotalHeadcount)
	}
	if reg.TotalArea.String() != "129574.98" {
		t.Errorf("total area = %s, want 129574.98", reg.TotalArea)
	}
	keys := make(map[string]bool)
	for i, v := range reg.Voters {
		if keys[v.Key] {
			t.Errorf("duplicate voter key %s", v.Key)
		}
		keys[v.Key] = true
		if i > 0 && CompareRooms(reg.Voters[i-1].Rooms[0], v.Rooms[0]) >= 0 {
			t.Errorf("voters out of order at %d: %s then %s", i, reg.Voters[i-1].Rooms[0], v.Rooms[0])
		}
	}
}

// TestBuildRegisterIsOrderIndependent shuffles the roster and expects the same register.
func TestBuildRegisterIsOrderIndependent(t *testing.T) {
	fx := loadRosterFixture(t, "roster-small.csv")
	for _, rule := range []CoOwnerRule{CoOwnerSet, AnySharedOwner} {
		want := BuildRegister(fx.Units, RegisterOptions{CoOwnerRule: rule})
		reversed := slices.Clone(fx.Units)
		slices.Reverse(reversed)
		got := BuildRegister(reversed, RegisterOptions{CoOwnerRule: rule})
		if len(got.Voters) != len(want.Voters) {
			t.Fatalf("%s: %d voters, want %d", rule, len(got.Voters), len(want.Voters))
		}
		for i := range want.Voters {
			if g, w := got.Voters[i], want.Voters[i]; g.Key != w.Key || !slices.Equal(g.Rooms, w.Rooms) ||
				!slices.Equal(g.UnitIDs, w.UnitIDs) || g.Area != w.Area {
				t.Errorf("%s: voter %d = %+v, want %+v", rule, i, g, w)
			}
		}
	}
}

// sortedIDs returns the IDs in ascending order, as Voter.OwnerIDs holds them.
func sortedIDs(ids ...int64) []int64 {
	return slices.Sorted(slices.Values(ids))
}

// regPerson and regDeveloper build owners for the table tests.
func regPerson(id int64) RegisterOwner    { return RegisterOwner{OwnerID: id, Kind: OwnerPerson} }
func regDeveloper(id int64) RegisterOwner { return RegisterOwner{OwnerID: id, Kind: OwnerDeveloper} }

// regUnit builds a delivered unit for the table tests.
func regUnit(id int64, room, area string, owners ...RegisterOwner) RegisterUnit {
	return RegisterUnit{UnitID: id, Room: room, Area: MustParseArea(area), Delivered: true, Owners: owners}
}

func TestBuildRegisterCases(t *testing.T) {
	undelivered := func(u RegisterUnit) RegisterUnit { u.Delivered = false; return u }
	parking := func(u RegisterUnit) RegisterUnit { u.Parking = true; return u }

	// want describes a voter as "key rooms area", rooms joined by commas.
	tests := []struct {
		name      string
		units     []RegisterUnit
		opt       RegisterOptions
		wantTotal string
		want      []string
	}{
		{
			name:      "C2: one unit one voter",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(1)), regUnit(2, "1-1-102", "90.50", regPerson(2))},
			wantTotal: "170.50",
			want:      []string{"o:1 1-1-101 80.00", "o:2 1-1-102 90.50"},
		},
		{
			name:      "C2b: one buyer of several units is one voter with the summed area",
			units:     []RegisterUnit{regUnit(1, "2-1-101", "80.00", regPerson(7)), regUnit(2, "1-1-101", "60.01", regPerson(7)), regUnit(3, "1-1-102", "10.00", regPerson(8))},
			wantTotal: "150.01",
			want:      []string{"o:7 1-1-101,2-1-101 140.01", "o:8 1-1-102 10.00"},
		},
		{
			name: "C2a: developer units and undelivered units of buyers are one developer voter",
			units: []RegisterUnit{
				regUnit(1, "1-1-101", "80.00", regDeveloper(9)),
				undelivered(regUnit(2, "1-1-102", "70.00", regPerson(3))),
				regUnit(3, "1-1-103", "60.00", regPerson(3)),
				undelivered(regUnit(4, "1-1-104", "50.00")),
			},
			wantTotal: "260.00",
			want:      []string{"dev 1-1-101,1-1-102,1-1-104 200.00", "o:3 1-1-103 60.00"},
		},
		{
			name:      "C2a: a unit co-owned with the developer is the developer's",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(2), regDeveloper(9)), regUnit(2, "1-1-102", "70.00", regPerson(2))},
			wantTotal: "150.00",
			want:      []string{"dev 1-1-101 80.00", "o:2 1-1-102 70.00"},
		},
		{
			name:      "C3 coowner-set: a co-owned unit is one voter whatever the owner order",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(5), regPerson(4)), regUnit(2, "1-1-102", "70.00", regPerson(4), regPerson(5))},
			wantTotal: "150.00",
			want:      []string{"o:4+5 1-1-101,1-1-102 150.00"},
		},
		{
			name:      "C3 coowner-set: a person owning A alone and B jointly is two voters",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(4)), regUnit(2, "1-1-102", "70.00", regPerson(4), regPerson(5))},
			wantTotal: "150.00",
			want:      []string{"o:4 1-1-101 80.00", "o:4+5 1-1-102 70.00"},
		},
		{
			name:      "C3 any-shared-owner: units sharing any owner merge",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(4)), regUnit(2, "1-1-102", "70.00", regPerson(4), regPerson(5))},
			opt:       RegisterOptions{CoOwnerRule: AnySharedOwner},
			wantTotal: "150.00",
			want:      []string{"o:4+5 1-1-101,1-1-102 150.00"},
		},
		{
			name: "C3 any-shared-owner: merging is transitive",
			units: []RegisterUnit{
				regUnit(1, "1-1-101", "10.00", regPerson(1), regPerson(2)),
				regUnit(2, "1-1-102", "20.00", regPerson(3), regPerson(4)),
				regUnit(3, "1-1-103", "30.00", regPerson(2), regPerson(3)),
				regUnit(4, "1-1-104", "40.00", regPerson(6)),
			},
			opt:       RegisterOptions{CoOwnerRule: AnySharedOwner},
			wantTotal: "100.00",
			want:      []string{"o:1+2+3+4 1-1-101,1-1-102,1-1-103 60.00", "o:6 1-1-104 40.00"},
		},
		{
			name:      "C1: parking excluded by default",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(1)), parking(regUnit(2, "P-001", "12.50", regPerson(1))), parking(regUnit(3, "P-002", "12.50", regPerson(2)))},
			wantTotal: "80.00",
			want:      []string{"o:1 1-1-101 80.00"},
		},
		{
			name:      "C1: parking counted when the profile includes it",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(1)), parking(regUnit(2, "P-001", "12.50", regPerson(1))), parking(regUnit(3, "P-002", "12.50", regPerson(2)))},
			opt:       RegisterOptions{CountParking: true},
			wantTotal: "105.00",
			want:      []string{"o:1 1-1-101,P-001 92.50", "o:2 P-002 12.50"},
		},
		{
			name:      "a delivered unit without owners is a voter of its own",
			units:     []RegisterUnit{regUnit(5, "1-1-101", "80.00"), regUnit(6, "1-1-102", "70.00")},
			wantTotal: "150.00",
			want:      []string{"u:5 1-1-101 80.00", "u:6 1-1-102 70.00"},
		},
		{
			name:      "an unknown rule falls back to coowner-set",
			units:     []RegisterUnit{regUnit(1, "1-1-101", "80.00", regPerson(4)), regUnit(2, "1-1-102", "70.00", regPerson(4), regPerson(5))},
			opt:       RegisterOptions{CoOwnerRule: "whatever"},
			wantTotal: "150.00",
			want:      []string{"o:4 1-1-101 80.00", "o:4+5 1-1-102 70.00"},
		},
		{
			name:      "no units",
			wantTotal: "0.00",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg := BuildRegister(tc.units, tc.opt)
			if reg.TotalArea.String() != tc.wantTotal {
				t.Errorf("total area = %s, want %s", reg.TotalArea, tc.wantTotal)
			}
			if reg.TotalHeadcount != len(tc.want) {
				t.Errorf("headcount = %d, want %d", reg.TotalHeadcount, len(tc.want))
			}
			var got []string
			for _, v := range reg.Voters {
				got = append(got, v.Key+" "+strings.Join(v.Rooms, ",")+" "+v.Area.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("voters =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestBuildRegisterRecordsRuleAndDeveloperOwners(t *testing.T) {
	reg := BuildRegister([]RegisterUnit{
		regUnit(1, "1-1-101", "80.00", regDeveloper(9)),
		{UnitID: 2, Room: "1-1-102", Area: 7000, Owners: []RegisterOwner{regPerson(3)}},
	}, RegisterOptions{CountParking: true, CoOwnerRule: AnySharedOwner})
	if reg.Rule != AnySharedOwner || !reg.CountParking {
		t.Errorf("rule = %q, count parking = %v", reg.Rule, reg.CountParking)
	}
	if len(reg.Voters) != 1 || !reg.Voters[0].Developer || !slices.Equal(reg.Voters[0].OwnerIDs, []int64{9}) {
		t.Fatalf("voters = %+v, want one developer voter owned by 9 (the buyer of the undelivered unit does not vote)", reg.Voters)
	}
	if !slices.Equal(reg.Voters[0].UnitIDs, []int64{1, 2}) {
		t.Errorf("unit IDs = %v, want [1 2] aligned with the rooms", reg.Voters[0].UnitIDs)
	}
}

func TestCompareRooms(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1-1-101", "1-1-101", 0},
		{"1-1-101", "1-1-102", -1},
		{"1-1-102", "1-1-1001", -1},
		{"1-2-101", "1-10-101", -1},
		{"2-1-101", "10-1-101", -1},
		{"3-101", "1-1-101", 1},
		{"1-1", "1-1-101", -1},
		{"1-1-101", "1-1-101A", -1},
		{"1-1-101A", "1-1-101B", -1},
		{"A-101", "B-101", -1},
		{"1-1-0101", "1-1-101", -1}, // equal numbers: plain order decides, so the order is total
		{"1-1-0101", "1-1-102", -1},
		{"12345678901234567890-1", "9-1", 1}, // longer than int64 still compares by value
	}
	for _, tc := range tests {
		if got := CompareRooms(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareRooms(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareRooms(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareRooms(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}
