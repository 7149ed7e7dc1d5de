package tlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// EventVersion is the version of the canonical audit event encoding.
const EventVersion = 1

// eventTimeFormat is fixed-width so that equal times always encode equally.
const eventTimeFormat = "2006-01-02T15:04:05.000000Z"

// EventActor is who made a change.
type EventActor struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Label string `json:"label"`
	Token string `json:"token,omitempty"`
}

// EventObject is what was changed.
type EventObject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Ref  string `json:"ref"`
}

// Change is one field's value before and after; null when absent.
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// Event is one change in an organisation's management system, as recorded
// in its audit log.
type Event struct {
	Org     string
	Time    time.Time
	Actor   EventActor
	Action  string
	Object  EventObject
	Changes []Change
	// Index is the event's position in the log; it is not part of the encoding.
	Index int64
}

// wireEvent fixes the order of fields in the canonical encoding.
type wireEvent struct {
	V       int         `json:"v"`
	Org     string      `json:"org"`
	Time    string      `json:"time"`
	Actor   EventActor  `json:"actor"`
	Action  string      `json:"action"`
	Object  EventObject `json:"object"`
	Changes []Change    `json:"changes"`
}

// Encode returns the canonical bytes of the event: compact JSON with fields
// in a fixed order, the time in UTC with microseconds, changes sorted by
// field and every value in compact form.
func (e *Event) Encode() ([]byte, error) {
	w := wireEvent{V: EventVersion, Org: e.Org, Time: e.Time.UTC().Format(eventTimeFormat),
		Actor: e.Actor, Action: e.Action, Object: e.Object, Changes: make([]Change, 0, len(e.Changes))}
	for _, c := range e.Changes {
		before, err := canonicalValue(c.Before)
		if err != nil {
			return nil, fmt.Errorf("field %s before: %w", c.Field, err)
		}
		after, err := canonicalValue(c.After)
		if err != nil {
			return nil, fmt.Errorf("field %s after: %w", c.Field, err)
		}
		w.Changes = append(w.Changes, Change{Field: c.Field, Before: before, After: after})
	}
	sort.SliceStable(w.Changes, func(i, j int) bool { return w.Changes[i].Field < w.Changes[j].Field })
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// CanonicalJSON returns v in canonical form: compact, object keys sorted,
// numbers as written and no HTML escaping; null when v is empty.
func CanonicalJSON(v json.RawMessage) (json.RawMessage, error) { return canonicalValue(v) }

func canonicalValue(v json.RawMessage) (json.RawMessage, error) {
	if len(v) == 0 {
		return json.RawMessage("null"), nil
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// DecodeEvent reads an event from its canonical bytes.
func DecodeEvent(b []byte) (*Event, error) {
	var w wireEvent
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&w); err != nil {
		return nil, fmt.Errorf("malformed audit event: %w", err)
	}
	if w.V != EventVersion {
		return nil, fmt.Errorf("unsupported audit event version %d", w.V)
	}
	t, err := time.Parse(eventTimeFormat, w.Time)
	if err != nil {
		return nil, fmt.Errorf("malformed audit event time: %w", err)
	}
	return &Event{Org: w.Org, Time: t, Actor: w.Actor, Action: w.Action, Object: w.Object, Changes: w.Changes}, nil
}

// ActorOf describes an actor for the audit log.
func ActorOf(a *aims.Actor) EventActor {
	if a == nil {
		return EventActor{Kind: "anonymous"}
	}
	id := a.UserID
	if id == "" {
		id = a.Name
	}
	return EventActor{Kind: string(a.Kind), ID: id, Label: a.Label(), Token: a.TokenID}
}

// Record appends an audit event for a change by actor in org to the
// organisation's audit log, in the caller's transaction. If it fails, the
// caller must fail too, so that no change is ever stored without its event.
func (l *Logs) Record(ctx context.Context, tx *db.Tx, org string, actor *aims.Actor, action string, obj EventObject, changes []Change) error {
	ev := &Event{Org: org, Time: l.clock(), Actor: ActorOf(actor), Action: action, Object: obj, Changes: changes}
	return l.AppendEvent(ctx, tx, ev)
}

// AppendEvent appends ev to its organisation's audit log and indexes it.
func (l *Logs) AppendEvent(ctx context.Context, tx *db.Tx, ev *Event) error {
	if ev.Org == "" || ev.Action == "" || ev.Object.Type == "" {
		return errors.New("cannot record audit event: organisation, action and object type are required")
	}
	payload, err := ev.Encode()
	if err != nil {
		return fmt.Errorf("cannot encode audit event: %w", err)
	}
	logID, err := LogID(ctx, tx, ev.Org, KindAudit, "")
	if err != nil {
		return fmt.Errorf("cannot record audit event: %w", err)
	}
	idx, err := l.Append(ctx, tx, logID, payload)
	if err != nil {
		return fmt.Errorf("cannot record audit event: %w", err)
	}
	ev.Index = idx
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events
		(org_id, idx, at, actor_id, actor_label, action, object_type, object_id, object_ref)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Org, idx, ev.Time, ev.Actor.ID, ev.Actor.Label, ev.Action, ev.Object.Type, ev.Object.ID, ev.Object.Ref)
	if err != nil {
		return fmt.Errorf("cannot index audit event: %w", err)
	}
	return nil
}

// Changes compares two values that encode as JSON objects and returns the
// fields that differ, leaving out those named in skip and those that only
// go between kinds of nothing (null, "", [] and {}). A nil before means the
// object was created.
func Changes(before, after any, skip ...string) ([]Change, error) {
	b, err := fields(before)
	if err != nil {
		return nil, err
	}
	a, err := fields(after)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	for _, s := range skip {
		delete(keys, s)
	}
	var out []Change
	for k := range keys {
		bv, av := b[k], a[k]
		if bv == nil {
			bv = json.RawMessage("null")
		}
		if av == nil {
			av = json.RawMessage("null")
		}
		if bytes.Equal(bv, av) || (blank(bv) && blank(av)) {
			continue
		}
		out = append(out, Change{Field: k, Before: bv, After: av})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out, nil
}

func fields(v any) (map[string]json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("audit changes need an object: %w", err)
	}
	for k, x := range m {
		c, err := canonicalValue(x)
		if err != nil {
			return nil, err
		}
		m[k] = c
	}
	return m, nil
}

// EventFilter selects audit events of an organisation.
type EventFilter struct {
	ObjectType string
	ObjectID   string
	// Before, when positive, returns only events with a smaller index.
	Before int64
	Limit  int
}

// Events returns an organisation's audit events, newest first, decoded from
// their payloads. An erased payload yields an event with only its index
// fields filled.
func Events(ctx context.Context, q db.Queryer, org string, f EventFilter) ([]Event, error) {
	where := []string{"a.org_id = ?"}
	args := []any{org}
	if f.ObjectType != "" {
		where = append(where, "a.object_type = ?")
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where = append(where, "a.object_id = ?")
		args = append(args, f.ObjectID)
	}
	if f.Before > 0 {
		where = append(where, "a.idx < ?")
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT a.idx, a.at, a.actor_id, a.actor_label, a.action, a.object_type, a.object_id, a.object_ref, p.payload
		FROM audit_events a
		JOIN logs l ON l.org_id = a.org_id AND l.kind = 'audit' AND l.subject_id = ''
		JOIN log_payloads p ON p.log_id = l.id AND p.idx = a.idx
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.idx DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var payload []byte
		if err := rows.Scan(&e.Index, &e.Time, &e.Actor.ID, &e.Actor.Label, &e.Action, &e.Object.Type, &e.Object.ID, &e.Object.Ref, &payload); err != nil {
			return nil, err
		}
		if payload != nil {
			d, err := DecodeEvent(payload)
			if err != nil {
				return nil, fmt.Errorf("audit event %d: %w", e.Index, err)
			}
			d.Index = e.Index
			e = *d
		}
		e.Org = org
		out = append(out, e)
	}
	return out, rows.Err()
}

// blank reports whether a canonical JSON value holds nothing.
func blank(v json.RawMessage) bool {
	switch string(v) {
	case "null", `""`, "[]", "{}":
		return true
	}
	return false
}

// ChangedSince returns the audit events about one object recorded after
// since that changed any of the named fields, oldest first: for example the
// changes of an AI system's intended purpose that make its assessments due
// for review.
func ChangedSince(ctx context.Context, q db.Queryer, org, objectType, objectID string, since time.Time, fields ...string) ([]Event, error) {
	evs, err := Events(ctx, q, org, EventFilter{ObjectType: objectType, ObjectID: objectID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	var out []Event
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if !e.Time.After(since) {
			continue
		}
		for _, c := range e.Changes {
			if want[c.Field] {
				out = append(out, e)
				break
			}
		}
	}
	return out, nil
}
