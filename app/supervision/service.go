// Package supervision computes the rates a street office, a district and the city
// measure themselves by (issue 15, docs/supervision.md): committee formation (the
// transitional body counted separately), Party-organisation coverage and the
// committees' Party work groups, property management coverage, owner satisfaction
// and complaints accepted and handled on time on the 三三三 clock — each over the
// estates of the viewer's jurisdiction, as an integer numerator over a denominator,
// against the targets a district (or the city) sets per year. It keeps the targets
// and the Party facts the community records per estate. The monthly report and the
// week's work list live elsewhere (report*.go of this package, app/worklist).
package supervision

import (
	"log/slog"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/app/orgs"
)

// Service is the supervision service.
type Service struct {
	db    *gorm.DB
	orgs  *orgs.Service
	clock app.Clock
	cal   calendar.Source
	log   *slog.Logger
}

// New builds the service. cal gives the working calendar of the complaints' 3-day
// period (nil: the notices shipped in app/rules); log, when nil, discards.
func New(db *gorm.DB, o *orgs.Service, clock app.Clock, cal calendar.Source, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, orgs: o, clock: app.ClockOrSystem(clock), cal: cal, log: log}
}
