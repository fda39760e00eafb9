package documents_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/documents"
	"gongzhi/models"
)

// TestDecideCommittee is the rule that a committee decision needs more than half of ALL
// members (docs/rules.md §5): absent members count against it, exactly half fails.
func TestDecideCommittee(t *testing.T) {
	for _, c := range []struct {
		name                    string
		members, present, agree int
		passed, quorum          bool
		need                    int
	}{
		{"7 members, 4 agree", 7, 7, 4, true, true, 4},
		{"7 members, 3 agree", 7, 7, 3, false, true, 4},
		{"7 members, 5 present, 3 agree: majority of those present, not of all", 7, 5, 3, false, true, 4},
		{"7 members, 4 present, all 4 agree", 7, 4, 4, true, true, 4},
		{"7 members, 3 present: no quorum", 7, 3, 3, false, false, 4},
		{"6 members, exactly half agree", 6, 6, 3, false, true, 4},
		{"6 members, 4 agree", 6, 4, 4, true, true, 4},
		{"5 members, 3 agree", 5, 3, 3, true, true, 3},
		{"1 member", 1, 1, 1, true, true, 1},
		{"11 members, 6 agree", 11, 6, 6, true, true, 6},
		{"11 members, 5 agree", 11, 11, 5, false, true, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := documents.CommitteeVote{Members: c.members, Present: c.present, Agree: c.agree}
			if err := v.Validate(); err != nil {
				t.Fatal(err)
			}
			out := documents.DecideCommittee(v)
			if out.Passed != c.passed || out.QuorumPresent != c.quorum || out.NeededToPass != c.need {
				t.Errorf("got %+v, want passed %v quorum %v need %d", out, c.passed, c.quorum, c.need)
			}
		})
	}
	// Minutes of an estate without a formed committee count no decision as made.
	if out := documents.DecideCommittee(documents.CommitteeVote{Present: 1, Agree: 1}); out.Passed || out.QuorumPresent {
		t.Errorf("no members: %+v", out)
	}
	for _, bad := range []documents.CommitteeVote{
		{Members: 0},
		{Members: 5, Present: 6},
		{Members: 5, Present: 3, Agree: 2, Oppose: 2},
		{Members: 5, Present: 3, Agree: -1},
	} {
		if app.ErrorCode(bad.Validate()) != app.EInvalid {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// committeeMinutes is the body of committee minutes with 7 members, 5 present.
func committeeMinutes(decisions ...map[string]any) map[string]any {
	return map[string]any{
		"kind": "committee", "title": "第二届业主委员会第三次会议", "place": "物业服务中心二楼会议室",
		"held_at": time.Date(2026, 4, 8, 19, 30, 0, 0, time.FixedZone("CST", 8*3600)).Format(time.RFC3339),
		"members": candidateNames[:7], "present": candidateNames[:5], "attendees": []string{"和谐社区居委会 李主任（列席）"},
		"agenda":      []string{"电梯更换工程招标方案", "公共收益使用计划"},
		"proceedings": "会议由王建国主持。\n讨论了电梯更换工程招标方案和公共收益使用计划。",
		"decisions":   decisions,
	}
}

// TestCommitteeMinutes writes committee minutes: the majority of ALL members decides each
// decision, edits are audited while draft, finalising stores the PDF and publishes the
// passed decisions, and afterwards every change is refused with 409.
func TestCommitteeMinutes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tok := e.DemoToken("committee")
		e.Clock.Set(time.Date(2026, 4, 9, 10, 0, 0, 0, time.UTC))
		body := committeeMinutes(
			map[string]any{"text": "电梯更换工程采用公开招标方式", "agree": 4, "oppose": 1, "abstain": 0},
			map[string]any{"text": "公共收益用于增设电动车充电桩", "agree": 3, "oppose": 1, "abstain": 1},
		)
		r := e.API("POST", fmt.Sprintf("/api/v1/estates/%d/minutes", e.Demo.EstateID), tok, body)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID int64 `json:"id"`
		}
		r.JSON(t, &created)
		var m struct {
			State     string   `json:"state"`
			Revision  int      `json:"revision"`
			Quorum    bool     `json:"quorum"`
			Absent    []string `json:"absent"`
			Rule      string   `json:"rule"`
			Decisions []struct {
				Passed       bool   `json:"passed"`
				Outcome      string `json:"outcome"`
				NeededToPass int    `json:"needed_to_pass"`
			} `json:"decisions"`
			Document *struct {
				Number string `json:"number"`
				SHA256 string `json:"sha256"`
			} `json:"document"`
		}
		e.API("GET", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, nil).JSON(t, &m)
		// 3 of 5 present agree: a majority of those present, but not of all 7 members.
		if !m.Quorum || len(m.Absent) != 2 || len(m.Decisions) != 2 || !m.Decisions[0].Passed || m.Decisions[1].Passed ||
			m.Decisions[1].Outcome != "未通过" || m.Decisions[0].NeededToPass != 4 || !strings.Contains(m.Rule, "全体委员过半数") {
			t.Fatalf("minutes %+v", m)
		}
		// Counts that cannot be: more votes than members present.
		bad := committeeMinutes(map[string]any{"text": "x", "agree": 4, "oppose": 2, "abstain": 0})
		delete(bad, "kind")
		if r := e.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, bad); r.Status != 422 {
			t.Errorf("6 votes from 5 present: %d %s", r.Status, r.Body)
		}
		// An edit is audited with the fields it changed; a stale revision is refused.
		edit := committeeMinutes(
			map[string]any{"text": "电梯更换工程采用公开招标方式", "agree": 4, "oppose": 1, "abstain": 0},
			map[string]any{"text": "公共收益用于增设电动车充电桩", "agree": 3, "oppose": 1, "abstain": 1},
		)
		delete(edit, "kind")
		edit["revision"] = m.Revision
		edit["signatures"] = []map[string]any{{"name": "王建国", "signed_at": "2026-04-08T21:00:00+08:00"}, {"name": "李秀英", "signed_at": "2026-04-08T21:01:00+08:00"}}
		if r := e.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, edit); r.Status != 200 {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		if r := e.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, edit); r.Status != 409 {
			t.Errorf("edit of a stale revision: %d", r.Status)
		}
		var edits []models.AuditLog
		e.DB.Where("action = ? AND target_id = ?", "minutes.update", fmt.Sprint(created.ID)).Find(&edits)
		if len(edits) != 1 || !strings.Contains(edits[0].Detail, "signatures") || edits[0].Username != "committee" {
			t.Errorf("edit audit %+v", edits)
		}
		if r := e.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", created.ID), e.DemoToken("street2"), edit); r.Status != 404 {
			t.Errorf("street2 edit: %d", r.Status)
		}

		// Finalise: the PDF is stored and numbered; the passed decision is announced.
		r = e.API("POST", fmt.Sprintf("/api/v1/minutes/%d/finalise", created.ID), tok, nil)
		if r.Status != 200 {
			t.Fatalf("finalise: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &m)
		if m.State != "final" || m.Document == nil || !numberPattern.MatchString(m.Document.Number) {
			t.Fatalf("final minutes %+v", m)
		}
		pdf := e.get(fmt.Sprintf("/api/v1/minutes/%d/pdf", created.ID), tok)
		if pdf.Status != 200 || sha(pdf.Body) != m.Document.SHA256 {
			t.Fatalf("minutes PDF: %d", pdf.Status)
		}
		if txt := pdfTextIfTools(t, pdf.Body); txt != "" {
			flat := squeeze(txt)
			for _, w := range []string{"会议记录", "业主委员会会议", "第二届业主委员会第三次会议", "共有委员7人，出席5人，缺席2人",
				"电梯更换工程采用公开招标方式（同意4人、反对1人、弃权0人；同意人数超过全体委员7人的半数，通过）",
				"公共收益用于增设电动车充电桩（同意3人、反对1人、弃权1人；同意人数未超过全体委员7人的半数，未通过）",
				"王建国", "2026年4月8日21:00", m.Document.Number, "http://test.local/verify/" + m.Document.Number} {
				if !strings.Contains(flat, squeeze(w)) {
					t.Errorf("minutes PDF lacks %q", w)
				}
			}
		}
		// Immutable: every change and a second finalisation are refused.
		if r := e.API("PUT", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, edit); r.Status != 409 {
			t.Errorf("edit after finalising: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/minutes/%d/finalise", created.ID), tok, nil); r.Status != 409 {
			t.Errorf("second finalisation: %d", r.Status)
		}
		web := e.Browser()
		web.Login("committee", "Demo2026committee")
		if r := web.Submit(fmt.Sprintf("/minutes/%d", created.ID), fmt.Sprintf("/minutes/%d", created.ID), formOf("title", "改")); r.Status != 409 {
			t.Errorf("web edit after finalising: %d", r.Status)
		}
		// The passed decision is on the public board; the failed one is not.
		board := e.get(fmt.Sprintf("/public/estates/%d", e.Demo.EstateID), "", "Accept", "application/json")
		var b struct {
			Current []struct {
				Kind           string   `json:"kind"`
				Lines          []string `json:"lines"`
				DocumentNumber string   `json:"document_number"`
			} `json:"current"`
		}
		board.JSON(t, &b)
		found := false
		for _, a := range b.Current {
			if a.Kind == "committee_decision" {
				found = true
				joined := strings.Join(a.Lines, "\n")
				if !strings.Contains(joined, "公开招标") || strings.Contains(joined, "充电桩") || a.DocumentNumber != m.Document.Number {
					t.Errorf("committee decision announcement %+v", a)
				}
			}
		}
		if !found {
			t.Errorf("no committee decision on the board: %s", board.Body)
		}
	})
}

// TestAssemblyMinutesPrefilled starts the minutes of a counted vote: agenda, participation
// and each item's outcome come from the vote and its tally.
func TestAssemblyMinutesPrefilled(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, res := e.closedDemoVote(t)
		tok := e.DemoToken("street")
		r := e.API("POST", fmt.Sprintf("/api/v1/estates/%d/minutes", e.Demo.EstateID), tok, map[string]any{"kind": "assembly", "vote_id": voteID})
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID int64 `json:"id"`
		}
		r.JSON(t, &created)
		if r := e.API("POST", fmt.Sprintf("/api/v1/estates/%d/minutes", e.Demo.EstateID), tok, map[string]any{"kind": "assembly", "vote_id": voteID}); r.Status != 409 {
			t.Errorf("second minutes of the vote: %d", r.Status)
		}
		var m struct {
			Title       string   `json:"title"`
			Agenda      []string `json:"agenda"`
			Proceedings string   `json:"proceedings"`
			Decisions   []struct {
				Text string `json:"text"`
			} `json:"decisions"`
		}
		e.API("GET", fmt.Sprintf("/api/v1/minutes/%d", created.ID), tok, nil).JSON(t, &m)
		if len(m.Agenda) != 4 || m.Agenda[0] != longTitle || len(m.Decisions) != 4 {
			t.Fatalf("prefilled minutes %+v", m)
		}
		for _, w := range []string{fmt.Sprintf("共收到有效表决票 %d 张", res.BallotsCounted), res.ParticipatingArea, "（已达到）"} {
			if !strings.Contains(m.Proceedings, w) {
				t.Errorf("proceedings lack %q:\n%s", w, m.Proceedings)
			}
		}
		if !strings.HasSuffix(m.Decisions[0].Text, "通过。") || !strings.HasSuffix(m.Decisions[2].Text, "未通过。") ||
			!strings.Contains(m.Decisions[3].Text, "当选 王建国") {
			t.Errorf("decisions %+v", m.Decisions)
		}
		// Finalising needs a signature.
		if r := e.API("POST", fmt.Sprintf("/api/v1/minutes/%d/finalise", created.ID), tok, nil); r.Status != 422 {
			t.Errorf("finalise without signature: %d %s", r.Status, r.Body)
		}
		// A vote still running has no minutes.
		running := e.demoVote(t, "进行中的表决", demoItems())
		e.Clock.Set(opensAt().Add(time.Hour))
		if r := e.API("POST", fmt.Sprintf("/api/v1/estates/%d/minutes", e.Demo.EstateID), tok, map[string]any{"kind": "assembly", "vote_id": running}); r.Status != 409 {
			t.Errorf("minutes of a running vote: %d %s", r.Status, r.Body)
		}
	})
}

// minutesNew is committee minutes to start through the service.
func minutesNew() documents.NewMinutes {
	return documents.NewMinutes{Kind: models.MinutesCommittee, MinutesInput: documents.MinutesInput{Title: "业主委员会会议",
		HeldAt: time.Date(2026, 4, 8, 19, 30, 0, 0, time.UTC)}}
}
