package people

import (
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Activities other than a course that give people competences.
var Activities = []string{"education", "experience", "other"}

// States of a training record on a day.
const (
	RecordCurrent   = "current"   // it counts: not withdrawn nor replaced, and not expired
	RecordExpired   = "expired"   // its expiry day has come
	RecordReplaced  = "replaced"  // a later record corrects it
	RecordWithdrawn = "withdrawn" // it was withdrawn with a reason
)

// TrainingRecord is what a person completed: a course, or education,
// experience or another activity, with the competences it confers, when it
// was completed and expires, and the evidence of it. It never changes once
// recorded; it is corrected by a new record that replaces it, or withdrawn
// with a reason.
type TrainingRecord struct {
	ID     string    `json:"id"`
	Ref    string    `json:"ref" doc:"Short reference such as TR-4."`
	Person PersonRef `json:"person"`
	// Course is the course completed; nil for another activity.
	Course *Named `json:"course,omitempty" doc:"The course completed; absent for education, experience or another activity."`
	// Activity and ActivityTitle describe what was done when it was not a course.
	Activity      string        `json:"activity" enum:",education,experience,other" doc:"education, experience or other when it was not a course; empty for a course."`
	ActivityTitle string        `json:"activity_title" doc:"What the activity was, such as MSc Statistics or Three years of credit model validation."`
	Competences   []Named       `json:"competences" doc:"The competences it confers, as recorded (a course's as they were that day)."`
	CompletedOn   string        `json:"completed_on" doc:"The day it was completed, YYYY-MM-DD."`
	ExpiresOn     string        `json:"expires_on" doc:"The first day it no longer counts, YYYY-MM-DD; empty when it does not expire."`
	Evidence      []EvidenceRef `json:"evidence" doc:"The evidence of it, such as a certificate."`
	Notes         string        `json:"notes"`
	// Replaces and ReplacedBy are the references of the record this corrects and of the one correcting it.
	Replaces   string      `json:"replaces" doc:"The record this one corrects, such as TR-2; empty when none."`
	ReplacedBy string      `json:"replaced_by" doc:"The record that corrects this one; empty when none."`
	Withdrawal *Withdrawal `json:"withdrawal,omitempty" doc:"Why and when the record was withdrawn; absent when it was not."`
	State      string      `json:"state" enum:"current,expired,replaced,withdrawn" doc:"Computed today (UTC)."`
	RecordedBy string      `json:"recorded_by" doc:"User id of the member who recorded it."`
	CreatedAt  time.Time   `json:"created_at"`
}

// EvidenceRef names a piece of evidence.
type EvidenceRef struct {
	ID    string `json:"id"`
	Ref   string `json:"ref" doc:"Such as EV-3."`
	Title string `json:"title,omitempty" doc:"The evidence's title, when read one record at a time."`
}

// Withdrawal says why and when a record was withdrawn, and by whom.
type Withdrawal struct {
	Reason string    `json:"reason"`
	By     string    `json:"by" doc:"User id of the member who withdrew it."`
	At     time.Time `json:"at"`
}

// Title names what the record is for: the course's title or the activity's.
func (r *TrainingRecord) Title() string {
	if r.Course != nil {
		return r.Course.Name
	}
	return r.ActivityTitle
}

// RecordRequest records training a person completed. Give a course, or an
// activity with its title and the competences it confers.
type RecordRequest struct {
	Person        string   `json:"person,omitempty" doc:"The member who completed it, by user id or email; required unless the record corrects another, whose person it then takes."`
	Course        string   `json:"course,omitempty" doc:"The course, by reference (CRS-1) or id; its competences and validity apply."`
	Activity      string   `json:"activity,omitempty" enum:",education,experience,other" doc:"Instead of a course: education, experience or other."`
	ActivityTitle string   `json:"activity_title,omitempty" maxLength:"200" doc:"What the activity was; required with an activity."`
	Competences   []string `json:"competences,omitempty" maxItems:"50" doc:"With an activity: the competences it confers, by reference, id or name. Not given with a course, whose own apply."`
	CompletedOn   string   `json:"completed_on,omitempty" doc:"The day it was completed, YYYY-MM-DD; today when left out. Not in the future."`
	ExpiresOn     string   `json:"expires_on,omitempty" doc:"The first day it no longer counts, YYYY-MM-DD. Computed from a course's validity, and given only when the course (or activity) has none."`
	Evidence      []string `json:"evidence,omitempty" maxItems:"20" doc:"Evidence of it, by reference (EV-3) or id."`
	Notes         string   `json:"notes,omitempty" maxLength:"10000"`
	Replaces      string   `json:"replaces,omitempty" doc:"The record this one corrects (TR-2): it stops counting, and its history shows the correction."`
}

// WithdrawRequest withdraws a record that should not have been made.
type WithdrawRequest struct {
	Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"Why the record is withdrawn."`
}

// RecordQuery filters the training records.
type RecordQuery struct {
	Person     string `query:"person" doc:"Only this member's records (user id or email)."`
	Course     string `query:"course" doc:"Only completions of this course (reference or id)."`
	Competence string `query:"competence" doc:"Only records conferring this competence (reference or id)."`
	State      string `query:"state" enum:"current,expired,replaced,withdrawn,all" default:"all" doc:"Only records in this state today."`
	Limit      int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Offset     int    `query:"offset" minimum:"0"`
}

// RecordPage is one page of training records, the latest completed first, and the total number of matches.
type RecordPage struct {
	Items  []TrainingRecord `json:"items"`
	Total  int              `json:"total"`
	Limit  int              `json:"limit"`
	Offset int              `json:"offset"`
}

// Normalise fills defaults and checks the query, naming any bad parameter.
func (q *RecordQuery) Normalise() error {
	var p aims.Problems
	if q.State == "" {
		q.State = "all"
	}
	switch q.State {
	case RecordCurrent, RecordExpired, RecordReplaced, RecordWithdrawn, "all":
	default:
		p.Add("state", "must be current, expired, replaced, withdrawn or all")
	}
	checkPage(&p, &q.Limit, q.Offset)
	return p.Err()
}

// state works out a record's state on the day today (YYYY-MM-DD): it
// counts until the day before ExpiresOn and no longer on that day.
func (r *TrainingRecord) state(today string) string {
	switch {
	case r.Withdrawal != nil:
		return RecordWithdrawn
	case r.ReplacedBy != "":
		return RecordReplaced
	case r.ExpiresOn != "" && r.ExpiresOn <= today:
		return RecordExpired
	}
	return RecordCurrent
}

type auditRecord struct {
	Ref           string   `json:"ref"`
	Person        string   `json:"person"`
	Course        string   `json:"course"`
	Activity      string   `json:"activity"`
	ActivityTitle string   `json:"activity_title"`
	Competences   []string `json:"competences"`
	CompletedOn   string   `json:"completed_on"`
	ExpiresOn     string   `json:"expires_on"`
	Evidence      []string `json:"evidence"`
	Notes         string   `json:"notes"`
	Replaces      string   `json:"replaces"`
}

func (r *TrainingRecord) audit() auditRecord {
	a := auditRecord{Ref: r.Ref, Person: r.Person.Email, Activity: r.Activity, ActivityTitle: r.ActivityTitle,
		Competences: refsOf(r.Competences), CompletedOn: r.CompletedOn, ExpiresOn: r.ExpiresOn, Evidence: []string{},
		Notes: r.Notes, Replaces: r.Replaces}
	if r.Course != nil {
		a.Course = r.Course.Ref
	}
	for _, e := range r.Evidence {
		a.Evidence = append(a.Evidence, e.Ref)
	}
	return a
}
