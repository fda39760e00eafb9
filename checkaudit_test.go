package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
)

// TestCheckAuditCommand runs `gongzhi check-audit` against a chain with signed
// heads: a one-line OK summary; after a row is changed (the trigger dropped, as an
// intruder with the owner's rights would), the first broken entry named and an error.
func TestCheckAuditCommand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		t.Chdir(t.TempDir())
		t.Setenv("DB_DRIVER", db.Dialect)
		t.Setenv("DB_DSN", db.DSN)
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		signer := audit.KeySigner{Key: key}
		for i := range 3 {
			if err := database.Tx(ctx, db.DB, func(tx *gorm.DB) error {
				return audit.Record(ctx, tx, app.System(), audit.Entry{Action: "test.cmd", Detail: map[string]any{"i": i}})
			}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := audit.SignHead(ctx, db.DB, signer, time.Now()); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		pub := []string{"--public-key", hex.EncodeToString(signer.PublicKey())}
		if err := checkAudit(ctx, pub, &out); err != nil || !strings.HasPrefix(out.String(), "OK audit chain: 3 entries") || !strings.Contains(out.String(), "1 signed heads verified") {
			t.Fatalf("clean chain: %v %q", err, out.String())
		}
		if err := checkAudit(ctx, []string{"--public-key", "zz"}, &out); err == nil {
			t.Fatal("a malformed key accepted")
		}
		if err := db.Exec("DROP TRIGGER audit_logs_no_update").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("UPDATE audit_logs SET username = 'mallory' WHERE seq = 2").Error; err != nil {
			t.Fatal(err)
		}
		out.Reset()
		err := checkAudit(ctx, pub, &out)
		if !errors.Is(err, errAuditBroken) || !strings.Contains(out.String(), "FAIL audit chain broken at seq 2") {
			t.Fatalf("tampered chain: %v %q", err, out.String())
		}
	})
}
