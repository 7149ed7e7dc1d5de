package document

import "time"

// VersionInfo is a version of a document without its text.
type VersionInfo struct {
	Number     int    `json:"number" doc:"1, 2 … within the document."`
	Status     string `json:"status" enum:"draft,approved" doc:"draft: being written and changeable; approved: frozen for good."`
	InForce    bool   `json:"in_force" doc:"Whether this is the approved version in force."`
	TextSHA256 string `json:"text_sha256" doc:"SHA-256 of the Markdown text, in hex; the audit log records it at approval."`
	Characters int    `json:"characters" doc:"Length of the text, in characters."`
	ChangeNote string `json:"change_note" doc:"What changed in this version, and why."`
	AuthorID   string `json:"author_id" doc:"Who started the version."`
	AuthorName string `json:"author_name"`
	// UpdatedBy is who last changed the draft.
	UpdatedBy     string `json:"updated_by"`
	UpdatedByName string `json:"updated_by_name"`
	// Revision counts the changes of a draft; send it back when changing or approving it.
	Revision       int        `json:"revision" doc:"Increases with every change of the draft; send it back when changing or approving it."`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ApprovedBy     string     `json:"approved_by" doc:"User id of the approver; empty for a draft."`
	ApprovedByName string     `json:"approved_by_name"`
	ApprovedAt     *time.Time `json:"approved_at"`
	ApprovalNote   string     `json:"approval_note"`
}

// Version is a version of a document with its Markdown text.
type Version struct {
	DocumentRef   string `json:"document_ref"`
	DocumentTitle string `json:"document_title"`
	VersionInfo
	Text string `json:"text" doc:"The Markdown text."`
}

// DraftRequest starts a new draft of a document.
type DraftRequest struct {
	Text       *string `json:"text,omitempty" doc:"The draft's Markdown text; when left out, the text of the version in force, to be changed."`
	ChangeNote string  `json:"change_note,omitempty" maxLength:"2000" doc:"What this version changes, and why."`
}

// DraftUpdate changes the draft's text or change note, if the draft has
// not changed since the revision it is based on.
type DraftUpdate struct {
	Revision   int     `json:"revision" minimum:"1" doc:"The draft's revision this change is based on."`
	Text       *string `json:"text,omitempty" doc:"The whole new Markdown text."`
	ChangeNote *string `json:"change_note,omitempty" maxLength:"2000"`
}

// ApproveRequest approves a draft as it stands at a revision.
type ApproveRequest struct {
	Number   int    `json:"number" minimum:"1" doc:"The draft's number."`
	Revision int    `json:"revision" minimum:"1" doc:"The draft's revision that was read; if it changed since, the approval is refused."`
	Note     string `json:"note,omitempty" maxLength:"2000" doc:"A note on the approval, such as the board decision it follows."`
}

// ReviewRequest records that the version in force was reviewed and needs no change.
type ReviewRequest struct {
	Note string `json:"note,omitempty" maxLength:"2000" doc:"What was reviewed and why nothing changes."`
}

// ArchiveRequest withdraws a document.
type ArchiveRequest struct {
	Reason string `json:"reason,omitempty" maxLength:"2000" doc:"Why it is withdrawn, such as what replaces it."`
}

// AcknowledgeRequest acknowledges having read and understood a version.
type AcknowledgeRequest struct {
	Number int `json:"number" minimum:"1" doc:"The version that was read; it must be the version in force."`
}

// Review is an approval or a review without change that kept a document current (A.2.4).
type Review struct {
	Number       int       `json:"number" doc:"The version that was approved or reviewed."`
	Outcome      string    `json:"outcome" enum:"approved,no_change" doc:"approved: a new version was approved; no_change: the version in force was reviewed and kept."`
	ReviewedOn   string    `json:"reviewed_on"`
	ReviewedBy   string    `json:"reviewed_by"`
	ReviewerName string    `json:"reviewer_name"`
	Note         string    `json:"note"`
	NextReviewOn string    `json:"next_review_on"`
	CreatedAt    time.Time `json:"created_at"`
}

// Outcomes of reviews.
const (
	OutcomeApproved = "approved"
	OutcomeNoChange = "no_change"
)
