package documents_test

import (
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// statementCounter counts the SQL statements a service runs while it is on, in all and
// those reading the votes table.
type statementCounter struct {
	mu        sync.Mutex
	on        bool
	all       int
	voteReads int
	estates   int // statements naming the estates table (jurisdiction checks, names)
}

// voteRead matches a statement that reads the votes table.
var voteRead = regexp.MustCompile("(?i)^\\s*SELECT\\b.*\\bFROM\\s+[`\"]?votes[`\"]?(\\s|$)")

// estatesTable matches a statement naming the estates table.
var estatesTable = regexp.MustCompile("(?i)\\bFROM\\s+[`\"]?estates[`\"]?(\\s|$)")

// countStatements registers the counter on db's query and raw callbacks.
func countStatements(t *testing.T, db *gorm.DB) *statementCounter {
	t.Helper()
	c := &statementCounter{}
	count := func(tx *gorm.DB) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.on {
			return
		}
		c.all++
		if voteRead.MatchString(tx.Statement.SQL.String()) {
			c.voteReads++
		}
		if estatesTable.MatchString(tx.Statement.SQL.String()) {
			c.estates++
		}
	}
	for name, err := range map[string]error{
		"query":  db.Callback().Query().After("gorm:query").Register("test:count_query", count),
		"raw":    db.Callback().Raw().After("gorm:raw").Register("test:count_raw", count),
		"row":    db.Callback().Row().After("gorm:row").Register("test:count_row", count),
		"create": db.Callback().Create().After("gorm:create").Register("test:count_create", count),
		"update": db.Callback().Update().After("gorm:update").Register("test:count_update", count),
	} {
		if err != nil {
			t.Fatalf("registering the %s counter: %v", name, err)
		}
	}
	return c
}

// during counts the statements fn runs.
func (c *statementCounter) during(fn func()) (all, voteReads, estates int) {
	c.mu.Lock()
	c.on, c.all, c.voteReads, c.estates = true, 0, 0, 0
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.all, c.voteReads, c.estates
}

// TestResolutionReadsTheVoteOnce counts what a resolution GET asks the database: the
// vote is read once (its record from the voting service), whether the resolution is
// issued on this request or served stored, by staff or, once published, by anyone. The
// public board of the estate reads each vote at most twice (listed, then its result).
func TestResolutionReadsTheVoteOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, _ := e.closedDemoVote(t)
		counter := countStatements(t, e.DB.DB)
		street := e.DemoToken("street")
		path := fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID)
		for _, round := range []string{"issued", "served stored"} {
			var status int
			all, reads, estates := counter.during(func() { status = e.get(path, street).Status })
			if status != 200 {
				t.Fatalf("%s: resolution %d", round, status)
			}
			t.Logf("resolution GET (%s): %d statements, %d reads of the vote, %d of the estates table", round, all, reads, estates)
			if reads > 1 {
				t.Errorf("resolution GET (%s) read the vote %d times, want once", round, reads)
			}
		}
		e.Clock.Set(closesAt().Add(24 * time.Hour))
		if _, err := e.Svc.Votes.Publish(e.Ctx, e.Admin, voteID); err != nil {
			t.Fatal(err)
		}
		var status int
		all, reads, estates := counter.during(func() { status = e.get(path, "").Status })
		if status != 200 {
			t.Fatalf("public resolution %d", status)
		}
		t.Logf("public resolution GET: %d statements, %d reads of the vote, %d of the estates table", all, reads, estates)
		if reads > 1 {
			t.Errorf("public resolution GET read the vote %d times, want once", reads)
		}
		board := fmt.Sprintf("/public/estates/%d", e.Demo.EstateID)
		all, reads, estates = counter.during(func() { status = e.get(board, "", "Accept", "application/json").Status })
		if status != 200 {
			t.Fatalf("board %d", status)
		}
		t.Logf("public board GET (one published vote): %d statements, %d reads of votes, %d of the estates table", all, reads, estates)
		if reads > 2 {
			t.Errorf("public board GET read votes %d times, want at most 2", reads)
		}
	})
}
