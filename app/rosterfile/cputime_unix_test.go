//go:build unix

package rosterfile

import (
	"syscall"
	"time"
)

// processCPUTime is the user plus system CPU time this process has used, all
// threads (garbage collector included), or false if the system cannot tell.
// On a shared machine it varies far less with other load than wall time does.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
