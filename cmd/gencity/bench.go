package main

import (
	"context"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"gongzhi/app"
	"gongzhi/app/auth"
	"gongzhi/app/config"
	"gongzhi/app/services"
	"gongzhi/handlers"
	"gongzhi/models"
	"gongzhi/views"
)

const benchSecret = "gencity-benchmark-secret-key-0123456789abcdef"

// runBench builds the real router over db and measures the rate routes for a street
// office, a district and the city (the newest city when city is 0).
//
// Each route is measured in the modes given ("scan": the complaints of the year read in
// full, the baseline before migration 00035; "summary": through the per-estate
// complaint summary; "unshared": through the summary, each source of a page listing the
// estates itself, as before orgs.ShareEstates), one after the other in the same run; the
// summary is left built.
func runBench(ctx context.Context, db *gorm.DB, dsn string, city int64, n int, modes []string) error {
	defer db.Exec("UPDATE complaint_summary_state SET built = ? WHERE id = 1", true)
	// GENCITY_SLOW=50ms prints every query slower than that (the profile behind the
	// figures); GENCITY_WHO and GENCITY_ROUTE keep the viewers and routes containing them.
	if v := os.Getenv("GENCITY_SLOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("GENCITY_SLOW: %w", err)
		}
		db = db.Session(&gorm.Session{Logger: logger.New(stdlog.New(os.Stderr, "", 0), logger.Config{SlowThreshold: d, LogLevel: logger.Warn})})
	}
	if city == 0 {
		var o models.Org
		if err := db.Where("kind = ?", models.OrgCity).Order("id DESC").Take(&o).Error; err != nil {
			return fmt.Errorf("no city: %w", err)
		}
		city = o.ID
	}
	cityOrg, err := models.FindOrg(ctx, db, city)
	if err != nil {
		return err
	}
	var district, street models.Org
	if err := db.Where("kind = ? AND path LIKE ?", models.OrgDistrict, cityOrg.Path+"%").Order("id").Take(&district).Error; err != nil {
		return err
	}
	if err := db.Where("kind = ? AND path LIKE ?", models.OrgStreet, district.Path+"%").Order("id").Take(&street).Error; err != nil {
		return err
	}
	cfg, err := config.FromLookup(func(k string) (string, bool) {
		switch k {
		case "DB_DRIVER":
			return "mysql", true
		case "DB_DSN":
			return dsn, true
		case "SECRET_KEY":
			return benchSecret, true
		case "LISTEN_ADDR":
			return "127.0.0.1:0", true
		case "PUBLIC_URL":
			return "http://127.0.0.1", true
		}
		return "", false
	})
	if err != nil {
		return err
	}
	svc, err := services.New(db, services.Options{SessionTTL: time.Hour, SecretKey: benchSecret, PublicURL: cfg.PublicURL, BcryptCost: 4,
		Clock: app.SystemClock{}})
	if err != nil {
		return err
	}
	renderer, err := views.New()
	if err != nil {
		return err
	}
	fapp := handlers.New(handlers.Deps{Config: cfg, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Views: renderer, Svc: svc})
	const pw = "Bench-Passw0rd-gencity"
	login := func(name string, role app.Role, org int64) (web, api string, err error) {
		if _, err := models.FindUserByUsername(ctx, db, name); err != nil {
			if _, err := svc.Auth.SeedDemoUser(ctx, auth.NewUser{Username: name, Password: pw, Role: role, OrgID: org}); err != nil {
				return "", "", err
			}
		}
		w, err := svc.Auth.Login(ctx, auth.Credentials{Username: name, Password: pw, Address: "127.0.0.1"}, auth.KindWeb)
		if err != nil {
			return "", "", err
		}
		a, err := svc.Auth.Login(ctx, auth.Credentials{Username: name, Password: pw, Address: "127.0.0.1"}, auth.KindAPI)
		return w.Token, a.Token, err
	}
	if f := os.Getenv("GENCITY_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("city %d %q, district %d %q, street %d %q\n", cityOrg.ID, cityOrg.Name, district.ID, district.Name, street.ID, street.Name)
	var counts struct{ Estates, Units, Complaints int64 }
	db.Table("estates e").Joins("JOIN orgs o ON o.id = e.community_id").Where("o.path LIKE ?", cityOrg.Path+"%").Count(&counts.Estates)
	db.Table("units").Count(&counts.Units)
	db.Table("complaints").Count(&counts.Complaints)
	fmt.Printf("database: %d estates in the city, %d units, %d complaints (all cities)\n", counts.Estates, counts.Units, counts.Complaints)
	for _, who := range []struct {
		name, user string
		role       app.Role
		org        int64
	}{
		{"street office", fmt.Sprintf("bench-street-%d", street.ID), app.RoleStreet, street.ID},
		{"district", fmt.Sprintf("bench-district-%d", district.ID), app.RoleDistrict, district.ID},
		{"city (admin)", "bench-admin", app.RoleAdmin, 0},
	} {
		web, api, err := login(who.user, who.role, who.org)
		if err != nil {
			return fmt.Errorf("%s: %w", who.name, err)
		}
		scope := ""
		if who.role == app.RoleAdmin {
			scope = fmt.Sprintf("org=%d", cityOrg.ID)
		}
		if only := os.Getenv("GENCITY_WHO"); only != "" && !strings.Contains(who.name, only) {
			continue
		}
		for _, route := range []struct{ path, kind string }{
			{"/api/v1/supervision/rates", "api"},
			{"/supervision", "web"},
			{"/supervision.xlsx", "web"},
			{"/api/v1/supervision/rates/estates?indicator=complaints_on_time&limit=1000", "api"},
			{"/supervision/estates?indicator=complaints_accepted", "web"},
			{"/supervision/estates.xlsx?indicator=complaints_on_time", "web"},
			{"/worklist", "web"},
			{"/worklist.xlsx", "web"},
			{"/api/v1/worklist/charts", "api"},
		} {
			if only := os.Getenv("GENCITY_ROUTE"); only != "" && !strings.Contains(route.path, only) {
				continue
			}
			for _, mode := range modes {
				// The baseline: the complaints read in full, as before the summary.
				// "unshared": the summary, but every source of a page lists the estates
				// again (before orgs.ShareEstates), the baseline of one list per request.
				if err := db.Exec("UPDATE complaint_summary_state SET built = ? WHERE id = 1", mode != "scan").Error; err != nil {
					return err
				}
				svc.Orgs.SetShareEstates(mode != "unshared")
				var took []time.Duration
				for i := 0; i < n+3; i++ {
					path := route.path
					if scope != "" {
						sep := "?"
						if strings.Contains(path, "?") {
							sep = "&"
						}
						path += sep + scope
					}
					req := httptest.NewRequest("GET", path, nil)
					if route.kind == "api" {
						req.Header.Set("Authorization", "Bearer "+api)
					} else {
						req.AddCookie(&http.Cookie{Name: "gz_session", Value: web})
						req.Header.Set("Accept", "text/html")
					}
					t0 := time.Now()
					resp, err := fapp.Test(req, -1)
					if err != nil {
						return err
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					if resp.StatusCode != 200 {
						return fmt.Errorf("%s %s: %d %.300s", who.name, route.path, resp.StatusCode, body)
					}
					if i >= 3 { // three warm-up requests
						took = append(took, d)
					}
				}
				slices.Sort(took)
				p := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))+0.5)-1)] }
				fmt.Printf("%-14s %-8s %-64s n=%d p50=%7.1fms p95=%7.1fms max=%7.1fms\n", who.name, mode, route.path, len(took),
					ms(p(0.50)), ms(p(0.95)), ms(took[len(took)-1]))
			}
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
