package documents

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/calendar"
	"gongzhi/app/orgs"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// sharedRenderer holds the one PDF renderer of the process: the embedded font is read and
// parsed once, however many service sets are built (tests build one per database). The
// renderer is immutable and safe for concurrent use.
var sharedRenderer = sync.OnceValues(pdfdoc.NewRenderer)

// Service issues, stores, publishes and verifies documents. It is safe for concurrent use.
type Service struct {
	db        *gorm.DB
	orgs      *orgs.Service
	votes     *voting.Service
	pii       *pii.Protector
	renderer  *pdfdoc.Renderer
	publicURL string
	calendars calendar.Source // the working calendar (app/calendar); nil: the shipped notices only
	// slots bounds the documents rendered at once (limits.go).
	slots chan struct{}
	// clock stamps the creation date of new documents (tests fix it to get
	// byte-identical PDFs) and decides what is shown or archived.
	clock app.Clock
}

// New builds the service; clock is nil for the system clock. publicURL (PUBLIC_URL) is the base of the verification links
// the documents' QR codes hold: publicURL + "/verify/" + document number. The protector
// encrypts stored notice batches, which carry every voter's personal ballot link.
func New(db *gorm.DB, clock app.Clock, orgSvc *orgs.Service, votes *voting.Service, protector *pii.Protector, publicURL string) (*Service, error) {
	r, err := sharedRenderer()
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return &Service{db: db, orgs: orgSvc, votes: votes, pii: protector, renderer: r,
		publicURL: strings.TrimRight(publicURL, "/"), slots: make(chan struct{}, runtime.GOMAXPROCS(0)), clock: app.ClockOrSystem(clock)}, nil
}

// now is the current instant in UTC at the microsecond precision both databases keep.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// VerifyURL is the public verification page of a document number; the QR codes of
// resolutions and minutes hold it.
func (s *Service) VerifyURL(number string) string { return s.publicURL + "/verify/" + number }

// userID is the principal's user id for *_by columns (nil for the system).
func userID(p app.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

// minShowDays is the shortest showing period of an announcement (Qingyuan 17, HZ 30:
// results shown at least 15 days), whatever a profile says.
const minShowDays = 15

// showDays is how long the profile shows announcements, at least minShowDays.
func showDays(p rules.JurisdictionProfile) int { return max(p.AnnouncementShowDays, minShowDays) }

// showUntil is the end of the showing period of an announcement published at from: 24:00
// of the last day (CC 201-203), and never before notBefore (a notice stays up while its
// vote runs, a result while objections are open).
func showUntil(from time.Time, p rules.JurisdictionProfile, notBefore *time.Time, cal rules.Calendar) time.Time {
	end := rules.PeriodEnd(from, showDays(p), cal)
	if notBefore != nil && notBefore.After(end) {
		end = *notBefore
	}
	return end.UTC()
}

// estateNames is what documents print about where an estate lies.
type estateNames struct {
	Estate    models.EstateWithPath
	Street    string
	Community string
}

// namesOf loads the estate with its community and street office names.
func (s *Service) namesOf(ctx context.Context, estateID int64) (estateNames, error) {
	e, err := models.FindEstate(ctx, s.db, estateID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return estateNames{}, app.Fail(app.ENotFound, "err.documents.estate_not_found")
	}
	if err != nil {
		return estateNames{}, app.Internal(err)
	}
	out := estateNames{Estate: e, Community: e.CommunityName}
	community, err := models.FindOrg(ctx, s.db, e.CommunityID)
	if err != nil {
		return out, app.Internal(err)
	}
	if community.ParentID != nil {
		street, err := models.FindOrg(ctx, s.db, *community.ParentID)
		if err != nil {
			return out, app.Internal(err)
		}
		out.Street = street.Name
	}
	return out, nil
}

// convenorName is the convenor as the documents print it: the estate's committee or
// group by name, or the street office.
func convenorName(convenor string, n estateNames) string {
	switch convenor {
	case voting.ConvenorStreetOffice:
		if n.Street != "" {
			return n.Street
		}
		return voting.ConvenorLabel(convenor)
	case voting.ConvenorPreparatoryGroup:
		return n.Estate.Name + "首次业主大会会议筹备组"
	}
	return n.Estate.Name + voting.ConvenorLabel(convenor)
}

// legalProfileLabel names the statute a vote was counted under.
func legalProfileLabel(lp string) string {
	switch rules.LegalProfile(lp) {
	case rules.PropertyLaw2007:
		return "《物权法》《物业管理条例》（2021年1月1日前的事项）"
	case rules.CivilCode2021:
		return "《中华人民共和国民法典》（2021年1月1日起施行）"
	}
	return lp
}
