package aims

import "time"

// Kinds of reminder.
const (
	ReminderReviewDue        = "review_due"              // a document, context, assessment or objective is due for review or measurement
	ReminderEvidenceExpiring = "evidence_expiring"       // a piece of evidence stops being valid soon
	ReminderActionOverdue    = "action_overdue"          // a corrective, review or treatment action is past its due date
	ReminderAcknowledgement  = "acknowledgement_pending" // a person has not acknowledged a document distributed to them
	ReminderIncidentDeadline = "incident_deadline"       // a notification deadline of an incident is near or past
	ReminderMonitorAlert     = "monitor_alert"           // a monitor found a metric beyond its threshold
)

// Reminder is something due that people should hear of. Every capability
// that has due dates lists its reminders; the notification centre sends
// each once.
type Reminder struct {
	// Key names the reminder so that it is sent once: the same thing due on
	// the same date for the same reason has the same key.
	Key string `json:"key"`
	// Kind is one of the Reminder* kinds.
	Kind string `json:"kind"`
	// Ref is the record's reference, such as DOC-3.
	Ref string `json:"ref"`
	// Title says in one line what is due.
	Title string `json:"title"`
	// Due is when it is or was due.
	Due time.Time `json:"due"`
	// Link is the path of the record's page, such as /documents/DOC-3.
	Link string `json:"link"`
	// UserIDs are the people to tell; when empty, the organisation's owners and managers.
	UserIDs []string `json:"user_ids"`
}
