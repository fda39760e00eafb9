package rules

import (
	"errors"
	"fmt"
	"time"
)

// ErrElectionSeats reports seats or alternates of an election item that the profile does
// not allow.
var ErrElectionSeats = errors.New("选举席位不符合规定")

// ValidateElectionSeats checks the seats and alternates of a committee election item
// (docs/rules.md §5). A full election's seats must be a lawful committee size for an estate of
// households households (CommitteeSizeAllowed: odd, 5-11, or 3 for small estates where
// the profile allows it); a by-election fills only the vacant seats (1 <= seats <= vacant);
// alternates must be within 0..AlternatesMax. Every problem is reported, joined, each
// wrapping ErrElectionSeats with a Chinese message.
func ValidateElectionSeats(p JurisdictionProfile, seats, alternates, households int, byElection bool, vacant int) error {
	var errs []error
	if byElection {
		switch {
		case vacant < 1:
			errs = append(errs, fmt.Errorf("%w：没有空缺席位，无需补选", ErrElectionSeats))
		case seats < 1 || seats > vacant:
			errs = append(errs, fmt.Errorf("%w：补选席位 %d 个，应为 1 至 %d 个（空缺席位数）", ErrElectionSeats, seats, vacant))
		}
	} else if !p.CommitteeSizeAllowed(seats, households) {
		errs = append(errs, fmt.Errorf("%w：委员席位 %d 个，应为 %d 至 %d 之间的单数（%s，%d 户）",
			ErrElectionSeats, seats, p.MinCommitteeMembers(households), p.CommitteeMaxMembers, p.Name, households))
	}
	if alternates < 0 || alternates > p.AlternatesMax {
		errs = append(errs, fmt.Errorf("%w：候补委员 %d 名，应为 0 至 %d 名（%s）", ErrElectionSeats, alternates, p.AlternatesMax, p.Name))
	}
	return errors.Join(errs...)
}

// ChairDeadlines gives the deadlines that follow a committee election at electedAt, using
// OfficialCalendar: the members elect the chair and vice-chair by electBy (BJ 42: 7 days),
// the names are published by publishBy (3 days after the chair election, counted from the
// last day allowed for it), and the committee files with the street office by fileBy
// (REG 16: 30 days from the election).
func ChairDeadlines(electedAt time.Time, p JurisdictionProfile) (electBy, publishBy, fileBy time.Time) {
	cal := OfficialCalendar()
	electBy = PeriodEnd(electedAt, p.ChairElectDays, cal)
	// electBy is 24:00 of the last day; count the publication period from that day.
	publishBy = PeriodEnd(electBy.Add(-time.Nanosecond), p.ChairPublishDays, cal)
	fileBy = PeriodEnd(electedAt, p.FilingDays, cal)
	return electBy, publishBy, fileBy
}
