package supervision

// Indicator names one rate.
type Indicator string

// The rates (docs/supervision.md gives each definition and its source).
const (
	CommitteeFormation Indicator = "committee_formation" // a committee in office / estates
	TransitionalBody   Indicator = "transitional_body"   // an acting transitional body and no committee in office / estates
	PartyOrgCoverage   Indicator = "party_org"           // a Party organisation recorded / estates
	PartyWorkGroup     Indicator = "party_work_group"    // committees in office with a Party work group / committees in office
	PropertyCoverage   Indicator = "property_coverage"   // a filed service contract in force today / estates
	OwnerSatisfaction  Indicator = "owner_satisfaction"  // satisfied / respondents of each estate's latest survey
	ComplaintsAccepted Indicator = "complaints_accepted" // response stage met / response stages decided, complaints received this year
	ComplaintsOnTime   Indicator = "complaints_on_time"  // resolve stage met / resolve stages decided, complaints received this year
)

// Indicators lists every rate in display order.
func Indicators() []Indicator {
	return []Indicator{CommitteeFormation, TransitionalBody, PartyOrgCoverage, PartyWorkGroup, PropertyCoverage,
		OwnerSatisfaction, ComplaintsAccepted, ComplaintsOnTime}
}

// Valid tells whether i is a known indicator.
func (i Indicator) Valid() bool {
	for _, k := range Indicators() {
		if k == i {
			return true
		}
	}
	return false
}

// PerEstate tells whether the rate counts estates (one estate, one unit of the
// denominator) rather than respondents or complaints.
func (i Indicator) PerEstate() bool {
	return i != OwnerSatisfaction && i != ComplaintsAccepted && i != ComplaintsOnTime
}
