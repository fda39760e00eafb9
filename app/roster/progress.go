package roster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gongzhi/app"
)

// Import job states.
const (
	JobChecking = "checking" // reading and validating the file
	JobWriting  = "writing"  // replacing the roster, in one transaction
	JobDone     = "done"
	JobFailed   = "failed" // nothing changed
)

// Background imports are kept this long after they finish, for their page.
const (
	jobKeep    = time.Hour
	jobTimeout = 10 * time.Minute // an import still running after this is cancelled (and rolled back)
	// maxRunningImports bounds the memory background imports hold in one process.
	maxRunningImports = 2
	maxKeptJobs       = 200
)

// ImportJob is a roster import running in the background (StartImport) and what
// its progress page shows: rows of the file checked, rows written to the database
// (buildings, units, owners and ownerships; they become visible together, when the
// one transaction commits), and at the end the result or the error with every bad
// line. The import stays atomic: a failed job changed nothing.
type ImportJob struct {
	ID          string
	EstateID    int64
	UserID      int64
	Filename    string
	State       string
	RowsChecked int // data rows of the file read and validated
	RowsWritten int // database rows inserted so far by the transaction
	Errors      int // bad lines found (a failed job); 1 for any other refusal
	Result      ImportResult
	Err         error // the refusal when State is JobFailed (an *app.Error)
	StartedAt   time.Time
	FinishedAt  time.Time

	mu *sync.Mutex // the registry's; nil on a copy handed out
}

// Running tells whether the job has not finished yet.
func (j ImportJob) Running() bool { return j.State == JobChecking || j.State == JobWriting }

func (j *ImportJob) update(f func(*ImportJob)) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f(j)
}

func (j *ImportJob) checked(n int) {
	j.update(func(j *ImportJob) { j.RowsChecked, j.State = n, JobWriting })
}

func (j *ImportJob) wrote(n int) {
	j.update(func(j *ImportJob) { j.RowsWritten = n })
}

// importJobs is the service's registry of background imports (in memory: a job
// is a view of work running in this process; the import itself is recorded in
// roster_imports and the audit log when it commits).
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*ImportJob
}

// StartImport checks the caller's right to change the estate's roster and the
// upload's size, then imports the file in the background and returns at once
// with the job to follow (Job). One import per estate runs at a time. The
// import itself is Import's: validated whole, one transaction, audited.
func (s *Service) StartImport(ctx context.Context, p app.Principal, estateID int64, filename string, data []byte) (ImportJob, error) {
	e, err := s.estateForRosterChange(ctx, p, estateID)
	if err != nil {
		return ImportJob{}, err
	}
	filename, err = checkUpload(filename, data)
	if err != nil {
		return ImportJob{}, err
	}
	now := s.clock.Now()
	var idb [12]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return ImportJob{}, app.Internal(fmt.Errorf("job id: %w", err))
	}
	s.jobs.mu.Lock()
	if s.jobs.jobs == nil {
		s.jobs.jobs = map[string]*ImportJob{}
	}
	running := 0
	for _, j := range s.jobs.jobs {
		if j.Running() {
			running++
		}
	}
	if running >= maxRunningImports { // each holds its upload (up to the body limit) and parsed rows
		s.jobs.mu.Unlock()
		return ImportJob{}, app.Fail(app.EConflict, "err.roster.imports_busy")
	}
	for id, j := range s.jobs.jobs {
		if j.EstateID == estateID && j.Running() {
			s.jobs.mu.Unlock()
			return ImportJob{}, app.Fail(app.EConflict, "err.roster.a_roster_import_of_this_estate_is_running_wait")
		}
		if !j.Running() && (now.Sub(j.FinishedAt) > jobKeep || len(s.jobs.jobs) > maxKeptJobs) {
			delete(s.jobs.jobs, id)
		}
	}
	job := &ImportJob{ID: hex.EncodeToString(idb[:]), EstateID: estateID, UserID: p.UserID, Filename: filename,
		State: JobChecking, StartedAt: now, mu: &s.jobs.mu}
	s.jobs.jobs[job.ID] = job
	s.jobs.mu.Unlock()

	// The request ends before the import: the job keeps the request's values (the
	// request id for the logs) but not its cancellation, and has its own deadline.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
	go func() {
		defer cancel()
		res, err := s.importRoster(bg, p, e, filename, data, job)
		if err != nil && app.ErrorCode(err) == app.EInternal {
			s.logger().ErrorContext(bg, "roster import", "estate_id", estateID, "job", job.ID, "error", err)
		}
		job.update(func(j *ImportJob) {
			j.FinishedAt = s.clock.Now()
			if err != nil {
				ae := app.AsError(err)
				j.State, j.Err, j.Errors = JobFailed, ae, max(1, len(ae.Details))
				return
			}
			j.State, j.Result = JobDone, res
		})
	}()
	return job.snapshot(&s.jobs.mu), nil
}

func (j *ImportJob) snapshot(mu *sync.Mutex) ImportJob {
	mu.Lock()
	defer mu.Unlock()
	c := *j
	c.mu = nil
	return c
}

// Job is a background import of the estate as it stands, to those who may see the
// estate; another estate's job, or one forgotten, is not found.
func (s *Service) Job(ctx context.Context, p app.Principal, estateID int64, jobID string) (ImportJob, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return ImportJob{}, err
	}
	s.jobs.mu.Lock()
	j, ok := s.jobs.jobs[jobID]
	s.jobs.mu.Unlock()
	if !ok || j.EstateID != estateID {
		return ImportJob{}, app.Fail(app.ENotFound, "err.roster.no_such_import")
	}
	return j.snapshot(&s.jobs.mu), nil
}

// LatestJob is the estate's most recent background import still kept, if any.
func (s *Service) LatestJob(ctx context.Context, p app.Principal, estateID int64) (*ImportJob, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	s.jobs.mu.Lock()
	var latest *ImportJob
	for _, j := range s.jobs.jobs {
		if j.EstateID == estateID && (latest == nil || j.StartedAt.After(latest.StartedAt)) {
			latest = j
		}
	}
	s.jobs.mu.Unlock()
	if latest == nil {
		return nil, nil
	}
	c := latest.snapshot(&s.jobs.mu)
	return &c, nil
}

// SetLogger sets where background imports report internal errors (nil: discarded).
func (s *Service) SetLogger(log *slog.Logger) { s.log = log }

func (s *Service) logger() *slog.Logger {
	if s.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.log
}
