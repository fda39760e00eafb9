// Package handlers builds the HTTP application: middleware, the error handler,
// and every route in one place. The JSON API lives in handlers/api, the web pages
// in handlers/web, what they share in handlers/httpx.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/committee"
	"gongzhi/app/config"
	"gongzhi/app/database"
	"gongzhi/app/demo"
	"gongzhi/app/documents"
	"gongzhi/app/metrics"
	"gongzhi/app/orgs"
	"gongzhi/app/property"
	"gongzhi/app/roster"
	"gongzhi/app/services"
	"gongzhi/app/voting"
	"gongzhi/docs"
	"gongzhi/handlers/api"
	"gongzhi/handlers/httpx"
	"gongzhi/handlers/web"
	"gongzhi/views"
)

// Deps is everything the HTTP layer needs; main builds it.
type Deps struct {
	Config config.Config
	DB     *gorm.DB
	Logger *slog.Logger
	Views  *views.Renderer
	Svc    *services.Set
	Demo   *demo.Logins // demo accounts for the sign-in page; nil outside demo mode
	// Metrics records request latencies (nil: none); main serves it on METRICS_ADDR.
	Metrics *metrics.Metrics
}

// New builds the fiber application with all routes.
func New(d Deps) *fiber.App {
	validate := httpx.NewValidator()
	webH := &web.Handlers{Views: d.Views, Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, CookieSecure: d.Config.CookieSecure,
		Demo:      d.Demo,
		Formation: d.Svc.Formation,
		Clock:     d.Svc.Clock}
	apiH := &api.Handlers{Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, Validate: validate}
	rosterAPI := &api.RosterHandlers{Roster: d.Svc.Roster, Validate: validate}
	rosterWeb := &web.RosterPages{Handlers: webH, Roster: d.Svc.Roster}
	docsWeb := &web.DocumentPages{Handlers: webH, Docs: d.Svc.Documents}
	docsAPI := &api.DocumentHandlers{Docs: d.Svc.Documents, Validate: validate}
	voteWeb := &web.VotePages{Handlers: webH, Votes: d.Svc.Votes, Committee: d.Svc.Committee}
	webH.Calendar = d.Svc.Calendar // the home page's holiday-notice warning
	webH.Property = d.Svc.Property // the home page's exit-case banner (issue 13, h12)

	fapp := fiber.New(fiber.Config{
		AppName:               "gongzhi",
		Immutable:             true, // strings from Params/FormValue outlive the handler
		DisableStartupMessage: true,
		BodyLimit:             httpx.DefaultBodyLimit, // the upload routes below take more, streamed
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          120 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          errorHandler(d.Logger, webH),

		// Bodies stream: fasthttp reads 8 KB before routing; httpx.LimitBody and the
		// upload routes below bound the rest (handlers/httpx/body.go).
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// c.Protocol() and c.Hostname() believe X-Forwarded-* only from TRUSTED_PROXIES.
		// No ProxyHeader is set, so c.IP() is always the connection's peer (behind a
		// proxy, the proxy): the client address, for the limiters and the sign-in
		// back-off alike, is httpx.Proxies.ClientAddr, never c.IP().
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxyStrings(d.Config.TrustedProxies),
	})
	fapp.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		d.Logger.Error("panic", "request_id", httpx.RequestID(c), "panic", e, "stack", string(debug.Stack()))
	}}))
	fapp.Use(requestid.New(requestid.Config{ContextKey: httpx.LocalRequestID}))
	if d.Metrics != nil {
		fapp.Use(observeRequests(d.Metrics))
	}
	fapp.Use(httpx.AccessLog(d.Logger))
	// Request contexts end with the server: fiber runs its shutdown hooks once a
	// shutdown has waited for the requests in flight or its deadline has passed, and
	// work still running (a PDF, an import) is then cancelled.
	lifetime, endLifetime := context.WithCancel(context.Background())
	fapp.Hooks().OnShutdown(func() error { endLifetime(); return nil })
	fapp.Use(httpx.WithDeadline(lifetime, d.Config.RequestTimeout))
	// A GET changes nothing: the services it calls share one list of the viewer's
	// estates (orgs.ShareEstates; a city's week's work asks five services for theirs).
	fapp.Use(func(c *fiber.Ctx) error {
		if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
			c.SetUserContext(orgs.ShareEstates(c.UserContext()))
		}
		return c.Next()
	})
	fapp.Use(httpx.SecurityHeaders(d.Config.CookieSecure))
	// Pages, JSON and static text compressed for clients that accept it; PDFs,
	// workbooks and images are sent as they are (httpx.Compress, issue 16 defect 7).
	fapp.Use(httpx.Compress())

	// Upload routes: the only bodies past httpx.DefaultBodyLimit, read after sign-in and
	// the role check (or, for /verify, hashed as they stream); each limit is the service's own bound
	// on the file plus 1 MB of form fields. Marked before LimitBody, which bounds the rest.
	say := sayer(d.Views)
	for _, u := range []struct {
		path  string
		limit int
	}{
		{"/api/v1/estates/:id/roster", roster.MaxFileSize + 1<<20},
		{"/estates/:id/roster", roster.MaxFileSize + 1<<20},
		{"/api/v1/votes/:id/ballots/:ballot/scans", voting.MaxScanBytes + 1<<20},
		{"/votes/:id/ballots/:ballot/scans", voting.MaxScanBytes + 1<<20},
		{"/votes/:id/paper", voting.MaxScanBytes + 1<<20},
		{"/api/v1/estates/:id/announcements", documents.MaxAttachment + 1<<20},
		{"/estates/:id/announcements", documents.MaxAttachment + 1<<20},
		{"/verify", documents.MaxAttachment + 1<<20},
		{"/api/v1/complaints/:id/attachments", property.MaxAttachment + 1<<20},
		{"/complaints/:id/attachments", property.MaxAttachment + 1<<20},
		// the owners' public complaint form with its photos (no sign-in: smaller bounds, own rate limit)
		{"/public/estates/:id/complaint", property.MaxPublicAttachments*property.MaxPublicAttachment + 1<<20},
		{"/api/v1/cases/:id/files", committee.MaxEvidence + 1<<20}, // the committee in office: evidence
		{"/committee-cases/:id/files", committee.MaxEvidence + 1<<20},
	} {
		fapp.Post(u.path, httpx.AllowBody(u.limit))
	}
	fapp.Use(httpx.LimitBody(say))
	// Each upload route above reads its body with readUpload, registered after the
	// route's httpx.Allow: only a caller who may write makes the server read it, and
	// readUpload checks a web upload's CSRF token (the public /verify uses StreamFile).
	readUpload := httpx.ReadUpload(say)
	proxies := httpx.Proxies(d.Config.TrustedProxies)
	webH.Proxies, apiH.Proxies = proxies, proxies // the sign-in back-off's client address

	fapp.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	fapp.Get("/readyz", readyz(d.DB))
	fapp.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(views.StaticFS()), MaxAge: 3600}))
	// The icon browsers ask for on every site, served before any sign-in (issue 16, item 9).
	favicon, err := fs.ReadFile(views.StaticFS(), "favicon.ico")
	if err != nil {
		panic(fmt.Sprintf("handlers: favicon: %v", err)) // embedded at build time
	}
	fapp.Get("/favicon.ico", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "image/x-icon")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(favicon)
	})

	loginLimit := httpx.RateLimit(httpx.NewLimiter(d.Config.LoginRateLimit, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say)

	// JSON API.
	v1 := fapp.Group("/api/v1")
	v1.Get("/openapi.yaml", func(c *fiber.Ctx) error {
		c.Type("yaml", "utf-8")
		return c.Send(docs.OpenAPI())
	})
	v1.Post("/auth/token", loginLimit, apiH.Token)
	v1.Post("/auth/password", loginLimit, apiH.ChangePassword)
	// votes public API routes: registered before the bearer-token group, whose
	// middleware fiber would otherwise run first for every /api/v1 path.
	votesAPI := &api.VoteHandlers{Votes: d.Svc.Votes, Validate: validate, Proxies: proxies}
	// One ceiling per client address over every owner-facing route (docs/operations.md).
	ballotLimit := httpx.RateLimit(httpx.NewLimiter(d.Config.BallotRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say)
	optionalToken := api.OptionalToken(apiH.RequireToken)
	// One ceiling per client address over the other anonymous read routes (published
	// results, resolutions, verification, public lists), signed-in callers of the
	// optional-token ones included (docs/operations.md).
	publicLimit := httpx.RateLimit(httpx.NewLimiter(d.Config.PublicRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say)
	v1.Get("/ballots/:token", ballotLimit, votesAPI.Ballot)
	v1.Post("/ballots/:token", ballotLimit, votesAPI.Cast)
	v1.Post("/ballots/:token/objections", ballotLimit, votesAPI.FileObjection)
	v1.Get("/receipts/:code", ballotLimit, votesAPI.VerifyReceipt)
	v1.Get("/votes/:id/results", publicLimit, optionalToken, votesAPI.Results)
	v1.Get("/votes/:id/participation-list", publicLimit, optionalToken, votesAPI.ParticipationList)
	// ballot log public API routes (issue 14, docs/bundle.md): the log key, signed
	// heads, consistency proofs, the public bundle once the result is published
	v1.Get("/log-key", publicLimit, votesAPI.LogKey)
	v1.Get("/votes/:id/log/heads", publicLimit, votesAPI.LogHeads)
	v1.Get("/votes/:id/log/consistency", publicLimit, votesAPI.LogConsistency)
	v1.Get("/votes/:id/bundle.json", publicLimit, votesAPI.PublicBundle)
	// documents public API route (before the token group): staff once closed, anyone once published
	v1.Get("/votes/:id/resolution.pdf", publicLimit, optionalToken, docsAPI.Resolution)
	// property credit public API route (issue 13): a district's red and black lists, for anyone
	stewardAPI := &api.StewardshipHandlers{Credit: d.Svc.Credit, Handover: d.Svc.Handover, Validate: validate}
	v1.Get("/districts/:id/credit-lists", publicLimit, stewardAPI.DistrictLists)
	authed := v1.Group("", apiH.RequireToken)
	authed.Delete("/auth/token", apiH.RevokeToken)
	authed.Get("/me", apiH.Me)
	authed.Get("/profiles", apiH.Profiles)
	authed.Get("/orgs", apiH.ListOrgs)
	authed.Post("/orgs", httpx.Allow(access.ManageOrgs), apiH.CreateOrg)
	authed.Get("/users", apiH.ListUsers)
	authed.Post("/users", httpx.Allow(access.ManageUsers), apiH.CreateUser)
	authed.Post("/users/:id/password", httpx.Allow(access.ManageUsers), apiH.ResetUserPassword)
	authed.Post("/users/:id/disable", httpx.Allow(access.ManageUsers), apiH.SetUserDisabled(true))
	authed.Post("/users/:id/enable", httpx.Allow(access.ManageUsers), apiH.SetUserDisabled(false))
	authed.Get("/estates", apiH.ListEstates)
	authed.Post("/estates", httpx.Allow(access.ManageEstates), apiH.CreateEstate)
	authed.Get("/estates/:id", apiH.GetEstate)
	// roster API routes
	authed.Post("/estates/:id/roster", httpx.Allow(access.EditRoster), readUpload, rosterAPI.Import)
	authed.Get("/estates/:id/roster.xlsx", rosterAPI.Export)
	authed.Get("/estates/:id/roster/imports", rosterAPI.Imports)
	authed.Get("/estates/:id/register", rosterAPI.Register)
	authed.Get("/estates/:id/units", rosterAPI.Units)
	authed.Patch("/estates/:id/units/:unit", httpx.Allow(access.EditRoster), rosterAPI.UpdateUnit)
	authed.Patch("/estates/:id/owners/:owner", httpx.Allow(access.EditRoster), rosterAPI.UpdateOwner)
	// votes API routes
	authed.Get("/estates/:id/votes", votesAPI.ListVotes)
	authed.Post("/estates/:id/votes", httpx.Allow(access.RunVote), votesAPI.CreateVote)
	authed.Get("/votes/:id", votesAPI.GetVote)
	authed.Put("/votes/:id/items", httpx.Allow(access.RunVote), votesAPI.ReplaceItems)
	authed.Post("/votes/:id/items", httpx.Allow(access.RunVote), votesAPI.AddItem)
	authed.Delete("/votes/:id", httpx.Allow(access.RunVote), votesAPI.DeleteVote) // issue 16: a draft before its notice
	authed.Post("/votes/:id/open", httpx.Allow(access.RunVote), votesAPI.OpenVote)
	authed.Get("/votes/:id/credentials", httpx.Allow(access.ReadBallotLinks), votesAPI.Credentials)
	authed.Post("/votes/:id/credentials/:voter/reissue", httpx.Allow(access.RunVote), votesAPI.ReissueCredential)
	authed.Get("/votes/:id/voters", votesAPI.SearchVoters)
	authed.Post("/votes/:id/paper-ballots", httpx.Allow(access.RunVote), votesAPI.PaperBallot)
	authed.Get("/votes/:id/ballots", votesAPI.Ballots)
	authed.Post("/votes/:id/ballots/:ballot/void", httpx.Allow(access.RunVote), votesAPI.VoidBallot)
	authed.Post("/votes/:id/ballots/:ballot/scans", httpx.Allow(access.RunVote), readUpload, votesAPI.AttachScan)
	authed.Get("/votes/:id/scans/:scan", votesAPI.DownloadScan)
	authed.Get("/votes/:id/participation", votesAPI.Participation)
	authed.Post("/votes/:id/publish", httpx.Allow(access.RunVote), votesAPI.Publish)
	authed.Get("/votes/:id/objections", votesAPI.Objections)
	authed.Post("/votes/:id/objections", httpx.Allow(access.RunVote), votesAPI.RecordObjection)
	authed.Post("/votes/:id/objections/:objection/answer", httpx.Allow(access.RunVote), votesAPI.AnswerObjection)
	authed.Post("/votes/:id/finalise", httpx.Allow(access.RunVote), votesAPI.Finalise)
	authed.Get("/votes/:id/events", votesAPI.Events)
	authed.Get("/votes/:id/recount", votesAPI.Recount)
	// ballot log API routes (issue 14): on-demand checkpoint, the auditors' bundle
	authed.Post("/votes/:id/log/checkpoints", httpx.Allow(access.RunVote), votesAPI.LogCheckpoint)
	authed.Get("/votes/:id/auditor-bundle.json", httpx.Allow(access.AuditVotes), votesAPI.AuditorBundle)
	// documents API routes
	authed.Post("/votes/:id/resolution/corrections", httpx.Allow(access.RunVote), docsAPI.CorrectResolution)
	authed.Post("/votes/:id/resolution/issues", httpx.Allow(access.RunVote), docsAPI.IssueResolution) // issue 16: issued by staff, never by a GET
	authed.Post("/votes/:id/notices", httpx.Allow(access.RunVote), docsAPI.IssueNotices)              // issue 16: issued by staff, never by a GET
	authed.Get("/votes/:id/notices.pdf", httpx.Allow(access.ReadBallotLinks), docsAPI.Notices)
	authed.Post("/votes/:id/notices/regenerations", httpx.Allow(access.RunVote), docsAPI.RegenerateNotices)
	authed.Get("/votes/:id/documents", docsAPI.VoteDocuments)
	authed.Get("/estates/:id/documents", docsAPI.EstateDocuments)
	authed.Get("/documents/:id", docsAPI.Document)
	authed.Get("/documents/:id/pdf", docsAPI.DocumentPDF)
	authed.Get("/estates/:id/announcements", docsAPI.Announcements)
	authed.Post("/estates/:id/announcements", httpx.Allow(access.KeepRecords), readUpload, docsAPI.PublishAnnouncement)
	authed.Get("/estates/:id/minutes", docsAPI.ListMinutes)
	authed.Post("/estates/:id/minutes", httpx.Allow(access.KeepRecords), docsAPI.CreateMinutes)
	authed.Get("/minutes/:id", docsAPI.GetMinutes)
	authed.Put("/minutes/:id", httpx.Allow(access.KeepRecords), docsAPI.UpdateMinutes)
	authed.Post("/minutes/:id/finalise", httpx.Allow(access.KeepRecords), docsAPI.FinaliseMinutes)
	authed.Get("/minutes/:id/pdf", docsAPI.MinutesPDF)
	// elections API routes
	electionsAPI := &api.ElectionHandlers{Elections: d.Svc.Elections, Validate: validate}
	authed.Post("/groups/:id/election-votes", httpx.Allow(access.PrepElection, access.ReelectionElection), electionsAPI.CreateElectionVote)
	authed.Post("/votes/:id/committee", httpx.Allow(access.PrepElection, access.ReelectionElection), electionsAPI.RecordElection)
	authed.Post("/votes/:id/runoffs", httpx.Allow(access.RunVote), electionsAPI.CreateRunoff)
	formationAPI := &api.FormationHandlers{Formation: d.Svc.Formation, Validate: validate}
	authed.Get("/formation/due", formationAPI.FormationDue)
	authed.Get("/estates/:id/formation", formationAPI.FormationOverview)
	authed.Put("/estates/:id/formation", httpx.Allow(access.PrepWork), formationAPI.SetFormationFacts)
	authed.Post("/estates/:id/groups", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.CreateGroup)
	authed.Get("/estates/:id/committee", formationAPI.GetEstateCommittee)
	authed.Get("/groups/:id", formationAPI.GetGroup)
	authed.Patch("/groups/:id", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.UpdateGroup)
	authed.Post("/groups/:id/dissolve", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.DissolveGroup)
	authed.Post("/groups/:id/members", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.AddGroupMember)
	authed.Put("/group-members/:id", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.UpdateGroupMember)
	authed.Post("/group-members/:id/withdraw", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.WithdrawGroupMember)
	authed.Post("/groups/:id/publish", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationAPI.PublishMemberList)
	authed.Post("/groups/:id/duties/:code", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.CompleteDuty)
	authed.Post("/groups/:id/objections", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.AddObjection)
	authed.Post("/formation-objections/:id/answer", httpx.Allow(access.PrepCompose, access.ReelectionCompose, access.PrepWork, access.ReelectionWork), formationAPI.AnswerObjection)
	authed.Post("/groups/:id/candidates", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.Nominate)
	authed.Get("/groups/:id/slate", formationAPI.GetSlate)
	authed.Post("/groups/:id/candidate-lists", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.PublishCandidateList)
	authed.Get("/candidates/:id", formationAPI.GetCandidate)
	authed.Post("/candidates/:id/checklist", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.RecordChecklist) // issue 16
	authed.Post("/candidates/:id/checks", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.RecordCheck)
	authed.Post("/candidates/:id/review", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.ReviewCandidate)
	authed.Post("/candidates/:id/withdraw", httpx.Allow(access.PrepWork, access.ReelectionWork), formationAPI.WithdrawCandidate)
	authed.Get("/committees/:id", formationAPI.GetCommittee)
	authed.Post("/committees/:id/officers", httpx.Allow(access.CommitteeOfficers), formationAPI.SetOfficers)
	authed.Post("/committees/:id/filings", httpx.Allow(access.CommitteeFiling), formationAPI.FileCommittee)
	// issue 12 (h4): election edges and the transitional body
	authed.Post("/estates/:id/formation/application", httpx.Allow(access.PrepCompose), formationAPI.RecordApplication)
	authed.Put("/estates/:id/coowner-rule", httpx.Allow(access.PrepWork), formationAPI.SetCoOwnerRule)
	authed.Post("/committees/:id/lots/:lot/draw", httpx.Allow(access.PrepElection, access.ReelectionElection), formationAPI.DrawLot)
	authed.Get("/estates/:id/transitional-bodies", formationAPI.ListTransitional)
	authed.Post("/estates/:id/transitional-bodies", httpx.Allow(access.TransitionalBody), formationAPI.FormTransitional)
	authed.Post("/transitional-bodies/:id/end", httpx.Allow(access.TransitionalBody), formationAPI.EndTransitional)
	// The committee in office (issue 12): negative-list cases, cessation, attendance,
	// change filing, re-election (docs/committee.md).
	committeeAPI := &api.CommitteeHandlers{Committee: d.Svc.Committee, Validate: validate}
	authed.Get("/committees/:id/in-office", committeeAPI.InOffice)
	authed.Get("/committees/:id/attendance", committeeAPI.Attendance)
	authed.Post("/committees/:id/cases", httpx.Allow(access.CaseReport), committeeAPI.Report)
	authed.Post("/committees/:id/cessations", httpx.Allow(access.CaseReport), committeeAPI.Cessation)
	authed.Post("/committees/:id/change-filings", httpx.Allow(access.CommitteeFiling), committeeAPI.FileChanges)
	authed.Post("/committees/:id/reelection", httpx.Allow(access.ReelectionCompose), committeeAPI.StartReelection)
	authed.Post("/votes/:id/by-election", httpx.Allow(access.ReelectionElection), committeeAPI.RecordByElection)
	authed.Get("/cases", committeeAPI.OpenCases)
	authed.Get("/cases/:id", committeeAPI.GetCase)
	authed.Post("/cases/:id/verification", httpx.Allow(access.CaseVerify), committeeAPI.Verify)
	authed.Post("/cases/:id/defence", httpx.Allow(access.CaseReport), committeeAPI.Defence)
	authed.Post("/cases/:id/proposal", httpx.Allow(access.CaseReport), committeeAPI.Propose)
	authed.Post("/cases/:id/order", httpx.Allow(access.CaseOrder), committeeAPI.Order)
	authed.Post("/cases/:id/settle", httpx.Allow(access.CaseReport), committeeAPI.Settle)
	authed.Post("/cases/:id/files", httpx.Allow(access.CaseReport), readUpload, committeeAPI.AddFile)
	authed.Get("/case-files/:id", committeeAPI.GetFile)
	authed.Post("/cases/:id/cessation-confirmation", httpx.Allow(access.CaseVerify), committeeAPI.ConfirmCessation)
	authed.Post("/cases/:id/assembly-confirmation", httpx.Allow(access.CaseReport), committeeAPI.AssemblyConfirmation)
	// Committee oversight (seed 003 §(六), h11): ratings, rectification orders, revocations.
	oversightAPI := &api.OversightHandlers{Committee: d.Svc.Committee, Validate: validate}
	authed.Get("/committees/:id/oversight", oversightAPI.Oversight)
	authed.Get("/estates/:id/committee-ratings", oversightAPI.EstateRatings)
	authed.Post("/committees/:id/ratings", httpx.Allow(access.OversightRate), oversightAPI.Rate)
	authed.Post("/committees/:id/rectifications", httpx.Allow(access.OversightOrder), oversightAPI.Order)
	authed.Post("/committee-rectifications/:id/outcome", httpx.Allow(access.OversightOrder), oversightAPI.Outcome)
	authed.Post("/committee-rectifications/:id/revocation", httpx.Allow(access.OversightOrder), oversightAPI.Revoke)
	// holiday calendar API routes (platform administrator)
	calendarAPI := &api.CalendarHandlers{Calendar: d.Svc.Calendar, Validate: validate}
	authed.Get("/holiday-calendars", httpx.Allow(access.ManageHolidays), calendarAPI.ListHolidayCalendars)
	authed.Post("/holiday-calendars/:year", httpx.Allow(access.ManageHolidays), calendarAPI.LoadHolidayCalendar)
	// property companies, complaints and the exit check API routes (issue 13, docs/property.md)
	propertyAPI := &api.PropertyHandlers{Property: d.Svc.Property, Validate: validate}
	authed.Get("/companies", propertyAPI.ListCompanies)
	authed.Post("/companies", httpx.Allow(access.SuperviseProperty), propertyAPI.CreateCompany)
	authed.Post("/companies/:id/credit-entries", httpx.Allow(access.SuperviseProperty), propertyAPI.AddCreditEntry)
	authed.Post("/estates/:id/service-contracts", httpx.Allow(access.PropertyRecords), propertyAPI.CreateContract)
	authed.Get("/estates/:id/company", propertyAPI.CompanyOn)
	authed.Post("/service-contracts/:id/managers", httpx.Allow(access.PropertyRecords), propertyAPI.RegisterManager)
	authed.Get("/estates/:id/complaints", propertyAPI.ListComplaints)
	authed.Post("/estates/:id/complaints", httpx.Allow(access.PropertyRecords), propertyAPI.FileComplaint)
	authed.Get("/complaints/:id", propertyAPI.GetComplaint)
	authed.Post("/complaints/:id/events", httpx.Allow(access.PropertyRecords), propertyAPI.AddComplaintEvent)
	authed.Post("/complaints/:id/attachments", httpx.Allow(access.PropertyRecords), readUpload, propertyAPI.AddAttachment)
	authed.Get("/complaints/:id/attachments/:att", propertyAPI.DownloadAttachment)
	authed.Post("/estates/:id/rectifications", httpx.Allow(access.SuperviseProperty), propertyAPI.CreateRectification)
	authed.Post("/rectifications/:id/outcome", httpx.Allow(access.SuperviseProperty), propertyAPI.RecordOutcome)
	authed.Post("/estates/:id/satisfaction-surveys", httpx.Allow(access.PropertyRecords), propertyAPI.RecordSurvey)
	authed.Get("/estates/:id/exit-check", propertyAPI.ExitCheck)
	authed.Get("/revisits", propertyAPI.Revisits) // the revisit ledger (issue 13, h12): read, scoped to the jurisdiction
	authed.Get("/exit-cases", propertyAPI.ExitCases)
	// property companies' credit, dismissal and handover API routes (issue 13)
	authed.Get("/companies/:id/credit", stewardAPI.CompanyCredit)
	authed.Post("/companies/:id/grades", httpx.Allow(access.GradeCredit), stewardAPI.SetGrade)
	authed.Post("/companies/:id/list-entries", httpx.Allow(access.GradeCredit), stewardAPI.AddToList)
	authed.Post("/credit-list-entries/:id/removal", httpx.Allow(access.GradeCredit), stewardAPI.RemoveFromList)
	authed.Post("/districts/:id/credit-lists", httpx.Allow(access.GradeCredit), stewardAPI.PublishLists)
	authed.Get("/companies/:id/eligibility", stewardAPI.Eligibility)
	authed.Get("/estates/:id/hire-flags", stewardAPI.HireFlags)
	authed.Get("/estates/:id/contracts", stewardAPI.EstateContracts)
	authed.Post("/contracts/:id/termination", httpx.Allow(access.RunVote), stewardAPI.Terminate)
	authed.Get("/terminations/:id/notice.pdf", stewardAPI.TerminationNotice)
	// the week's work and the supervision charts (issue 15, docs/worklist.md)
	worklistAPI := &api.WorklistHandlers{Worklist: d.Svc.Worklist}
	authed.Get("/worklist", httpx.Allow(access.WorkList), worklistAPI.Week)
	authed.Get("/worklist/open-votes", httpx.Allow(access.WorkList), worklistAPI.OpenVotes)
	authed.Get("/worklist/charts", httpx.Allow(access.WorkList), worklistAPI.Charts)
	authed.Get("/votes/:id/participation-curve", httpx.Allow(access.WorkList), worklistAPI.Curve)
	reportAPI := &api.ReportHandlers{Reports: d.Svc.Reports}
	authed.Get("/supervision-reports", httpx.Allow(access.SupervisionReport), reportAPI.List)
	authed.Post("/supervision-reports", httpx.Allow(access.SupervisionReport), reportAPI.Generate)
	authed.Get("/supervision-reports/:code/pdf", httpx.Allow(access.SupervisionReport), reportAPI.PDF)
	authed.Get("/handovers", stewardAPI.ListHandovers)
	authed.Get("/handovers/:id", stewardAPI.GetHandover)
	authed.Post("/handover-items/:id", httpx.Allow(access.KeepRecords), stewardAPI.RecordHandoverItem)
	authed.Post("/handovers/:id/items", httpx.Allow(access.KeepRecords), stewardAPI.AddHandoverItem)
	authed.Post("/handovers/:id/refusal", httpx.Allow(access.KeepRecords), stewardAPI.RefuseHandover)
	authed.Post("/handovers/:id/completion", httpx.Allow(access.KeepRecords), stewardAPI.CompleteHandover)
	authed.Get("/handovers/:id/record.pdf", stewardAPI.HandoverRecord)
	authed.Post("/estates/:id/public-income", httpx.Allow(access.KeepRecords), stewardAPI.DiscloseIncome)
	// auditor's workspace API routes (issue 14, app/auditview; docs/audit.md)
	auditAPI := &api.AuditHandlers{Audit: d.Svc.AuditView, Validate: validate}
	authed.Get("/votes/:id/audit", httpx.Allow(access.AuditVotes), auditAPI.Workspace)
	authed.Get("/votes/:id/audit/ballots", httpx.Allow(access.AuditVotes), auditAPI.Ballots)
	authed.Post("/votes/:id/audit/paper-audits", httpx.Allow(access.AuditVotes), auditAPI.DrawSample)
	authed.Get("/votes/:id/audit/paper-audits/:paudit", httpx.Allow(access.AuditVotes), auditAPI.PaperAudit)
	authed.Post("/votes/:id/audit/paper-audits/:paudit/items/:pitem", httpx.Allow(access.AuditVotes), auditAPI.RecordCheck)
	authed.Post("/votes/:id/audit/recounts", httpx.Allow(access.AuditVotes), auditAPI.RunRecount)
	// supervision rates and targets API routes (issue 15, app/supervision; docs/supervision.md)
	supAPI := &api.SupervisionHandlers{Supervision: d.Svc.Supervision}
	authed.Get("/supervision/rates", httpx.Allow(access.ReadSupervision), supAPI.Rates)
	authed.Get("/supervision/rates/estates", httpx.Allow(access.ReadSupervision), supAPI.Estates)
	authed.Get("/supervision/targets", httpx.Allow(access.ReadSupervision), supAPI.Targets)
	authed.Post("/supervision/targets", httpx.Allow(access.SetTargets), supAPI.SetTarget)
	authed.Post("/estates/:id/party-facts", httpx.Allow(access.RecordPartyFacts), supAPI.RecordParty)
	// The workspace's verifier runs, kept (issue 14, h14).
	authed.Post("/votes/:id/audit/verifications", httpx.Allow(access.AuditVotes), auditAPI.RunVerify)
	v1.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	// Web pages.
	fapp.Use(web.DetectLang, webH.LoadSession, httpx.AnonCSRF(d.Config.CookieSecure), httpx.CheckCSRF())
	fapp.Get("/lang", webH.SetLang)
	fapp.Get("/login", webH.LoginForm)
	// documents public web routes: an estate's announcements, document verification, published resolutions (no sign-in)
	fapp.Get("/public/estates/:id", publicLimit, docsWeb.PublicEstate)
	fapp.Get("/verify", publicLimit, docsWeb.VerifyForm)
	fapp.Post("/verify", httpx.RateLimit(httpx.NewLimiter(d.Config.VerifyRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say), docsWeb.VerifyUpload)
	fapp.Get("/verify/:code", publicLimit, docsWeb.Verify)
	fapp.Get("/verify/:code/download", publicLimit, docsWeb.Download)
	// org-level records (issue 15: the monthly supervision report), verified by number
	fapp.Get("/verify/org/:code", publicLimit, (&web.ReportPages{Handlers: webH, Docs: d.Svc.Documents}).Verify)
	fapp.Get("/votes/:id/resolution.pdf", publicLimit, docsWeb.Resolution)
	// committee in office public web routes: an owner's report against a member (issue 12)
	committeeWeb := &web.CommitteePages{Handlers: webH, Committee: d.Svc.Committee}
	fapp.Get("/public/estates/:id/committee-report", publicLimit, committeeWeb.PublicForm)
	// An anonymous report opens a case with deadlines: its own per-address limit, as the
	// public complaint form's (VERIFY_RATE_LIMIT).
	reportLimit := httpx.RateLimit(httpx.NewLimiter(d.Config.VerifyRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say)
	fapp.Post("/public/estates/:id/committee-report", publicLimit, reportLimit, committeeWeb.PublicReport)
	// votes public web routes: the owner's ballot link, the receipt check, published results (no sign-in)
	// The short code of a notice (for owners who cannot scan its QR code) finds the
	// ballot link; its own per-address limit keeps the 2^40 codes from being swept
	// (CODE_RATE_LIMIT, app/voting/shortcode.go).
	fapp.Get("/b", ballotLimit, voteWeb.CodeForm)
	fapp.Post("/b", ballotLimit, httpx.RateLimit(httpx.NewLimiter(d.Config.CodeRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say), voteWeb.CodeEnter)
	fapp.Get("/b/:token", ballotLimit, voteWeb.BallotPage)
	fapp.Post("/b/:token/check", ballotLimit, voteWeb.CheckIdentity)
	fapp.Post("/b/:token/review", ballotLimit, voteWeb.Review)
	fapp.Post("/b/:token/edit", ballotLimit, voteWeb.Edit)
	fapp.Post("/b/:token/lang", ballotLimit, voteWeb.SwitchLang)
	fapp.Post("/b/:token/cast", ballotLimit, voteWeb.Cast)
	fapp.Get("/b/:token/receipt", ballotLimit, voteWeb.ReceiptPage)
	fapp.Post("/b/:token/objection", ballotLimit, voteWeb.FileObjection)
	fapp.Get("/receipt", ballotLimit, voteWeb.ReceiptCheck)
	fapp.Get("/public/votes/:id", publicLimit, voteWeb.PublicResults)
	// property credit public web routes (issue 13): the districts' red and black lists and their monthly PDFs (no sign-in)
	stewardWeb := &web.StewardshipPages{Handlers: webH, Credit: d.Svc.Credit, Handover: d.Svc.Handover}
	fapp.Get("/credit-lists", publicLimit, stewardWeb.CreditListsIndex)
	fapp.Get("/credit-lists/pdf/:code", publicLimit, stewardWeb.CreditListPDF)
	fapp.Get("/credit-lists/:id", publicLimit, stewardWeb.CreditLists)
	formationWeb := &web.FormationPages{Handlers: webH, Committee: d.Svc.Committee} // public: the published member and candidate lists, no sign-in
	fapp.Get("/estates/:id/public/candidates", publicLimit, formationWeb.PublicPage)
	// property public web routes: an owner files a complaint and follows it by a private link (no sign-in)
	propertyWeb := &web.PropertyPages{Handlers: webH, Property: d.Svc.Property, PublicURL: d.Config.PublicURL}
	fapp.Get("/public/estates/:id/complaint", publicLimit, propertyWeb.PublicForm)
	// The form carries up to property.MaxPublicAttachments photos: its own per-address
	// limit (VERIFY_RATE_LIMIT, the other anonymous upload) before the body is read.
	complaintUploadLimit := httpx.RateLimit(httpx.NewLimiter(d.Config.VerifyRate, httpx.MaxLimiterKeys, d.Svc.Clock), proxies, say)
	fapp.Post("/public/estates/:id/complaint", publicLimit, complaintUploadLimit, readUpload, propertyWeb.PublicFile)
	fapp.Get("/c/:token", publicLimit, propertyWeb.Track)
	fapp.Post("/login", loginLimit, webH.Login)
	fapp.Get("/docs/openapi.yaml", func(c *fiber.Ctx) error {
		c.Type("yaml", "utf-8")
		return c.Send(docs.OpenAPI())
	})
	staff := fapp.Group("", webH.RequireLogin)
	staff.Post("/logout", webH.Logout)
	staff.Get("/password", webH.PasswordForm)
	staff.Post("/password", loginLimit, webH.ChangePassword)
	staff.Get("/", webH.Home)
	staff.Get("/orgs", webH.OrgsPage)
	staff.Post("/orgs", httpx.Allow(access.ManageOrgs), webH.CreateOrg)
	staff.Get("/estates", webH.EstatesPage)
	staff.Post("/estates", httpx.Allow(access.ManageEstates), webH.CreateEstate)
	staff.Get("/estates/:id", webH.EstatePage)
	staff.Get("/users", webH.UsersPage)
	staff.Post("/users", httpx.Allow(access.ManageUsers), webH.CreateUser)
	staff.Post("/users/:id/disable", httpx.Allow(access.ManageUsers), webH.SetUserDisabled(true))
	staff.Post("/users/:id/enable", httpx.Allow(access.ManageUsers), webH.SetUserDisabled(false))
	staff.Post("/users/:id/password", httpx.Allow(access.ManageUsers), webH.ResetUserPassword)
	staff.Get("/audit", webH.AuditLog)
	// XLSX exports (issue 16, app/exports): the audit log under the page's filters, a
	// vote's participation list and results, its ballots for the auditors
	exportWeb := &web.ExportPages{Handlers: webH, Exports: d.Svc.Exports}
	staff.Get("/audit.xlsx", exportWeb.AuditLog)
	staff.Get("/votes/:id/participation.xlsx", exportWeb.Participation)
	staff.Get("/votes/:id/results.xlsx", exportWeb.Results)
	staff.Get("/votes/:id/audit/ballots.xlsx", httpx.Allow(access.AuditVotes), exportWeb.Ballots)
	// roster web routes
	staff.Get("/estates/:id/roster", rosterWeb.RosterPage)
	staff.Post("/estates/:id/roster", httpx.Allow(access.EditRoster), readUpload, rosterWeb.Import)
	staff.Get("/estates/:id/roster/imports/:job", httpx.Allow(access.EditRoster), rosterWeb.ImportPage) // a background import's progress (issue 16)
	staff.Get("/estates/:id/units/:unit", rosterWeb.UnitPage)                                           // one unit and its edit forms (issue 16)
	staff.Get("/estates/:id/roster.xlsx", rosterWeb.Export)
	staff.Get("/estates/:id/register", rosterWeb.RegisterPage)
	staff.Post("/estates/:id/units/:unit", httpx.Allow(access.EditRoster), rosterWeb.UpdateUnit)
	staff.Post("/estates/:id/units/:unit/representative", httpx.Allow(access.EditRoster), rosterWeb.SetRepresentative)
	staff.Post("/estates/:id/owners/:owner", httpx.Allow(access.EditRoster), rosterWeb.UpdateOwner)
	// votes web routes
	staff.Get("/estates/:id/votes", voteWeb.VotesPage)
	staff.Get("/estates/:id/votes/new", httpx.Allow(access.RunVote), voteWeb.NewVotePage)
	staff.Post("/estates/:id/votes", httpx.Allow(access.RunVote), voteWeb.CreateVote)
	staff.Get("/votes/:id", voteWeb.VotePage)
	staff.Post("/votes/:id/items", httpx.Allow(access.RunVote), voteWeb.AddItem)
	staff.Post("/votes/:id/open", httpx.Allow(access.RunVote), voteWeb.Open)
	staff.Get("/votes/:id/edit", httpx.Allow(access.RunVote), voteWeb.EditVotePage) // issue 16: edit a draft before its notice
	staff.Post("/votes/:id/edit", httpx.Allow(access.RunVote), voteWeb.SaveVote)
	staff.Post("/votes/:id/delete", httpx.Allow(access.RunVote), voteWeb.DeleteVote) // issue 16: delete a draft before its notice, confirmed
	staff.Post("/votes/:id/items/:key/remove", httpx.Allow(access.RunVote), voteWeb.RemoveItem)
	// The ballot log from the staff vote page (issue 14, h14): the auditors' bundle
	// and "sign a checkpoint now" (the API routes' roles).
	staff.Get("/votes/:id/auditor-bundle.json", httpx.Allow(access.AuditVotes), voteWeb.AuditorBundle)
	staff.Post("/votes/:id/log/checkpoints", httpx.Allow(access.RunVote), voteWeb.LogCheckpoint)
	staff.Get("/votes/:id/credentials", httpx.Allow(access.ReadBallotLinks), voteWeb.CredentialsPage)
	staff.Post("/votes/:id/credentials/:voter/reissue", httpx.Allow(access.RunVote), voteWeb.Reissue)
	staff.Get("/votes/:id/paper", httpx.Allow(access.RunVote), voteWeb.PaperPage)
	staff.Post("/votes/:id/paper", httpx.Allow(access.RunVote), readUpload, voteWeb.EnterPaper)
	staff.Get("/votes/:id/ballots", voteWeb.BallotsPage)
	staff.Post("/votes/:id/ballots/:ballot/void", httpx.Allow(access.RunVote), voteWeb.Void)
	staff.Post("/votes/:id/ballots/:ballot/scans", httpx.Allow(access.RunVote), readUpload, voteWeb.AttachScan)
	staff.Get("/votes/:id/scans/:scan", voteWeb.DownloadScan)
	staff.Post("/votes/:id/publish", httpx.Allow(access.RunVote), voteWeb.Publish)
	staff.Get("/votes/:id/objections", voteWeb.ObjectionsPage)
	staff.Post("/votes/:id/objections", httpx.Allow(access.RunVote), voteWeb.RecordObjection)
	staff.Post("/votes/:id/objections/:objection/answer", httpx.Allow(access.RunVote), voteWeb.AnswerObjection)
	staff.Post("/votes/:id/finalise", httpx.Allow(access.RunVote), voteWeb.Finalise)
	// documents web routes
	staff.Get("/estates/:id/documents", docsWeb.EstateDocuments)
	staff.Post("/estates/:id/announcements", httpx.Allow(access.KeepRecords), readUpload, docsWeb.PublishAnnouncement)
	staff.Post("/estates/:id/minutes", httpx.Allow(access.KeepRecords), docsWeb.CreateMinutes)
	staff.Get("/votes/:id/documents", docsWeb.VoteDocuments)
	staff.Get("/votes/:id/notices.pdf", httpx.Allow(access.ReadBallotLinks), docsWeb.Notices)
	staff.Post("/votes/:id/resolution/correct", httpx.Allow(access.RunVote), docsWeb.CorrectResolution)
	staff.Post("/votes/:id/resolution/issue", httpx.Allow(access.RunVote), docsWeb.IssueResolution) // issue 16: issued by staff, never by a GET
	staff.Post("/votes/:id/notices/issue", httpx.Allow(access.RunVote), docsWeb.IssueNotices)       // issue 16: issued by staff, never by a GET
	// issue 16 (h13): printable paper ballots and the households that have not voted, for staff who run the vote
	staff.Get("/votes/:id/paper-ballots.pdf", httpx.Allow(access.RunVote), docsWeb.PaperBallots)
	staff.Get("/votes/:id/not-voted", httpx.Allow(access.RunVote), docsWeb.NotVoted)
	staff.Get("/votes/:id/not-voted.pdf", httpx.Allow(access.RunVote), docsWeb.NotVotedPDF)
	staff.Post("/votes/:id/notices/regenerate", httpx.Allow(access.RunVote), docsWeb.RegenerateNotices)
	staff.Post("/votes/:id/minutes", httpx.Allow(access.KeepRecords), docsWeb.CreateAssemblyMinutes)
	staff.Get("/minutes/:id", docsWeb.MinutesPage)
	staff.Post("/minutes/:id", httpx.Allow(access.KeepRecords), docsWeb.SaveMinutes)
	staff.Post("/minutes/:id/finalise", httpx.Allow(access.KeepRecords), docsWeb.FinaliseMinutes)
	staff.Get("/minutes/:id/minutes.pdf", docsWeb.MinutesPDF)
	staff.Get("/documents/:id/download", docsWeb.DownloadByID)
	// elections web routes
	electionWeb := &web.ElectionPages{Formation: formationWeb, Votes: voteWeb, Elections: d.Svc.Elections}
	staff.Post("/estates/:id/formation/groups/:group/election-vote", httpx.Allow(access.PrepElection, access.ReelectionElection), electionWeb.CreateElectionVote)
	staff.Post("/votes/:id/committee", httpx.Allow(access.PrepElection, access.ReelectionElection), electionWeb.RecordCommittee)
	staff.Post("/votes/:id/runoff", httpx.Allow(access.RunVote), electionWeb.CreateRunoff)
	staff.Get("/estates/:id/formation", formationWeb.FormationPage)
	staff.Post("/estates/:id/formation/facts", httpx.Allow(access.PrepWork), formationWeb.SetFacts)
	// issue 12 (h4): election edges and the transitional body
	staff.Post("/estates/:id/formation/application", httpx.Allow(access.PrepCompose), formationWeb.RecordApplication)
	staff.Post("/estates/:id/formation/coowner-rule", httpx.Allow(access.PrepWork), formationWeb.SetCoOwnerRule)
	staff.Post("/estates/:id/formation/committees/:cmid/lots/:lot/draw", httpx.Allow(access.PrepElection, access.ReelectionElection), formationWeb.DrawLot)
	staff.Get("/estates/:id/transitional", formationWeb.TransitionalPage)
	staff.Post("/estates/:id/transitional", httpx.Allow(access.TransitionalBody), formationWeb.FormTransitional)
	staff.Post("/estates/:id/transitional/:bid/end", httpx.Allow(access.TransitionalBody), formationWeb.EndTransitional)
	staff.Post("/estates/:id/formation/groups", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationWeb.CreateGroup)
	staff.Post("/estates/:id/formation/groups/:gid/plan", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.PlanGroup)
	staff.Post("/estates/:id/formation/groups/:gid/members", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationWeb.AddMember)
	staff.Post("/estates/:id/formation/groups/:gid/publish", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationWeb.PublishMembers)
	staff.Post("/estates/:id/formation/groups/:gid/dissolve", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationWeb.DissolveGroup)
	staff.Post("/estates/:id/formation/groups/:gid/duties/:code", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.CompleteDuty)
	staff.Post("/estates/:id/formation/groups/:gid/objections", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.AddObjection)
	staff.Post("/estates/:id/formation/groups/:gid/candidates", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.Nominate)
	staff.Post("/estates/:id/formation/groups/:gid/candidate-lists", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.PublishCandidates)
	staff.Post("/estates/:id/formation/members/:mid/withdraw", httpx.Allow(access.PrepCompose, access.ReelectionCompose), formationWeb.WithdrawMember)
	staff.Post("/estates/:id/formation/objections/:oid/answer", httpx.Allow(access.PrepCompose, access.ReelectionCompose, access.PrepWork, access.ReelectionWork), formationWeb.AnswerObjection)
	staff.Get("/estates/:id/formation/candidates/:cid", formationWeb.CandidatePage)
	staff.Post("/estates/:id/formation/candidates/:cid/checks", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.RecordCheck)
	staff.Post("/estates/:id/formation/candidates/:cid/checklist", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.RecordChecklist) // issue 16: every criterion in one form
	staff.Post("/estates/:id/formation/candidates/:cid/review", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.Review)
	staff.Post("/estates/:id/formation/candidates/:cid/withdraw", httpx.Allow(access.PrepWork, access.ReelectionWork), formationWeb.WithdrawCandidate)
	staff.Post("/estates/:id/formation/committees/:cmid/officers", httpx.Allow(access.CommitteeOfficers), formationWeb.SetOfficers)
	staff.Post("/estates/:id/formation/committees/:cmid/filings", httpx.Allow(access.CommitteeFiling), formationWeb.FileCommittee)
	// committee in office web routes (issue 12): committee page, cases, street office's list
	staff.Get("/estates/:id/committee-office", committeeWeb.CommitteePage)
	staff.Post("/estates/:id/committee-office/cases", httpx.Allow(access.CaseReport), committeeWeb.Report)
	staff.Post("/estates/:id/committee-office/cessations", httpx.Allow(access.CaseReport), committeeWeb.Cessation)
	staff.Post("/estates/:id/committee-office/reelection", httpx.Allow(access.ReelectionCompose), committeeWeb.Reelection)
	staff.Post("/estates/:id/committee-office/change-filings", httpx.Allow(access.CommitteeFiling), committeeWeb.ChangeFiling)
	staff.Get("/committee-cases", committeeWeb.OpenCases)
	staff.Get("/committee-cases/:id", committeeWeb.CasePage)
	staff.Post("/committee-cases/:id/verification", httpx.Allow(access.CaseVerify), committeeWeb.Verify)
	staff.Post("/committee-cases/:id/defence", httpx.Allow(access.CaseReport), committeeWeb.Defence)
	staff.Post("/committee-cases/:id/files", httpx.Allow(access.CaseReport), readUpload, committeeWeb.AddFile)
	staff.Get("/committee-case-files/:id", committeeWeb.File)
	staff.Post("/committee-cases/:id/proposal", httpx.Allow(access.CaseReport), committeeWeb.Propose)
	staff.Post("/committee-cases/:id/order", httpx.Allow(access.CaseOrder), committeeWeb.Order)
	staff.Post("/committee-cases/:id/cessation-confirmation", httpx.Allow(access.CaseVerify), committeeWeb.ConfirmCessation)
	// committee oversight web routes (seed 003 §(六), h11)
	oversightWeb := &web.OversightPages{Handlers: webH, Committee: d.Svc.Committee}
	staff.Get("/estates/:id/committee-oversight", oversightWeb.Page)
	staff.Post("/estates/:id/committee-oversight/ratings", httpx.Allow(access.OversightRate), oversightWeb.Rate)
	staff.Post("/estates/:id/committee-oversight/rectifications", httpx.Allow(access.OversightOrder), oversightWeb.Order)
	staff.Post("/estates/:id/committee-oversight/rectifications/:rid/outcome", httpx.Allow(access.OversightOrder), oversightWeb.Outcome)
	staff.Post("/estates/:id/committee-oversight/rectifications/:rid/revocation", httpx.Allow(access.OversightOrder), oversightWeb.Revoke)
	// holiday calendar web routes (platform administrator)
	calendarWeb := &web.CalendarPages{Handlers: webH, Calendar: d.Svc.Calendar}
	staff.Get("/holiday-calendars", httpx.Allow(access.ManageHolidays), calendarWeb.CalendarPage)
	staff.Post("/holiday-calendars", httpx.Allow(access.ManageHolidays), calendarWeb.LoadCalendar)
	// property companies, complaints and the exit check web routes (issue 13)
	staff.Get("/companies", propertyWeb.CompaniesPage)
	staff.Post("/companies", httpx.Allow(access.SuperviseProperty), propertyWeb.CreateCompany)
	staff.Get("/companies/:id", propertyWeb.CompanyPage)
	staff.Post("/companies/:id/credit-entries", httpx.Allow(access.SuperviseProperty), propertyWeb.AddCreditEntry)
	staff.Get("/complaints", propertyWeb.ComplaintsPage)
	staff.Get("/revisits", propertyWeb.RevisitsPage) // the revisit ledger (issue 13, h12)
	staff.Get("/complaints/:id", propertyWeb.ComplaintPage)
	staff.Post("/complaints/:id/events", httpx.Allow(access.PropertyRecords), propertyWeb.AddEvent)
	staff.Post("/complaints/:id/attachments", httpx.Allow(access.PropertyRecords), readUpload, propertyWeb.AddAttachment)
	staff.Get("/complaints/:id/attachments/:att", propertyWeb.DownloadAttachment)
	staff.Get("/estates/:id/property", propertyWeb.EstatePage)
	staff.Post("/estates/:id/service-contracts", httpx.Allow(access.PropertyRecords), propertyWeb.CreateContract)
	staff.Post("/service-contracts/:id/managers", httpx.Allow(access.PropertyRecords), propertyWeb.RegisterManager)
	staff.Post("/estates/:id/complaints", httpx.Allow(access.PropertyRecords), propertyWeb.FileComplaint)
	staff.Post("/estates/:id/satisfaction-surveys", httpx.Allow(access.PropertyRecords), propertyWeb.RecordSurvey)
	staff.Post("/estates/:id/rectifications", httpx.Allow(access.SuperviseProperty), propertyWeb.CreateRectification)
	staff.Post("/rectifications/:id/outcome", httpx.Allow(access.SuperviseProperty), propertyWeb.RecordOutcome)
	staff.Get("/exit-cases", propertyWeb.ExitCasesPage)
	// property companies' credit, dismissal and handover web routes (issue 13, second half)
	staff.Post("/credit-lists/:id/publish", httpx.Allow(access.GradeCredit), stewardWeb.PublishCreditLists)
	staff.Get("/companies/:id/credit", stewardWeb.CompanyCredit)
	staff.Post("/companies/:id/grades", httpx.Allow(access.GradeCredit), stewardWeb.SetGrade)
	staff.Post("/companies/:id/list-entries", httpx.Allow(access.GradeCredit), stewardWeb.AddToList)
	staff.Get("/estates/:id/stewardship", stewardWeb.EstateProperty)
	staff.Post("/estates/:id/public-income", httpx.Allow(access.KeepRecords), stewardWeb.DiscloseIncome)
	staff.Post("/contracts/:id/termination", httpx.Allow(access.RunVote), stewardWeb.Terminate)
	staff.Get("/terminations/:id/notice.pdf", stewardWeb.TerminationNotice)
	// the week's work and the supervision charts (issue 15): the charts page alone may
	// load scripts (the vendored ECharts and its init file), see httpx.AllowScripts
	worklistWeb := &web.WorklistPages{Handlers: webH, Worklist: d.Svc.Worklist}
	staff.Get("/worklist", httpx.Allow(access.WorkList), worklistWeb.WeekPage)
	staff.Get("/worklist.xlsx", httpx.Allow(access.WorkList), worklistWeb.WeekXLSX)
	staff.Get("/worklist/charts", httpx.Allow(access.WorkList), httpx.AllowScripts, worklistWeb.ChartsPage)
	staff.Get("/worklist/open-votes.xlsx", httpx.Allow(access.WorkList), worklistWeb.OpenVotesXLSX)
	reportWeb := &web.ReportPages{Handlers: webH, Reports: d.Svc.Reports, Docs: d.Svc.Documents}
	staff.Get("/supervision/reports", httpx.Allow(access.SupervisionReport), reportWeb.ReportsPage)
	staff.Post("/supervision/reports", httpx.Allow(access.SupervisionReport), reportWeb.Generate)
	staff.Get("/supervision/reports/:code", httpx.Allow(access.SupervisionReport), reportWeb.PDF)
	staff.Get("/handovers", stewardWeb.Handovers)
	staff.Get("/handovers/:id", stewardWeb.HandoverPage)
	staff.Post("/handovers/:id/items/:item", httpx.Allow(access.KeepRecords), stewardWeb.RecordItem)
	staff.Post("/handovers/:id/items", httpx.Allow(access.KeepRecords), stewardWeb.AddItem)
	staff.Post("/handovers/:id/refusal", httpx.Allow(access.KeepRecords), stewardWeb.Refuse)
	staff.Post("/handovers/:id/complete", httpx.Allow(access.KeepRecords), stewardWeb.Complete)
	staff.Get("/handovers/:id/record.pdf", stewardWeb.HandoverRecord)
	// auditor's workspace web routes (issue 14, app/auditview; docs/audit.md)
	auditWeb := &web.AuditPages{Handlers: webH, Audit: d.Svc.AuditView}
	staff.Get("/audit/votes", httpx.Allow(access.AuditVotes), auditWeb.VotesPage)
	staff.Get("/votes/:id/audit", httpx.Allow(access.AuditVotes), auditWeb.WorkspacePage)
	staff.Get("/votes/:id/audit/ballots", httpx.Allow(access.AuditVotes), auditWeb.BallotsPage)
	staff.Post("/votes/:id/audit/paper-audits", httpx.Allow(access.AuditVotes), auditWeb.DrawSample)
	staff.Get("/votes/:id/audit/paper-audits/:paudit", httpx.Allow(access.AuditVotes), auditWeb.SamplePage)
	staff.Post("/votes/:id/audit/paper-audits/:paudit/items/:pitem", httpx.Allow(access.AuditVotes), auditWeb.RecordCheck)
	staff.Post("/votes/:id/audit/recounts", httpx.Allow(access.AuditVotes), auditWeb.RunRecount)
	// supervision rates and targets web routes (issue 15, app/supervision; docs/supervision.md)
	supWeb := &web.SupervisionPages{Handlers: webH, Supervision: d.Svc.Supervision}
	staff.Get("/supervision", httpx.Allow(access.ReadSupervision), httpx.AllowScripts, supWeb.Rates)
	staff.Get("/supervision.xlsx", httpx.Allow(access.ReadSupervision), supWeb.RatesXLSX)
	staff.Get("/supervision/estates", httpx.Allow(access.ReadSupervision), supWeb.Estates)
	staff.Get("/supervision/estates.xlsx", httpx.Allow(access.ReadSupervision), supWeb.EstatesXLSX)
	staff.Get("/supervision/targets", httpx.Allow(access.ReadSupervision), supWeb.Targets)
	staff.Post("/supervision/targets", httpx.Allow(access.SetTargets), supWeb.SetTarget)
	staff.Post("/estates/:id/party-facts", httpx.Allow(access.RecordPartyFacts), supWeb.RecordParty)
	// The workspace's verifier runs, kept (issue 14, h14).
	staff.Post("/votes/:id/audit/verifications", httpx.Allow(access.AuditVotes), auditWeb.RunVerify)
	return fapp
}

// sayer translates limit messages into the request's language: the page's, else the
// language cookie's (the body limit answers before DetectLang runs), else the default.
func sayer(v *views.Renderer) httpx.Say {
	return func(c *fiber.Ctx, id string, args ...any) string {
		lang, ok := c.Locals(httpx.LocalLang).(string)
		if !ok {
			lang = views.Languages()[0]
			for _, l := range views.Languages() {
				if c.Cookies(web.LangCookie) == l {
					lang = l
				}
			}
		}
		return v.T(lang, id, args...)
	}
}

func proxyStrings(p []netip.Prefix) []string {
	out := make([]string, len(p))
	for i, r := range p {
		out[i] = r.String()
	}
	return out
}

func readyz(db *gorm.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
		defer cancel()
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.PingContext(ctx)
		}
		if err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
		}
		pending, err := database.Pending(ctx, db)
		if err != nil || pending {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "migrations": "pending"})
		}
		version, err := database.Version(ctx, db)
		if err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "migrations": "unknown"})
		}
		return c.JSON(fiber.Map{"status": "ready", "database": "ok", "schema_version": version})
	}
}

func errorHandler(log *slog.Logger, webH *web.Handlers) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		ae := httpx.AppError(err)
		status := httpx.StatusOf(err)
		var fe *fiber.Error
		if ae.Code == app.EInternal && !errors.As(err, &fe) {
			log.Error("internal error", "request_id", httpx.RequestID(c), "path", httpx.RedactPath(c.Path()), "error", err)
		}
		// One language per answer: the request's (httpx.Lang), Chinese by default.
		tr := webH.Views.Translator(httpx.Lang(c, views.Languages()))
		if strings.HasPrefix(c.Path(), "/api/") || !acceptsHTML(c) {
			msg, details := httpx.Localize(ae, tr)
			return c.Status(status).JSON(httpx.ErrorBody{Error: httpx.ErrorObject{Code: ae.Code, Message: msg,
				Details: details, RequestID: httpx.RequestID(c)}})
		}
		if rerr := webH.ErrorPage(c, err); rerr != nil {
			log.Error("rendering error page", "request_id", httpx.RequestID(c), "error", rerr)
			return c.Status(status).SendString(ae.Msg.In(tr))
		}
		return nil
	}
}

func acceptsHTML(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAccept)
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}
