package soa_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
)

// approveEvent returns the soa.approve event of a version.
func approveEvent(t *testing.T, e *env, number int) tlog.Event {
	t.Helper()
	for _, ev := range servicetest.Events(t, e.ctx, e.d, e.org) {
		if ev.Action == "soa.approve" && ev.Object.Ref == "SoA v"+itoa(number) {
			return ev
		}
	}
	t.Fatalf("no soa.approve event for v%d", number)
	return tlog.Event{}
}

func TestApprovalIsRefusedWhileIncomplete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tests := []struct {
			prepare func()
			want    string
		}{
			{func() {}, "the draft cannot be approved yet: the scope is empty; 38 of 38 controls have no decision for the organisation " +
				"with a justification: A.2.2, A.2.3, A.2.4, A.3.2, A.3.3, A.4.2, A.4.3, A.4.4, A.4.5, A.4.6 and 28 more"},
			{func() { e.decideAll(t, "A.10.4", "A.6.2.10") }, "the draft cannot be approved yet: the scope is empty; " +
				"1 of 38 controls has no decision for the organisation with a justification: A.10.4"},
			{func() { e.scope(t, "Everything") }, ""},
		}
		for _, tc := range tests {
			tc.prepare()
			if tc.want == "" {
				break
			}
			for _, role := range []aims.Role{aims.RoleOwner, aims.RoleManager} {
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.Approve(e.ctx, e.as[role], soa.ApproveRequest{Note: "Go"})
					if ae := servicetest.WantCode(t, err, aims.CodeConflict); ae.Message != tc.want {
						t.Errorf("refusal says\n%q, want\n%q", ae.Message, tc.want)
					}
				})
			}
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Approve(e.ctx, e.owner(), soa.ApproveRequest{})
			if ae := servicetest.WantCode(t, err, aims.CodeConflict); !strings.HasSuffix(ae.Message, "controls has no decision for the organisation with a justification: A.10.4") ||
				strings.Contains(ae.Message, "scope") {
				t.Errorf("refusal says %q", ae.Message)
			}
			// An administrative command is not a person who can approve.
			_, err = e.svc.Approve(e.ctx, &aims.Actor{Kind: aims.ActorSystem, Name: "cli:root@host", OrgID: e.org}, soa.ApproveRequest{})
			servicetest.WantCode(t, err, aims.CodeForbidden)
		})
		e.decideAll(t)
		if v := e.approve(t, ""); v.Number != 1 {
			t.Errorf("approved %d", v.Number)
		}
	})
}

// TestApproveAndCompare walks the life of a Statement: approve version 1,
// change two rows, approve version 2, compare; version 1 stays as it was.
func TestApproveAndCompare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		manager := e.as[aims.RoleManager]
		chat := e.system(t, "Chat assistant")
		e.scope(t, "All AI systems we develop and operate in the EU.")
		e.set(t, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "The policy is the base of the AIMS.",
			Status: soa.StatusPlanned, OwnerID: manager.UserID, TargetDate: "2026-06-30"})
		e.set(t, "A.6.2.4", "", applies("We build models.", soa.StatusPartial))
		e.set(t, "A.10.4", "", excluded("We have no customers of our AI."))
		e.set(t, "A.7.4", "", applies("Own data.", soa.StatusPlanned))
		e.set(t, "A.7.4", "SYS-1", excluded("The assistant uses no training data of ours."))
		e.decideAll(t)
		e.sources.setEvidence("A.2.2", soa.EvidenceRef{Ref: "EV-1", Title: "AI policy"})

		draft := e.draft(t)
		v1 := e.approve(t, "First approval, by Zoë")
		at1 := t0.Add(time.Minute)

		// The version holds the whole effective content and names its approver.
		owner := e.owner()
		if v1.Number != 1 || v1.Draft || v1.Organisation != orgName || v1.Scope != "All AI systems we develop and operate in the EU." ||
			v1.Note != "First approval, by Zoë" || v1.ApprovedBy != owner.UserID || v1.ApprovedByName != "Zoë Owner" || !v1.ApprovedAt.Equal(at1) {
			t.Errorf("v1 = %+v", v1)
		}
		if diff := cmp.Diff(draft.Entries, v1.Controls); diff != "" {
			t.Errorf("frozen controls differ from the draft (-draft +v1):\n%s", diff)
		}
		if en := entry(t, v1.Controls, "A.7.4"); len(en.Overrides) != 1 || en.Overrides[0].SystemRef != "SYS-1" ||
			en.Overrides[0].SystemName != "Chat assistant" || en.Overrides[0].SystemID != chat.ID {
			t.Errorf("A.7.4 in v1 = %+v", en)
		}
		if en := entry(t, v1.Controls, "A.2.2"); en.Decision.OwnerName != "Max Manager" || len(en.Evidence) != 1 || en.Evidence[0].Ref != "EV-1" {
			t.Errorf("A.2.2 in v1 = %+v", en)
		}

		// Its checkpoint verifies with the installation's key and covers the approval event.
		ev := approveEvent(t, e, 1)
		if ev.Object.Type != "soa_version" || ev.Actor.ID != owner.UserID || !ev.Time.Equal(at1) {
			t.Errorf("event = %+v", ev)
		}
		content := servicetest.RowsOf(t, d, `SELECT entries FROM soa_versions WHERE org_id = ? AND number = 1`, e.org)[0]
		sum := sha256.Sum256([]byte(strings.TrimPrefix(content, "entries=")))
		wantCh := map[string][2]string{
			"number": {"null", "1"}, "decided": {"null", "38"}, "applicable": {"null", "37"},
			"content_sha256": {"null", servicetest.JSONString(hex.EncodeToString(sum[:]))},
			"note":           {"null", `"First approval, by Zoë"`},
		}
		if diff := cmp.Diff(wantCh, servicetest.ChangeMap(t, ev)); diff != "" {
			t.Errorf("approval changes (-want +got):\n%s", diff)
		}
		checkCheckpoint(t, e, v1, ev)
		if n := servicetest.Count(t, d, `SELECT count(*) FROM log_checkpoints`); n != 1 {
			t.Errorf("%d checkpoints, want 1", n)
		}

		// The draft stays as it was, now based on version 1.
		after := e.draft(t)
		if diff := cmp.Diff(draft.Entries, after.Entries); diff != "" || after.LatestVersion != 1 || after.Scope != draft.Scope {
			t.Errorf("approval changed the draft (-before +after):\n%s", diff)
		}

		// Two rows change; the scope too; then version 2.
		e.clock.Advance(time.Hour)
		e.set(t, "A.2.2", "", soa.EntryRequest{Applicable: ptr(true), Justification: "The policy is the base of the AIMS.",
			Status: soa.StatusImplemented, OwnerID: manager.UserID, TargetDate: "2026-06-30", Version: 1})
		e.set(t, "A.6.2.4", "", soa.EntryRequest{Applicable: ptr(false), Justification: "We buy every model.", Version: 1})
		if _, err := e.svc.SetScope(e.ctx, owner, soa.ScopeRequest{Scope: "All AI systems we develop, operate or buy.", Version: 1}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		v2, err := e.svc.Approve(e.ctx, manager, soa.ApproveRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Number != 2 || v2.ApprovedByName != "Max Manager" || v2.Note != "" || v2.Checkpoint.Size <= v1.Checkpoint.Size {
			t.Errorf("v2 = %+v", v2)
		}
		checkCheckpoint(t, e, v2, approveEvent(t, e, 2))
		if _, ok := servicetest.ChangeMap(t, approveEvent(t, e, 2))["note"]; ok {
			t.Error("an empty note is recorded")
		}

		// Version 1 is frozen: later edits do not touch it.
		e.set(t, "A.3.2", "", soa.EntryRequest{Applicable: ptr(false), Justification: "Changed after v2", Version: 1})
		e.sources.setEvidence("A.2.2", soa.EvidenceRef{Ref: "EV-7", Title: "New policy"})
		got1, err := e.svc.Version(e.ctx, e.as[aims.RoleAuditor], 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v1, got1); diff != "" {
			t.Errorf("version 1 changed (-approved +now):\n%s", diff)
		}
		if _, err := d.ExecContext(e.ctx, `UPDATE soa_versions SET note = 'forged' WHERE number = 1`); err == nil {
			t.Error("soa_versions accepted an UPDATE")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM soa_versions`); err == nil {
			t.Error("soa_versions accepted a DELETE")
		}
		_, err = e.svc.Version(e.ctx, owner, 3)
		servicetest.WantCode(t, err, aims.CodeNotFound)

		list, err := e.svc.Versions(e.ctx, e.as[aims.RoleViewer])
		if err != nil {
			t.Fatal(err)
		}
		wantList := []soa.VersionSummary{
			{Number: 2, ApprovedBy: manager.UserID, ApprovedByName: "Max Manager", ApprovedAt: t0.Add(2*time.Hour + time.Minute), CheckpointSize: v2.Checkpoint.Size},
			{Number: 1, Note: "First approval, by Zoë", ApprovedBy: owner.UserID, ApprovedByName: "Zoë Owner", ApprovedAt: at1, CheckpointSize: v1.Checkpoint.Size},
		}
		if diff := cmp.Diff(wantList, list); diff != "" {
			t.Errorf("versions (-want +got):\n%s", diff)
		}

		// Compare: the two changed rows and the scope, field by field.
		c, err := e.svc.Compare(e.ctx, e.as[aims.RoleViewer], 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := &soa.Comparison{From: 1, To: 2, FromLabel: "v1", ToLabel: "v2", ScopeChanged: true,
			ScopeBefore: "All AI systems we develop and operate in the EU.", ScopeAfter: "All AI systems we develop, operate or buy.",
			Changes: []soa.DecisionChange{
				{ControlID: "A.2.2", Title: "AI policy", Kind: "changed", Fields: []soa.FieldChange{{Field: "status", Before: "planned", After: "implemented"}}},
				{ControlID: "A.6.2.4", Title: "AI system verification and validation", Kind: "changed", Fields: []soa.FieldChange{
					{Field: "applicable", Before: "yes", After: "no"}, {Field: "justification", Before: "We build models.", After: "We buy every model."},
					{Field: "status", Before: "partially_implemented", After: ""}}},
			}}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("v1 → v2 (-want +got):\n%s", diff)
		}
		// Backwards, the same changes the other way round.
		c, _ = e.svc.Compare(e.ctx, owner, 2, 1)
		if len(c.Changes) != 2 || c.Changes[0].Fields[0].Before != "implemented" || c.ScopeAfter != want.ScopeBefore {
			t.Errorf("v2 → v1 = %+v", c)
		}
		// A version against itself has no changes.
		if c, _ = e.svc.Compare(e.ctx, owner, 2, 2); len(c.Changes) != 0 || c.ScopeChanged {
			t.Errorf("v2 → v2 = %+v", c)
		}

		// Against the draft: additions, removals and the evidence, in id order.
		e.set(t, "A.10.2", "", soa.EntryRequest{Applicable: ptr(false), Justification: "No third parties.", Version: 1})
		if _, err := e.svc.RemoveOverride(e.ctx, owner, "A.7.4", "SYS-1", 0); err != nil {
			t.Fatal(err)
		}
		e.set(t, "A.7.4", chat.ID, applies("Now fine-tuned.", soa.StatusPlanned))
		e.system(t, "Fraud detection")
		e.set(t, "A.7.4", "SYS-2", excluded("Rules only."))
		c, err = e.svc.Compare(e.ctx, owner, 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ch := range c.Changes {
			line := ch.Kind + " " + ch.ControlID
			if ch.SystemRef != "" {
				line += " for " + ch.SystemRef + " " + ch.SystemName
			}
			for _, f := range ch.Fields {
				line += "; " + f.Field + ": " + f.Before + " → " + f.After
			}
			got = append(got, line)
		}
		wantLines := []string{
			"changed A.2.2; evidence: EV-1 → EV-7",
			"changed A.3.2; applicable: yes → no; justification: We need A.3.2. → Changed after v2; status: planned → ",
			"changed A.7.4 for SYS-1 Chat assistant; applicable: no → yes; justification: The assistant uses no training data of ours. → Now fine-tuned.; status:  → planned",
			"added A.7.4 for SYS-2 Fraud detection; applicable:  → no; justification:  → Rules only.",
			"changed A.10.2; applicable: yes → no; justification: We need A.10.2. → No third parties.; status: planned → ",
		}
		if diff := cmp.Diff(wantLines, got); diff != "" {
			t.Errorf("v2 → draft (-want +got):\n%s", diff)
		}
		if c.FromLabel != "v2" || c.ToLabel != "draft" || c.To != 0 || c.ScopeChanged {
			t.Errorf("v2 → draft = %+v", c)
		}
		c, _ = e.svc.Compare(e.ctx, owner, 0, 2)
		if c.Changes[3].Kind != "removed" || c.Changes[3].SystemRef != "SYS-2" {
			t.Errorf("draft → v2: %+v", c.Changes[3])
		}
		_, err = e.svc.Compare(e.ctx, owner, 3, 0)
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.Compare(e.ctx, owner, -1, -2)
		servicetest.WantFields(t, err, aims.CodeInvalid, "from", "to")

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

// checkCheckpoint proves that a version's checkpoint is signed by the
// installation's key, names the audit log's root at its size, and that the
// approval event is its last entry.
func checkCheckpoint(t *testing.T, e *env, v *soa.Version, ev tlog.Event) {
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
	// The event at that index is the approval.
	entries, err := tlog.Entries(e.ctx, e.d, logID, ev.Index, 1)
	if err != nil || len(entries) != 1 {
		t.Fatal(err)
	}
	got, err := tlog.DecodeEvent(entries[0].Payload)
	if err != nil || got.Action != "soa.approve" || got.Object.Ref != "SoA v"+itoa(v.Number) {
		t.Errorf("entry %d = %+v, %v", ev.Index, got, err)
	}
}

func TestFailClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Chat assistant")
		e.scope(t, "Everything")
		e.decideAll(t)
		e.set(t, "A.7.4", "SYS-1", excluded("No data"))
		servicetest.FailAuditAppends(t, d)
		owner := e.owner()
		ops := []struct {
			name string
			do   func() error
		}{
			{"Approve", func() error { _, err := e.svc.Approve(e.ctx, owner, soa.ApproveRequest{Note: "x"}); return err }},
			{"SetEntry", func() error {
				_, err := e.svc.SetEntry(e.ctx, owner, "A.2.2", "", excluded("Changed"))
				if aims.CodeOf(err) == aims.CodeConflict {
					_, err = e.svc.SetEntry(e.ctx, owner, "A.2.2", "", soa.EntryRequest{Applicable: ptr(false), Justification: "Changed", Version: 1})
				}
				return err
			}},
			{"SetEntry new override", func() error { _, err := e.svc.SetEntry(e.ctx, owner, "A.2.2", "SYS-1", excluded("x")); return err }},
			{"SetScope", func() error {
				_, err := e.svc.SetScope(e.ctx, owner, soa.ScopeRequest{Scope: "Less", Version: 1})
				return err
			}},
			{"RemoveOverride", func() error { _, err := e.svc.RemoveOverride(e.ctx, owner, "A.7.4", "SYS-1", 1); return err }},
		}
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				servicetest.Unchanged(t, d, func() {
					if err := op.do(); err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
			})
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM soa_versions`) + servicetest.Count(t, d, `SELECT count(*) FROM log_checkpoints`); n != 0 {
			t.Errorf("%d versions and checkpoints after failed approvals", n)
		}
		if _, err := e.svc.Versions(e.ctx, owner); err != nil {
			t.Errorf("reads fail too: %v", err)
		}
	})
}

// failInserts makes every later insert into table fail with "injected".
func failInserts(t *testing.T, d *db.DB, table string) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER test_fail_` + table + ` BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'injected'); END`}
	if d.Dialect() == db.Postgres {
		stmts = []string{
			`CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END; $$`,
			`CREATE TRIGGER test_fail_` + table + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION test_fail()`,
		}
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApprovalIsOneTransaction proves that when signing the checkpoint or
// storing the version fails, the approval's audit event goes too.
func TestApprovalIsOneTransaction(t *testing.T) {
	for _, table := range []string{"log_checkpoints", "soa_versions"} {
		t.Run(table, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d)
				e.scope(t, "Everything")
				e.decideAll(t)
				failInserts(t, d, table)
				servicetest.Unchanged(t, d, func() {
					_, err := e.svc.Approve(e.ctx, e.owner(), soa.ApproveRequest{Note: "x"})
					if err == nil || !strings.Contains(err.Error(), "injected") {
						t.Fatalf("got %v, want the injected failure", err)
					}
				})
				if got := servicetest.Actions(t, e.ctx, d, e.org); got[len(got)-1] != "soa.entry_set" {
					t.Errorf("last action %q", got[len(got)-1])
				}
			})
		})
	}
}

// TestConcurrentApprovals proves that approvals at the same time each get
// their own number and checkpoint.
func TestConcurrentApprovals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.scope(t, "Everything")
		e.decideAll(t)
		const n = 5
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				a := e.owner()
				if i%2 == 1 {
					a = e.as[aims.RoleManager]
				}
				_, err := e.svc.Approve(e.ctx, a, soa.ApproveRequest{Note: "run " + itoa(i)})
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		list, err := e.svc.Versions(e.ctx, e.owner())
		if err != nil || len(list) != n {
			t.Fatalf("versions = %+v, %v", list, err)
		}
		for i, v := range list {
			if v.Number != n-i || (i > 0 && v.CheckpointSize >= list[i-1].CheckpointSize) {
				t.Errorf("versions out of order: %+v", list)
			}
			full, err := e.svc.Version(e.ctx, e.owner(), v.Number)
			if err != nil {
				t.Fatal(err)
			}
			checkCheckpoint(t, e, full, approveEvent(t, e, v.Number))
		}
	})
}

func TestSnapshot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Chat assistant")
		manager := e.as[aims.RoleManager]
		s, err := e.svc.Snapshot(e.ctx, e.org)
		if err != nil || s.Latest != nil || len(s.Entries) != 0 || len(s.Undecided) != 38 || s.Undecided[0] != "A.2.2" {
			t.Fatalf("empty snapshot = %+v, %v", s, err)
		}
		e.set(t, "A.2.3", "", soa.EntryRequest{Applicable: ptr(true), Justification: "Aligned", Status: soa.StatusPlanned, OwnerID: manager.UserID})
		e.set(t, "A.2.2", "", excluded("Not yet"))
		e.set(t, "A.2.4", "SYS-1", excluded("Override only"))
		s, err = e.svc.Snapshot(e.ctx, e.org)
		if err != nil {
			t.Fatal(err)
		}
		want := []soa.SnapshotEntry{
			{ControlID: "A.2.2", Applicable: false, Justification: "Not yet"},
			{ControlID: "A.2.3", Applicable: true, Justification: "Aligned", Status: "planned", OwnerID: manager.UserID},
		}
		if diff := cmp.Diff(want, s.Entries); diff != "" || s.Latest != nil || len(s.Undecided) != 36 || s.Undecided[0] != "A.2.4" {
			t.Errorf("snapshot entries (-want +got):\n%s\n%+v", diff, s)
		}
		e.scope(t, "All")
		e.decideAll(t)
		v := e.approve(t, "")
		s, _ = e.svc.Snapshot(e.ctx, e.org)
		if s.Latest == nil || *s.Latest != (soa.Approval{Number: 1, ApprovedBy: e.owner().UserID, ApprovedByName: "Zoë Owner", ApprovedAt: v.ApprovedAt}) ||
			len(s.Undecided) != 0 || len(s.Entries) != 38 {
			t.Errorf("snapshot after approval = %+v", s)
		}
	})
}

func TestLessControlID(t *testing.T) {
	ids := []string{"CTL-10", "A.10.2", "A.6.2.10", "CTL-2", "A.2.2", "A.6.2.9", "A.6.1.2", "A.10.4", "A.2.10"}
	want := []string{"A.2.2", "A.2.10", "A.6.1.2", "A.6.2.9", "A.6.2.10", "A.10.2", "A.10.4", "CTL-2", "CTL-10"}
	got := append([]string(nil), ids...)
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			if soa.LessControlID(got[j], got[i]) {
				got[i], got[j] = got[j], got[i]
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
