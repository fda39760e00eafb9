package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongzhi/app/config"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsServeWithNoEnvironment(t *testing.T) {
	c, err := config.FromLookup(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":8080" || c.DBDriver != "sqlite" || c.DBDSN != filepath.Join("data", "app.db") ||
		c.AdminUsername != "admin" || !c.DemoData || !c.MigrateAtStart || c.PublicURL != "http://localhost:8080" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"DB_DRIVER":      {"DB_DRIVER": "postgres"},
		"DEMO_DATA":      {"DEMO_DATA": "maybe"},
		"LISTEN_ADDR":    {"LISTEN_ADDR": "8080"},
		"SESSION_TTL":    {"SESSION_TTL": "forever"},
		"SECRET_KEY":     {"SECRET_KEY": "short"},
		"ADMIN_PASSWORD": {"ADMIN_PASSWORD": "short"},
		"DB_DSN":         {"DB_DRIVER": "mysql"},
		"PUBLIC_URL":     {"PUBLIC_URL": "ftp://x"},
	}
	for name, env := range cases {
		_, err := config.FromLookup(lookup(env))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the variable", name, err)
		}
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c, err := config.FromLookup(lookup(map[string]string{
		"DB_DRIVER": "mysql", "DB_DSN": "app:s3cretpw@tcp(db:3306)/gz", "ADMIN_PASSWORD": "Sup3rSecretPw",
		"SECRET_KEY": "0123456789abcdef0123456789abcdef-key",
	}))
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join(strings.Fields(strings.Trim(strings.ReplaceAll(fmtArgs(c.LogValue()), "\n", " "), " ")), " ")
	for _, secret := range []string{"s3cretpw", "Sup3rSecretPw", "0123456789abcdef"} {
		if strings.Contains(line, secret) {
			t.Errorf("log line leaks %q: %s", secret, line)
		}
	}
}

func fmtArgs(args []any) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(a), "\t", " "), "\n", " ")))
		b.WriteString(" ")
	}
	return b.String()
}

func toString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	return ""
}

func TestSecretKeyGeneratedOnceIntoDataDir(t *testing.T) {
	dir := t.TempDir()
	c, err := config.FromLookup(lookup(map[string]string{"DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	k1, err := c.EnsureSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.EnsureSecretKey()
	if err != nil || k1 != k2 || len(k1) < 32 {
		t.Fatalf("keys %q %q %v", k1, k2, err)
	}
	info, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v %v", info, err)
	}
}

func TestSecretKeyFileIsReadAndNeverGenerated(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	env := map[string]string{"DATA_DIR": dir, "SECRET_KEY_FILE": keyFile}
	c, err := config.FromLookup(lookup(env))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsureSecretKey(); err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE") {
		t.Fatalf("a missing key file: %v, want an error naming SECRET_KEY_FILE", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Fatalf("a key was generated into DATA_DIR although SECRET_KEY_FILE is set: %v", err)
	}
	if err := os.WriteFile(keyFile, []byte("  0123456789abcdef0123456789abcdef-file \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := c.EnsureSecretKey(); err != nil || k != "0123456789abcdef0123456789abcdef-file" {
		t.Fatalf("key %q %v", k, err)
	}
	if err := os.WriteFile(keyFile, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsureSecretKey(); err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE") {
		t.Fatalf("a short key file: %v", err)
	}
	env["SECRET_KEY"] = "0123456789abcdef0123456789abcdef-env"
	if _, err := config.FromLookup(lookup(env)); err == nil || !strings.Contains(err.Error(), "set only one") {
		t.Fatalf("SECRET_KEY with SECRET_KEY_FILE: %v", err)
	}
}

func TestKeyWarningWhenANonDemoInstallKeepsTheKeyBesideTheData(t *testing.T) {
	data := t.TempDir()
	apart := filepath.Join(t.TempDir(), "secret.key")
	cases := []struct {
		name string
		env  map[string]string
		warn bool
	}{
		{"demo install, generated key", map[string]string{"DATA_DIR": data}, false},
		{"real install, generated key", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false"}, true},
		{"real install, key file in DATA_DIR", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false", "SECRET_KEY_FILE": filepath.Join(data, "k")}, true},
		{"real install, key file beside the SQLite file", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false",
			"DB_DSN": filepath.Join(filepath.Dir(apart), "db.sqlite"), "SECRET_KEY_FILE": apart}, true},
		{"real install, key file apart", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false", "SECRET_KEY_FILE": apart}, false},
		{"real install, key in the environment", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false", "SECRET_KEY": "0123456789abcdef0123456789abcdef-env"}, false},
		{"mysql, generated key", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false", "DB_DRIVER": "mysql", "DB_DSN": "u:p@tcp(db)/x"}, true},
		{"mysql, chosen key file in DATA_DIR", map[string]string{"DATA_DIR": data, "DEMO_DATA": "false", "DB_DRIVER": "mysql", "DB_DSN": "u:p@tcp(db)/x",
			"SECRET_KEY_FILE": filepath.Join(data, "k")}, false},
	}
	for _, tc := range cases {
		c, err := config.FromLookup(lookup(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := c.KeyWarning(); (got != "") != tc.warn {
			t.Errorf("%s: warning %q, want warning %v", tc.name, got, tc.warn)
		}
	}
}

func TestProductionRefusesUnsafeSettingsNamingTheVariable(t *testing.T) {
	data := t.TempDir()
	apart := filepath.Join(t.TempDir(), "secret.key")
	safe := func() map[string]string {
		return map[string]string{"APP_ENV": "production", "DATA_DIR": data, "SECRET_KEY_FILE": apart, "PUBLIC_URL": "https://vote.example.cn"}
	}
	c, err := config.FromLookup(lookup(safe()))
	if err != nil {
		t.Fatalf("a safe production configuration is refused: %v", err)
	}
	if c.DemoData || !c.CookieSecure || c.KeyWarning() != "" {
		t.Fatalf("production defaults: demo %v, secure cookies %v, warning %q", c.DemoData, c.CookieSecure, c.KeyWarning())
	}
	cases := map[string]func(map[string]string){
		"DEMO_DATA":       func(m map[string]string) { m["DEMO_DATA"] = "true" },
		"COOKIE_SECURE":   func(m map[string]string) { m["COOKIE_SECURE"] = "false" },
		"PUBLIC_URL":      func(m map[string]string) { m["PUBLIC_URL"] = "http://vote.example.cn" },
		"SECRET_KEY_FILE": func(m map[string]string) { delete(m, "SECRET_KEY_FILE") },
		"SECRET_KEY":      func(m map[string]string) { delete(m, "SECRET_KEY_FILE"); m["SECRET_KEY"] = "too-short" },
		"APP_ENV":         func(m map[string]string) { m["APP_ENV"] = "prod" },
	}
	for name, change := range cases {
		env := safe()
		change(env)
		if _, err := config.FromLookup(lookup(env)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the variable", name, err)
		}
	}
	beside := safe()
	beside["SECRET_KEY_FILE"] = filepath.Join(data, "secret.key")
	if _, err := config.FromLookup(lookup(beside)); err == nil || !strings.Contains(err.Error(), "SECRET_KEY_FILE") ||
		!strings.Contains(err.Error(), "beside") {
		t.Errorf("a key file beside the SQLite database in production: %v", err)
	}
}

// TRUSTED_PROXIES: empty trusts none; addresses and CIDR ranges, commas or spaces; a
// bad entry is named.
func TestTrustedProxies(t *testing.T) {
	c, err := config.FromLookup(lookup(nil))
	if err != nil || len(c.TrustedProxies) != 0 || c.BallotRate != 3000 || c.VerifyRate != 30 {
		t.Fatalf("defaults: %v %v %d %d", err, c.TrustedProxies, c.BallotRate, c.VerifyRate)
	}
	c, err = config.FromLookup(lookup(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7 fd00::/8,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32 fd00::/8 ::1/128]" {
		t.Errorf("parsed %s", got)
	}
	_, err = config.FromLookup(lookup(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}))
	if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") || !strings.Contains(err.Error(), "proxy.local") {
		t.Errorf("bad entry: %v", err)
	}
}
