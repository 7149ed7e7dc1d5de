package impact_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

func TestStartAndAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		a, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "sys-1", Template: "EU-FRIA"})
		if err != nil {
			t.Fatal(err)
		}
		want := &impact.Assessment{ID: a.ID, Ref: "IA-1", SystemID: sys.ID, SystemRef: "SYS-1", SystemName: "Hiring screening",
			Template: impact.TemplateRef{Key: "eu-fria", Version: 1, Name: "EU AI Act Art. 27 FRIA"},
			Title:    "EU AI Act Art. 27 FRIA: Hiring screening", Status: "draft", Answers: map[string]string{},
			Missing: []string{"process", "period", "frequency", "categories", "vulnerable", "harms", "oversight", "override", "measures",
				"governance", "complaints", "notified"},
			Impacts: []impact.Impact{}, Version: 1, DueReasons: []impact.DueReason{}, CreatedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, a, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Sections" }, cmp.Ignore())); diff != "" {
			t.Errorf("started (-want +got):\n%s", diff)
		}
		if len(a.Sections) != 7 || a.Sections[0].ID != "process" {
			t.Errorf("sections = %+v", a.Sections)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		wantCh := map[string][2]string{"title": {"null", `"EU AI Act Art. 27 FRIA: Hiring screening"`}, "system": {"null", `"SYS-1"`},
			"template": {"null", `"eu-fria"`}, "template_version": {"null", "1"}, "status": {"null", `"draft"`}}
		if ev.Action != "impact.create" || ev.Object != (tlog.EventObject{Type: "impact_assessment", ID: a.ID, Ref: "IA-1"}) || ev.Actor.Label != "contributor@zoe.example" {
			t.Errorf("event = %+v", ev)
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("create changes (-want +got):\n%s", diff)
		}

		// Every bad field of a start is named at once.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{Title: strings.Repeat("t", 201)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "system", "template", "title")
			_, err = e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "SYS-9", Template: "dpia"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "system", "template")
		})

		// Answers are checked against the template: choices, scales, unknown questions, lengths.
		clock := t0.Add(time.Hour)
		e.clock.Advance(time.Hour)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Version: 1, Title: ptr(" "),
				ResidualConcerns: ptr(strings.Repeat("r", 4001)),
				Answers: map[string]string{"frequency": "hourly", "oversight_strength": "5", "harms": "many", "colour": "red",
					"process": strings.Repeat("p", 10001), "vulnerable": "Yes"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "answers.colour", "answers.frequency", "answers.harms",
				"answers.oversight_strength", "answers.process", "answers.vulnerable", "residual_concerns", "title")
			_, err = e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Answers: map[string]string{"period": "x"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "version")
			_, err = e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Version: 2, Answers: map[string]string{"period": "x"}})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.Update(e.ctx, e.contributor(), "IA-9", impact.UpdateRequest{Version: 1})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		a, err = e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Version: 1, Title: ptr(" Hiring FRIA 2026 "),
			Answers: map[string]string{"frequency": "daily", "oversight_strength": " 3 ", "process": "  Ranks CVs.  ", "volume": ""}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Version != 2 || a.Title != "Hiring FRIA 2026" || !a.UpdatedAt.Equal(clock) ||
			!cmp.Equal(a.Answers, map[string]string{"frequency": "daily", "oversight_strength": "3", "process": "Ranks CVs."}) {
			t.Errorf("after answering: %+v", a)
		}
		q, _ := a.Question("oversight_strength")
		if got := impact.AnswerText(q, a.Answers["oversight_strength"]); got != "3 of 4: Effective" {
			t.Errorf("scale answer reads %q", got)
		}
		wantCh = map[string][2]string{"title": {`"EU AI Act Art. 27 FRIA: Hiring screening"`, `"Hiring FRIA 2026"`},
			"answer.frequency": {"null", `"daily"`}, "answer.oversight_strength": {"null", `"3"`}, "answer.process": {"null", `"Ranks CVs."`}}
		ev = servicetest.LastEvent(t, e.ctx, d, e.org)
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Action != "impact.update" {
			t.Errorf("update %s changes (-want +got):\n%s", ev.Action, diff)
		}
		// Answers not named keep their values; an empty one clears.
		a, err = e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Version: 2, ResidualConcerns: ptr("Ranking bias may remain."),
			Answers: map[string]string{"frequency": ""}})
		if err != nil || a.Version != 3 || a.ResidualConcerns != "Ranking bias may remain." ||
			!cmp.Equal(a.Answers, map[string]string{"oversight_strength": "3", "process": "Ranks CVs."}) {
			t.Errorf("second update = %+v, %v", a, err)
		}
		// A change that changes nothing records nothing.
		before := servicetest.Actions(t, e.ctx, d, e.org)
		if a, err = e.svc.Update(e.ctx, e.contributor(), "IA-1", impact.UpdateRequest{Version: 3, Answers: map[string]string{"process": "Ranks CVs."}}); err != nil || a.Version != 3 {
			t.Errorf("no-op update = %+v, %v", a, err)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); len(got) != len(before) {
			t.Errorf("a no-op update recorded %q", got[len(before):])
		}
		hist, err := e.svc.History(e.ctx, e.as[aims.RoleAuditor], "IA-1")
		if err != nil || len(hist) != 3 || hist[0].Action != "impact.update" || hist[2].Action != "impact.create" {
			t.Errorf("history = %+v, %v", hist, err)
		}
	})
}

func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		e.system(t, "Chat assistant")
		e.readyFRIA(t, "SYS-1")
		e.clock.Advance(time.Minute)
		e.start(t, "SYS-2", "iso-42005")
		e.clock.Advance(time.Minute)
		e.start(t, "SYS-1", "iso-42005")
		e.submit(t, "IA-1", "")
		e.approve(t, "IA-1", "")
		list := func(q impact.ListQuery) []string {
			t.Helper()
			p, err := e.svc.List(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range p.Items {
				out = append(out, it.Ref+" "+it.SystemRef+" "+it.Status+" "+itoa(it.Impacts))
			}
			out = append(out, "total "+itoa(p.Total))
			return out
		}
		for _, tc := range []struct {
			q    impact.ListQuery
			want []string
		}{
			{impact.ListQuery{}, []string{"IA-3 SYS-1 draft 0", "IA-2 SYS-2 draft 0", "IA-1 SYS-1 approved 1", "total 3"}},
			{impact.ListQuery{System: "sys-1"}, []string{"IA-3 SYS-1 draft 0", "IA-1 SYS-1 approved 1", "total 2"}},
			{impact.ListQuery{Status: "approved"}, []string{"IA-1 SYS-1 approved 1", "total 1"}},
			{impact.ListQuery{Q: "chat 42005"}, []string{"IA-2 SYS-2 draft 0", "total 1"}},
			{impact.ListQuery{Q: "ia-1"}, []string{"IA-1 SYS-1 approved 1", "total 1"}},
			{impact.ListQuery{Limit: 1, Offset: 1}, []string{"IA-2 SYS-2 draft 0", "total 3"}},
			{impact.ListQuery{Due: true}, []string{"total 0"}},
		} {
			if diff := cmp.Diff(tc.want, list(tc.q)); diff != "" {
				t.Errorf("%+v (-want +got):\n%s", tc.q, diff)
			}
		}
		p, _ := e.svc.List(e.ctx, e.viewer(), impact.ListQuery{Status: "approved"})
		if it := p.Items[0]; it.Title != "EU AI Act Art. 27 FRIA: Hiring screening" || it.SystemName != "Hiring screening" ||
			it.Template.Name != "EU AI Act Art. 27 FRIA" || it.LatestVersion != 1 || it.NextReviewDate != "2027-03-02" || it.Due ||
			it.ApprovedAt == nil || it.DueReasons == nil {
			t.Errorf("summary = %+v", it)
		}
		// A system change after approval makes IA-1 due.
		e.clock.Advance(time.Hour)
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", systemUpdate(1, "intended_purpose", "Rank and reject applicants")); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"IA-1 SYS-1 approved 1", "total 1"}, list(impact.ListQuery{Due: true})); diff != "" {
			t.Errorf("due (-want +got):\n%s", diff)
		}
		_, err := e.svc.List(e.ctx, e.viewer(), impact.ListQuery{System: "SYS-7", Status: "done", Limit: 500, Offset: -1})
		servicetest.WantFields(t, err, aims.CodeInvalid, "limit", "offset", "status")
		_, err = e.svc.List(e.ctx, e.viewer(), impact.ListQuery{System: "SYS-7"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "system")
	})
}
