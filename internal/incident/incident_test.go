package incident_test

import (
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/incident"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// TestDeadlines checks the Art. 73 and GDPR deadlines and the countdown against values worked out by hand.
func TestDeadlines(t *testing.T) {
	aware := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for cat, want := range map[string]time.Time{
		"death":                   time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC),
		"widespread_infringement": time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC),
		"critical_infrastructure": time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC),
		"health":                  time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC),
		"property_environment":    time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC),
	} {
		if got, ok := incident.Art73Deadline(cat, aware); !ok || !got.Equal(want) {
			t.Errorf("%s: due %v, want %v", cat, got, want)
		}
	}
	if _, ok := incident.Art73Deadline("rain", aware); ok {
		t.Error("an unknown category has a deadline")
	}
	if got := incident.GDPRDeadline(aware); !got.Equal(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("GDPR due %v", got)
	}
	due := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for now, want := range map[time.Time]string{
		aware: "10 days left",
		time.Date(2026, 3, 11, 6, 30, 0, 0, time.UTC): "1 day 2 hours left",
		time.Date(2026, 3, 12, 8, 15, 0, 0, time.UTC): "45 minutes left",
		time.Date(2026, 3, 12, 12, 0, 0, 0, time.UTC): "overdue by 3 hours",
		time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC): "overdue by 2 days 1 hour",
	} {
		if got := incident.Countdown(now, due); got != want {
			t.Errorf("at %v: %q, want %q", now, got, want)
		}
	}
}

// TestSeriousIncident records a death, gets its 10-day Art. 73 duty, adds a
// GDPR duty, is reminded of both, notifies them and closes.
func TestSeriousIncident(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys, err := e.systems.Create(e.ctx, e.owner(), aisystem.CreateRequest{Name: "Triage", IntendedPurpose: "Triage patients"})
		if err != nil {
			t.Fatal(err)
		}
		e.src.versions[e.org+" MDL-1@2.0"] = incident.VersionInfo{ID: aims.NewID(), Key: "MDL-1@2.0", SystemID: sys.ID}
		c := e.contributor()
		req := incident.Request{Title: "Patient sent home", OccurredAt: servicetest.T0.Add(-26 * time.Hour), AwareAt: servicetest.T0,
			Severity: "critical", Harms: []string{"health_safety"}, AffectedCount: 1, Systems: []string{"SYS-1"},
			ModelVersions: []string{"mdl-1@2.0"}, Serious: true, SeriousCategory: "death"}
		servicetest.Unchanged(t, d, func() {
			bad := req
			bad.Title, bad.Severity, bad.Harms, bad.SeriousCategory = "", "grave", []string{"mood"}, ""
			bad.Systems, bad.OwnerID, bad.OccurredAt = nil, "nobody", servicetest.T0.Add(time.Hour)
			_, err := e.svc.Create(e.ctx, c, bad)
			servicetest.WantFields(t, err, aims.CodeInvalid, "harms", "model_versions", "occurred_at", "owner_id", "serious_category", "severity", "title")
			_, err = e.svc.Create(e.ctx, e.viewer(), req)
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
		in, err := e.svc.Create(e.ctx, c, req)
		if err != nil {
			t.Fatal(err)
		}
		due := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
		if in.Ref != "INC-1" || in.Art73Due == nil || !in.Art73Due.Equal(due) || len(in.Notifications) != 1 {
			t.Fatalf("incident %+v", in)
		}
		n := in.Notifications[0]
		if n.Ref != "INC-1/N1" || n.Basis != incident.BasisArt73 || !n.DueAt.Equal(due) || n.Countdown != "10 days left" || n.Overdue {
			t.Errorf("duty %+v", n)
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-2:], []string{"incident.create", "incident_notification.create"}) {
			t.Errorf("actions %v", got)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.AddNotification(e.ctx, c, "INC-1", incident.NotificationRequest{Recipient: "customers"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "due_at")
		})
		gdpr, err := e.svc.AddNotification(e.ctx, c, "INC-1", incident.NotificationRequest{Recipient: "data_protection", RecipientName: "CNIL"})
		if err != nil || !gdpr.DueAt.Equal(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)) || gdpr.Ref != "INC-1/N2" {
			t.Fatalf("GDPR duty %+v, %v", gdpr, err)
		}
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders 72 hours ahead: %+v", rs)
		}
		// Two days later, 2026-03-04 09:00, the GDPR deadline is 24 hours away.
		e.clock.Advance(48 * time.Hour)
		rs, err := e.svc.Reminders(e.ctx, e.org)
		want := []aims.Reminder{{Key: "incident-notice:" + gdpr.ID + ":2026-03-05T09:00:00Z", Kind: aims.ReminderIncidentDeadline, Ref: "INC-1/N2",
			Title: "Notify Data protection authority of INC-1 Patient sent home: 1 day left", Due: gdpr.DueAt, Link: "/incidents/INC-1",
			UserIDs: []string{e.manager().UserID, e.owner().UserID, c.UserID}}}
		if err != nil || cmp.Diff(want, rs, cmp.Transformer("sort", sortStrings)) != "" {
			t.Errorf("reminders: %v\n%s", err, cmp.Diff(want, rs, cmp.Transformer("sort", sortStrings)))
		}
		// A day after that the GDPR deadline has passed.
		e.clock.Advance(25 * time.Hour)
		if sum, err := e.svc.Summary(e.ctx, e.org, time.Time{}); err != nil || sum.Raised != 1 || sum.Open != 1 || sum.Serious != 1 ||
			!cmp.Equal(sum.NotificationsOverdue, []string{"INC-1"}) {
			t.Errorf("summary %+v, %v", sum, err)
		}
		got, _ := e.svc.Get(e.ctx, e.viewer(), "INC-1")
		if g := got.Notifications[1]; !g.Overdue || g.Countdown != "overdue by 1 hour" {
			t.Errorf("GDPR duty now %+v", g)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RecordNotified(e.ctx, c, "INC-1", 1, incident.NotifiedRequest{Version: 1, NotifiedAt: ptr(servicetest.T0.Add(-time.Hour)), Method: ""})
			servicetest.WantFields(t, err, aims.CodeInvalid, "method", "notified_at")
		})
		for i := 1; i <= 2; i++ {
			if _, err := e.svc.RecordNotified(e.ctx, c, "INC-1", i, incident.NotifiedRequest{Version: 1, Method: "Web form", Reference: "CASE-7"}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = e.svc.Get(e.ctx, e.viewer(), "INC-1")
		if n := got.Notifications[0]; n.NotifiedAt == nil || !n.NotifiedAt.Equal(servicetest.T0.Add(73*time.Hour)) || n.Countdown != "" {
			t.Errorf("notified %+v", n)
		}
		if rs, _ := e.svc.Reminders(e.ctx, e.org); len(rs) != 0 {
			t.Errorf("reminders after notifying: %+v", rs)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetStatus(e.ctx, c, "INC-1", incident.StatusRequest{Version: got.Version, Status: "closed"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.SetStatus(e.ctx, e.manager(), "INC-1", incident.StatusRequest{Version: got.Version, Status: "closed"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "status")
		})
		if got, err = e.svc.SetStatus(e.ctx, c, "INC-1", incident.StatusRequest{Version: got.Version, Status: "contained"}); err != nil {
			t.Fatal(err)
		}
		upd := incident.UpdateRequest{Version: got.Version, Request: req}
		upd.Lessons = "Check discharge advice by a nurse"
		if got, err = e.svc.Update(e.ctx, c, "INC-1", upd); err != nil {
			t.Fatal(err)
		}
		if got, err = e.svc.SetStatus(e.ctx, e.manager(), "INC-1", incident.StatusRequest{Version: got.Version, Status: "closed"}); err != nil || got.Status != "closed" {
			t.Fatalf("closing: %+v %v", got, err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.SetStatus(e.ctx, e.manager(), "INC-1", incident.StatusRequest{Version: got.Version, Status: "resolved"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if h, err := e.svc.History(e.ctx, e.viewer(), "INC-1"); err != nil || len(h) != 8 {
			t.Errorf("history %d events, %v", len(h), err)
		}
	})
}

func sortStrings(in []string) []string {
	out := append([]string{}, in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestAwarenessMovesDeadlines recomputes a computed deadline when awareness changes, and keeps an entered one.
func TestAwarenessMovesDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		req := incident.Request{Title: "Outage", OccurredAt: servicetest.T0.Add(-72 * time.Hour), AwareAt: servicetest.T0,
			Severity: "high", Serious: true, SeriousCategory: "critical_infrastructure"}
		in, err := e.svc.Create(e.ctx, c, req)
		if err != nil {
			t.Fatal(err)
		}
		entered := time.Date(2026, 3, 9, 17, 0, 0, 0, time.UTC)
		if _, err := e.svc.AddNotification(e.ctx, c, in.Ref, incident.NotificationRequest{Recipient: "customers", DueAt: &entered}); err != nil {
			t.Fatal(err)
		}
		upd := incident.UpdateRequest{Version: in.Version, Request: req}
		upd.AwareAt = servicetest.T0.Add(-24 * time.Hour)
		got, err := e.svc.Update(e.ctx, c, in.Ref, upd)
		if err != nil {
			t.Fatal(err)
		}
		// Aware 2026-03-01 09:00, two days: due 2026-03-03 09:00.
		if n := got.Notifications; !n[0].DueAt.Equal(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)) || !n[1].DueAt.Equal(entered) {
			t.Errorf("duties %+v", n)
		}
		if last := servicetest.Actions(t, e.ctx, d, e.org); last[len(last)-1] != "incident_notification.deadline" {
			t.Errorf("actions %v", last)
		}
	})
}

// TestRaiseNonconformity stores the nonconformity with source incident and the incident's reference together.
func TestRaiseNonconformity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c := e.contributor()
		in, err := e.svc.Create(e.ctx, c, incident.Request{Title: "Biased refusals", OccurredAt: servicetest.T0.Add(-time.Hour), Severity: "medium"})
		if err != nil {
			t.Fatal(err)
		}
		globex := e.member(t, "Globex", "owner@globex.example", aims.RoleOwner)
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.RaiseNonconformity(e.ctx, c, in.Ref, incident.RaiseRequest{Version: in.Version, Severity: "tiny"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "severity")
			_, err = e.svc.RaiseNonconformity(e.ctx, e.viewer(), in.Ref, incident.RaiseRequest{Version: in.Version, Severity: "major"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.RaiseNonconformity(e.ctx, globex, in.Ref, incident.RaiseRequest{Version: in.Version, Severity: "major"})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})
		got, err := e.svc.RaiseNonconformity(e.ctx, c, in.Ref, incident.RaiseRequest{Version: in.Version, Severity: "major"})
		if err != nil || got.NCRef != "NC-1" {
			t.Fatalf("raised %+v, %v", got, err)
		}
		nc, err := e.src.ncs.Get(e.ctx, e.viewer(), "NC-1")
		if err != nil || nc.Source != "incident" || nc.SourceRef != "INC-1" || nc.Title != "Biased refusals" {
			t.Errorf("nonconformity %+v, %v", nc, err)
		}
		all := servicetest.Actions(t, e.ctx, d, e.org)
		if !cmp.Equal(all[len(all)-2:], []string{"nonconformity.create", "incident.raise_nonconformity"}) {
			t.Errorf("actions %v", all)
		}
		_, err = e.svc.RaiseNonconformity(e.ctx, c, in.Ref, incident.RaiseRequest{Version: got.Version, Severity: "major"})
		servicetest.WantCode(t, err, aims.CodeConflict)
	})
}
