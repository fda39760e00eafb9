// Command gongzhi serves the owners' self-governance platform (业主共治): owners'
// assembly votes counted by area and headcount, committee elections, records and
// street-office supervision. `go run .` with no environment serves a working
// product on embedded SQLite with a demo community.
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/config"
	"gongzhi/app/database"
	"gongzhi/app/demo"
	"gongzhi/app/keyring"
	"gongzhi/app/property"
	"gongzhi/app/services"
	"gongzhi/handlers"
	"gongzhi/views"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "rotate-key" {
		err = rotateKey(ctx, os.Args[2:], os.Stdout)
	} else if len(os.Args) > 1 && os.Args[1] == "check-audit" {
		err = checkAudit(ctx, os.Args[2:], os.Stdout)
	} else {
		err = run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func run(ctx context.Context) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	log.Info("starting", cfg.LogValue()...)

	db, err := database.Open(ctx, database.Options{Driver: cfg.DBDriver, DSN: cfg.DBDSN, Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if err := database.Close(db); err != nil {
			log.Error("closing database", "error", err)
		}
	}()
	if cfg.MigrateAtStart {
		n, err := database.Migrate(ctx, db)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", n)
	} else if pending, err := database.Pending(ctx, db); err != nil {
		return err
	} else if pending {
		return errors.New("the database schema is out of date: run with AUTO_MIGRATE=true to apply the migrations")
	}
	// Audit rows written before the hash chain (migration 00022) are chained once, here.
	if n, err := audit.Backfill(ctx, db); err != nil {
		return err
	} else if n > 0 {
		log.Info("audit log rows chained", "count", n)
	}

	secret, err := cfg.EnsureSecretKey()
	if err != nil {
		return err
	}
	if w := cfg.KeyWarning(); w != "" {
		log.Warn("secret key kept with the data", "warning", w)
	}
	protector, err := keyring.Load(ctx, db, secret)
	if err != nil {
		return err
	}
	mets, stopMetrics, err := serveMetrics(db, cfg.MetricsAddr, log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	logSigner, err := ballotlog.LoadOrCreateKey(logKeyPath(cfg))
	if err != nil {
		return err
	}
	// Published at GET /api/v1/log-key too (docs/operations.md, docs/bundle.md).
	log.Info("ballot log key", "key_id", logSigner.KeyID(), "public_key", logSigner.PublicBase64(), "file", logKeyPath(cfg))
	svc, err := services.New(db, services.Options{SessionTTL: cfg.SessionTTL, SecretKey: secret, Protector: protector, PublicURL: cfg.PublicURL, Logger: log, Observer: observer(mets),
		LogSigner: logSigner, Clock: app.SystemClock{}})
	if err != nil {
		return err
	}
	renderer, err := views.New()
	if err != nil {
		return err
	}
	// The per-estate complaint summary (migration 00035) is backfilled once, here: it
	// needs the estates' profiles and the working calendar.
	if built, err := property.ComplaintSummaryBuilt(ctx, db); err != nil {
		return err
	} else if !built {
		n, err := property.BuildComplaintSummary(ctx, db, svc.Calendar)
		if err != nil {
			return err
		}
		log.Info("complaint summary built", "complaints", n)
	}

	created, generated, err := svc.Auth.EnsureAdmin(ctx, cfg.AdminUsername, cfg.AdminPassword)
	if err != nil {
		return err
	}
	var banner []string
	if created && generated != "" {
		banner = append(banner, fmt.Sprintf("Platform admin created: %s / %s  (shown once: write it down)", cfg.AdminUsername, generated))
	}
	var demoLogins *demo.Logins
	if cfg.DemoData {
		res, err := demo.Seed(ctx, db, svc)
		if err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
		if res.Seeded {
			log.Info("demo data seeded", "estate_id", res.EstateID)
		}
		demoLogins = demo.NewLogins(db, demo.Accounts())
	}

	fapp := handlers.New(handlers.Deps{Config: cfg, DB: db, Logger: log, Views: renderer, Svc: svc, Demo: demoLogins, Metrics: mets})
	startWorkers(ctx, log, svc, cfg.Workers, auditHeadSigner{logSigner})

	errc := make(chan error, 2)
	go func() { errc <- fapp.Listen(cfg.ListenAddr) }()
	// A key rotation while this instance runs: stop rather than fail every identity
	// check and write what the new key cannot read (docs/security.md).
	go func() {
		if err := keyring.Watch(ctx, db, protector.Fingerprint(), 30*time.Second); err != nil {
			errc <- err
		}
	}()

	fmt.Println(strings.Repeat("=", 72))
	fmt.Printf("业主共治平台 is running: open %s\n", cfg.PublicURL)
	for _, b := range banner {
		fmt.Println(b)
	}
	if current, err := demoLogins.Current(ctx); err != nil {
		log.Error("listing the demo logins", "error", err)
	} else if len(current) > 0 {
		fmt.Println("Demo logins (username / password):")
		for _, d := range current {
			fmt.Printf("  %-10s / %-18s %s\n", d.Username, d.Password, d.Role)
		}
	}
	fmt.Println(strings.Repeat("=", 72))

	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("serving on %s: %w", cfg.ListenAddr, err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Requests in flight get the deadline less shutdownCleanup to finish; then the
	// shutdown hook (handlers.New) cancels the contexts of those still running (a PDF
	// stops at its next page) and the pool closes, all within shutdownTimeout.
	if err := fapp.ShutdownWithTimeout(shutdownTimeout - shutdownCleanup); err != nil {
		return fmt.Errorf("shutting down: requests still running after %s were cancelled: %w", shutdownTimeout-shutdownCleanup, err)
	}
	// The ballot log leaves of the last casts, numbered now rather than by the
	// recovery pass of the next start (a failure leaves them to it).
	fctx, cancel := context.WithTimeout(context.Background(), shutdownCleanup)
	defer cancel()
	if err := svc.Votes.FlushLog(fctx); err != nil {
		log.Warn("ballot log leaves left to the next start's recovery pass", "error", err)
	}
	return nil
}

// shutdownTimeout bounds a stop on SIGINT/SIGTERM; shutdownCleanup of it is kept for
// cancelling the requests still running and closing the database pool.
const shutdownTimeout, shutdownCleanup = 10 * time.Second, time.Second

// startWorkers runs the background jobs of this instance until ctx ends. With
// workers (WORKERS=true) it also closes votes at their closing time; several
// instances may run it, exactly one closes each vote.
func startWorkers(ctx context.Context, log *slog.Logger, svc *services.Set, workers bool, auditSigner audit.Signer) {
	if workers {
		// Every five minutes, when the audit chain grew: its head signed with the platform
		// key (app/audit, docs/audit.md; the key published at /api/v1/log-key).
		go audit.RunHeadSigner(ctx, svc.DB, auditSigner, 5*time.Minute, svc.Clock.Now, log)
		go svc.Votes.RunCloser(ctx, 15*time.Second, log)
		// Signed checkpoints of the open votes' ballot logs (app/ballotlog).
		go svc.Votes.RunCheckpointer(ctx, 5*time.Minute, log)
		// Hourly: the previous month's supervision report of every street office and
		// district that has none (on the 1st, or the first hour after); idempotent
		// across instances (issue 15).
		go svc.Reports.RunMonthly(ctx, time.Hour, log)
	}
	// Every ten seconds: the recovery pass over the open votes' ballot logs (a cast's
	// commit normally has its leaf numbered at once; this numbers the ballots an
	// instance that stopped left without one).
	go svc.Votes.RunLogSequencer(ctx, 10*time.Second, log)
	// From 1 December, once a day: the coming year's holiday notice not loaded.
	go svc.Calendar.RunWarner(ctx, time.Hour, log)
	// Every minute: missed 三三三 stages escalated, lapsed rectification orders re-checked.
	go svc.Property.RunWatcher(ctx, time.Minute, log)
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := svc.Auth.PurgeExpired(ctx); err != nil {
					log.Error("purging sessions", "error", err)
				} else if n > 0 {
					log.Info("purged expired sessions", "count", n)
				}
			}
		}
	}()
}

// auditHeadSigner signs the audit chain's heads with the platform's Ed25519 key, the
// ballot log's (one published key; the messages' domain strings keep them apart).
type auditHeadSigner struct{ s *ballotlog.Signer }

func (a auditHeadSigner) Sign(msg []byte) ([]byte, error) { return a.s.SignMessage(msg), nil }
func (a auditHeadSigner) PublicKey() ed25519.PublicKey    { return a.s.Public() }

// logKeyPath is where the ballot log's Ed25519 key is kept: log.key beside the
// secret key's file (SECRET_KEY_FILE), else in DATA_DIR beside secret.key.
func logKeyPath(cfg config.Config) string {
	if cfg.SecretKeyFile != "" {
		return filepath.Join(filepath.Dir(cfg.SecretKeyFile), "log.key")
	}
	return filepath.Join(cfg.DataDir, "log.key")
}
