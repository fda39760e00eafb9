package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// The identity check of a personal link cannot be raced (issue 10, finding 1): every
// answer is counted before it is compared, so at most the profile's number of wrong
// answers (identity_check_attempts, 5 under the default profile) is ever compared, and
// an answer that arrives once they are used up is refused whatever it is. The
// reading of a link before the check shows nothing of the owner's ballot (finding 8).

const guardLimit = 5 // identity_check_attempts of the default profile

// guardWrong is the i-th wrong answer: six characters, never an owner's.
func guardWrong(i int) string { return fmt.Sprintf("W%05d", i) }

// guardState is a link's credential as stored.
type guardState struct {
	Status  string
	Failed  int
	Ballots int
	Events  int
}

func guardStateOf(t *testing.T, env *handlertest.Env, token string) guardState {
	t.Helper()
	var c models.VoteCredential
	if err := env.DB.Where("token_hash = ?", guardHash(token)).Take(&c).Error; err != nil {
		t.Fatalf("credential: %v", err)
	}
	st := guardState{Status: c.Status, Failed: c.FailedChecks}
	var n int64
	env.DB.Model(&models.Ballot{}).Where("vote_id = ? AND voter_id = ?", c.VoteID, c.VoterID).Count(&n)
	st.Ballots = int(n)
	env.DB.Model(&models.VoteEvent{}).Where("credential_id = ? AND kind = ?", c.ID, "id_check_failed").Count(&n)
	st.Events = int(n)
	return st
}

// guardCheckState asserts what any race must leave: the failures counted are the
// wrong answers compared (never more than the limit, each with its event), the link
// locked exactly when the limit was reached, and one ballot at most.
func guardCheckState(t *testing.T, st guardState, accepted int) {
	t.Helper()
	if st.Failed > guardLimit || st.Events != st.Failed {
		t.Errorf("failed checks %d (events %d): more than %d wrong answers were compared", st.Failed, st.Events, guardLimit)
	}
	if (st.Status == models.CredentialLocked) != (st.Failed == guardLimit) {
		t.Errorf("status %s after %d failed checks", st.Status, st.Failed)
	}
	if accepted > 1 || st.Ballots != accepted {
		t.Errorf("%d answers accepted, %d ballots stored", accepted, st.Ballots)
	}
}

// guardHold holds the link's credential row from outside the server (SQLite: the
// write lock; MariaDB: the row, for update) until the returned function is called,
// so that requests sent meanwhile queue up inside the server in the order sent.
func guardHold(t *testing.T, env *handlertest.Env, token string) func() {
	t.Helper()
	sqlDB, err := env.DB.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if env.DB.Dialect == "mysql" {
		if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := conn.QueryRowContext(ctx, "SELECT id FROM vote_credentials WHERE token_hash = ? FOR UPDATE", guardHash(token)).Scan(&id); err != nil {
			t.Fatal(err)
		}
	} else if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			_ = conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// guardHash is the stored lookup form of a ballot token (hex SHA-256).
func guardHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// guardSettle gives requests just sent the time to reach the server's queue; the
// outcome asserted never depends on how long anything took.
func guardSettle() { time.Sleep(400 * time.Millisecond) }

// Through the API: 31 answers at once on one link (30 wrong, the right one last), 3
// times; then the deterministic case: five wrong answers in flight before the right
// one arrives, which must be refused.
func TestBallotGuardRacedChecksAPI(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		choices := map[string]any{"dismiss": "agree"}

		voters := map[int64]bool{}
		for _, room := range []string{"1-1-101", "1-1-201", "1-1-301", "1-1-402"} {
			if voters[creds[room].VoterID] {
				t.Fatalf("%s shares its voter with another room of the test", room)
			}
			voters[creds[room].VoterID] = true
		}
		for _, room := range []string{"1-1-101", "1-1-201", "1-1-301"} {
			link := creds[room].Token
			const n = 31
			status := make([]int, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				answer := guardWrong(i)
				if i == n-1 {
					answer = answers[room]
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					status[i] = env.cast(link, answer, choices).Status
				}()
			}
			close(start)
			wg.Wait()
			accepted := 0
			for i, s := range status {
				switch {
				case s == http.StatusCreated && i == n-1:
					accepted++
				case s != http.StatusForbidden:
					t.Errorf("%s: answer %d: status %d", room, i, s)
				}
			}
			st := guardStateOf(t, env.Env, link)
			guardCheckState(t, st, accepted)
			if accepted == 1 && st.Failed == guardLimit && st.Status != models.CredentialLocked {
				t.Errorf("%s: inconsistent %+v", room, st)
			}
		}

		// Deterministic: five wrong answers queue up first, the right one after them.
		room := "1-1-402"
		link := creds[room].Token
		if link == "" || answers[room] == "" {
			t.Fatalf("no link or answer for %s", room)
		}
		release := guardHold(t, env.Env, link)
		var wg sync.WaitGroup
		wrong := make([]int, guardLimit)
		for i := range guardLimit {
			wg.Add(1)
			go func() { defer wg.Done(); wrong[i] = env.cast(link, guardWrong(100+i), choices).Status }()
		}
		guardSettle()
		var right handlertest.Response
		wg.Add(1)
		go func() { defer wg.Done(); right = env.cast(link, answers[room], choices) }()
		guardSettle()
		release()
		wg.Wait()
		if right.Status != http.StatusForbidden {
			t.Errorf("the right answer after %d wrong ones in flight: %d %s (must be refused)", guardLimit, right.Status, right.Body)
		}
		for i, s := range wrong {
			if s != http.StatusForbidden {
				t.Errorf("wrong answer %d: %d", i, s)
			}
		}
		st := guardStateOf(t, env.Env, link)
		guardCheckState(t, st, 0)
		if st.Status != models.CredentialLocked || st.Failed != guardLimit {
			t.Errorf("after %d wrong answers: %+v", guardLimit, st)
		}
		// Locked: even the right answer alone is refused.
		if r := env.cast(link, answers[room], choices); r.Status != http.StatusForbidden || !strings.Contains(errorMessage(r), "锁定") {
			t.Errorf("right answer on a locked link: %d %s", r.Status, r.Body)
		}
	})
}

// Through the web pass: the identity check (POST /b/{token}/check) counts exactly as
// the API does, and the cast with the pass obeys the same limit.
func TestBallotGuardRacedChecksWeb(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		_, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		answers := map[string]string{"1-1-301": vwAnswer301, "1-1-302": vwAnswer302, "1-1-401": vwAnswer401}

		// 20 checks at once on each of two links, the right one last; a pass is then cast.
		for _, room := range []string{"1-1-301", "1-1-302"} {
			page := vwPath(t, links[room])
			const n = 20
			browsers := make([]*handlertest.Browser, n)
			csrf := make([]string, n)
			for i := range n {
				browsers[i] = env.Browser()
				csrf[i] = browsers[i].CSRF(page)
			}
			res := make([]handlertest.Response, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				answer := guardWrong(i)
				if i == n-1 {
					answer = answers[room]
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res[i] = browsers[i].Post(page+"/check", url.Values{"_csrf": {csrf[i]}, "id_check": {answer}})
				}()
			}
			close(start)
			wg.Wait()
			accepted := 0
			for i, r := range res[:n-1] {
				if r.Status != http.StatusForbidden {
					t.Errorf("%s: wrong answer %d: %d", room, i, r.Status)
				}
			}
			right := res[n-1]
			switch right.Status {
			case http.StatusOK:
				doc := vwDoc(t, right)
				pass := doc.Find("form.ballot-form input[name=pass]").AttrOr("value", "")
				if pass == "" {
					// Passed within the limit, then locked by the wrong answers counted
					// after it: the page says the link is locked, and offers no ballot.
					if doc.Find("#locked").Length() != 1 || guardStateOf(t, env, strings.TrimPrefix(page, "/b/")).Status != models.CredentialLocked {
						t.Errorf("%s: right answer accepted without a ballot form on an active link", room)
					}
					break
				}
				r := browsers[n-1].Post(page+"/cast", url.Values{"_csrf": {csrf[n-1]}, "pass": {pass}, "c.item1": {"agree"}})
				st := guardStateOf(t, env, strings.TrimPrefix(page, "/b/"))
				switch {
				case r.Status == http.StatusOK && st.Status != models.CredentialLocked:
					accepted = 1
				case r.Status == http.StatusForbidden && st.Status == models.CredentialLocked:
				default:
					t.Errorf("%s: cast with the pass: %d with the link %+v", room, r.Status, st)
				}
			case http.StatusForbidden:
			default:
				t.Errorf("%s: right answer: %d", room, right.Status)
			}
			guardCheckState(t, guardStateOf(t, env, strings.TrimPrefix(page, "/b/")), accepted)
		}

		// Deterministic: five wrong checks queue up first, the right one after them.
		page := vwPath(t, links["1-1-401"])
		token := strings.TrimPrefix(page, "/b/")
		browsers := make([]*handlertest.Browser, guardLimit+1)
		csrf := make([]string, guardLimit+1)
		for i := range browsers {
			browsers[i] = env.Browser()
			csrf[i] = browsers[i].CSRF(page)
		}
		release := guardHold(t, env, token)
		var wg sync.WaitGroup
		for i := range guardLimit {
			wg.Add(1)
			go func() {
				defer wg.Done()
				browsers[i].Post(page+"/check", url.Values{"_csrf": {csrf[i]}, "id_check": {guardWrong(200 + i)}})
			}()
		}
		guardSettle()
		var right handlertest.Response
		wg.Add(1)
		go func() {
			defer wg.Done()
			right = browsers[guardLimit].Post(page+"/check", url.Values{"_csrf": {csrf[guardLimit]}, "id_check": {vwAnswer401}})
		}()
		guardSettle()
		release()
		wg.Wait()
		if right.Status != http.StatusForbidden || vwDoc(t, right).Find("form.ballot-form").Length() != 0 {
			t.Errorf("the right check after %d wrong ones in flight: %d (must be refused, no ballot)", guardLimit, right.Status)
		}
		st := guardStateOf(t, env, token)
		guardCheckState(t, st, 0)
		if st.Status != models.CredentialLocked {
			t.Errorf("after %d wrong checks: %+v", guardLimit, st)
		}
	})
}

// Before the identity check a link shows the vote, never whether, when or how its
// owner voted, nor the receipt (finding 8): through the API the answer for a link
// whose owner voted is the answer for one whose owner did not.
func TestBallotGuardViewBeforeCheckAPI(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		link := creds["1-1-101"].Token
		before := env.API("GET", "/api/v1/ballots/"+link, "", nil)
		if before.Status != 200 || !strings.Contains(string(before.Body), `"title"`) || !strings.Contains(string(before.Body), `"items"`) {
			t.Fatalf("ballot view: %d %s", before.Status, before.Body)
		}
		r := env.cast(link, answers["1-1-101"], map[string]any{"dismiss": "agree"})
		if r.Status != 201 {
			t.Fatalf("cast: %d %s", r.Status, r.Body)
		}
		var receipt struct {
			Receipt string `json:"receipt"`
		}
		r.JSON(t, &receipt)
		after := env.API("GET", "/api/v1/ballots/"+link, "", nil)
		if after.Status != 200 {
			t.Fatalf("ballot view after the cast: %d", after.Status)
		}
		if strings.Contains(string(after.Body), receipt.Receipt) || strings.Contains(string(after.Body), `"online"`) {
			t.Errorf("the view before the check shows the receipt or the channel: %s", after.Body)
		}
		if string(after.Body) != string(before.Body) {
			t.Errorf("the view before the check tells that the owner voted:\nbefore %s\nafter  %s", before.Body, after.Body)
		}
		// After the check (the cast's own): when and how, in the 409.
		if r := env.cast(link, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 409 || !strings.Contains(errorMessage(r), "线上投票") {
			t.Errorf("second cast: %d %s", r.Status, r.Body)
		}
	})
}

// The same through the web: the page of a link whose owner voted asks for the check
// and shows nothing of the ballot; after the check it shows when and how, and the
// receipt; the receipt page shows nothing without the check.
func TestBallotGuardViewBeforeCheckWeb(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		s := vwNewSchedule()
		_, links := vwOpenVote(t, env, s)
		vwAt(env, s.Opens.Add(time.Hour))
		page := vwPath(t, links["1-1-302"])
		owner := env.Browser()
		csrf := owner.CSRF(page)
		r := owner.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {vwAnswer302}})
		pass := vwDoc(t, r).Find("form.ballot-form input[name=pass]").AttrOr("value", "")
		if r.Status != 200 || pass == "" {
			t.Fatalf("check: %d", r.Status)
		}
		r = owner.Post(page+"/cast", url.Values{"_csrf": {csrf}, "pass": {pass}, "c.item1": {"agree"}})
		code := ""
		if r.Status == http.StatusSeeOther {
			r = owner.Get(r.Header.Get("Location"))
		}
		code = strings.TrimSpace(vwDoc(t, r).Find(".receipt-code").Text())
		if r.Status != 200 || len(code) != 19 {
			t.Fatalf("cast: %d receipt %q", r.Status, code)
		}

		stranger := env.Browser()
		r = stranger.Get(page)
		doc := vwDoc(t, r)
		if r.Status != 200 || doc.Find("#already-cast").Length() != 0 || strings.Contains(string(r.Body), code) ||
			strings.Contains(doc.Text(), "您已投票") || strings.Contains(doc.Text(), "线上投票") {
			t.Errorf("the page before the check shows the ballot: %d %q", r.Status, doc.Find("main").Text())
		}
		if doc.Find("#id-check input[name=id_check]").Length() != 1 {
			t.Errorf("the page before the check does not ask for it")
		}
		r = stranger.Get(page + "/receipt")
		if strings.Contains(string(r.Body), code) {
			t.Errorf("the receipt page shows the receipt without the check: %d", r.Status)
		}
		// After the check: when, how, and the receipt.
		r = stranger.Post(page+"/check", url.Values{"_csrf": {stranger.CSRF(page)}, "id_check": {vwAnswer302}})
		doc = vwDoc(t, r)
		done := doc.Find("#already-cast").Text()
		if !strings.Contains(done, "您已投票") || !strings.Contains(done, "线上投票") || !strings.Contains(string(r.Body), code) {
			t.Errorf("after the check: %d %q", r.Status, done)
		}
		if doc.Find("form.ballot-form").Length() != 0 {
			t.Error("a ballot form for an owner who voted")
		}
	})
}
