package concern_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/concern"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
)

// TestReportAndAnswer reports a concern as a named member, has a manager
// answer it, and lets the reporter read the answer and follow up through
// the private link, which never shows internal notes.
func TestReportAndAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys, err := e.systems.Create(e.ctx, e.as[aims.RoleOwner], aisystem.CreateRequest{Name: "Credit scoring", IntendedPurpose: "Scores"})
		if err != nil {
			t.Fatal(err)
		}
		viewer := e.as[aims.RoleViewer]
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Report(e.ctx, viewer, concern.ReportRequest{Category: "rumour", Summary: " ", Systems: []string{"SYS-9"}})
			servicetest.WantFields(t, err, aims.CodeInvalid, "category", "description", "summary", "systems")
		})
		rc := e.report(t, aims.RoleViewer, concern.ReportRequest{Category: "bias", Summary: "Scores differ by postcode",
			Description: "Applicants from one district are refused more often.", Systems: []string{"sys-1"}})
		if rc.Ref != "CON-1" || len(rc.Secret) != 43 || rc.Path != "/concerns/receipt/"+rc.Secret {
			t.Errorf("receipt %+v", rc)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != concern.ActionReport || ev.Actor.Label != "viewer@acme.example" || ev.Object.Ref != "CON-1" {
			t.Errorf("event %+v", ev)
		}
		if servicetest.PayloadsContain(t, d, "postcode") || servicetest.PayloadsContain(t, d, "district") {
			t.Error("the audit log holds the concern's text")
		}
		if got := servicetest.RowsOf(t, d, `SELECT receipt_hash FROM concerns`); len(got) != 1 || strings.Contains(got[0], rc.Secret) || len(got[0]) != len("receipt_hash=")+64 {
			t.Errorf("stored receipt %v", got)
		}
		c, err := e.svc.Get(e.ctx, e.manager(), "con-1")
		if err != nil {
			t.Fatal(err)
		}
		if c.Channel != concern.ChannelMember || c.Reporter != "viewer@acme.example" || c.Status != concern.StatusReceived ||
			len(c.Systems) != 1 || c.Systems[0].ID != sys.ID || c.Version != 1 || !c.ReportedAt.Equal(servicetest.T0) {
			t.Errorf("concern %+v", c)
		}

		// Handling: a note, then an answer, which marks it answered.
		e.clock.Advance(time.Hour)
		if _, err := e.svc.AddNote(e.ctx, e.manager(), "CON-1", concern.NoteRequest{Body: "Ask the data team"}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.manager(), "CON-1", concern.UpdateRequest{Version: 1, Status: ptr("answered")})
			servicetest.WantFields(t, err, aims.CodeInvalid, "answer")
			_, err = e.svc.Update(e.ctx, e.manager(), "CON-1", concern.UpdateRequest{Version: 9, Answer: ptr("x")})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		c, err = e.svc.Update(e.ctx, e.manager(), "CON-1", concern.UpdateRequest{Version: 1, Answer: ptr("We found a proxy variable and removed it.")})
		if err != nil || c.Status != concern.StatusAnswered || c.AnsweredAt == nil || !c.AnsweredAt.Equal(servicetest.T0.Add(time.Hour)) || c.Version != 2 {
			t.Fatalf("answered %+v, %v", c, err)
		}
		ch := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["status"] != [2]string{`"received"`, `"answered"`} || !strings.HasPrefix(ch["answer_sha256"][1], `"sha256:`) {
			t.Errorf("update changes %v", ch)
		}
		if servicetest.PayloadsContain(t, d, "proxy variable") || servicetest.PayloadsContain(t, d, "data team") {
			t.Error("the audit log holds the answer or the note")
		}

		// The reporter reads the answer, without the note, and follows up.
		rv, err := e.svc.ByReceipt(e.ctx, rc.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Ref != "CON-1" || rv.Organisation != "Acme Ltd" || rv.Status != concern.StatusAnswered ||
			rv.Answer != "We found a proxy variable and removed it." || len(rv.FollowUps) != 0 {
			t.Errorf("receipt view %+v", rv)
		}
		for _, bad := range []string{"", "nonsense", rc.Secret + "x", strings.ToUpper(rc.Secret)} {
			if _, err := e.svc.ByReceipt(e.ctx, bad); aims.CodeOf(err) != aims.CodeNotFound {
				t.Errorf("receipt %q: %v", bad, err)
			}
		}
		if err := e.svc.FollowUp(e.ctx, rc.Secret, concern.FollowUpRequest{Body: "It still happens."}); err != nil {
			t.Fatal(err)
		}
		ev = servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != concern.ActionFollowUp || ev.Actor.ID != "" || ev.Actor.Kind != "anonymous" {
			t.Errorf("follow-up event %+v", ev)
		}
		rv, _ = e.svc.ByReceipt(e.ctx, rc.Secret)
		if rv.Status != concern.StatusUnderReview || len(rv.FollowUps) != 1 || rv.FollowUps[0].Body != "It still happens." {
			t.Errorf("after follow-up %+v", rv)
		}
		c, _ = e.svc.Get(e.ctx, e.manager(), "CON-1")
		if len(c.Messages) != 2 || c.Messages[0].Kind != "note" || c.Messages[0].Author != "manager@acme.example" || c.Messages[1].Kind != "follow_up" {
			t.Errorf("messages %+v", c.Messages)
		}
		if _, err := e.svc.Update(e.ctx, e.manager(), "CON-1", concern.UpdateRequest{Version: c.Version, Status: ptr("closed")}); err != nil {
			t.Fatal(err)
		}
		servicetest.Unchanged(t, d, func() {
			servicetest.WantCode(t, e.svc.FollowUp(e.ctx, rc.Secret, concern.FollowUpRequest{Body: "More"}), aims.CodeConflict)
		})
		for status, want := range map[string]int{"open": 0, "closed": 1, "all": 1} {
			if got, err := e.svc.List(e.ctx, e.manager(), concern.Query{Status: status}); err != nil || len(got) != want {
				t.Errorf("list %s = %d, %v", status, len(got), err)
			}
		}
		_, err = e.svc.List(e.ctx, e.manager(), concern.Query{Status: "gone", Category: "x"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "category", "status")
	})
}

// TestAnonymousLeavesNoTrace reports anonymously and checks that no stored
// row, audit payload included, names the member who reported.
func TestAnonymousLeavesNoTrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		who := e.as[aims.RoleContributor]
		before := servicetest.Snapshot(t, d)
		rc := e.report(t, aims.RoleContributor, concern.ReportRequest{Category: "misuse", Summary: "Model used for hiring",
			Description: "The chatbot screens CVs.", Anonymous: true})
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != concern.ActionReport || ev.Actor.Label != "anonymous reporter" || ev.Actor.ID != "" || ev.Actor.Token != "" {
			t.Errorf("event actor %+v", ev.Actor)
		}
		after := servicetest.Snapshot(t, d)
		for table, rows := range after {
			if strings.Join(before[table], "\n") == strings.Join(rows, "\n") {
				continue // rows that were there before cannot name the new report's reporter
			}
			for _, r := range rows {
				for _, trace := range []string{who.UserID, who.Email, "Acme contributor"} {
					if strings.Contains(r, trace) && !contains(before[table], r) {
						t.Errorf("%s holds %q in a row the report wrote: %s", table, trace, r)
					}
				}
			}
		}
		for _, trace := range []string{who.UserID, "contributor@acme.example"} {
			evs := servicetest.Events(t, e.ctx, d, e.org)
			last := evs[len(evs)-1]
			raw := last.Actor.ID + last.Actor.Label + last.Actor.Token
			if strings.Contains(raw, trace) {
				t.Errorf("the audit event names %q", trace)
			}
		}
		c, err := e.svc.Get(e.ctx, e.manager(), rc.Ref)
		if err != nil || c.Channel != concern.ChannelAnonymous || c.Reporter != "" {
			t.Errorf("anonymous concern %+v, %v", c, err)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM concerns WHERE reporter_id IS NOT NULL`); n != 0 {
			t.Errorf("%d concerns have a reporter", n)
		}
	})
}

func contains(rows []string, r string) bool {
	for _, x := range rows {
		if x == r {
			return true
		}
	}
	return false
}

// TestPublicReporting turns the public link on, reports through it, rotates it and turns it off.
func TestPublicReporting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		req := concern.ReportRequest{Category: "harm", Summary: "Wrong refusal", Description: "I was refused by your system."}
		if _, err := e.svc.ReportPublic(e.ctx, "whatever", req); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("no link: %v", err)
		}
		secret := e.publicLink(t)
		if st, _ := e.svc.Settings(e.ctx, e.manager()); !st.PublicEnabled || !st.HasLink || st.Version != 1 {
			t.Errorf("settings %+v", st)
		}
		if got := servicetest.RowsOf(t, d, `SELECT token_hash FROM concern_settings`); strings.Contains(got[0], secret) {
			t.Error("the public link's secret is stored")
		}
		info, err := e.svc.PublicPage(e.ctx, secret)
		if err != nil || info.Organisation != "Acme Ltd" {
			t.Fatalf("public page %+v, %v", info, err)
		}
		servicetest.Unchanged(t, d, func() {
			bad := req
			bad.Systems = []string{"SYS-1"}
			_, err := e.svc.ReportPublic(e.ctx, secret, bad)
			servicetest.WantFields(t, err, aims.CodeInvalid, "systems")
		})
		rc, err := e.svc.ReportPublic(e.ctx, secret, req)
		if err != nil || rc.Ref != "CON-1" {
			t.Fatalf("public report %+v, %v", rc, err)
		}
		if ev := servicetest.LastEvent(t, e.ctx, d, e.org); ev.Actor.Label != "public reporter" || ev.Actor.ID != "" {
			t.Errorf("public event %+v", ev)
		}
		if c, _ := e.svc.Get(e.ctx, e.manager(), "CON-1"); c.Channel != concern.ChannelPublic {
			t.Errorf("channel %s", c.Channel)
		}
		// Rotating makes a new link; the old one stops working.
		_, link, err := e.svc.RotateLink(e.ctx, e.manager(), 1)
		if err != nil || link == nil || link.Secret == secret {
			t.Fatalf("rotate %+v, %v", link, err)
		}
		if ev := servicetest.LastEvent(t, e.ctx, d, e.org); ev.Action != concern.ActionRotate {
			t.Errorf("rotate event %+v", ev)
		}
		if _, err := e.svc.PublicPage(e.ctx, secret); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("old link: %v", err)
		}
		st, link2, err := e.svc.SetPublic(e.ctx, e.manager(), concern.SettingsRequest{Version: 2, PublicEnabled: false})
		if err != nil || link2 != nil || st.PublicEnabled || !st.HasLink {
			t.Fatalf("off %+v %+v, %v", st, link2, err)
		}
		if _, err := e.svc.ReportPublic(e.ctx, link.Secret, req); aims.CodeOf(err) != aims.CodeNotFound {
			t.Errorf("report while off: %v", err)
		}
		// Turning it on again keeps the link.
		if _, l, err := e.svc.SetPublic(e.ctx, e.manager(), concern.SettingsRequest{Version: 3, PublicEnabled: true}); err != nil || l != nil {
			t.Errorf("on again %+v, %v", l, err)
		}
		if _, err := e.svc.PublicPage(e.ctx, link.Secret); err != nil {
			t.Errorf("link after on again: %v", err)
		}
		servicetest.Unchanged(t, d, func() {
			_, _, err := e.svc.SetPublic(e.ctx, e.manager(), concern.SettingsRequest{Version: 1, PublicEnabled: false})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})
		// Floods are refused: 30 public reports an hour.
		for i := 0; i < 29; i++ {
			if _, err := e.svc.ReportPublic(e.ctx, link.Secret, req); err != nil {
				t.Fatal(err)
			}
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.ReportPublic(e.ctx, link.Secret, req)
			servicetest.WantCode(t, err, aims.CodeTooMany)
		})
		e.clock.Advance(time.Hour + time.Second)
		if _, err := e.svc.ReportPublic(e.ctx, link.Secret, req); err != nil {
			t.Errorf("an hour later: %v", err)
		}
	})
}
