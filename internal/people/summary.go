package people

import (
	"context"
	"strconv"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Summary sums up roles and competence for readiness and management review.
type Summary struct {
	// Roles counts the AIMS roles defined; Unassigned names those nobody holds.
	Roles      int
	Unassigned []string
	// People counts the members who hold at least one AIMS role.
	People int
	// Gaps counts the competences that people holding a role lack.
	Gaps int
	// TrainingSince counts the training records completed since the time asked.
	TrainingSince int
	// ReportsToTopManagement says whether an active role that someone holds reports the AIMS's performance to top management (5.3 b).
	ReportsToTopManagement bool
}

// Summary sums up the organisation's records; counts named "since" count from since (the zero time counts all).
// Only active roles and competences count; a training record counts for
// TrainingSince when it was completed on or after since's day (UTC) and
// was neither withdrawn nor replaced.
func (s *Service) Summary(ctx context.Context, orgID string, since time.Time) (*Summary, error) {
	st, err := s.load(ctx, orgID)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Roles: len(st.roles), Unassigned: []string{}}
	for _, r := range st.roles {
		if len(r.Members) == 0 {
			sum.Unassigned = append(sum.Unassigned, r.Name)
		} else if r.ReportsToTopManagement {
			sum.ReportsToTopManagement = true
		}
	}
	people, _ := st.holders()
	sum.People = len(people)
	sum.Gaps = st.matrix().Gaps
	day := ""
	if !since.IsZero() {
		day = since.UTC().Format(DateLayout)
	}
	for _, recs := range st.records {
		for _, r := range recs {
			if (r.State == RecordCurrent || r.State == RecordExpired) && r.CompletedOn >= day {
				sum.TrainingSince++
			}
		}
	}
	return sum, nil
}

// ExpiryNotice is how many days ahead a training record's expiry is reminded of.
const ExpiryNotice = 30

// Reminders lists what is due in the organisation: training that a person
// needs for a role they hold and that expires within ExpiryNotice days or
// has expired (to that person), and active AIMS roles nobody holds (to the
// owners and managers).
func (s *Service) Reminders(ctx context.Context, orgID string) ([]aims.Reminder, error) {
	st, err := s.load(ctx, orgID)
	if err != nil {
		return nil, err
	}
	today, err := time.Parse(DateLayout, st.today)
	if err != nil {
		return nil, err
	}
	horizon := today.AddDate(0, 0, ExpiryNotice).Format(DateLayout)
	out := []aims.Reminder{}
	people, rolesOf := st.holders()
	for _, p := range people {
		req, _ := st.required(rolesOf[p.UserID])
		seen := map[string]bool{}
		for _, c := range req {
			sd := st.standing(p.UserID, c)
			if sd.Record == "" || sd.Until == "" || sd.Until > horizon || seen[sd.Record] {
				continue
			}
			seen[sd.Record] = true
			r := st.record(p.UserID, sd.Record)
			verb, kind := "expires on ", "expiring"
			if sd.State == Expired {
				verb, kind = "expired on ", "expired"
			}
			due, err := time.Parse(DateLayout, sd.Until)
			if err != nil {
				return nil, err
			}
			out = append(out, aims.Reminder{Key: "training_" + kind + ":" + r.ID + ":" + r.ExpiresOn, Kind: aims.ReminderReviewDue, Ref: r.Ref,
				Title: "Training " + r.Ref + " (" + r.Title() + ") of " + p.Name + " " + verb + r.ExpiresOn, Due: due,
				Link: "/people/training/" + r.Ref, UserIDs: []string{p.UserID}})
		}
	}
	for _, r := range st.roles {
		if len(r.Members) > 0 {
			continue
		}
		out = append(out, aims.Reminder{Key: "aims_role_unassigned:" + r.ID + ":" + strconv.Itoa(r.Version), Kind: aims.ReminderReviewDue, Ref: r.Ref,
			Title: "Nobody holds the AIMS role " + r.Ref + " " + r.Name, Due: r.UpdatedAt.UTC(), Link: "/people/roles/" + r.Ref})
	}
	return out, nil
}

// record finds a person's record by reference.
func (st *standings) record(userID, ref string) TrainingRecord {
	for _, r := range st.records[userID] {
		if r.Ref == ref {
			return r
		}
	}
	return TrainingRecord{Ref: ref}
}
