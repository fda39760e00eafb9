package audit

import (
	"context"
	"crypto/ed25519"

	"gorm.io/gorm"
)

// CheckWithHook is the check of Check on db as given (no snapshot of its own), with
// afterFirst run once the first entry is read: the snapshot test appends there.
func CheckWithHook(ctx context.Context, db *gorm.DB, trusted ed25519.PublicKey, afterFirst func()) (Report, error) {
	return check(ctx, db, trusted, afterFirst)
}
