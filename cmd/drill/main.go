// Command drill runs the operator drills of docs/drills.md against the real server
// binary on the loopback interface: crash (SIGKILL under a cast load, then every
// acknowledged ballot must be stored and no voter may hold two), twoinstance (two
// servers on one MariaDB behind HAProxy: casts, sessions, one close, coherent
// limits) and restore (an online backup taken while ballots are being cast,
// restored into a fresh server whose receipts and results match).
//
//	go run ./cmd/drill crash -db sqlite
//	go run ./cmd/drill crash -db mysql -dsn 'root:@tcp(127.0.0.1:3306)/'
//	go run ./cmd/drill twoinstance -dsn 'root:@tcp(127.0.0.1:3306)/'
//	go run ./cmd/drill restore -db sqlite
//
// Every drill targets 127.0.0.1 only, is bounded in time and requests, removes its
// processes, temporary files and MariaDB databases, prints PASS or FAIL per check
// and exits 1 when any check failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// defaultDSN is MariaDB on the loopback interface; each run creates its own database.
const defaultDSN = "root:@tcp(127.0.0.1:3306)/"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "crash":
		err = runCrash(ctx, args)
	case "twoinstance":
		err = runTwoInstance(ctx, args)
	case "restore":
		err = runRestore(ctx, args)
	default:
		usage()
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drill:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: drill crash|twoinstance|restore [flags]   (drill <name> -h lists the flags)`)
}

// checks collects the PASS/FAIL lines of a drill.
type checks struct{ failed int }

// check prints one PASS or FAIL line and remembers a failure.
func (c *checks) check(ok bool, name, format string, args ...any) {
	status := "PASS"
	if !ok {
		status = "FAIL"
		c.failed++
	}
	fmt.Printf("%s  %-28s %s\n", status, name, fmt.Sprintf(format, args...))
}

// err is nil when every check passed.
func (c *checks) err() error {
	if c.failed > 0 {
		return fmt.Errorf("%d check(s) failed", c.failed)
	}
	return nil
}

// deadline bounds a whole drill.
func deadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
