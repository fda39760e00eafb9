package rules

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// OwnerKind tells a natural person from an entity and from the developer (docs/rules.md §7).
type OwnerKind string

// The kinds of owner a roster row may name.
const (
	OwnerPerson    OwnerKind = "person"    // a natural person
	OwnerOrg       OwnerKind = "org"       // a company or other entity that bought a unit
	OwnerDeveloper OwnerKind = "developer" // the developer: its units vote as one (C2a)
)

// Valid reports whether k is one of the known owner kinds.
func (k OwnerKind) Valid() bool {
	switch k {
	case OwnerPerson, OwnerOrg, OwnerDeveloper:
		return true
	}
	return false
}

// CoOwnerRule says how units with overlapping owners are grouped into voters (docs/rules.md §1 C3).
// The law is silent on a person who owns one unit alone and another jointly, so the rule is
// switchable and every register records the rule it was built under.
type CoOwnerRule string

// The grouping rules for co-owned units.
const (
	// CoOwnerSet treats each distinct set of owners as one buyer: units with exactly the same
	// owners are one voter; a person owning A alone and B jointly is two voters. The default.
	CoOwnerSet CoOwnerRule = "coowner-set"
	// AnySharedOwner merges units that share any owner into one voter, transitively.
	AnySharedOwner CoOwnerRule = "any-shared-owner"
)

// DefaultCoOwnerRule is the rule used when none is named.
const DefaultCoOwnerRule = CoOwnerSet

// Valid reports whether r is a known grouping rule.
func (r CoOwnerRule) Valid() bool {
	return r == CoOwnerSet || r == AnySharedOwner
}

// RegisterOwner is one owner of a unit. OwnerID is stable across units for the same
// person or entity (the caller maps an ID number to it), so it is what groups units.
type RegisterOwner struct {
	OwnerID int64
	Kind    OwnerKind
}

// RegisterUnit is one exclusive part (专有部分) with its voting area and its owners.
// Room is the display address, "1-1-101" (building-unit-room) or "3-101" (building-room).
type RegisterUnit struct {
	UnitID    int64
	Room      string
	Area      Area
	Parking   bool // a parking space: excluded from the register unless RegisterOptions.CountParking
	Delivered bool // false while the developer has not delivered it: the developer votes it (C2a)
	Owners    []RegisterOwner
}

// RegisterOptions are the profile and rules-of-procedure choices a register is built under.
type RegisterOptions struct {
	CountParking bool        // include parking spaces in voters and areas (profile count_parking_in_area)
	CoOwnerRule  CoOwnerRule // empty means DefaultCoOwnerRule
}

// Voter is one person in the headcount (docs/rules.md §1 C2): one or more units voting as one.
//
// Key is deterministic for the same roster and rule: "dev" for the developer, "o:" followed
// by the sorted owner IDs joined with "+" (e.g. "o:12+15"), or "u:" and the unit ID for a
// delivered unit with no recorded owner. Rooms are in CompareRooms order and UnitIDs[i] is
// the unit of Rooms[i]. OwnerIDs are sorted and distinct; for the developer voter they are
// the developer-kind owners only (buyers of undelivered units do not vote them).
type Voter struct {
	Key       string
	UnitIDs   []int64
	Rooms     []string
	Area      Area
	Developer bool
	OwnerIDs  []int64
}

// Register is the frozen voter register of one vote (docs/rules.md §1 C4, C5): its voters sorted
// by their first room, the total area of every counted unit (the developer's included) and
// the total headcount, with the grouping rule and parking choice it was built under.
type Register struct {
	Voters         []Voter
	TotalArea      Area
	TotalHeadcount int
	Rule           CoOwnerRule
	CountParking   bool
}

// developerVoterKey is the key of the single voter holding every developer or undelivered unit.
const developerVoterKey = "dev"

// voterGroup collects the units of one voter while the register is being built.
type voterGroup struct {
	key       string
	developer bool
	units     []RegisterUnit
	owners    []int64
}

// BuildRegister groups units into voters under docs/rules.md §1:
//   - parking units are left out entirely unless opt.CountParking (C1);
//   - every unit owned by a developer-kind owner, and every undelivered unit, belongs to one
//     developer voter (C2a);
//   - other units are grouped by owner set (C2b, C3): under CoOwnerSet units with the same set
//     of owner IDs are one voter; under AnySharedOwner units sharing any owner are one voter;
//   - a delivered unit with no owners is a voter of its own.
//
// A voter's area is the sum of its units' areas; TotalArea sums every counted unit and
// TotalHeadcount is the number of voters. The result depends only on the input, not its order.
func BuildRegister(units []RegisterUnit, opt RegisterOptions) Register {
	rule := opt.CoOwnerRule
	if !rule.Valid() {
		rule = DefaultCoOwnerRule
	}
	reg := Register{Rule: rule, CountParking: opt.CountParking}

	groups := make(map[string]*voterGroup)
	add := func(key string, developer bool, u RegisterUnit, owners []int64) {
		g, ok := groups[key]
		if !ok {
			g = &voterGroup{developer: developer}
			groups[key] = g
		}
		g.units = append(g.units, u)
		g.owners = append(g.owners, owners...)
	}

	// Units that are not the developer's, waiting for grouping by owners.
	var owned []RegisterUnit
	for _, u := range units {
		if u.Parking && !opt.CountParking {
			continue
		}
		reg.TotalArea += u.Area
		if devOwners, isDev := developerOwners(u); isDev {
			add(developerVoterKey, true, u, devOwners)
			continue
		}
		owned = append(owned, u)
	}

	switch rule {
	case AnySharedOwner:
		groupBySharedOwner(owned, add)
	default:
		for _, u := range owned {
			ids := ownerIDs(u)
			if len(ids) == 0 {
				add(unitVoterKey(u), false, u, nil)
				continue
			}
			add(ownerSetKey(ids), false, u, ids)
		}
	}

	// Sort the groups (pointers, cheap to swap) by their first room, then build the voters.
	ordered := make([]*voterGroup, 0, len(groups))
	for key, g := range groups {
		g.key = key
		g.sortUnits()
		ordered = append(ordered, g)
	}
	slices.SortFunc(ordered, func(a, b *voterGroup) int {
		if c := CompareRooms(a.units[0].Room, b.units[0].Room); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	reg.Voters = make([]Voter, len(ordered))
	for i, g := range ordered {
		reg.Voters[i] = g.voter()
	}
	reg.TotalHeadcount = len(reg.Voters)
	return reg
}

// VoterIndexByRoom maps each room of the register to the index of its voter in r.Voters,
// so a ballot naming any room of a voter finds that voter.
func (r Register) VoterIndexByRoom() map[string]int {
	idx := make(map[string]int, len(r.Voters))
	for i, v := range r.Voters {
		for _, room := range v.Rooms {
			idx[room] = i
		}
	}
	return idx
}

// developerOwners reports whether the developer votes the unit (owned by a developer-kind
// owner, or not delivered) and returns the developer-kind owner IDs it names.
func developerOwners(u RegisterUnit) ([]int64, bool) {
	var ids []int64
	for _, o := range u.Owners {
		if o.Kind == OwnerDeveloper {
			ids = append(ids, o.OwnerID)
		}
	}
	return ids, len(ids) > 0 || !u.Delivered
}

// ownerIDs returns the unit's owner IDs, sorted and distinct.
func ownerIDs(u RegisterUnit) []int64 {
	ids := make([]int64, 0, len(u.Owners))
	for _, o := range u.Owners {
		ids = append(ids, o.OwnerID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// ownerSetKey is the voter key of a sorted, distinct owner set.
func ownerSetKey(ids []int64) string {
	var b strings.Builder
	b.WriteString("o:")
	for i, id := range ids {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// unitVoterKey is the voter key of a delivered unit without recorded owners.
func unitVoterKey(u RegisterUnit) string {
	return "u:" + strconv.FormatInt(u.UnitID, 10)
}

// groupBySharedOwner merges units sharing any owner, transitively, with a union-find over
// owner IDs, and hands each unit to add under the key of its merged owner set.
func groupBySharedOwner(units []RegisterUnit, add func(key string, developer bool, u RegisterUnit, owners []int64)) {
	parent := make(map[int64]int64)
	var find func(int64) int64
	find = func(x int64) int64 {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		root := find(p)
		parent[x] = root
		return root
	}
	union := func(a, b int64) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		// The smaller ID becomes the root so the structure does not depend on input order.
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra
	}
	for _, u := range units {
		ids := ownerIDs(u)
		for _, id := range ids {
			union(ids[0], id)
		}
	}

	// All owner IDs of each merged component, for its key.
	members := make(map[int64][]int64)
	for id := range parent {
		root := find(id)
		members[root] = append(members[root], id)
	}
	keys := make(map[int64]string, len(members))
	for root, ids := range members {
		slices.Sort(ids)
		keys[root] = ownerSetKey(ids)
	}

	for _, u := range units {
		ids := ownerIDs(u)
		if len(ids) == 0 {
			add(unitVoterKey(u), false, u, nil)
			continue
		}
		add(keys[find(ids[0])], false, u, ids)
	}
}

// sortUnits puts the group's units in room order.
func (g *voterGroup) sortUnits() {
	slices.SortFunc(g.units, func(a, b RegisterUnit) int {
		if c := CompareRooms(a.Room, b.Room); c != 0 {
			return c
		}
		return cmp.Compare(a.UnitID, b.UnitID)
	})
}

// voter turns a collected group, its units sorted, into a Voter with sorted owners.
func (g *voterGroup) voter() Voter {
	v := Voter{
		Key:       g.key,
		UnitIDs:   make([]int64, len(g.units)),
		Rooms:     make([]string, len(g.units)),
		Developer: g.developer,
	}
	for i, u := range g.units {
		v.UnitIDs[i] = u.UnitID
		v.Rooms[i] = u.Room
		v.Area += u.Area
	}
	owners := slices.Clone(g.owners)
	slices.Sort(owners)
	v.OwnerIDs = slices.Compact(owners)
	return v
}

// CompareRooms orders room addresses naturally: runs of digits compare by numeric value
// ("1-2-101" < "1-10-101" < "2-101"), other characters byte by byte, and a room that is a
// prefix of another comes first. It returns -1, 0 or +1 and is 0 only for equal strings.
func CompareRooms(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(a[i], b[j])
		}
		i++
		j++
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	// Equal in natural order ("01" and "1"): fall back to plain order for a total order.
	return strings.Compare(a, b)
}

// isDigit reports whether c is an ASCII decimal digit.
func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}
