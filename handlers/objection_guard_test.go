package handlers_test

import (
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

// An owner's objection through the personal link takes the same identity check as
// a ballot, so it cannot be raced either (issue 10, finding 1): its answers are
// counted before they are compared, through the API (POST
// /api/v1/ballots/{token}/objections) and the web form (POST /b/{token}/objection).

// objectionGuardVote opens a demo vote, casts one ballot, closes and publishes it,
// and leaves the clock inside the objection window; it returns the credentials by
// room and the right answers.
func objectionGuardVote(t *testing.T, env *voteEnv) (map[string]voteCredential, map[string]string) {
	t.Helper()
	tok := env.DemoToken("committee")
	id := env.openDemoVote(t, tok)
	creds := env.credentials(t, tok, id)
	answers := idChecks(t)
	if r := env.cast(creds["1-1-102"].Token, answers["1-1-102"], map[string]any{"dismiss": "agree", "fund": "agree"}); r.Status != 201 {
		t.Fatalf("cast: %d %s", r.Status, r.Body)
	}
	env.Clock.Set(voteCloses().Add(24 * time.Hour))
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	env.Clock.Set(voteCloses().Add(25 * time.Hour))
	voters := map[int64]bool{}
	for _, room := range []string{"1-1-101", "1-1-201", "1-1-301", "1-1-402"} {
		if voters[creds[room].VoterID] || creds[room].Token == "" || answers[room] == "" {
			t.Fatalf("%s: no link of its own or no answer", room)
		}
		voters[creds[room].VoterID] = true
	}
	return creds, answers
}

// objectionsOf counts the objections filed through a link.
func objectionsOf(t *testing.T, env *handlertest.Env, token string) int {
	t.Helper()
	var n int64
	if err := env.DB.Model(&models.VoteObjection{}).
		Where("credential_id = (SELECT id FROM vote_credentials WHERE token_hash = ?)", guardHash(token)).Count(&n).Error; err != nil {
		t.Fatalf("objections: %v", err)
	}
	return int(n)
}

// objectionAPI files an objection through the API.
func objectionAPI(env *voteEnv, token, idCheck string) handlertest.Response {
	return env.API("POST", "/api/v1/ballots/"+token+"/objections", "", map[string]any{"id_check": idCheck, "content": "请复核计票。"})
}

// objectionBrowser is an owner's browser on the link's page, with its form token.
type objectionBrowser struct {
	b    *handlertest.Browser
	csrf string
	page string
}

func newObjectionBrowser(env *voteEnv, token string) objectionBrowser {
	b := env.Browser()
	page := "/b/" + token
	return objectionBrowser{b: b, csrf: b.CSRF(page), page: page}
}

// file files an objection through the web form.
func (o objectionBrowser) file(idCheck string) handlertest.Response {
	return o.b.Post(o.page+"/objection", url.Values{"_csrf": {o.csrf}, "id_check": {idCheck}, "content": {"请复核计票。"}})
}

// objectionGuardLocked asserts a link locked by exactly the limit of wrong answers,
// each counted with its event, and no objection filed through it.
func objectionGuardLocked(t *testing.T, env *handlertest.Env, token string) {
	t.Helper()
	st := guardStateOf(t, env, token)
	if st.Status != models.CredentialLocked || st.Failed != guardLimit || st.Events != guardLimit {
		t.Errorf("after %d wrong answers: status %s, %d failed checks, %d events", guardLimit, st.Status, st.Failed, st.Events)
	}
	if n := objectionsOf(t, env, token); n != 0 {
		t.Errorf("%d objections filed through a link whose right answer came after %d wrong ones", n, guardLimit)
	}
}

// Deterministic: five wrong answers queue up first, the right one after them; the
// right one is refused (403, locked), the link is locked and no objection is filed.
func TestObjectionGuardQueuedChecks(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		creds, answers := objectionGuardVote(t, env)

		// Through the API.
		link := creds["1-1-101"].Token
		release := guardHold(t, env.Env, link)
		var wg sync.WaitGroup
		wrong := make([]int, guardLimit)
		for i := range guardLimit {
			wg.Add(1)
			go func() { defer wg.Done(); wrong[i] = objectionAPI(env, link, guardWrong(300+i)).Status }()
		}
		guardSettle()
		var right handlertest.Response
		wg.Add(1)
		go func() { defer wg.Done(); right = objectionAPI(env, link, answers["1-1-101"]) }()
		guardSettle()
		release()
		wg.Wait()
		if right.Status != http.StatusForbidden || !strings.Contains(errorMessage(right), "锁定") {
			t.Errorf("API: the right answer after %d wrong ones in flight: %d %s (must be refused, locked)", guardLimit, right.Status, right.Body)
		}
		for i, s := range wrong {
			if s != http.StatusForbidden {
				t.Errorf("API: wrong answer %d: %d", i, s)
			}
		}
		objectionGuardLocked(t, env.Env, link)

		// Through the web form.
		link = creds["1-1-201"].Token
		browsers := make([]objectionBrowser, guardLimit+1)
		for i := range browsers {
			browsers[i] = newObjectionBrowser(env, link)
		}
		release = guardHold(t, env.Env, link)
		for i := range guardLimit {
			wg.Add(1)
			go func() { defer wg.Done(); wrong[i] = browsers[i].file(guardWrong(400 + i)).Status }()
		}
		guardSettle()
		wg.Add(1)
		go func() { defer wg.Done(); right = browsers[guardLimit].file(answers["1-1-201"]) }()
		guardSettle()
		release()
		wg.Wait()
		if right.Status != http.StatusForbidden || vwDoc(t, right).Find("#locked").Length() != 1 {
			t.Errorf("web: the right answer after %d wrong ones in flight: %d (must be refused, the link shown locked)", guardLimit, right.Status)
		}
		for i, s := range wrong {
			if s != http.StatusForbidden {
				t.Errorf("web: wrong answer %d: %d", i, s)
			}
		}
		objectionGuardLocked(t, env.Env, link)

		// Locked: the right answer alone is refused too, and an untouched link still
		// takes its owner's objection.
		if r := objectionAPI(env, creds["1-1-101"].Token, answers["1-1-101"]); r.Status != http.StatusForbidden {
			t.Errorf("right answer on a locked link: %d %s", r.Status, r.Body)
		}
		if r := objectionAPI(env, creds["1-1-402"].Token, answers["1-1-402"]); r.Status != http.StatusCreated {
			t.Errorf("objection on an untouched link: %d %s", r.Status, r.Body)
		}
		// After the window an answer is neither compared nor counted: 410.
		env.Clock.Set(voteCloses().AddDate(0, 0, 30))
		link = creds["1-1-301"].Token
		if r := objectionAPI(env, link, guardWrong(600)); r.Status != http.StatusGone {
			t.Errorf("wrong answer after the window: %d %s", r.Status, r.Body)
		}
		if st := guardStateOf(t, env.Env, link); st.Failed != 0 || st.Status != models.CredentialActive {
			t.Errorf("an answer after the window was counted: %+v", st)
		}
	})
}

// Free race: many answers at once on one link, through the API and the web form
// alike, the right one last: whatever the order, at most the limit of wrong answers
// is compared, each counted with its event, the link is locked exactly when the
// limit is reached, and an objection is filed only for an accepted answer.
func TestObjectionGuardRacedChecks(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		creds, answers := objectionGuardVote(t, env)
		link := creds["1-1-301"].Token
		const n = 16
		browsers := make([]objectionBrowser, n)
		for i := 1; i < n; i += 2 {
			browsers[i] = newObjectionBrowser(env, link)
		}
		status := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			answer := guardWrong(500 + i)
			if i == n-1 {
				answer = answers["1-1-301"]
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if i%2 == 0 {
					status[i] = objectionAPI(env, link, answer).Status
				} else {
					status[i] = browsers[i].file(answer).Status
				}
			}()
		}
		close(start)
		wg.Wait()
		accepted := 0
		for i, s := range status {
			switch {
			case i == n-1 && s == http.StatusSeeOther: // web: filed, back to the link's page
				accepted++
			case s != http.StatusForbidden:
				t.Errorf("answer %d: status %d", i, s)
			}
		}
		st := guardStateOf(t, env.Env, link)
		if st.Failed > guardLimit || st.Events != st.Failed {
			t.Errorf("failed checks %d (events %d): more than %d wrong answers were compared", st.Failed, st.Events, guardLimit)
		}
		if (st.Status == models.CredentialLocked) != (st.Failed == guardLimit) {
			t.Errorf("status %s after %d failed checks", st.Status, st.Failed)
		}
		if filed := objectionsOf(t, env.Env, link); filed != accepted {
			t.Errorf("%d answers accepted, %d objections filed", accepted, filed)
		}
	})
}
