package app

import "strings"

// Role is what a staff account may do; jurisdiction comes from its org node.
type Role string

// The roles of staff accounts (API.md lists admin, street, community, committee, auditor).
const (
	RoleAdmin     Role = "admin"     // platform administrator: everything
	RoleDistrict  Role = "district"  // district housing authority: supervises its streets
	RoleStreet    Role = "street"    // street office: supervises its communities and estates
	RoleCommunity Role = "community" // community / residents' committee staff
	RoleCommittee Role = "committee" // owners' committee of one estate
	RoleAuditor   Role = "auditor"   // read-only review of ballots and counts in its subtree
)

// Roles lists every role in order of reach.
func Roles() []Role {
	return []Role{RoleAdmin, RoleDistrict, RoleStreet, RoleCommunity, RoleCommittee, RoleAuditor}
}

// Valid tells whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if k == r {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "平台管理员"
	case RoleDistrict:
		return "区住建部门"
	case RoleStreet:
		return "街道办事处"
	case RoleCommunity:
		return "社区居委会"
	case RoleCommittee:
		return "业主委员会"
	case RoleAuditor:
		return "审计员"
	}
	return string(r)
}

// Principal is the signed-in staff member on whose behalf a service acts.
type Principal struct {
	UserID   int64
	Username string
	Role     Role
	OrgID    int64  // 0 for the platform administrator
	OrgPath  string // materialised path of the org node, e.g. "/1/2/5/"; "" for admin
	EstateID int64  // for the committee role: the one estate it serves
	// MustChangePassword: the password was reset by someone else; until the account
	// sets its own, it may only change its password or sign out.
	MustChangePassword bool
}

// System is the actor recorded for what the platform does by itself or on an anonymous
// request: closing a vote at its closing time, issuing a public resolution. It names the
// audit rows and the created_by_name of what it writes; it is not for access checks (a
// service that serves the public decides access itself and never reads as System).
func System() Principal { return Principal{Username: "system", Role: RoleAdmin} }

// IsAdmin tells whether the principal is the platform administrator.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// CoversOrgPath tells whether the org with that materialised path lies in the
// principal's subtree (its own node included).
func (p Principal) CoversOrgPath(path string) bool {
	if p.IsAdmin() {
		return true
	}
	if p.Role == RoleCommittee {
		return false
	}
	return p.OrgPath != "" && strings.HasPrefix(path, p.OrgPath)
}

// CanWrite tells whether the role may change data at all (auditors only read).
func (p Principal) CanWrite() bool { return p.Role != RoleAuditor && p.Role != "" }
