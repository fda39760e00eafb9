package voting

// ObjectionWindow is where a vote stands in its objection period, for the pages: the
// same rule the objection and finalise use cases enforce.
type ObjectionWindow struct {
	Open bool // published, and the objection deadline not reached: objections may be recorded
	Over bool // published, and the deadline reached: the result may be finalised
}

// ObjectionWindow tells, at the service's clock, whether v's objection period is open
// or over (both false before publication and once final).
func (s *Service) ObjectionWindow(v VoteDetail) ObjectionWindow {
	if v.Phase != PhasePublished || v.ObjectionDeadline == nil {
		return ObjectionWindow{}
	}
	open := s.now().Before(*v.ObjectionDeadline)
	return ObjectionWindow{Open: open, Over: !open}
}
