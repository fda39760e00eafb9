package handlers_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/testkit"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/handlers/handlertest"
)

// voteT0 is a Monday morning in Shanghai: notices are published then, voting opens
// 15 days later and closes a week after that.
var voteT0 = testkit.T0

func voteOpens() time.Time  { return testkit.Opens }
func voteCloses() time.Time { return testkit.Closes }

// voteEnv is the application on a manual clock standing at voteT0.
type voteEnv struct{ *handlertest.Env }

// newVoteEnv builds the application over db on a manual clock standing at voteT0.
func newVoteEnv(t testing.TB, db dbtest.DB, o handlertest.Options) *voteEnv {
	t.Helper()
	o.Clock = app.NewManualClock(voteT0)
	return &voteEnv{handlertest.Build(t, db, o)}
}

func eachVote(t *testing.T, fn func(t *testing.T, env *voteEnv)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		fn(t, newVoteEnv(t, db, handlertest.Options{}))
	})
}

// voteBody is a lawful vote on the demo estate with the given items.
func voteBody(profile string, items ...map[string]any) map[string]any {
	return map[string]any{
		"title": "2026 年第一次业主大会会议", "legal_profile": profile, "form": "written",
		"notice_published_at": voteT0.Format(time.RFC3339), "opens_at": voteOpens().Format(time.RFC3339),
		"closes_at": voteCloses().Format(time.RFC3339), "items": items,
	}
}

// ordinaryItem is an agenda item of a matter.
func ordinaryItem(key, matter string) map[string]any {
	return map[string]any{"key": key, "title": "事项 " + key, "text": "事项 " + key + " 的全文。", "matter": matter}
}

// defaultItems are the two items of the small golden cases.
func defaultItems() []map[string]any {
	return []map[string]any{ordinaryItem("dismiss", "hire_dismiss_manager"), ordinaryItem("fund", "raise_maintenance_fund")}
}

// createVote drafts a vote through the API and returns its id.
func (env *voteEnv) createVote(t *testing.T, token string, body map[string]any) int64 {
	t.Helper()
	r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), token, body)
	if r.Status != 201 {
		t.Fatalf("create vote: %d %s", r.Status, r.Body)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return out.ID
}

// openVote opens a vote through the API.
func (env *voteEnv) openVote(t *testing.T, token string, id int64) {
	t.Helper()
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/open", id), token, nil); r.Status != 200 {
		t.Fatalf("open vote: %d %s", r.Status, r.Body)
	}
}

// openDemoVote drafts and opens a vote with the given items (the default two when
// none) and moves the clock into the voting period.
func (env *voteEnv) openDemoVote(t *testing.T, token string, items ...map[string]any) int64 {
	t.Helper()
	if len(items) == 0 {
		items = defaultItems()
	}
	id := env.createVote(t, token, voteBody("civil-code-2021", items...))
	env.openVote(t, token, id)
	env.Clock.Set(voteOpens().Add(time.Hour))
	return id
}

type voteCredential struct {
	Code    string   `json:"code"`
	VoterID int64    `json:"voter_id"`
	Rooms   []string `json:"rooms"`
	Token   string   `json:"token"`
	URL     string   `json:"url"`
	Status  string   `json:"status"`
}

// credentials lists a vote's credentials keyed by every room.
func (env *voteEnv) credentials(t *testing.T, token string, id int64) map[string]voteCredential {
	t.Helper()
	r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/credentials", id), token, nil)
	if r.Status != 200 {
		t.Fatalf("credentials: %d %s", r.Status, r.Body)
	}
	var list []voteCredential
	r.JSON(t, &list)
	out := map[string]voteCredential{}
	for _, c := range list {
		for _, room := range c.Rooms {
			out[room] = c
		}
	}
	return out
}

// idChecks maps each room of testdata/roster-small.csv to the answer of its identity check.
func idChecks(t *testing.T) map[string]string { return fixtures.IDChecks(t, "roster-small.csv") }

// cast posts an online ballot.
func (env *voteEnv) cast(token, idCheck string, choices map[string]any) handlertest.Response {
	env.T.Helper()
	return env.API("POST", "/api/v1/ballots/"+token, "", map[string]any{"id_check": idCheck, "choices": choices})
}

// errorMessage returns error.message of an error body.
func errorMessage(r handlertest.Response) string {
	var b struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Message
}
