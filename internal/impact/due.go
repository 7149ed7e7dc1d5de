package impact

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// systemObject is how the AI system inventory names systems in the audit
// log; a change of the fields below after an approval makes the assessment
// due for review (ISO/IEC 42001 8.4).
const systemObject = "ai_system"

// significantChange is the field of an AI system's audit event that the
// life cycle records when it approves a significant change of the system,
// such as "CR-3: New ranking model".
const significantChange = "significant_change"

// significantFields are the AI system's fields whose change reopens its
// impact assessments, with their words for people.
var significantFields = []struct{ field, words string }{
	{"intended_purpose", "intended purpose"},
	{"eu_ai_act_class", "EU AI Act class"},
	{significantChange, "significant change"},
}

// dueOf says, for each approved assessment of rows, why it is due for
// review: its next review date has come, or its AI system's intended
// purpose or EU AI Act class changed, or a significant
// change of it was approved, after its latest approval. Assessments that
// are not due are absent from the answer.
func (s *Service) dueOf(ctx context.Context, q db.Queryer, orgID string, rows []*row) (map[string][]DueReason, error) {
	today := day(s.clock())
	out := map[string][]DueReason{}
	bySystem := map[string][]*row{}
	var systems []string
	for _, r := range rows {
		if r.latestVersion == 0 || r.latestApprovedAt == nil {
			continue
		}
		if r.nextReview != "" && r.nextReview <= today {
			out[r.id] = append(out[r.id], DueReason{Kind: "review_date",
				Text: "its next review date, " + r.nextReview + ", has been reached"})
		}
		if _, ok := bySystem[r.systemID]; !ok {
			systems = append(systems, r.systemID)
		}
		bySystem[r.systemID] = append(bySystem[r.systemID], r)
	}
	fields := make([]string, len(significantFields))
	for i, f := range significantFields {
		fields[i] = f.field
	}
	for _, sys := range systems {
		rs := bySystem[sys]
		since := *rs[0].latestApprovedAt
		for _, r := range rs[1:] {
			if r.latestApprovedAt.Before(since) {
				since = *r.latestApprovedAt
			}
		}
		evs, err := tlog.ChangedSince(ctx, q, orgID, systemObject, sys, since, fields...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[r.id] = append(out[r.id], changeReasons(evs, r)...)
		}
	}
	return out, nil
}

// changeReasons words the first change of each significant field recorded
// after an assessment's latest approval.
func changeReasons(evs []tlog.Event, r *row) []DueReason {
	var out []DueReason
	for _, f := range significantFields {
		for _, ev := range evs {
			if !ev.Time.After(*r.latestApprovedAt) {
				continue
			}
			c, ok := changeOf(ev, f.field)
			if !ok {
				continue
			}
			text := "the AI system's " + f.words + " changed"
			switch f.field {
			case "intended_purpose":
			case significantChange:
				text = "a significant change was approved: " + strings.Replace(jsonText(c.After), ": ", " ", 1)
			default:
				text += " from " + jsonText(c.Before) + " to " + jsonText(c.After)
			}
			text += " after version " + itoa(r.latestVersion) + " was approved"
			if ev.Actor.Label != "" {
				text += ", by " + ev.Actor.Label
			}
			at := ev.Time.UTC()
			out = append(out, DueReason{Kind: "system_change", Field: f.field, Text: text, At: &at})
			break
		}
	}
	return out
}

func changeOf(ev tlog.Event, field string) (tlog.Change, bool) {
	for _, c := range ev.Changes {
		if c.Field == field {
			return c, true
		}
	}
	return tlog.Change{}, false
}

// jsonText shows a JSON string value as its text, anything else as it is.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "(none)"
		}
		return s
	}
	return string(raw)
}

// Due lists the organisation's approved assessments that are due for
// review and why, most overdue first, for the dashboard.
func (s *Service) Due(ctx context.Context, actor *aims.Actor) ([]DueItem, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	rows, _, err := listRows(ctx, s.db, "a.org_id = ? AND a.latest_version > 0", []any{actor.OrgID})
	if err != nil {
		return nil, err
	}
	due, err := s.dueOf(ctx, s.db, actor.OrgID, rows)
	if err != nil {
		return nil, err
	}
	out := []DueItem{}
	for _, r := range rows {
		reasons := due[r.id]
		if len(reasons) == 0 {
			continue
		}
		ref, name, err := s.systemName(ctx, actor.OrgID, r.systemID)
		if err != nil {
			return nil, err
		}
		out = append(out, DueItem{AssessmentID: r.id, AssessmentRef: r.ref, Title: r.title, SystemID: r.systemID, SystemRef: ref,
			SystemName: name, Status: r.status, LatestVersion: r.latestVersion, ApprovedAt: *r.latestApprovedAt,
			NextReviewDate: r.nextReview, Reasons: reasons})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].NextReviewDate != out[j].NextReviewDate {
			return out[i].NextReviewDate < out[j].NextReviewDate
		}
		return out[i].ApprovedAt.Before(out[j].ApprovedAt)
	})
	return out, nil
}

// Snapshot returns, without checking any actor, what readiness needs of an
// organisation's impact assessments, by AI system id: the latest approved
// version among the system's assessments, whether any is due for review
// and why, and how many are open (draft or in review). Systems without
// assessments are absent. It is for another capability whose service has
// already authorised its actor in that organisation.
func (s *Service) Snapshot(ctx context.Context, orgID string) (map[string]*SystemSnapshot, error) {
	rows, _, err := listRows(ctx, s.db, "a.org_id = ?", []any{orgID})
	if err != nil {
		return nil, err
	}
	due, err := s.dueOf(ctx, s.db, orgID, rows)
	if err != nil {
		return nil, err
	}
	out := map[string]*SystemSnapshot{}
	// Oldest first, so that reasons come in the order the assessments were started.
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		snap, ok := out[r.systemID]
		if !ok {
			snap = &SystemSnapshot{SystemID: r.systemID, Reasons: []DueReason{}}
			out[r.systemID] = snap
		}
		if r.status != StatusApproved {
			snap.OpenDrafts++
		}
		if r.latestVersion > 0 && (snap.Latest == nil || r.latestApprovedAt.After(snap.Latest.ApprovedAt)) {
			snap.Latest = &Approval{AssessmentRef: r.ref, Number: r.latestVersion, ApprovedAt: *r.latestApprovedAt, NextReviewDate: r.nextReview}
		}
		for _, reason := range due[r.id] {
			reason.Text = r.ref + ": " + reason.Text
			snap.Reasons = append(snap.Reasons, reason)
			snap.Due = true
		}
	}
	return out, nil
}
