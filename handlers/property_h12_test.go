package handlers_test

import (
	"strings"
	"testing"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// h12VerifyKind checks that a property record's number is stored with its own kind and
// that the public verification page names that kind (not "公告附件").
func h12VerifyKind(t *testing.T, env *handlertest.Env, number, kind, label string) {
	t.Helper()
	if number == "" {
		t.Errorf("no document number for %s", kind)
		return
	}
	var d models.Document
	if err := env.DB.DB.Where("doc_number = ?", number).Take(&d).Error; err != nil {
		t.Errorf("document %s: %v", number, err)
		return
	}
	var series models.DocumentSeries
	if err := env.DB.DB.Where("id = ?", d.SeriesID).Take(&series).Error; err != nil {
		t.Errorf("series of %s: %v", number, err)
	}
	if d.Kind != kind || series.Kind != kind {
		t.Errorf("document %s has kind %q (series %q), want %q", number, d.Kind, series.Kind, kind)
	}
	page := env.Browser().Get("/verify/" + number)
	body := string(page.Body)
	if page.Status != 200 || !strings.Contains(body, label) || strings.Contains(body, "公告附件") {
		t.Errorf("/verify/%s: %d, names %q: %v, says 公告附件: %v", number, page.Status, label, strings.Contains(body, label), strings.Contains(body, "公告附件"))
	}
}

// TestDocumentsOwnerAndKindChecks: migration 00028 lets a document belong to an org
// instead of an estate, but never to neither, and only with a known kind; on both
// databases the CHECK constraints refuse the rest.
func TestDocumentsOwnerAndKindChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.Build(t, db, handlertest.Options{Clock: app.NewManualClock(voteT0)})
		var district models.Org
		if err := env.DB.DB.Where("kind = ?", models.OrgDistrict).Order("id").First(&district).Error; err != nil {
			t.Fatal(err)
		}
		mk := func(subject string, estateID int64, orgID *int64, kind string) error {
			s := models.DocumentSeries{Kind: kind, Subject: subject, EstateID: estateID, OrgID: orgID, Year: 2026, CreatedAt: voteT0}
			return env.DB.DB.Create(&s).Error
		}
		if err := mk("h12:neither", 0, nil, models.DocCreditList); err == nil {
			t.Errorf("a series with neither estate nor org was stored")
		}
		if err := mk("h12:bogus", 0, &district.ID, "bogus"); err == nil {
			t.Errorf("a series of an unknown kind was stored")
		}
		if err := mk("h12:org", 0, &district.ID, models.DocCreditList); err != nil {
			t.Errorf("an org-level series: %v", err)
		}
		if err := mk("h12:estate", env.Demo.EstateID, nil, models.DocTermination); err != nil {
			t.Errorf("an estate series of kind termination: %v", err)
		}
		var back models.DocumentSeries
		if err := env.DB.DB.Where("subject = ?", "h12:org").Take(&back).Error; err != nil || back.EstateID != 0 || back.OrgID == nil || *back.OrgID != district.ID {
			t.Errorf("org-level series read back: %+v %v", back, err)
		}
	})
}
