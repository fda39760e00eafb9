package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// workspace is a drill's temporary directory, its server binary and the MariaDB
// databases it created; cleanup removes them all.
type workspace struct {
	dir     string
	bin     string
	baseDSN string // MariaDB server DSN without a database
	dbs     []string
	servers []*server
}

// newWorkspace makes a temporary directory and builds the server binary of the
// repository at repo into it.
func newWorkspace(ctx context.Context, repo, baseDSN string) (*workspace, error) {
	if _, err := os.Stat(filepath.Join(repo, "go.mod")); err != nil {
		return nil, fmt.Errorf("-repo %s: not the repository root (no go.mod): %w", repo, err)
	}
	dir, err := os.MkdirTemp("", "gongzhi-drill-*")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	w := &workspace{dir: dir, bin: filepath.Join(dir, "gongzhi"), baseDSN: baseDSN}
	build := exec.CommandContext(ctx, "go", "build", "-o", w.bin, ".")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		w.cleanup()
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	return w, nil
}

// cleanup kills every server still running, drops the drill's databases and removes
// the temporary directory.
func (w *workspace) cleanup() {
	for _, s := range w.servers {
		s.kill()
	}
	for _, name := range w.dbs {
		if err := w.dropDB(name); err != nil {
			fmt.Fprintln(os.Stderr, "drill: dropping database", name+":", err)
		}
	}
	if err := os.RemoveAll(w.dir); err != nil {
		fmt.Fprintln(os.Stderr, "drill: removing", w.dir+":", err)
	}
}

// loopbackDSN parses a MariaDB DSN and refuses any host but the loopback interface.
func loopbackDSN(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("-dsn: %w", err)
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || (host != "127.0.0.1" && host != "localhost") {
		return nil, fmt.Errorf("-dsn: %q is not on 127.0.0.1: the drills target the loopback interface only", cfg.Addr)
	}
	return cfg, nil
}

// admin opens the MariaDB server without a database.
func (w *workspace) admin() (*sql.DB, error) {
	cfg, err := loopbackDSN(w.baseDSN)
	if err != nil {
		return nil, err
	}
	cfg.DBName = ""
	return sql.Open("mysql", cfg.FormatDSN())
}

// createDB creates a fresh MariaDB database and returns the server's DSN for it.
func (w *workspace) createDB(ctx context.Context, label string) (string, error) {
	db, err := w.admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := fmt.Sprintf("drill_%s_%d_%s", label, os.Getpid(), randomHex(3))
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	w.dbs = append(w.dbs, name)
	cfg, _ := loopbackDSN(w.baseDSN)
	cfg.DBName = name
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	return cfg.FormatDSN(), nil
}

func (w *workspace) dropDB(name string) error {
	db, err := w.admin()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
	return err
}

// serverSpec is how to start one server: its database, data directory, key and
// extra environment.
type serverSpec struct {
	name    string // for logs and messages
	driver  string // sqlite | mysql
	dsn     string // MariaDB DSN; empty for SQLite ($DATA_DIR/app.db)
	dataDir string
	secret  string
	env     []string
}

// server is one running server process.
type server struct {
	spec serverSpec
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

func (s *server) url() string { return "http://" + s.addr }

// start launches a server on a free loopback port and waits until /healthz answers.
func (w *workspace) start(ctx context.Context, spec serverSpec) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	return w.startOn(ctx, spec, addr)
}

// startOn launches a server on addr (a restart keeps its address).
func (w *workspace) startOn(ctx context.Context, spec serverSpec, addr string) (*server, error) {
	if err := os.MkdirAll(spec.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(w.dir, spec.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	cmd := exec.Command(w.bin)
	cmd.Dir = w.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(),
		"LISTEN_ADDR="+addr,
		"PUBLIC_URL=http://"+addr,
		"DATA_DIR="+spec.dataDir,
		"DB_DRIVER="+spec.driver,
		"DB_DSN="+spec.dsn,
		"SECRET_KEY="+spec.secret,
		"ADMIN_PASSWORD=Drill-Platform-2026", // held to the password policy: must not contain "admin"
		"DEMO_DATA=true",
		"AUTO_MIGRATE=true",
		"LOG_LEVEL=warn",
		"LOGIN_RATE_LIMIT=1000",
		"BALLOT_RATE_LIMIT=1000000",
		"METRICS_ADDR=",
	)
	cmd.Env = append(cmd.Env, spec.env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", spec.name, err)
	}
	s := &server{spec: spec, addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	w.servers = append(w.servers, s)
	if err := s.waitHealthy(ctx, 90*time.Second); err != nil {
		s.kill()
		return nil, fmt.Errorf("%s: %w (log: %s)", spec.name, err, w.tail(spec.name))
	}
	return s, nil
}

// log is a server's whole log.
func (w *workspace) log(name string) string {
	b, _ := os.ReadFile(filepath.Join(w.dir, name+".log"))
	return string(b)
}

// tail is the end of a server's log, for error messages.
func (w *workspace) tail(name string) string {
	b, _ := os.ReadFile(filepath.Join(w.dir, name+".log"))
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}

func (s *server) waitHealthy(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url()+"/healthz", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-s.done:
			return errors.New("the server exited during start-up")
		case <-ctx.Done():
			return fmt.Errorf("not healthy within %s", limit)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// kill ends the server with SIGKILL (no shutdown at all) and waits for it.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop asks the server to shut down (SIGTERM) and kills it after 20 s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.kill()
	}
}

// freeAddr is a free TCP port on 127.0.0.1.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
