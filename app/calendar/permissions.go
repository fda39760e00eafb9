package calendar

import (
	"gongzhi/app"
	"gongzhi/app/access"
)

// Permissions tell the pages which holiday-calendar forms and links to show, from the
// policy every use case checks again (app/access).
type Permissions struct {
	Manage bool // load, correct and remove holiday notices (access.ManageHolidays)
}

// Permissions computes what p may do with the holiday calendars.
func (s *Service) Permissions(p app.Principal) Permissions {
	return Permissions{Manage: access.Can(p, access.ManageHolidays)}
}
