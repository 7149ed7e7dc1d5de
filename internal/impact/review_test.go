package impact_test

import (
	"crypto/sha256"
	"encoding/hex"
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
	"golang.org/x/mod/sumdb/note"
)

// approveEvent returns the impact.approve event of a version of an assessment.
func approveEvent(t *testing.T, e *env, ref string, number int) tlog.Event {
	t.Helper()
	for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
		if ev.Action == "impact.approve" && ev.Object.Ref == ref && servicetest.ChangeMap(t, ev)["number"][1] == itoa(number) {
			return ev
		}
	}
	t.Fatalf("no impact.approve event for %s v%d", ref, number)
	return tlog.Event{}
}

// checkCheckpoint proves that a version's checkpoint is signed by the
// installation's key, names the audit log's root at its size, and that the
// approval event is its last entry.
func checkCheckpoint(t *testing.T, e *env, v *impact.Version, ev tlog.Event) {
	t.Helper()
	cp := v.Checkpoint
	if cp.Size != ev.Index+1 {
		t.Errorf("checkpoint size %d, want the approval event's index %d + 1", cp.Size, ev.Index)
	}
	vs, err := tlog.Verifiers(e.key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(cp.Note), vs)
	if err != nil {
		t.Fatalf("the checkpoint does not verify: %v\n%s", err, cp.Note)
	}
	origin, size, root, err := tlog.ParseCheckpoint(n.Text)
	if err != nil {
		t.Fatal(err)
	}
	logID, err := tlog.LogID(e.ctx, e.d, e.org, tlog.KindAudit, "")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.TreeHash(e.ctx, e.d, logID, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "aims/audit/"+e.org || cp.Origin != origin || size != cp.Size || string(root[:]) != string(cp.Root) || root != tree {
		t.Errorf("checkpoint %q %d %x, stored %q %d %x, tree %x", origin, size, root, cp.Origin, cp.Size, cp.Root, tree)
	}
	entries, err := tlog.Entries(e.ctx, e.d, logID, ev.Index, 1)
	if err != nil || len(entries) != 1 {
		t.Fatal(err)
	}
	got, err := tlog.DecodeEvent(entries[0].Payload)
	if err != nil || got.Action != "impact.approve" || got.Object.Ref != v.AssessmentRef {
		t.Errorf("entry %d = %+v, %v", ev.Index, got, err)
	}
}

// TestReviewAndApproval walks an EU FRIA through review: refused while
// incomplete, submitted, sent back, submitted again, approved into version
// 1 with its checkpoint, changed and approved again into version 2.
func TestReviewAndApproval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		empty := e.start(t, "SYS-1", "eu-fria")
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Submit(e.ctx, e.contributor(), empty.Ref, impact.ReviewRequest{Version: 1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "answers.categories", "answers.complaints", "answers.frequency",
				"answers.governance", "answers.measures", "answers.notified", "answers.override", "answers.oversight", "answers.period",
				"answers.process", "answers.vulnerable", "impacts")
			_, err = e.svc.Approve(e.ctx, e.manager(), empty.Ref, impact.ApproveRequest{Version: 1})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Return(e.ctx, e.manager(), empty.Ref, impact.ReviewRequest{Version: 1, Note: "No"})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})

		a := e.readyFRIA(t, "SYS-1")
		if len(a.Missing) != 0 {
			t.Fatalf("still missing %v", a.Missing)
		}
		e.clock.Advance(time.Minute)
		a = e.submit(t, a.Ref, "Ready for the board")
		if a.Status != "in_review" || a.Version != 3 || a.Review == nil || *a.Review != (impact.Review{Action: "submit",
			Note: "Ready for the board", By: e.contributor().UserID, ByName: "Carla Contributor", At: t0.Add(time.Minute)}) {
			t.Errorf("submitted = %+v %+v", a, a.Review)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(got, map[string][2]string{
			"status": {`"draft"`, `"in_review"`}, "note": {"null", `"Ready for the board"`}}) {
			t.Errorf("submit changes = %v", got)
		}

		// In review nothing changes, and only approvers decide.
		imp := a.Impacts[0]
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Update(e.ctx, e.contributor(), a.Ref, impact.UpdateRequest{Version: 3, Answers: map[string]string{"volume": "300"}})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.AddImpact(e.ctx, e.contributor(), a.Ref, unfair())
			servicetest.WantCode(t, err, aims.CodeConflict)
			req := unfair()
			req.Version, req.Severity = 1, "critical"
			_, err = e.svc.UpdateImpact(e.ctx, e.contributor(), a.Ref, "1", req)
			servicetest.WantCode(t, err, aims.CodeConflict)
			servicetest.WantCode(t, e.svc.RemoveImpact(e.ctx, e.contributor(), a.Ref, imp.ID, 0), aims.CodeConflict)
			_, err = e.svc.Submit(e.ctx, e.contributor(), a.Ref, impact.ReviewRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.Approve(e.ctx, e.contributor(), a.Ref, impact.ApproveRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Return(e.ctx, e.contributor(), a.Ref, impact.ReviewRequest{Version: 3, Note: "x"})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Approve(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}, a.Ref, impact.ApproveRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeForbidden)
			_, err = e.svc.Return(e.ctx, e.manager(), a.Ref, impact.ReviewRequest{Version: 3, Note: " "})
			servicetest.WantFields(t, err, aims.CodeInvalid, "note")
			_, err = e.svc.Approve(e.ctx, e.manager(), a.Ref, impact.ApproveRequest{Version: 3, NextReviewDate: "2026-03-02", Note: strings.Repeat("n", 4001)})
			servicetest.WantFields(t, err, aims.CodeInvalid, "next_review_date", "note")
			_, err = e.svc.Approve(e.ctx, e.manager(), a.Ref, impact.ApproveRequest{Version: 2, NextReviewDate: "2026-02-30"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "next_review_date")
			_, err = e.svc.Approve(e.ctx, e.manager(), a.Ref, impact.ApproveRequest{Version: 2})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
		})

		// Sent back with a note; submitted again.
		a, err := e.svc.Return(e.ctx, e.manager(), a.Ref, impact.ReviewRequest{Version: 3, Note: "Name the complaint deadline."})
		if err != nil || a.Status != "draft" || a.Review.Action != "return" || a.Review.ByName != "Max Manager" || a.Version != 4 {
			t.Fatalf("returned = %+v, %v", a, err)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); !cmp.Equal(got, map[string][2]string{
			"status": {`"in_review"`, `"draft"`}, "note": {"null", `"Name the complaint deadline."`}}) {
			t.Errorf("return changes = %v", got)
		}
		e.submit(t, a.Ref, "")

		// Approved into version 1, with the checkpoint of its own event.
		e.clock.Advance(time.Hour)
		at1 := e.clock.Now()
		v1, err := e.svc.Approve(e.ctx, e.manager(), a.Ref, impact.ApproveRequest{Version: 5, Note: "Approved by the board — Zoë"})
		if err != nil {
			t.Fatal(err)
		}
		working := e.get(t, a.Ref)
		if v1.Number != 1 || v1.Draft || v1.AssessmentRef != "IA-2" || v1.Organisation != orgName || v1.SystemRef != "SYS-1" ||
			v1.SystemName != "Hiring screening" || v1.Title != working.Title || v1.Note != "Approved by the board — Zoë" ||
			v1.NextReviewDate != "2027-03-02" || v1.ApprovedBy != e.manager().UserID || v1.ApprovedByName != "Max Manager" ||
			!v1.ApprovedAt.Equal(at1) || v1.Template != working.Template {
			t.Errorf("v1 = %+v", v1)
		}
		if diff := cmp.Diff(working.Answers, v1.Answers); diff != "" {
			t.Errorf("frozen answers (-working +v1):\n%s", diff)
		}
		if diff := cmp.Diff(working.Impacts, v1.Impacts); diff != "" {
			t.Errorf("frozen impacts (-working +v1):\n%s", diff)
		}
		if working.Status != "approved" || working.LatestVersion != 1 || !working.ApprovedAt.Equal(at1) ||
			working.NextReviewDate != "2027-03-02" || working.Version != 6 || working.Due {
			t.Errorf("approved assessment = %+v", working)
		}
		ev := approveEvent(t, e, "IA-2", 1)
		content := servicetest.RowsOf(t, d, `SELECT content FROM impact_assessment_versions WHERE number = 1`)[0]
		sum := sha256.Sum256([]byte(strings.TrimPrefix(content, "content=")))
		wantCh := map[string][2]string{
			"number": {"null", "1"}, "status": {`"in_review"`, `"approved"`}, "next_review_date": {`""`, `"2027-03-02"`},
			"content_sha256": {"null", servicetest.JSONString(hex.EncodeToString(sum[:]))},
			"note":           {"null", `"Approved by the board — Zoë"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" || ev.Object.Type != "impact_assessment" || ev.Actor.ID != e.manager().UserID {
			t.Errorf("approval event %+v (-want +got):\n%s", ev, diff)
		}
		checkCheckpoint(t, e, v1, ev)

		// A change reopens the draft; version 1 stays frozen; version 2 follows.
		e.clock.Advance(time.Hour)
		a, err = e.svc.Update(e.ctx, e.contributor(), a.Ref, impact.UpdateRequest{Version: 6,
			Answers: map[string]string{"complaints": "Applicants write to hiring-review@zoe.example; answered within 10 days."}})
		if err != nil || a.Status != "draft" || a.LatestVersion != 1 {
			t.Fatalf("reopened = %+v, %v", a, err)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); got["status"] != [2]string{`"approved"`, `"draft"`} {
			t.Errorf("reopening changes = %v", got)
		}
		e.submit(t, a.Ref, "Deadline set")
		v2, err := e.svc.Approve(e.ctx, e.owner(), a.Ref, impact.ApproveRequest{Version: e.get(t, a.Ref).Version, NextReviewDate: "2026-09-30"})
		if err != nil || v2.Number != 2 || v2.ApprovedByName != "Zoë Owner" || v2.NextReviewDate != "2026-09-30" || v2.Checkpoint.Size <= v1.Checkpoint.Size ||
			v2.Answers["complaints"] != "Applicants write to hiring-review@zoe.example; answered within 10 days." {
			t.Fatalf("v2 = %+v, %v", v2, err)
		}
		checkCheckpoint(t, e, v2, approveEvent(t, e, "IA-2", 2))
		got1, err := e.svc.Version(e.ctx, e.as[aims.RoleAuditor], "ia-2", 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v1, got1); diff != "" {
			t.Errorf("version 1 changed (-approved +now):\n%s", diff)
		}
		list, err := e.svc.Versions(e.ctx, e.viewer(), "IA-2")
		wantList := []impact.VersionSummary{
			{Number: 2, NextReviewDate: "2026-09-30", ApprovedBy: e.owner().UserID, ApprovedByName: "Zoë Owner", ApprovedAt: v2.ApprovedAt, CheckpointSize: v2.Checkpoint.Size},
			{Number: 1, Note: "Approved by the board — Zoë", NextReviewDate: "2027-03-02", ApprovedBy: e.manager().UserID, ApprovedByName: "Max Manager",
				ApprovedAt: at1, CheckpointSize: v1.Checkpoint.Size},
		}
		if diff := cmp.Diff(wantList, list); diff != "" || err != nil {
			t.Errorf("versions (-want +got):\n%s%v", diff, err)
		}
		_, err = e.svc.Version(e.ctx, e.viewer(), "IA-2", 3)
		servicetest.WantCode(t, err, aims.CodeNotFound)
		if vs, _ := e.svc.Versions(e.ctx, e.viewer(), "IA-1"); len(vs) != 0 {
			t.Errorf("IA-1 has versions %+v", vs)
		}
		if _, err := d.ExecContext(e.ctx, `UPDATE impact_assessment_versions SET note = 'forged'`); err == nil {
			t.Error("impact_assessment_versions accepted an UPDATE")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM impact_assessment_versions`); err == nil {
			t.Error("impact_assessment_versions accepted a DELETE")
		}

		// The whole log still verifies, with both checkpoints.
		logID, err := tlog.LogID(e.ctx, d, e.org, tlog.KindAudit, "")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := tlog.Verifiers(e.key.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		r, err := tlog.VerifyLog(e.ctx, d, logID, tlog.VerifyOptions{Verifiers: vs})
		if err != nil || !r.OK() || r.Checkpoints != 2 || r.Verified != 2 {
			t.Errorf("verify = %+v, %v", r, err)
		}
	})
}

// TestReviewDue raises and clears the review-due signal: a change of the
// AI system's intended purpose or EU AI Act class after approval makes
// the assessment due, with the reason; a change of its name does not; a
// new approval clears it; the next review date makes it due again.
func TestReviewDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sys := e.system(t, "Hiring screening")
		other := e.system(t, "Chat assistant")
		a := e.readyFRIA(t, "SYS-1")
		e.submit(t, a.Ref, "")
		v1 := e.approve(t, a.Ref, "")
		e.start(t, "SYS-1", "iso-42005")
		due := func() []impact.DueItem {
			t.Helper()
			items, err := e.svc.Due(e.ctx, e.viewer())
			if err != nil {
				t.Fatal(err)
			}
			return items
		}
		if items := due(); len(items) != 0 {
			t.Fatalf("due at once: %+v", items)
		}

		// Neither a name nor a description change makes it due.
		e.clock.Advance(time.Hour)
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", systemUpdate(1, "name", "Hiring screening v2")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", systemUpdate(2, "description", "Now with a new model")); err != nil {
			t.Fatal(err)
		}
		if got := e.get(t, a.Ref); got.Due || len(got.DueReasons) != 0 || len(due()) != 0 {
			t.Fatalf("due after a name change: %+v", got.DueReasons)
		}
		// Another system's change does not either.
		if _, err := e.systems.Update(e.ctx, e.owner(), other.Ref, systemUpdate(1, "intended_purpose", "Anything")); err != nil {
			t.Fatal(err)
		}

		// The intended purpose changes: due, with that reason.
		e.clock.Advance(time.Hour)
		changedAt := e.clock.Now()
		if _, err := e.systems.Update(e.ctx, e.contributor(), "SYS-1", systemUpdate(3, "intended_purpose", "Rank and pre-reject applicants")); err != nil {
			t.Fatal(err)
		}
		purpose := impact.DueReason{Kind: "system_change", Field: "intended_purpose", At: &changedAt,
			Text: "the AI system's intended purpose changed after version 1 was approved, by contributor@zoe.example"}
		got := e.get(t, a.Ref)
		if diff := cmp.Diff([]impact.DueReason{purpose}, got.DueReasons); diff != "" || !got.Due || got.Status != "approved" {
			t.Errorf("due reasons (-want +got):\n%s", diff)
		}
		// Then its EU AI Act class: a second reason.
		e.clock.Advance(time.Minute)
		classAt := e.clock.Now()
		if _, err := e.systems.Update(e.ctx, e.owner(), "SYS-1", systemUpdate(4, "eu_ai_act_class", "limited")); err != nil {
			t.Fatal(err)
		}
		class := impact.DueReason{Kind: "system_change", Field: "eu_ai_act_class", At: &classAt,
			Text: "the AI system's EU AI Act class changed from high to limited after version 1 was approved, by owner@zoe.example"}
		wantItems := []impact.DueItem{{AssessmentID: a.ID, AssessmentRef: "IA-1", Title: a.Title, SystemID: sys.ID, SystemRef: "SYS-1",
			SystemName: "Hiring screening v2", Status: "approved", LatestVersion: 1, ApprovedAt: v1.ApprovedAt, NextReviewDate: "2027-03-02",
			Reasons: []impact.DueReason{purpose, class}}}
		if diff := cmp.Diff(wantItems, due()); diff != "" {
			t.Errorf("due items (-want +got):\n%s", diff)
		}
		snap, err := e.svc.Snapshot(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		prefixed := func(rs ...impact.DueReason) []impact.DueReason {
			out := []impact.DueReason{}
			for _, r := range rs {
				r.Text = "IA-1: " + r.Text
				out = append(out, r)
			}
			return out
		}
		wantSnap := map[string]*impact.SystemSnapshot{sys.ID: {SystemID: sys.ID, Due: true, Reasons: prefixed(purpose, class), OpenDrafts: 1,
			Latest: &impact.Approval{AssessmentRef: "IA-1", Number: 1, ApprovedAt: v1.ApprovedAt, NextReviewDate: "2027-03-02"}}}
		if diff := cmp.Diff(wantSnap, snap); diff != "" {
			t.Errorf("snapshot (-want +got):\n%s", diff)
		}

		// A new approval after the changes clears the signal.
		e.clock.Advance(time.Hour)
		e.answer(t, a.Ref, map[string]string{"process": "Ranks and pre-rejects CVs; a recruiter confirms each rejection."})
		e.submit(t, a.Ref, "")
		v2 := e.approve(t, a.Ref, "")
		if got := e.get(t, a.Ref); got.Due || len(due()) != 0 {
			t.Errorf("still due after approval: %+v", got.DueReasons)
		}
		// The next review date is reached: due again.
		e.clock.Advance(366 * 24 * time.Hour)
		dateReason := impact.DueReason{Kind: "review_date", Text: "its next review date, 2027-03-02, has been reached"}
		if got := e.get(t, a.Ref); !got.Due || !cmp.Equal(got.DueReasons, []impact.DueReason{dateReason}) {
			t.Errorf("due by date: %+v", got.DueReasons)
		}
		snap, _ = e.svc.Snapshot(e.ctx, e.org)
		if s := snap[sys.ID]; s.Latest.Number != 2 || !s.Latest.ApprovedAt.Equal(v2.ApprovedAt) || !cmp.Equal(s.Reasons, prefixed(dateReason)) || s.OpenDrafts != 1 {
			t.Errorf("snapshot = %+v", s)
		}
		if _, ok := snap[other.ID]; ok {
			t.Error("a system without assessments is in the snapshot")
		}
	})
}

// TestConcurrentChanges proves that impacts added at the same time get
// their own numbers, and that approvals at the same time of different
// assessments each get their own checkpoint, while two approvals of the
// same one approve it once.
func TestConcurrentChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		const n = 4
		var refs []string
		for i := 0; i < n; i++ {
			refs = append(refs, e.readyFRIA(t, "SYS-1").Ref)
		}
		errs := make(chan error, 2*n)
		for i := 0; i < n; i++ {
			go func() {
				_, err := e.svc.AddImpact(e.ctx, e.contributor(), refs[0], unfair())
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		var numbers []int
		for _, i := range e.get(t, refs[0]).Impacts {
			numbers = append(numbers, i.Number)
		}
		if !cmp.Equal(numbers, []int{1, 2, 3, 4, 5}) {
			t.Errorf("impact numbers %v", numbers)
		}
		for _, ref := range refs {
			e.submit(t, ref, "")
		}
		version := e.get(t, refs[0]).Version
		for i := 0; i < n; i++ {
			go func() {
				_, err := e.svc.Approve(e.ctx, e.manager(), refs[i], impact.ApproveRequest{Version: version})
				errs <- err
			}()
			go func() {
				_, err := e.svc.Approve(e.ctx, e.owner(), refs[i], impact.ApproveRequest{Version: version})
				errs <- err
			}()
		}
		conflicts := 0
		for i := 0; i < 2*n; i++ {
			if err := <-errs; aims.CodeOf(err) == aims.CodeConflict {
				conflicts++
			} else if err != nil {
				t.Error(err)
			}
		}
		if conflicts != n {
			t.Errorf("%d conflicts, want %d", conflicts, n)
		}
		sizes := map[int64]bool{}
		for _, ref := range refs {
			vs, err := e.svc.Versions(e.ctx, e.viewer(), ref)
			if err != nil || len(vs) != 1 {
				t.Fatalf("%s versions = %+v, %v", ref, vs, err)
			}
			v, err := e.svc.Version(e.ctx, e.viewer(), ref, 1)
			if err != nil {
				t.Fatal(err)
			}
			sizes[v.Checkpoint.Size] = true
			checkCheckpoint(t, e, v, approveEvent(t, e, ref, 1))
		}
		if len(sizes) != n {
			t.Errorf("checkpoint sizes %v", sizes)
		}
	})
}
