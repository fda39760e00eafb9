package rules

import (
	"gongzhi/app"

	"errors"
	"fmt"
	"time"
)

// ErrElectionSeats reports seats or alternates of an election item that the profile does
// not allow.
var ErrElectionSeats = errors.New("选举席位不符合规定")

// ValidateElectionSeats is ValidateElectionSeatsFor for an estate of households households
// whose area is unknown (an area-based small estate is then not recognised).
func ValidateElectionSeats(p JurisdictionProfile, seats, alternates, households int, byElection bool, vacant int) error {
	return ValidateElectionSeatsFor(p, seats, alternates, EstateSize{Households: households}, byElection, vacant)
}

// ValidateElectionSeatsFor checks the seats and alternates of a committee election item
// (docs/rules.md §5). A full election's seats must be a lawful committee size for the
// estate (CommitteeSizeAllowedFor: odd, 5-11, or 3 for small estates where the profile
// allows it: ≤ 100 households in Beijing and Hangzhou, ≤ 10,000 m² in Shanghai); a
// by-election fills only the vacant seats (1 <= seats <= vacant). Alternates are capped by
// the profile (AlternatesCap): a fixed number (national 2), up to the number of members
// (Beijing; for a by-election, whose item does not know the committee's size, up to the
// largest committee, the committee's own size being checked when the result is recorded),
// or not at all (Hangzhou). Every problem is reported, joined, each wrapping
// ErrElectionSeats with a Chinese message.
func ValidateElectionSeatsFor(p JurisdictionProfile, seats, alternates int, es EstateSize, byElection bool, vacant int) error {
	var errs []error
	capSeats := seats
	if byElection {
		capSeats = p.CommitteeMaxMembers
		switch {
		case vacant < 1:
			errs = append(errs, seatsError(app.M("err.rules.no_vacant_seat"), fmt.Errorf("%w：没有空缺席位，无需补选", ErrElectionSeats)))
		case seats < 1 || seats > vacant:
			errs = append(errs, seatsError(app.M("err.rules.by_election_seats", seats, vacant),
				fmt.Errorf("%w：补选席位 %d 个，应为 1 至 %d 个（空缺席位数）", ErrElectionSeats, seats, vacant)))
		}
	} else if !p.CommitteeSizeAllowedFor(seats, es) {
		errs = append(errs, seatsError(app.M("err.rules.committee_seats", seats, p.MinCommitteeMembersFor(es), p.CommitteeMaxMembers, es.Households, p.Name, p.NameEN),
			fmt.Errorf("%w：委员席位 %d 个，应为 %d 至 %d 之间的单数（%s，%d 户）",
				ErrElectionSeats, seats, p.MinCommitteeMembersFor(es), p.CommitteeMaxMembers, p.Name, es.Households)))
	}
	if err := ValidateAlternates(p, alternates, capSeats); err != nil {
		errs = append(errs, err)
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &app.Error{Code: app.EInvalid, Msg: app.M("err.rules.two_problems", app.MsgOf(errs[0]), app.MsgOf(errs[1])), Err: errors.Join(errs...)}
}

// seatsError is a 422 with the catalogue message msg, wrapping the Chinese text of
// cause (an ErrElectionSeats) for logs and errors.Is.
func seatsError(msg app.Msg, cause error) error {
	return &app.Error{Code: app.EInvalid, Msg: msg, Err: cause}
}

// ValidateAlternates checks a number of alternates for a committee of seats members
// against the profile's cap (AlternatesCap).
func ValidateAlternates(p JurisdictionProfile, alternates, seats int) error {
	if alternates < 0 {
		return seatsError(app.M("err.rules.alternates_negative", alternates), fmt.Errorf("%w：候补委员 %d 名，不能为负数", ErrElectionSeats, alternates))
	}
	if c := p.AlternatesCap(seats); c >= 0 && alternates > c {
		return seatsError(app.M("err.rules.alternates_too_many", alternates, c, p.Name, p.NameEN),
			fmt.Errorf("%w：候补委员 %d 名，应为 0 至 %d 名（%s）", ErrElectionSeats, alternates, c, p.Name))
	}
	return nil
}

// ChairDeadlines gives the deadlines that follow a committee election whose vote closed
// at closedAt (the real event, not when staff recorded the count), using
// OfficialCalendar: the members elect the chair and vice-chair by electBy (BJ 42: 7 days
// from the close), the names are published by publishBy (3 days after the chair
// election; until it is held, counted from the last day allowed for it, see
// OfficersPublishBy), and the committee files with the street office by fileBy (REG 16:
// 30 days from the election).
func ChairDeadlines(closedAt time.Time, p JurisdictionProfile) (electBy, publishBy, fileBy time.Time) {
	cal := OfficialCalendar()
	electBy = PeriodEnd(closedAt, p.ChairElectDays, cal)
	// electBy is 24:00 of the last day; count the publication period from that day.
	publishBy = OfficersPublishBy(electBy.Add(-time.Nanosecond), p)
	fileBy = PeriodEnd(closedAt, p.FilingDays, cal)
	return electBy, publishBy, fileBy
}

// OfficersPublishBy is the end of the period for publishing the chair and vice-chairs
// elected at chairElectedAt (BJ 42: within 3 days of the chair election).
func OfficersPublishBy(chairElectedAt time.Time, p JurisdictionProfile) time.Time {
	return PeriodEnd(chairElectedAt, p.ChairPublishDays, OfficialCalendar())
}
