package tlog_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleEvent() *tlog.Event {
	return &tlog.Event{
		Org:    "0193a4b2-7c00-7000-8000-000000000001",
		Time:   time.Date(2026, 11, 30, 12, 34, 56, 789000, time.FixedZone("CET", 3600)),
		Actor:  tlog.EventActor{Kind: "token", ID: "0193a4b2-7c00-7000-8000-0000000000aa", Label: "ada@example.org", Token: "0193a4b2-7c00-7000-8000-0000000000bb"},
		Action: "ai_system.update",
		Object: tlog.EventObject{Type: "ai_system", ID: "0193a4b2-7c00-7000-8000-0000000000cc", Ref: "SYS-7"},
		Changes: []tlog.Change{
			{Field: "name", Before: json.RawMessage(`"Loan <scoring>"`), After: json.RawMessage(`"Loan & credit scoring"`)},
			{Field: "ai_roles", Before: json.RawMessage(`[ "provider" ]`), After: json.RawMessage(`["provider","customer"]`)},
			{Field: "owner", Before: nil, After: json.RawMessage(`{"b":1,"a":2}`)},
		},
	}
}

// TestEventEncodingIsPinned fails when the canonical bytes of an event
// change: every verifier that exists depends on them. Run with -update only
// together with a new EventVersion.
func TestEventEncodingIsPinned(t *testing.T) {
	got, err := sampleEvent().Encode()
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/event-v1.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.TrimSuffix(string(want), "\n"), string(got)); diff != "" {
		t.Errorf("canonical encoding changed (-golden +got):\n%s", diff)
	}
}

func TestEventRoundTrip(t *testing.T) {
	ev := sampleEvent()
	b, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := tlog.DecodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(b) {
		t.Errorf("re-encoding a decoded event changed it:\n%s\n%s", b, again)
	}
	if !back.Time.Equal(ev.Time) || back.Action != ev.Action || back.Object != ev.Object || back.Actor != ev.Actor {
		t.Errorf("decoded event differs: %+v", back)
	}
	for _, bad := range []string{``, `{}`, `{"v":2}`, `{"v":1,"time":"yesterday"}`, `{"v":1,"extra":true}`} {
		if _, err := tlog.DecodeEvent([]byte(bad)); err == nil {
			t.Errorf("DecodeEvent(%q) accepted malformed input", bad)
		}
	}
}

func TestChanges(t *testing.T) {
	type rec struct {
		Name    string   `json:"name"`
		Roles   []string `json:"roles"`
		Version int      `json:"version"`
		Note    string   `json:"note,omitempty"`
	}
	created, err := tlog.Changes(nil, rec{Name: "A", Roles: []string{"x"}, Version: 1}, "version")
	if err != nil {
		t.Fatal(err)
	}
	want := []tlog.Change{
		{Field: "name", Before: json.RawMessage("null"), After: json.RawMessage(`"A"`)},
		{Field: "roles", Before: json.RawMessage("null"), After: json.RawMessage(`["x"]`)},
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("creation changes (-want +got):\n%s", diff)
	}
	updated, err := tlog.Changes(rec{Name: "A", Roles: []string{"x"}, Version: 1}, rec{Name: "A", Roles: []string{"x", "y"}, Version: 2, Note: "n"}, "version")
	if err != nil {
		t.Fatal(err)
	}
	want = []tlog.Change{
		{Field: "note", Before: json.RawMessage("null"), After: json.RawMessage(`"n"`)},
		{Field: "roles", Before: json.RawMessage(`["x"]`), After: json.RawMessage(`["x","y"]`)},
	}
	if diff := cmp.Diff(want, updated); diff != "" {
		t.Errorf("update changes (-want +got):\n%s", diff)
	}
	// Going between kinds of nothing is no change.
	blank, err := tlog.Changes(map[string]any{"a": nil, "b": []string{}, "c": "x"}, map[string]any{"a": "", "b": nil, "c": "x", "d": map[string]int{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(blank) != 0 {
		t.Errorf("changes between blanks reported: %+v", blank)
	}
}

// FuzzDecodeEvent checks that decoding never panics and that whatever
// decodes re-encodes to bytes that decode to the same event.
func FuzzDecodeEvent(f *testing.F) {
	b, _ := sampleEvent().Encode()
	f.Add(b)
	f.Add([]byte(`{"v":1,"org":"o","time":"2026-01-02T03:04:05.000000Z","actor":{"kind":"user","id":"u","label":"l"},"action":"a","object":{"type":"t","id":"i","ref":"r"},"changes":[]}`))
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := tlog.DecodeEvent(data)
		if err != nil {
			return
		}
		enc, err := ev.Encode()
		if err != nil {
			return // values that are not valid JSON cannot be re-encoded
		}
		back, err := tlog.DecodeEvent(enc)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v\n%s", err, enc)
		}
		enc2, err := back.Encode()
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("encoding is not stable:\n%s\n%s", enc, enc2)
		}
	})
}

// FuzzParseCheckpoint checks that any body that parses formats back to itself.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add("aims/audit/org\n42\nELiVE8M8ClpJVdI/anVtAYli0/J9I+C0tHvKi7wZUvY=\n")
	f.Add("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	f.Add("\n1\nx\n")
	f.Fuzz(func(t *testing.T, text string) {
		origin, size, root, err := tlog.ParseCheckpoint(text)
		if err != nil {
			return
		}
		again := tlog.FormatCheckpoint(origin, size, root)
		o2, s2, r2, err := tlog.ParseCheckpoint(again)
		if err != nil || o2 != origin || s2 != size || r2 != root {
			t.Fatalf("checkpoint does not round-trip: %q", text)
		}
	})
}

func TestChangedSince(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		actor := &aims.Actor{Kind: aims.ActorUser, UserID: "u1", Email: "ada@example.org", OrgID: f.org}
		record := func(id string, before, after map[string]any) {
			t.Helper()
			err := d.WithTx(ctx, func(tx *db.Tx) error {
				ch, err := tlog.Changes(before, after)
				if err != nil {
					return err
				}
				return f.logs.Record(ctx, tx, f.org, actor, "ai_system.update", tlog.EventObject{Type: "ai_system", ID: id, Ref: "SYS-1"}, ch)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		record("s1", map[string]any{"name": "a"}, map[string]any{"name": "b"}) // not a watched field
		record("s1", map[string]any{"lifecycle_stage": "design"}, map[string]any{"lifecycle_stage": "deployment"})
		record("s2", map[string]any{"intended_purpose": "x"}, map[string]any{"intended_purpose": "y"}) // another system
		record("s1", map[string]any{"intended_purpose": "x"}, map[string]any{"intended_purpose": "y"})
		all, err := tlog.Events(ctx, d, f.org, tlog.EventFilter{ObjectID: "s1"})
		if err != nil || len(all) != 3 {
			t.Fatalf("events of s1: %v %d", err, len(all))
		}
		since := all[1].Time // newest first: purpose, stage, name
		evs, err := tlog.ChangedSince(ctx, d, f.org, "ai_system", "s1", since, "intended_purpose", "lifecycle_stage", "eu_ai_act_class")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Changes[0].Field != "intended_purpose" {
			t.Errorf("changed after the stage change: %+v", evs)
		}
		evs, _ = tlog.ChangedSince(ctx, d, f.org, "ai_system", "s1", all[2].Time, "intended_purpose", "lifecycle_stage")
		if len(evs) != 2 || evs[0].Changes[0].Field != "lifecycle_stage" {
			t.Errorf("changed after the rename: %+v", evs)
		}
	})
}
