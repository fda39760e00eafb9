// Package handlers builds the HTTP application: middleware, the error handler,
// and every route in one place. The JSON API lives in handlers/api, the web pages
// in handlers/web, what they share in handlers/httpx.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
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
}

// New builds the fiber application with all routes.
func New(d Deps) *fiber.App {
	validate := httpx.NewValidator()
	webH := &web.Handlers{DB: d.DB, Views: d.Views, Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, CookieSecure: d.Config.CookieSecure,
		SessionTTL: d.Config.SessionTTL, Demo: d.Demo}
	apiH := &api.Handlers{Auth: d.Svc.Auth, Orgs: d.Svc.Orgs, Validate: validate}
	rosterAPI := &api.RosterHandlers{Roster: d.Svc.Roster, Validate: validate}
	rosterWeb := &web.RosterPages{Handlers: webH, Roster: d.Svc.Roster}

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
		d.Logger.Error("panic", "request_id", httpx.RequestID(c), "panic", e)
	}}))
	fapp.Use(requestid.New(requestid.Config{ContextKey: httpx.LocalRequestID}))
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
	// documents API routes
	// elections API routes
	v1.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })

	// Web pages.
	fapp.Use(web.DetectLang, webH.LoadSession, httpx.AnonCSRF(d.Config.CookieSecure), httpx.CheckCSRF())
	fapp.Get("/lang", webH.SetLang)
	fapp.Get("/login", webH.LoginForm)
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
	// documents web routes
	// elections web routes
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
