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
