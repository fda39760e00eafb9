package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/demo"
	"gongzhi/app/keyring"
	"gongzhi/app/services"
)

// TestRotateKeyCommand runs `gongzhi rotate-key` as an operator would, with the
// server's environment: it refuses without --new-key-file and without a current
// key, generates the new key file (mode 0600) and re-keys the database, after
// which only the new key loads.
func TestRotateKeyCommand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		t.Chdir(dir) // no .env here
		oldFile, newFile := filepath.Join(dir, "old.key"), filepath.Join(dir, "keys-apart", "new.key")
		t.Setenv("DB_DRIVER", db.Dialect)
		t.Setenv("DB_DSN", db.DSN)
		t.Setenv("DATA_DIR", filepath.Join(dir, "data"))
		var out bytes.Buffer
		if err := rotateKey(ctx, nil, &out); err == nil || !strings.Contains(err.Error(), "--new-key-file") {
			t.Fatalf("without --new-key-file: %v", err)
		}
		if err := rotateKey(ctx, []string{"--new-key-file", newFile}, &out); err == nil || !strings.Contains(err.Error(), "no current key") {
			t.Fatalf("without a current key: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "secret.key")); !os.IsNotExist(err) {
			t.Fatalf("the command generated a current key: %v", err)
		}

		const oldKey = "command-test-old-key-0123456789abcdef012345"
		if err := os.WriteFile(oldFile, []byte(oldKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("SECRET_KEY_FILE", oldFile)
		p, err := keyring.Load(ctx, db.DB, oldKey)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := services.New(db.DB, services.Options{SecretKey: oldKey, Protector: p, PublicURL: "http://test.local", BcryptCost: 4})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, db.DB, svc); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Dir(newFile), 0o700); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := rotateKey(ctx, []string{"--new-key-file", newFile}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "generated a new key into "+newFile) || !strings.Contains(out.String(), "rotation 1") ||
			!strings.Contains(out.String(), "SECRET_KEY_FILE="+newFile) {
			t.Fatalf("output:\n%s", out.String())
		}
		info, err := os.Stat(newFile)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("new key file: %v %v", info, err)
		}
		newKey, err := os.ReadFile(newFile)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.Load(ctx, db.DB, strings.TrimSpace(string(newKey))); err != nil {
			t.Fatalf("the new key: %v", err)
		}
		if _, err := keyring.Load(ctx, db.DB, oldKey); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("the old key: %v", err)
		}
		// Running it again with the old key still configured changes nothing.
		if err := rotateKey(ctx, []string{"--new-key-file", newFile}, &out); !errors.Is(err, keyring.ErrWrongKey) ||
			!strings.Contains(err.Error(), "nothing was changed") {
			t.Fatalf("a second run with the old key: %v", err)
		}
	})
}
