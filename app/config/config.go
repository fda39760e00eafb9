// Package config reads the server's configuration from the environment (and a .env
// file when present) into one typed Config, validates it, and renders it for the
// start-up log with secrets masked. The variable names are fixed by API.md.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// The values of APP_ENV.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// MinSecretKeyLen is the shortest secret key accepted, in characters.
const MinSecretKeyLen = 32

// production tells whether APP_ENV asks for production mode, which changes the
// defaults of DEMO_DATA (false) and COOKIE_SECURE (true).
func production(lookup func(string) (string, bool)) bool {
	v, _ := lookup("APP_ENV")
	return strings.EqualFold(strings.TrimSpace(v), EnvProduction)
}

// Config is the whole configuration of one server process.
type Config struct {
	ListenAddr     string        // LISTEN_ADDR
	DBDriver       string        // DB_DRIVER: sqlite | mysql
	DBDSN          string        // DB_DSN: SQLite file path or MySQL DSN
	AdminUsername  string        // ADMIN_USERNAME
	AdminPassword  string        // ADMIN_PASSWORD; empty: generated and printed once
	DemoData       bool          // DEMO_DATA
	SecretKey      string        // SECRET_KEY; empty: read from SecretKeyFile, or from or generated into DataDir
	SecretKeyFile  string        // SECRET_KEY_FILE: a file holding the key, kept apart from the data (docs/security.md)
	Env            string        // APP_ENV: development | production (production refuses unsafe settings)
	DataDir        string        // DATA_DIR: where the generated secret key (and SQLite DB by default) live
	PublicURL      string        // PUBLIC_URL: base of links printed in QR codes; derived from LISTEN_ADDR when empty
	MigrateAtStart bool          // AUTO_MIGRATE: apply migrations at start-up; false refuses to run on an old schema
	LogLevel       string        // LOG_LEVEL: debug | info | warn | error
	LogFormat      string        // LOG_FORMAT: text | json
	CookieSecure   bool          // COOKIE_SECURE: mark cookies Secure (behind TLS)
	SessionTTL     time.Duration // SESSION_TTL
	RequestTimeout time.Duration // REQUEST_TIMEOUT: per-request context deadline for DB work
	LoginRateLimit int           // LOGIN_RATE_LIMIT: login attempts per minute per client address
	BallotRate     int           // BALLOT_RATE_LIMIT: ballot requests per minute per client address
	Workers        bool          // WORKERS: run background jobs (closing votes) in this instance
	MetricsAddr    string        // METRICS_ADDR: host:port serving Prometheus metrics at /metrics; empty: off

	// Limits behind a reverse proxy (docs/operations.md). The rate limits above and
	// VerifyRate count per client address and per instance; BallotRate covers every
	// owner-facing route together.
	VerifyRate     int            // VERIFY_RATE_LIMIT: public document-verification uploads per minute per client address
	CodeRate       int            // CODE_RATE_LIMIT: ballot short codes entered at /b per minute per client address
	PublicRate     int            // PUBLIC_RATE_LIMIT: requests per minute per client address over the other anonymous pages (results, resolutions, verification)
	TrustedProxies []netip.Prefix // TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For is believed; empty trusts none
}

// Load reads the environment. A .env file in the working directory is read first
// when it exists; real environment variables win over it.
func Load() (Config, error) {
	if _, err := os.Stat(".env"); err == nil {
		if err := godotenv.Load(".env"); err != nil {
			return Config{}, fmt.Errorf("reading .env: %w", err)
		}
	}
	return FromLookup(os.LookupEnv)
}

// FromLookup builds a Config from any lookup function (the environment in production,
// a map in tests) and validates it.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(key, def string) string {
		if v, ok := lookup(key); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	var errs []error
	boolean := func(key string, def bool) bool {
		v := get(key, strconv.FormatBool(def))
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not true or false", key, v))
		}
		return b
	}
	integer := func(key string, def int) int {
		v := get(key, strconv.Itoa(def))
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive whole number", key, v))
		}
		return n
	}
	duration := func(key string, def time.Duration) time.Duration {
		v := get(key, def.String())
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration such as 30s or 12h", key, v))
		}
		return d
	}
	c := Config{
		ListenAddr:     get("LISTEN_ADDR", ":8080"),
		DBDriver:       strings.ToLower(get("DB_DRIVER", "sqlite")),
		AdminUsername:  get("ADMIN_USERNAME", "admin"),
		AdminPassword:  get("ADMIN_PASSWORD", ""),
		SecretKey:      get("SECRET_KEY", ""),
		SecretKeyFile:  get("SECRET_KEY_FILE", ""),
		Env:            strings.ToLower(get("APP_ENV", EnvDevelopment)),
		DataDir:        get("DATA_DIR", "data"),
		PublicURL:      strings.TrimRight(get("PUBLIC_URL", ""), "/"),
		LogLevel:       strings.ToLower(get("LOG_LEVEL", "info")),
		LogFormat:      strings.ToLower(get("LOG_FORMAT", "text")),
		DemoData:       boolean("DEMO_DATA", !production(lookup)),
		MigrateAtStart: boolean("AUTO_MIGRATE", true),
		CookieSecure:   boolean("COOKIE_SECURE", production(lookup)),
		Workers:        boolean("WORKERS", true),
		SessionTTL:     duration("SESSION_TTL", 12*time.Hour),
		RequestTimeout: duration("REQUEST_TIMEOUT", 30*time.Second),
		LoginRateLimit: integer("LOGIN_RATE_LIMIT", 10),
		BallotRate:     integer("BALLOT_RATE_LIMIT", 3000),
		VerifyRate:     integer("VERIFY_RATE_LIMIT", 30),
		PublicRate:     integer("PUBLIC_RATE_LIMIT", 3000),
		CodeRate:       integer("CODE_RATE_LIMIT", 300),
	}
	c.MetricsAddr = get("METRICS_ADDR", "")
	proxies, err := ParseProxies(get("TRUSTED_PROXIES", ""))
	if err != nil {
		errs = append(errs, err)
	}
	c.TrustedProxies = proxies
	c.DBDSN = get("DB_DSN", "")
	if c.DBDSN == "" && c.DBDriver == "sqlite" {
		c.DBDSN = filepath.Join(c.DataDir, "app.db")
	}
	if c.PublicURL == "" {
		c.PublicURL = publicURLFromListen(c.ListenAddr)
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// Validate checks the values that Load cannot check while parsing.
func (c Config) Validate() error {
	var errs []error
	switch c.DBDriver {
	case "sqlite", "mysql":
	default:
		errs = append(errs, fmt.Errorf("DB_DRIVER: %q is neither sqlite nor mysql", c.DBDriver))
	}
	if c.DBDSN == "" {
		errs = append(errs, errors.New("DB_DSN: required with DB_DRIVER=mysql"))
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		errs = append(errs, fmt.Errorf("LISTEN_ADDR: %q is not host:port: %w", c.ListenAddr, err))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR: %q is not host:port: %w", c.MetricsAddr, err))
		} else if c.MetricsAddr == c.ListenAddr {
			errs = append(errs, errors.New("METRICS_ADDR: must differ from LISTEN_ADDR (metrics are not served on the public port)"))
		}
	}
	if c.AdminUsername == "" {
		errs = append(errs, errors.New("ADMIN_USERNAME: must not be empty"))
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 10 {
		errs = append(errs, errors.New("ADMIN_PASSWORD: at least 10 characters"))
	}
	if c.SecretKey != "" && len(c.SecretKey) < MinSecretKeyLen {
		errs = append(errs, fmt.Errorf("SECRET_KEY: at least %d characters", MinSecretKeyLen))
	}
	if c.SecretKey != "" && c.SecretKeyFile != "" {
		errs = append(errs, errors.New("SECRET_KEY and SECRET_KEY_FILE: set only one of them"))
	}
	switch c.Env {
	case EnvDevelopment, "":
	case EnvProduction:
		errs = append(errs, c.validateProduction()...)
	default:
		errs = append(errs, fmt.Errorf("APP_ENV: %q is neither development nor production", c.Env))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("PUBLIC_URL: %q must start with http:// or https://", c.PublicURL))
	}
	return errors.Join(errs...)
}

// validateProduction lists what APP_ENV=production refuses: demo data, cookies
// without Secure, a public URL without TLS, and a key generated beside the data.
func (c Config) validateProduction() []error {
	var errs []error
	if c.DemoData {
		errs = append(errs, errors.New("DEMO_DATA: must be false when APP_ENV=production"))
	}
	if !c.CookieSecure {
		errs = append(errs, errors.New("COOKIE_SECURE: must be true when APP_ENV=production (serve over TLS)"))
	}
	if !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("PUBLIC_URL: %q must start with https:// when APP_ENV=production", c.PublicURL))
	}
	if c.SecretKey == "" && c.SecretKeyFile == "" {
		errs = append(errs, errors.New("SECRET_KEY_FILE: required when APP_ENV=production (or SECRET_KEY): a key generated into DATA_DIR is refused"))
	}
	if c.keyFileBesideData() {
		errs = append(errs, fmt.Errorf("SECRET_KEY_FILE: %q sits beside the SQLite database; APP_ENV=production needs the key kept apart", c.SecretKeyFile))
	}
	return errs
}

// EnsureSecretKey returns the secret key, from the first of: SECRET_KEY; the file
// named by SECRET_KEY_FILE (which must exist: a missing mounted secret is an error,
// never a reason to make a new key); DataDir/secret.key, generating and storing a
// 256-bit key there on first start (refused by Validate when APP_ENV=production).
func (c Config) EnsureSecretKey() (string, error) {
	if c.SecretKey != "" {
		return c.SecretKey, nil
	}
	if c.SecretKeyFile != "" {
		key, err := ReadKeyFile(c.SecretKeyFile)
		if err != nil {
			return "", fmt.Errorf("SECRET_KEY_FILE: %w", err)
		}
		return key, nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if key, err := ReadKeyFile(path); err == nil {
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating data dir: %w", err)
	}
	return GenerateKeyFile(path)
}

// ReadKeyFile reads a secret key from a file (surrounding white space ignored);
// a key shorter than MinSecretKeyLen characters is refused.
func ReadKeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading secret key: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < MinSecretKeyLen {
		return "", fmt.Errorf("%s: key shorter than %d characters", path, MinSecretKeyLen)
	}
	return key, nil
}

// GenerateKeyFile writes a new random 256-bit key (64 hex digits) to path, readable
// by the owner only, refusing to overwrite an existing file, and returns it.
func GenerateKeyFile(path string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generating secret key: %w", err)
	}
	key := hex.EncodeToString(buf)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("writing secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing secret key: %w", err)
	}
	return key, nil
}

// KeyWarning is the start-up warning for a key kept where a copy of the data
// directory takes it along, or "" when there is nothing to warn about: a demo
// install (DEMO_DATA=true outside production) and a key given in SECRET_KEY are
// not warned about; otherwise the generated DATA_DIR/secret.key is, and so is a
// SECRET_KEY_FILE inside DATA_DIR or beside the SQLite file (with MySQL the
// database lives elsewhere, so a chosen key file in DATA_DIR is accepted).
func (c Config) KeyWarning() string {
	if c.SecretKey != "" || (c.DemoData && c.Env != EnvProduction) {
		return ""
	}
	if c.SecretKeyFile == "" {
		return "the secret key is the one generated beside the data (" + filepath.Join(c.DataDir, "secret.key") +
			"): a copy of the data directory yields every live ballot link; set SECRET_KEY_FILE to a file kept apart (docs/security.md)"
	}
	if c.keyFileBesideData() {
		return "SECRET_KEY_FILE " + c.SecretKeyFile + " sits beside the SQLite database: a copy of the data directory yields every live ballot link; keep the key apart (docs/security.md)"
	}
	return ""
}

// keyFileBesideData reports whether SECRET_KEY_FILE lies in the SQLite database's
// directory or inside DATA_DIR (SQLite only).
func (c Config) keyFileBesideData() bool {
	if c.SecretKeyFile == "" || c.DBDriver != "sqlite" {
		return false
	}
	keyDir := absDir(c.SecretKeyFile)
	dbPath := strings.TrimPrefix(c.DBDSN, "file:")
	if i := strings.IndexByte(dbPath, '?'); i >= 0 {
		dbPath = dbPath[:i]
	}
	return keyDir == absDir(dbPath) || within(keyDir, absPath(c.DataDir))
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func absDir(p string) string { return filepath.Dir(absPath(p)) }

// within reports whether dir is base or below it.
func within(dir, base string) bool {
	rel, err := filepath.Rel(base, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// LogValue lists the effective configuration for the start-up log, secrets masked.
func (c Config) LogValue() []any {
	return []any{
		"listen_addr", c.ListenAddr, "db_driver", c.DBDriver, "db_dsn", MaskDSN(c.DBDSN),
		"admin_username", c.AdminUsername, "admin_password", mask(c.AdminPassword),
		"secret_key", mask(c.SecretKey), "secret_key_file", c.SecretKeyFile, "app_env", c.Env, "data_dir", c.DataDir, "public_url", c.PublicURL,
		"demo_data", c.DemoData, "auto_migrate", c.MigrateAtStart, "log_level", c.LogLevel,
		"cookie_secure", c.CookieSecure, "session_ttl", c.SessionTTL.String(),
		"request_timeout", c.RequestTimeout.String(), "workers", c.Workers,
		"metrics_addr", c.MetricsAddr,
		"ballot_rate_limit", c.BallotRate, "verify_rate_limit", c.VerifyRate, "trusted_proxies", fmt.Sprint(c.TrustedProxies),
		"public_rate_limit", c.PublicRate, "code_rate_limit", c.CodeRate,
	}
}

// ParseProxies reads TRUSTED_PROXIES: addresses or CIDR ranges separated by commas or
// spaces ("10.0.0.0/8, 192.0.2.7"); a bare address is a range of one.
func ParseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is neither an address nor a CIDR range such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "******"
}

// MaskDSN hides the password in a MySQL DSN ("user:pass@tcp(...)/db").
func MaskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	cred := dsn[:at]
	if colon := strings.Index(cred, ":"); colon >= 0 {
		return cred[:colon] + ":******" + dsn[at:]
	}
	return dsn
}

func publicURLFromListen(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
