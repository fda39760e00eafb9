// Package access decides, once for the whole platform, which role may take which
// action. Every service asks it before it reads a body or looks at a vote's state,
// the router asks it before a handler parses a request (so a refused role gets 403
// whatever it sent), and the pages ask it, through the services' permission structs,
// which buttons to show. Jurisdiction (which estates a principal sees) is the org
// tree's question (app/orgs); this package answers only "may this role do this at
// all". docs/roles.md is the same table with the reasons.
package access

import (
	"gongzhi/app"
)

// Action is a kind of change (or a sensitive read) a service performs.
type Action int

// The actions of the table. Reading what lies in one's jurisdiction (estates, rosters,
// votes, ballots, scans, counts, documents, formation) is every staff role's and needs
// no action here; these are the writes and the reads that hand out ballot links.
const (
	ManageOrgs         Action = iota + 1 // create org nodes below one's own
	ManageEstates                        // create estates under a community
	ManageUsers                          // create, disable, re-enable accounts and reset their passwords
	EditRoster                           // import the roster, edit units, owners and representatives
	RunVote                              // draft, agenda, open, paper ballots and scans, voids, publish, objections, finalise, notices, corrections, election votes and runoffs
	ReadBallotLinks                      // the credentials list and the ballot notices: each carries a voter's personal ballot link
	KeepRecords                          // the estate's announcements and minutes
	PrepCompose                          // compose, publish and dissolve a preparatory group
	PrepWork                             // a preparatory group's facts, duties, objections, candidates and lists
	PrepElection                         // record a counted election from a preparatory group's slate
	ReelectionCompose                    // compose, publish and dissolve a re-election group
	ReelectionWork                       // a re-election group's duties, objections, candidates and lists
	ReelectionElection                   // record a counted re-election
	CommitteeOfficers                    // record the chair and vice-chairs the committee elected
	CommitteeFiling                      // accept the committee's filing (备案)
	ManageHolidays                       // read and load the State Council's holiday notices (platform data, docs/calendar.md)
	// TransitionalBody: form and end the transitional body (物业管理委员会) of an estate that
	// cannot form a committee (issue 12, HZ 38-40).
	TransitionalBody
	// property companies (issue 13): register companies, order rectifications, hold
	// warning talks and publish notices (the supervising authorities)
	SuperviseProperty
	// property companies (issue 13): an estate's service contracts, project managers,
	// complaints and their events, satisfaction surveys (every staff role of the estate)
	PropertyRecords
	GradeCredit // set property companies' credit grades, keep and publish the district's red and black lists (issue 13)
	// The committee in office (issue 12, docs/committee.md).
	CaseReport // record a report against a committee member, its evidence, the member's defence, the proposal to the assembly, a cessation
	CaseVerify // verify a report (founded or unfounded) and confirm a cessation found by a roster import
	CaseOrder  // order the committee to propose a founded removal (BJ 46 ¶2)
	AuditVotes // the auditor's workspace of a vote (app/auditview): read it, draw and record sampled paper audits, keep recounts
	// Committee oversight (seed 003 §(六), docs/rules.md "Committee oversight").
	OversightRate  // record the owner representatives' periodic rating of the committee's work
	OversightOrder // order a committee to rectify, record the outcome, revoke a decision it refused to rectify
	// Supervision (issue 15, docs/supervision.md).
	ReadSupervision  // read the rates against targets of one's jurisdiction and their estates, and export them
	SetTargets       // set a district's (or the city's) yearly targets of the rates
	RecordPartyFacts // record whether an estate has a Party organisation and its committee a Party work group
	// The week's work, the supervision charts and their exports (issue 15, docs/worklist.md):
	// reads of the whole jurisdiction, refused to auditors, who have no work to do.
	WorkList
	// SupervisionReport: read and issue the monthly supervision report of one's street
	// office or district (issue 15).
	SupervisionReport

	// numActions is not an action: it counts them (new actions go above it).
	numActions
)

type rule struct {
	name  string
	roles []app.Role
	deny  string // the refusal, Chinese first
}

const (
	admin     = app.RoleAdmin
	district  = app.RoleDistrict
	street    = app.RoleStreet
	community = app.RoleCommunity
	committee = app.RoleCommittee
)

// table is the policy: for each action, the roles that may take it. Auditors take
// none but AuditVotes, whose writes are the auditor's own records (sampled paper
// audits, kept recounts), never a change to what is audited.
var table = map[Action]rule{
	ManageOrgs:         {"manage_orgs", []app.Role{admin, district, street}, "无权创建机构"},
	ManageEstates:      {"manage_estates", []app.Role{admin, district, street, community}, "无权创建小区"},
	ManageUsers:        {"manage_users", []app.Role{admin, district, street, community}, "无权管理账号"},
	EditRoster:         {"edit_roster", []app.Role{admin, street, community, committee}, "只能查看名册，不能修改"},
	RunVote:            {"run_vote", []app.Role{admin, street, community, committee}, "无权组织表决：表决由街道办事处、社区居委会或本小区业主委员会组织"},
	ReadBallotLinks:    {"read_ballot_links", []app.Role{admin, street, community, committee}, "无权查看投票链接：只有组织表决的账号可以查看"},
	KeepRecords:        {"keep_records", []app.Role{admin, street, community, committee}, "无权发布公告或会议记录"},
	PrepCompose:        {"prep_compose", []app.Role{admin, street}, "无权操作：筹备组由街道办事处牵头组建"},
	PrepWork:           {"prep_work", []app.Role{admin, street, community}, "无权进行此操作"},
	PrepElection:       {"prep_election", []app.Role{admin, street, community}, "无权进行此操作"},
	ReelectionCompose:  {"reelection_compose", []app.Role{admin, street, committee}, "无权操作：换届小组由街道办事处或业主委员会组建"},
	ReelectionWork:     {"reelection_work", []app.Role{admin, street, community, committee}, "无权进行此操作"},
	ReelectionElection: {"reelection_election", []app.Role{admin, street, community, committee}, "无权进行此操作"},
	CommitteeOfficers:  {"committee_officers", []app.Role{admin, street, community, committee}, "无权进行此操作"},
	CommitteeFiling:    {"committee_filing", []app.Role{admin, street}, "无权操作：备案由街道办事处受理"},
	ManageHolidays:     {"manage_holidays", []app.Role{admin}, "只有平台管理员可以管理节假日安排"},
	TransitionalBody:   {"transitional_body", []app.Role{admin, street}, "无权操作：物业管理委员会由街道办事处组建"},
	SuperviseProperty:  {"supervise_property", []app.Role{admin, district, street}, "无权操作：物业服务企业由街道办事处和区住建部门监管"},
	PropertyRecords:    {"property_records", []app.Role{admin, district, street, community, committee}, "无权修改物业服务记录"},
	GradeCredit:        {"grade_credit", []app.Role{admin, district}, "无权操作：物业服务企业信用等级和红黑榜由区住建部门管理"},
	CaseReport:         {"case_report", []app.Role{admin, street, community, committee}, "无权登记业主委员会委员的负面清单案件"},
	CaseVerify:         {"case_verify", []app.Role{admin, street, community}, "无权核实：负面清单情形由街道办事处或社区核实"},
	CaseOrder:          {"case_order", []app.Role{admin, street}, "无权责令：只有街道办事处可以责令业主委员会提请罢免"},
	ReadSupervision:    {"read_supervision", []app.Role{admin, district, street, community}, "无权查看监督指标：指标供街道、区、市和社区使用"},
	SetTargets:         {"set_targets", []app.Role{admin, district}, "无权设定目标：年度目标由区（或市）设定"},
	RecordPartyFacts:   {"record_party_facts", []app.Role{admin, street, community}, "无权登记党组织情况：由社区或街道登记"},
	WorkList:           {"work_list", []app.Role{admin, district, street, community, committee}, "无权查看待办事项：审计员不处理待办"},
	SupervisionReport:  {"supervision_report", []app.Role{admin, district, street}, "无权查看监督月报：月报由街道办事处和区（县）主管部门使用"},
	AuditVotes:         {"audit_votes", []app.Role{admin, street, app.RoleAuditor}, "无权使用审计工作台：审计工作台供审计员、街道办事处和平台管理员使用"},
	OversightRate:      {"oversight_rate", []app.Role{admin, street, community}, "无权登记：业主代表评议由社区或街道办事处组织登记"},
	OversightOrder:     {"oversight_order", []app.Role{admin, street}, "无权操作：责令整改和撤销业主委员会决定由街道办事处作出"},
}

// Actions lists every action in order.
func Actions() []Action {
	out := make([]Action, 0, len(table))
	for a := ManageOrgs; a < numActions; a++ {
		out = append(out, a)
	}
	return out
}

// String is the action's name, as docs/roles.md writes it.
func (a Action) String() string { return table[a].name }

// Roles lists the roles that may take the action.
func (a Action) Roles() []app.Role { return append([]app.Role(nil), table[a].roles...) }

// Can tells whether p's role may take the action (in its own jurisdiction).
func Can(p app.Principal, a Action) bool {
	for _, r := range table[a].roles {
		if r == p.Role {
			return true
		}
	}
	return false
}

// CanAny tells whether p's role may take at least one of the actions.
func CanAny(p app.Principal, as ...Action) bool {
	for _, a := range as {
		if Can(p, a) {
			return true
		}
	}
	return false
}

// Require is nil when p may take the action and a forbidden error otherwise; an
// auditor's refusal says it is read-only.
func Require(p app.Principal, a Action) error {
	if Can(p, a) {
		return nil
	}
	if p.Role == app.RoleAuditor {
		return app.Fail(app.EForbidden, "err.access.auditors_have_read_only_access")
	}
	return &app.Error{Code: app.EForbidden, Msg: app.Plain(table[a].deny)}
}

// RequireAny is nil when p may take at least one of the actions; otherwise the first
// action's refusal.
func RequireAny(p app.Principal, as ...Action) error {
	if len(as) == 0 || CanAny(p, as...) {
		return nil
	}
	return Require(p, as[0])
}
