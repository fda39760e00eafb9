// Package services builds every application service over one database, so the
// server (main) and the tests wire the product the same way.
package services

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"

	"gongzhi/app/auditview"
	"gongzhi/app/auth"
	"gongzhi/app/ballotlog"
	"gongzhi/app/calendar"
	"gongzhi/app/committee"
	"gongzhi/app/credit"
	"gongzhi/app/documents"
	"gongzhi/app/elections"
	"gongzhi/app/exports"
	"gongzhi/app/formation"
	"gongzhi/app/handover"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/property"
	"gongzhi/app/roster"
	"gongzhi/app/supervision"
	"gongzhi/app/voting"
	"gongzhi/app/worklist"
)

// Options are the settings services need beyond the database.
type Options struct {
	SessionTTL time.Duration
	SecretKey  string       // for hashing and encrypting personal data
	PublicURL  string       // base of links printed in QR codes
	BcryptCost int          // 0: bcrypt's default; tests use the minimum
	Logger     *slog.Logger // what services notice by themselves; nil: discarded
	// Protector, when set, is used instead of one built from SecretKey: main loads
	// it through app/keyring, which checks the key against the database and adds
	// the hashing keys of earlier keys after a rotation.
	Protector *pii.Protector

	// Observer receives the online casts' measurements (app/metrics); nil: none.
	Observer voting.Observer

	// Clock is the one clock every service reads; nil: the system clock.
	Clock app.Clock

	// LogSigner signs the ballot log's tree heads (app/ballotlog); nil: a key
	// derived from the secret key (tests). main loads it from log.key beside secret.key.
	LogSigner *ballotlog.Signer
}

// Set is the whole service layer.
type Set struct {
	DB        *gorm.DB
	Clock     app.Clock
	PII       *pii.Protector
	Auth      *auth.Service
	Orgs      *orgs.Service
	Roster    *roster.Service
	Votes     *voting.Service
	Formation *formation.Service
	Elections *elections.Service
	Documents *documents.Service
	Calendar  *calendar.Service
	Property  *property.Service // property companies, complaints and the exit check (issue 13)
	// Credit and Handover: property companies' credit, dismissal and handover (issue 13).
	Credit   *credit.Service
	Handover *handover.Service
	// Committee is the committee in office (issue 12): cases, cessation, seats.
	Committee *committee.Service
	AuditView *auditview.Service // the auditor's workspace (issue 14)
	// Supervision is the rates against targets of street offices, districts and the city (issue 15).
	Supervision *supervision.Service
	Worklist    *worklist.Service // the week's work and the supervision charts (issue 15)
	// Reports is the monthly supervision report (issue 15), over Supervision's rates.
	Reports *supervision.ReportService
	// Exports are the XLSX downloads of ballots, participation, results and the audit log (issue 16).
	Exports *exports.Service
}

// New builds the service set.
func New(db *gorm.DB, opt Options) (*Set, error) {
	if len(opt.SecretKey) < 32 {
		return nil, fmt.Errorf("services: secret key shorter than 32 characters")
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	protector := opt.Protector
	if protector == nil {
		var err error
		if protector, err = pii.NewProtector([]byte(opt.SecretKey)); err != nil {
			return nil, fmt.Errorf("services: %w", err)
		}
	}
	throttleKey, err := protector.Subkey("auth/login-throttle/v1")
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	clock := app.ClockOrSystem(opt.Clock)
	// The rows' own stamps (GORM's created_at/updated_at, the audit log's time) read
	// the same clock as the services.
	db.Config.NowFunc = func() time.Time { return clock.Now().UTC() }
	set := &Set{
		DB:    db,
		Clock: clock,
		PII:   protector,
		Auth:  auth.New(db, clock, opt.SessionTTL, opt.BcryptCost, throttleKey),
		Orgs:  orgs.New(db),
	}
	set.Calendar = calendar.New(db, clock)
	set.Roster = roster.New(db, clock, set.Orgs, protector)
	set.Roster.SetLogger(opt.Logger)
	set.Votes = voting.New(db, clock, set.Orgs, set.Roster, protector, opt.PublicURL, opt.Logger)
	set.Votes.SetObserver(opt.Observer)
	if opt.LogSigner != nil {
		set.Votes.SetLogSigner(opt.LogSigner)
	}
	set.Formation = formation.New(db, clock, set.Orgs)
	set.Elections = elections.New(set.Votes, set.Formation)
	if set.Documents, err = documents.New(db, clock, set.Orgs, set.Votes, protector, opt.PublicURL); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	set.AuditView = auditview.New(db, set.Orgs, set.Votes, set.Clock)
	set.Exports = exports.New(set.Orgs, set.Clock, set.Votes, set.AuditView)
	// The workspace's verifier (issue 14, h14): the auditors' bundle, the resolution
	// in force and the platform's log key.
	set.AuditView.SetVerifySources(auditview.VerifySources{
		Bundle: set.Votes.AuditorBundle,
		PDF: func(ctx context.Context, p app.Principal, voteID int64) ([]byte, error) {
			f, err := set.Documents.Resolution(ctx, &p, voteID)
			return f.Data, err
		},
		Key: func() ed25519.PublicKey {
			if sg := set.Votes.LogSigner(); sg != nil {
				return sg.Public()
			}
			return nil
		},
	})
	set.Votes.SetCalendars(set.Calendar)
	set.Documents.SetCalendars(set.Calendar)
	set.Property = property.New(db, set.Orgs, protector, set.Clock, set.Calendar, opt.Logger)
	set.Property.SetVotes(set.Votes)
	set.Credit = credit.New(db, set.Orgs, set.Documents, set.Clock, opt.PublicURL)
	set.Handover = handover.New(db, set.Orgs, set.Votes, set.Documents, set.Clock)
	set.Handover.SetCalendars(set.Calendar)
	// The committee in office (issue 12): removal items of votes, their settlement when
	// final, and the check of members after a roster import.
	set.Committee = committee.New(db, set.Orgs, set.Votes, set.Documents, set.Formation, protector, set.Clock)
	set.Votes.SetRemovalCases(set.Committee)
	set.Votes.SetFinalListener(set.Committee)
	set.Votes.SetPublishListener(set.Documents) // issue 16: the resolution is issued on publication, never by a download
	set.Roster.SetImportObserver(set.Committee)
	set.Supervision = supervision.New(db, set.Orgs, set.Clock, set.Calendar, opt.Logger)
	set.Worklist = worklist.New(set.Formation, set.Votes, set.Committee, set.Property, set.Handover, set.Clock)
	// The monthly report reads the rates against targets (app/supervision).
	set.Reports = supervision.NewReportService(db, set.Worklist, set.Documents, set.Supervision, set.Clock)
	return set, nil
}
