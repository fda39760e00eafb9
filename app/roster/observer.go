package roster

import (
	"context"
	"log/slog"

	"gongzhi/app"
)

// ImportObserver is told after a roster import committed, and answers what it noticed
// for the import result (app/committee: members no longer listed as owners, for whom it
// opens a cessation for the street office to confirm). Roster does not depend on it.
type ImportObserver interface {
	RosterImported(ctx context.Context, p app.Principal, estateID int64) ([]string, error)
}

// SetImportObserver installs the observer (nil: none). Call it before serving.
func (s *Service) SetImportObserver(o ImportObserver) { s.observer = o }

// afterImport asks the observer; a failure is logged and the import stands.
func (s *Service) afterImport(ctx context.Context, p app.Principal, estateID int64) []string {
	if s.observer == nil {
		return nil
	}
	notes, err := s.observer.RosterImported(ctx, p, estateID)
	if err != nil {
		slog.Default().Error("after roster import", "estate_id", estateID, "error", err)
	}
	return notes
}
