// Package handlers builds the HTTP application: middleware, the error handler,
// and every route in one place. The JSON API lives in handlers/api, the web pages
// in handlers/web, what they share in handlers/httpx.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/config"
	"gongzhi/app/database"
	"gongzhi/app/metrics"
	"gongzhi/app/services"
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
	Demo   []web.DemoLogin
	// Metrics records request latencies (nil: none); main serves it on METRICS_ADDR.
	Metrics *metrics.Metrics
}

// New builds the fiber application with all routes.
func New(d Deps) *fiber.App {
	validate := httpx.NewValidator()
	webH := &web.Handlers{DB: d.DB, Views: d.Views, Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, CookieSecure: d.Config.CookieSecure,
		Demo:      d.Demo,
		Formation: d.Svc.Formation}
	apiH := &api.Handlers{Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, Validate: validate}
	rosterAPI := &api.RosterHandlers{Roster: d.Svc.Roster, Validate: validate}
	rosterWeb := &web.RosterPages{Handlers: webH, Roster: d.Svc.Roster}
	docsWeb := &web.DocumentPages{Handlers: webH, Docs: d.Svc.Documents}
	docsAPI := &api.DocumentHandlers{Docs: d.Svc.Documents, Validate: validate}
	voteWeb := &web.VotePages{Handlers: webH, Votes: d.Svc.Votes}

	fapp := fiber.New(fiber.Config{
		AppName:               "gongzhi",
		Immutable:             true, // strings from Params/FormValue outlive the handler
		DisableStartupMessage: true,
		BodyLimit:             64 << 20, // roster files of 100,000 rows
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          120 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          errorHandler(d.Logger, webH),
	})
	fapp.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		d.Logger.Error("panic", "request_id", httpx.RequestID(c), "panic", e, "stack", string(debug.Stack()))
	}}))
	fapp.Use(requestid.New(requestid.Config{ContextKey: httpx.LocalRequestID}))
	if d.Metrics != nil {
		fapp.Use(observeRequests(d.Metrics))
	}
	fapp.Use(httpx.AccessLog(d.Logger))
	fapp.Use(httpx.WithDeadline(d.Config.RequestTimeout))
	fapp.Use(func(c *fiber.Ctx) error {
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Referrer-Policy", "no-referrer")
		return c.Next()
	})

	fapp.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	fapp.Get("/readyz", readyz(d.DB))
	fapp.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(views.StaticFS()), MaxAge: 3600}))

	loginLimit := rateLimit(d.Config.LoginRateLimit)

	// JSON API.
	v1 := fapp.Group("/api/v1")
	v1.Get("/openapi.yaml", func(c *fiber.Ctx) error {
		c.Type("yaml", "utf-8")
		return c.Send(docs.OpenAPI())
	})
	v1.Post("/auth/token", loginLimit, apiH.Token)
	// votes public API routes: registered before the bearer-token group, whose
	// middleware fiber would otherwise run first for every /api/v1 path.
	votesAPI := &api.VoteHandlers{Votes: d.Svc.Votes, Validate: validate}
	ballotLimit := rateLimit(d.Config.BallotRate)
	optionalToken := api.OptionalToken(apiH.RequireToken)
	v1.Get("/ballots/:token", ballotLimit, votesAPI.Ballot)
	v1.Post("/ballots/:token", ballotLimit, votesAPI.Cast)
	v1.Post("/ballots/:token/objections", ballotLimit, votesAPI.FileObjection)
	v1.Get("/receipts/:code", ballotLimit, votesAPI.VerifyReceipt)
	v1.Get("/votes/:id/results", optionalToken, votesAPI.Results)
	v1.Get("/votes/:id/participation-list", optionalToken, votesAPI.ParticipationList)
	// documents public API route (before the token group): staff once closed, anyone once published
	v1.Get("/votes/:id/resolution.pdf", optionalToken, docsAPI.Resolution)
	authed := v1.Group("", apiH.RequireToken)
	authed.Delete("/auth/token", apiH.RevokeToken)
	authed.Get("/me", apiH.Me)
	authed.Get("/profiles", apiH.Profiles)
	authed.Get("/orgs", apiH.ListOrgs)
	authed.Post("/orgs", apiH.CreateOrg)
	authed.Get("/users", apiH.ListUsers)
	authed.Post("/users", apiH.CreateUser)
	authed.Get("/estates", apiH.ListEstates)
	authed.Post("/estates", apiH.CreateEstate)
	authed.Get("/estates/:id", apiH.GetEstate)
	// roster API routes
	authed.Post("/estates/:id/roster", rosterAPI.Import)
	authed.Get("/estates/:id/roster.xlsx", rosterAPI.Export)
	authed.Get("/estates/:id/roster/imports", rosterAPI.Imports)
	authed.Get("/estates/:id/register", rosterAPI.Register)
	authed.Get("/estates/:id/units", rosterAPI.Units)
	authed.Patch("/estates/:id/units/:unit", rosterAPI.UpdateUnit)
	authed.Patch("/estates/:id/owners/:owner", rosterAPI.UpdateOwner)
	// votes API routes
	authed.Get("/estates/:id/votes", votesAPI.ListVotes)
	authed.Post("/estates/:id/votes", votesAPI.CreateVote)
	authed.Get("/votes/:id", votesAPI.GetVote)
	authed.Put("/votes/:id/items", votesAPI.ReplaceItems)
	authed.Post("/votes/:id/items", votesAPI.AddItem)
	authed.Post("/votes/:id/open", votesAPI.OpenVote)
	authed.Get("/votes/:id/credentials", votesAPI.Credentials)
	authed.Post("/votes/:id/credentials/:voter/reissue", votesAPI.ReissueCredential)
	authed.Get("/votes/:id/voters", votesAPI.SearchVoters)
	authed.Post("/votes/:id/paper-ballots", votesAPI.PaperBallot)
	authed.Get("/votes/:id/ballots", votesAPI.Ballots)
	authed.Post("/votes/:id/ballots/:ballot/void", votesAPI.VoidBallot)
	authed.Post("/votes/:id/ballots/:ballot/scans", votesAPI.AttachScan)
	authed.Get("/votes/:id/scans/:scan", votesAPI.DownloadScan)
	authed.Get("/votes/:id/participation", votesAPI.Participation)
	authed.Post("/votes/:id/publish", votesAPI.Publish)
	authed.Get("/votes/:id/objections", votesAPI.Objections)
	authed.Post("/votes/:id/objections", votesAPI.RecordObjection)
	authed.Post("/votes/:id/objections/:objection/answer", votesAPI.AnswerObjection)
	authed.Post("/votes/:id/finalise", votesAPI.Finalise)
	authed.Get("/votes/:id/events", votesAPI.Events)
	authed.Get("/votes/:id/recount", votesAPI.Recount)
	// documents API routes
	authed.Post("/votes/:id/resolution/corrections", docsAPI.CorrectResolution)
	authed.Get("/votes/:id/notices.pdf", docsAPI.Notices)
	authed.Post("/votes/:id/notices/regenerations", docsAPI.RegenerateNotices)
	authed.Get("/votes/:id/documents", docsAPI.VoteDocuments)
	authed.Get("/estates/:id/documents", docsAPI.EstateDocuments)
	authed.Get("/documents/:id", docsAPI.Document)
	authed.Get("/documents/:id/pdf", docsAPI.DocumentPDF)
	authed.Get("/estates/:id/announcements", docsAPI.Announcements)
	authed.Post("/estates/:id/announcements", docsAPI.PublishAnnouncement)
	authed.Get("/estates/:id/minutes", docsAPI.ListMinutes)
	authed.Post("/estates/:id/minutes", docsAPI.CreateMinutes)
	authed.Get("/minutes/:id", docsAPI.GetMinutes)
	authed.Put("/minutes/:id", docsAPI.UpdateMinutes)
	authed.Post("/minutes/:id/finalise", docsAPI.FinaliseMinutes)
	authed.Get("/minutes/:id/pdf", docsAPI.MinutesPDF)
	// elections API routes
	electionsAPI := &api.ElectionHandlers{Elections: d.Svc.Elections, Validate: validate}
	authed.Post("/groups/:id/election-votes", electionsAPI.CreateElectionVote)
	authed.Post("/votes/:id/committee", electionsAPI.RecordElection)
	authed.Post("/votes/:id/runoffs", electionsAPI.CreateRunoff)
	formationAPI := &api.FormationHandlers{Formation: d.Svc.Formation, Validate: validate}
	authed.Get("/formation/due", formationAPI.FormationDue)
	authed.Get("/estates/:id/formation", formationAPI.FormationOverview)
	authed.Put("/estates/:id/formation", formationAPI.SetFormationFacts)
	authed.Post("/estates/:id/groups", formationAPI.CreateGroup)
	authed.Get("/estates/:id/committee", formationAPI.GetEstateCommittee)
	authed.Get("/groups/:id", formationAPI.GetGroup)
	authed.Patch("/groups/:id", formationAPI.UpdateGroup)
	authed.Post("/groups/:id/dissolve", formationAPI.DissolveGroup)
	authed.Post("/groups/:id/members", formationAPI.AddGroupMember)
	authed.Put("/group-members/:id", formationAPI.UpdateGroupMember)
	authed.Post("/group-members/:id/withdraw", formationAPI.WithdrawGroupMember)
	authed.Post("/groups/:id/publish", formationAPI.PublishMemberList)
	authed.Post("/groups/:id/duties/:code", formationAPI.CompleteDuty)
	authed.Post("/groups/:id/objections", formationAPI.AddObjection)
	authed.Post("/formation-objections/:id/answer", formationAPI.AnswerObjection)
	authed.Post("/groups/:id/candidates", formationAPI.Nominate)
	authed.Get("/groups/:id/slate", formationAPI.GetSlate)
	authed.Post("/groups/:id/candidate-lists", formationAPI.PublishCandidateList)
	authed.Get("/candidates/:id", formationAPI.GetCandidate)
	authed.Post("/candidates/:id/checks", formationAPI.RecordCheck)
	authed.Post("/candidates/:id/review", formationAPI.ReviewCandidate)
	authed.Post("/candidates/:id/withdraw", formationAPI.WithdrawCandidate)
	authed.Get("/committees/:id", formationAPI.GetCommittee)
	authed.Post("/committees/:id/officers", formationAPI.SetOfficers)
	authed.Post("/committees/:id/filings", formationAPI.FileCommittee)
	v1.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	// Web pages.
	fapp.Use(web.DetectLang, webH.LoadSession, httpx.AnonCSRF(d.Config.CookieSecure), httpx.CheckCSRF())
	fapp.Get("/lang", webH.SetLang)
	fapp.Get("/login", webH.LoginForm)
	// documents public web routes: an estate's announcements, document verification, published resolutions (no sign-in)
	fapp.Get("/public/estates/:id", docsWeb.PublicEstate)
	fapp.Get("/verify", docsWeb.VerifyForm)
	fapp.Post("/verify", rateLimit(d.Config.BallotRate), docsWeb.VerifyUpload)
	fapp.Get("/verify/:code", docsWeb.Verify)
	fapp.Get("/verify/:code/download", docsWeb.Download)
	fapp.Get("/votes/:id/resolution.pdf", docsWeb.Resolution)
	// votes public web routes: the owner's ballot link, the receipt check, published results (no sign-in)
	fapp.Get("/b/:token", ballotLimit, voteWeb.BallotPage)
	fapp.Post("/b/:token/check", ballotLimit, voteWeb.CheckIdentity)
	fapp.Post("/b/:token/review", ballotLimit, voteWeb.Review)
	fapp.Post("/b/:token/edit", ballotLimit, voteWeb.Edit)
	fapp.Post("/b/:token/cast", ballotLimit, voteWeb.Cast)
	fapp.Get("/b/:token/receipt", ballotLimit, voteWeb.ReceiptPage)
	fapp.Post("/b/:token/objection", ballotLimit, voteWeb.FileObjection)
	fapp.Get("/receipt", ballotLimit, voteWeb.ReceiptCheck)
	fapp.Get("/public/votes/:id", voteWeb.PublicResults)
	formationWeb := &web.FormationPages{Handlers: webH} // public: the published member and candidate lists, no sign-in
	fapp.Get("/estates/:id/public/candidates", formationWeb.PublicPage)
	fapp.Post("/login", loginLimit, webH.Login)
	fapp.Get("/docs/openapi.yaml", func(c *fiber.Ctx) error {
		c.Type("yaml", "utf-8")
		return c.Send(docs.OpenAPI())
	})
	staff := fapp.Group("", webH.RequireLogin)
	staff.Post("/logout", webH.Logout)
	staff.Get("/", webH.Home)
	staff.Get("/orgs", webH.OrgsPage)
	staff.Post("/orgs", webH.CreateOrg)
	staff.Get("/estates", webH.EstatesPage)
	staff.Post("/estates", webH.CreateEstate)
	staff.Get("/estates/:id", webH.EstatePage)
	staff.Get("/users", webH.UsersPage)
	staff.Post("/users", webH.CreateUser)
	staff.Post("/users/:id/disable", webH.SetUserDisabled(true))
	staff.Post("/users/:id/enable", webH.SetUserDisabled(false))
	staff.Post("/users/:id/password", webH.ResetUserPassword)
	staff.Get("/audit", webH.AuditLog)
	// roster web routes
	staff.Get("/estates/:id/roster", rosterWeb.RosterPage)
	staff.Post("/estates/:id/roster", rosterWeb.Import)
	staff.Get("/estates/:id/roster.xlsx", rosterWeb.Export)
	staff.Get("/estates/:id/register", rosterWeb.RegisterPage)
	staff.Post("/estates/:id/units/:unit", rosterWeb.UpdateUnit)
	staff.Post("/estates/:id/units/:unit/representative", rosterWeb.SetRepresentative)
	staff.Post("/estates/:id/owners/:owner", rosterWeb.UpdateOwner)
	// votes web routes
	staff.Get("/estates/:id/votes", voteWeb.VotesPage)
	staff.Get("/estates/:id/votes/new", voteWeb.NewVotePage)
	staff.Post("/estates/:id/votes", voteWeb.CreateVote)
	staff.Get("/votes/:id", voteWeb.VotePage)
	staff.Post("/votes/:id/items", voteWeb.AddItem)
	staff.Post("/votes/:id/open", voteWeb.Open)
	staff.Get("/votes/:id/credentials", voteWeb.CredentialsPage)
	staff.Post("/votes/:id/credentials/:voter/reissue", voteWeb.Reissue)
	staff.Get("/votes/:id/paper", voteWeb.PaperPage)
	staff.Post("/votes/:id/paper", voteWeb.EnterPaper)
	staff.Get("/votes/:id/ballots", voteWeb.BallotsPage)
	staff.Post("/votes/:id/ballots/:ballot/void", voteWeb.Void)
	staff.Post("/votes/:id/ballots/:ballot/scans", voteWeb.AttachScan)
	staff.Get("/votes/:id/scans/:scan", voteWeb.DownloadScan)
	staff.Post("/votes/:id/publish", voteWeb.Publish)
	staff.Get("/votes/:id/objections", voteWeb.ObjectionsPage)
	staff.Post("/votes/:id/objections", voteWeb.RecordObjection)
	staff.Post("/votes/:id/objections/:objection/answer", voteWeb.AnswerObjection)
	staff.Post("/votes/:id/finalise", voteWeb.Finalise)
	// documents web routes
	staff.Get("/estates/:id/documents", docsWeb.EstateDocuments)
	staff.Post("/estates/:id/announcements", docsWeb.PublishAnnouncement)
	staff.Post("/estates/:id/minutes", docsWeb.CreateMinutes)
	staff.Get("/votes/:id/documents", docsWeb.VoteDocuments)
	staff.Get("/votes/:id/notices.pdf", docsWeb.Notices)
	staff.Post("/votes/:id/resolution/correct", docsWeb.CorrectResolution)
	staff.Post("/votes/:id/notices/regenerate", docsWeb.RegenerateNotices)
	staff.Post("/votes/:id/minutes", docsWeb.CreateAssemblyMinutes)
	staff.Get("/minutes/:id", docsWeb.MinutesPage)
	staff.Post("/minutes/:id", docsWeb.SaveMinutes)
	staff.Post("/minutes/:id/finalise", docsWeb.FinaliseMinutes)
	staff.Get("/minutes/:id/minutes.pdf", docsWeb.MinutesPDF)
	staff.Get("/documents/:id/download", docsWeb.DownloadByID)
	// elections web routes
	electionWeb := &web.ElectionPages{Formation: formationWeb, Votes: voteWeb, Elections: d.Svc.Elections}
	staff.Post("/estates/:id/formation/groups/:group/election-vote", electionWeb.CreateElectionVote)
	staff.Post("/votes/:id/committee", electionWeb.RecordCommittee)
	staff.Post("/votes/:id/runoff", electionWeb.CreateRunoff)
	staff.Get("/estates/:id/formation", formationWeb.FormationPage)
	staff.Post("/estates/:id/formation/facts", formationWeb.SetFacts)
	staff.Post("/estates/:id/formation/groups", formationWeb.CreateGroup)
	staff.Post("/estates/:id/formation/groups/:gid/plan", formationWeb.PlanGroup)
	staff.Post("/estates/:id/formation/groups/:gid/members", formationWeb.AddMember)
	staff.Post("/estates/:id/formation/groups/:gid/publish", formationWeb.PublishMembers)
	staff.Post("/estates/:id/formation/groups/:gid/dissolve", formationWeb.DissolveGroup)
	staff.Post("/estates/:id/formation/groups/:gid/duties/:code", formationWeb.CompleteDuty)
	staff.Post("/estates/:id/formation/groups/:gid/objections", formationWeb.AddObjection)
	staff.Post("/estates/:id/formation/groups/:gid/candidates", formationWeb.Nominate)
	staff.Post("/estates/:id/formation/groups/:gid/candidate-lists", formationWeb.PublishCandidates)
	staff.Post("/estates/:id/formation/members/:mid/withdraw", formationWeb.WithdrawMember)
	staff.Post("/estates/:id/formation/objections/:oid/answer", formationWeb.AnswerObjection)
	staff.Get("/estates/:id/formation/candidates/:cid", formationWeb.CandidatePage)
	staff.Post("/estates/:id/formation/candidates/:cid/checks", formationWeb.RecordCheck)
	staff.Post("/estates/:id/formation/candidates/:cid/review", formationWeb.Review)
	staff.Post("/estates/:id/formation/candidates/:cid/withdraw", formationWeb.WithdrawCandidate)
	staff.Post("/estates/:id/formation/committees/:cmid/officers", formationWeb.SetOfficers)
	staff.Post("/estates/:id/formation/committees/:cmid/filings", formationWeb.FileCommittee)
	return fapp
}

func rateLimit(perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        perMinute,
		Expiration: time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string {
			return c.IP() + "|" + c.Route().Path
		},
		LimitReached: func(c *fiber.Ctx) error {
			return app.Errorf(app.ERateLimited, "操作过于频繁，请一分钟后再试 / Too many attempts: wait a minute")
		},
	})
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
		if strings.HasPrefix(c.Path(), "/api/") || !acceptsHTML(c) {
			return c.Status(status).JSON(httpx.ErrorBody{Error: httpx.ErrorObject{Code: ae.Code, Message: ae.Message,
				Details: ae.Details, RequestID: httpx.RequestID(c)}})
		}
		if rerr := webH.ErrorPage(c, err); rerr != nil {
			log.Error("rendering error page", "request_id", httpx.RequestID(c), "error", rerr)
			return c.Status(status).SendString(ae.Message)
		}
		return nil
	}
}

func acceptsHTML(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAccept)
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}
