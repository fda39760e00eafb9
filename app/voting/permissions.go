package voting

import (
	"gongzhi/app"
	"gongzhi/app/access"
)

// Permissions tell the pages which of the votes' forms and links to show; they come
// from the same policy (app/access) every use case checks again, so a page and the API
// cannot disagree about who may draft or run a vote.
type Permissions struct {
	Run       bool // draft, open, enter paper ballots, void, publish, answer objections, finalise
	ReadLinks bool // the credentials list and the notices, which carry ballot links
}

// Permissions computes what p may do with an estate's votes (in its jurisdiction).
func (s *Service) Permissions(p app.Principal) Permissions {
	return Permissions{Run: access.Can(p, access.RunVote), ReadLinks: access.Can(p, access.ReadBallotLinks)}
}
