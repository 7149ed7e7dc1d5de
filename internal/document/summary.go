package document

import (
	"context"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up the documents for readiness and management review.
type Summary struct {
	// Documents counts the documents in force (not archived).
	Documents int
	// Approved counts those of them with an approved version.
	Approved int
	// Policy is the AI policy's approved version in force; nil when there is none.
	Policy *PolicyInfo
	// ReviewsOverdue are the references of documents whose review date has passed.
	ReviewsOverdue []string
	// AcknowledgementsRequired counts, over the approved versions in force,
	// the people they are distributed to; Acknowledged those who acknowledged.
	AcknowledgementsRequired, Acknowledged int
	// Addresses names, by clause or control id, the documents with an
	// approved version in force that address it.
	Addresses map[string][]string
}

// PolicyInfo names the approved version of the AI policy in force.
type PolicyInfo struct {
	Ref        string
	Title      string
	Version    int
	ApprovedAt time.Time
}

// system is the actor that reads the organisation's records for the summary and the reminders.
func system(orgID string) *aims.Actor {
	return &aims.Actor{Kind: aims.ActorSystem, OrgID: orgID, Name: "documents"}
}

// Summary sums up the organisation's records.
func (s *Service) Summary(ctx context.Context, orgID string) (*Summary, error) {
	page, err := s.List(ctx, system(orgID), Query{Limit: 200})
	if err != nil {
		return nil, err
	}
	out := &Summary{ReviewsOverdue: []string{}, Addresses: map[string][]string{}}
	for offset := 0; ; {
		for _, d := range page.Items {
			out.Documents++
			if d.Current == nil {
				continue
			}
			out.Approved++
			for _, it := range append(append([]Item{}, d.Clauses...), d.Controls...) {
				out.Addresses[it.ID] = append(out.Addresses[it.ID], d.Ref)
			}
			if d.ReviewState == ReviewOverdue {
				out.ReviewsOverdue = append(out.ReviewsOverdue, d.Ref)
			}
			out.AcknowledgementsRequired += d.Required
			out.Acknowledged += d.Acknowledged
			if d.Kind == "ai_policy" && d.Current.ApprovedAt != nil {
				out.Policy = &PolicyInfo{Ref: d.Ref, Title: d.Title, Version: d.Current.Number, ApprovedAt: *d.Current.ApprovedAt}
			}
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			break
		}
		if page, err = s.List(ctx, system(orgID), Query{Limit: 200, Offset: offset}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Reminders lists what is due in the organisation: the reviews of documents
// due within 30 days or past, for their owners, and, for each person, every
// version in force distributed to them that they have not acknowledged.
// A review's key names its due date and an acknowledgement's the version,
// so that a new date or a new version reminds again.
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	today := s.today()
	rs, err := s.db.QueryContext(ctx, `SELECT id, ref, title, owner_id, current_number, next_review_on FROM documents
		WHERE org_id = ? AND status = 'active' AND current_number > 0 AND next_review_on <> '' AND next_review_on <= ?
		ORDER BY next_review_on, ref`, orgID, soon(today))
	if err != nil {
		return nil, err
	}
	var out []aims.Reminder
	for rs.Next() {
		var id, ref, title, owner, next string
		var number int
		if err := rs.Scan(&id, &ref, &title, &owner, &number, &next); err != nil {
			rs.Close()
			return nil, err
		}
		due, _ := time.Parse(DateLayout, next)
		what := "Review " + ref + " " + title + " by " + next
		if next < today {
			what = "The review of " + ref + " " + title + " is overdue since " + next
		}
		out = append(out, aims.Reminder{Key: "document.review:" + id + ":" + next, Kind: aims.ReminderReviewDue, Ref: ref,
			Title: what, Due: due, Link: "/documents/" + ref, UserIDs: []string{owner}})
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	items, err := s.pending(ctx, orgID, "")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if !distributedTo(it.distribution, it.role) {
			continue
		}
		v := strconv.Itoa(it.Number)
		out = append(out, aims.Reminder{Key: "document.acknowledge:" + it.docID + ":v" + v + ":" + it.userID, Kind: aims.ReminderAcknowledgement,
			Ref: it.DocumentRef, Title: "Read and acknowledge " + it.DocumentRef + " " + it.Title + ", version " + v,
			Due: it.ApprovedAt, Link: "/documents/" + it.DocumentRef + "/versions/" + v, UserIDs: []string{it.userID}})
	}
	return out, nil
}
