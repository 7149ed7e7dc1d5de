package impact

import "time"

// Choice is one option of a choice question.
type Choice struct {
	Value string `json:"value" doc:"Stable value stored as the answer: lower-case letters, digits, _ and -."`
	Label string `json:"label" doc:"The option as people read it."`
}

// Question is one question of a template.
type Question struct {
	ID       string   `json:"id" doc:"Stable id, unique in the template: lower-case letters, digits, _ and -; answers are kept under it."`
	Ref      string   `json:"ref,omitempty" doc:"The clause or article the question answers, such as 6.3.5 or Art. 27(1)(b)."`
	Text     string   `json:"text" doc:"The question, at most 1000 characters."`
	Help     string   `json:"help,omitempty" doc:"Guidance for whoever answers, at most 2000 characters."`
	Type     string   `json:"type" enum:"text,choice,scale,impacts" doc:"text, choice (one of options), scale (a point of scale, 1..N) or impacts (the list of impacts; at most one per template)."`
	Required bool     `json:"required" required:"false" doc:"Whether the question must be answered before the assessment is submitted; for impacts, at least one impact."`
	Options  []Choice `json:"options,omitempty" doc:"For choice questions: 2 to 30 options."`
	Scale    []string `json:"scale,omitempty" doc:"For scale questions: the labels of points 1..N, lowest first; 2 to 10 points."`
}

// Section groups the questions of a template.
type Section struct {
	ID        string     `json:"id" doc:"Stable id, unique in the template: lower-case letters, digits, _ and -."`
	Ref       string     `json:"ref,omitempty" doc:"The clause or article the section covers, such as 6.8 or Art. 27(1)(d)."`
	Title     string     `json:"title" doc:"At most 200 characters."`
	Help      string     `json:"help,omitempty" doc:"Guidance for the section, at most 2000 characters."`
	Questions []Question `json:"questions" doc:"1 to 50 questions."`
}

// Template is a questionnaire for impact assessments, as of one version:
// one of the built-in templates, or one of the organisation's own.
type Template struct {
	Key         string    `json:"key" doc:"iso-42005 or eu-fria for the built-in templates; IAT-3 for one of the organisation's own."`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	BuiltIn     bool      `json:"built_in"`
	Status      string    `json:"status" enum:"active,archived"`
	Version     int       `json:"version" doc:"The version shown; for an own template's latest version, send it back when saving."`
	Latest      int       `json:"latest" doc:"The number of the template's latest version."`
	BasedOn     string    `json:"based_on,omitempty" doc:"For an own template, the template and version it was copied from, such as eu-fria v1."`
	Sections    []Section `json:"sections"`
	// Versions lists every version, newest first; filled in by Template.
	Versions []TemplateVersion `json:"versions,omitempty"`
}

// TemplateVersion describes one saved version of a template.
type TemplateVersion struct {
	Number        int        `json:"number"`
	Name          string     `json:"name"`
	Questions     int        `json:"questions"`
	CreatedAt     *time.Time `json:"created_at,omitempty" doc:"When it was saved; absent for built-in versions, which ship with aims."`
	CreatedByName string     `json:"created_by_name,omitempty"`
}

// TemplateSummary describes a template in a list.
type TemplateSummary struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description"`
	BuiltIn     bool   `json:"built_in"`
	Status      string `json:"status" enum:"active,archived"`
	Version     int    `json:"version" doc:"The latest version."`
	BasedOn     string `json:"based_on,omitempty"`
	Sections    int    `json:"sections"`
	Questions   int    `json:"questions"`
}

// TemplateRef names the template version an assessment answers.
type TemplateRef struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Name    string `json:"name"`
}

// RiskRef names a risk of the register linked to an impact.
type RiskRef struct {
	ID    string `json:"id"`
	Ref   string `json:"ref" doc:"Short reference such as RISK-3."`
	Title string `json:"title"`
}

// Impact is one way an AI system may affect people: who, what harm, how
// severe, likely, reversible and widespread, and what is done about it.
type Impact struct {
	ID            string    `json:"id"`
	Number        int       `json:"number" doc:"The impact's number in its assessment, #1, #2 …; never reused."`
	Group         string    `json:"group" doc:"Who is affected: a person, group or category of persons."`
	Harm          string    `json:"harm" doc:"What harm may come to them."`
	Severity      string    `json:"severity" enum:"low,medium,high,critical"`
	Likelihood    string    `json:"likelihood" enum:"rare,unlikely,possible,likely,almost_certain"`
	Reversibility string    `json:"reversibility" enum:"reversible,partly_reversible,irreversible"`
	Scale         string    `json:"scale" enum:"individual,group,society"`
	Mitigation    string    `json:"mitigation" doc:"What is done, or will be done, to prevent or lessen the harm."`
	Version       int       `json:"version" doc:"Increases with every change; send it back when changing or removing the impact."`
	Risks         []RiskRef `json:"risks" doc:"The risks of the register this impact raises (ISO/IEC 42001 6.1.4 into 6.1.2)."`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Summary words an impact in one line: "#2 Job applicants: unfair rejection".
func (i *Impact) Summary() string { return "#" + itoa(i.Number) + " " + i.Group + ": " + i.Harm }

// Review is the latest submission or return of an assessment.
type Review struct {
	Action string    `json:"action" enum:"submit,return" doc:"submit when an editor submitted it for review; return when an approver sent it back."`
	Note   string    `json:"note"`
	By     string    `json:"by" doc:"User id, or for administrative commands the name, of who did it."`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
}

// DueReason says why an approved assessment is due for review.
type DueReason struct {
	Kind  string     `json:"kind" enum:"review_date,system_change" doc:"review_date when the next review date has come; system_change when the AI system changed after the latest approval."`
	Field string     `json:"field,omitempty" doc:"For a system change: intended_purpose or eu_ai_act_class; significant_change when a significant change of the system was approved."`
	Text  string     `json:"text" doc:"The reason in words."`
	At    *time.Time `json:"at,omitempty" doc:"For a system change: when it was recorded."`
}

// Assessment is an impact assessment of an AI system.
type Assessment struct {
	ID         string `json:"id"`
	Ref        string `json:"ref" doc:"Short reference such as IA-3."`
	SystemID   string `json:"system_id"`
	SystemRef  string `json:"system_ref"`
	SystemName string `json:"system_name"`
	// ModelVersion is the key of the model version assessed, if one is named.
	ModelVersion string      `json:"model_version,omitempty" doc:"The model version assessed, such as MDL-1@1.4.0; absent when none is named."`
	Template     TemplateRef `json:"template" doc:"The template version the assessment was started from; it keeps it."`
	Title        string      `json:"title"`
	Status       string      `json:"status" enum:"draft,in_review,approved"`
	// Answers are by question id: a text, a choice's value, or a scale point as a number such as "3".
	Answers          map[string]string `json:"answers" doc:"Answers by question id: the text, the chosen option's value, or the scale point as digits such as \"3\"."`
	Sections         []Section         `json:"sections" doc:"The questions of the template version, by section."`
	Missing          []string          `json:"missing" doc:"Required questions still unanswered (for impacts: without an impact), by id; submission waits for them."`
	Impacts          []Impact          `json:"impacts"`
	ResidualConcerns string            `json:"residual_concerns" doc:"What remains of concern after the mitigations, for the approver to weigh."`
	Version          int               `json:"version" doc:"Increases with every change to the title, answers, residual concerns or status; send it back when changing them."`
	LatestVersion    int               `json:"latest_version" doc:"Number of the latest approved version; 0 when none."`
	ApprovedAt       *time.Time        `json:"approved_at,omitempty" doc:"When the latest version was approved."`
	NextReviewDate   string            `json:"next_review_date" doc:"YYYY-MM-DD set at the latest approval; empty before the first."`
	Review           *Review           `json:"review,omitempty" doc:"The latest submission or return, with its note."`
	Due              bool              `json:"due" doc:"True when the latest approved version is due for review."`
	DueReasons       []DueReason       `json:"due_reasons"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// Question finds a question of the assessment's template by id.
func (a *Assessment) Question(id string) (*Question, bool) { return findQuestion(a.Sections, id) }

// Impact finds an impact by id or number.
func (a *Assessment) Impact(key string) (*Impact, bool) {
	for i := range a.Impacts {
		if a.Impacts[i].ID == key || itoa(a.Impacts[i].Number) == key || "#"+itoa(a.Impacts[i].Number) == key {
			return &a.Impacts[i], true
		}
	}
	return nil, false
}

// Summary describes an assessment in a list.
type Summary struct {
	ID             string      `json:"id"`
	Ref            string      `json:"ref"`
	Title          string      `json:"title"`
	SystemID       string      `json:"system_id"`
	SystemRef      string      `json:"system_ref"`
	SystemName     string      `json:"system_name"`
	Template       TemplateRef `json:"template"`
	Status         string      `json:"status" enum:"draft,in_review,approved"`
	Impacts        int         `json:"impacts"`
	LatestVersion  int         `json:"latest_version"`
	ApprovedAt     *time.Time  `json:"approved_at,omitempty"`
	NextReviewDate string      `json:"next_review_date"`
	Due            bool        `json:"due"`
	DueReasons     []DueReason `json:"due_reasons"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// Page is one page of assessments and the total number of matches.
type Page struct {
	Items  []Summary `json:"items"`
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

// Checkpoint is the audit checkpoint signed at an approval: it covers the
// approval's own audit event.
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size" doc:"Number of audit log entries covered; the approval event is the last of them."`
	Root   []byte `json:"root" doc:"Merkle root hash of the audit log at that size, base64."`
	Note   string `json:"note" doc:"The signed checkpoint as a C2SP signed note."`
}

// Version is an approved, frozen version of an assessment, or its working
// content prepared the same way for an export (Draft set, Number 0).
type Version struct {
	AssessmentRef    string            `json:"assessment_ref"`
	Number           int               `json:"number"`
	Draft            bool              `json:"draft,omitempty" doc:"True only for exports of the working content, which is not approved."`
	Organisation     string            `json:"organisation"`
	Title            string            `json:"title"`
	SystemID         string            `json:"system_id"`
	SystemRef        string            `json:"system_ref"`
	SystemName       string            `json:"system_name"`
	ModelVersion     string            `json:"model_version,omitempty" doc:"The model version assessed, such as MDL-1@1.4.0; absent when none is named."`
	Template         TemplateRef       `json:"template"`
	Sections         []Section         `json:"sections"`
	Answers          map[string]string `json:"answers"`
	Impacts          []Impact          `json:"impacts" doc:"The impacts as they were at approval, with the risks linked then."`
	ResidualConcerns string            `json:"residual_concerns"`
	Note             string            `json:"note" doc:"The approver's note."`
	NextReviewDate   string            `json:"next_review_date"`
	ApprovedBy       string            `json:"approved_by" doc:"User id of the approver."`
	ApprovedByName   string            `json:"approved_by_name"`
	ApprovedAt       time.Time         `json:"approved_at"`
	Checkpoint       *Checkpoint       `json:"checkpoint,omitempty"`
}

// Label names the version for people: "version 3", or "DRAFT".
func (v *Version) Label() string {
	if v.Draft {
		return "DRAFT"
	}
	return "version " + itoa(v.Number)
}

// VersionSummary describes an approved version in a list.
type VersionSummary struct {
	Number         int       `json:"number"`
	Note           string    `json:"note"`
	NextReviewDate string    `json:"next_review_date"`
	ApprovedBy     string    `json:"approved_by"`
	ApprovedByName string    `json:"approved_by_name"`
	ApprovedAt     time.Time `json:"approved_at"`
	CheckpointSize int64     `json:"checkpoint_size"`
}

// DueItem is an approved assessment due for review, for the dashboard.
type DueItem struct {
	AssessmentID   string      `json:"assessment_id"`
	AssessmentRef  string      `json:"assessment_ref"`
	Title          string      `json:"title"`
	SystemID       string      `json:"system_id"`
	SystemRef      string      `json:"system_ref"`
	SystemName     string      `json:"system_name"`
	Status         string      `json:"status"`
	LatestVersion  int         `json:"latest_version"`
	ApprovedAt     time.Time   `json:"approved_at"`
	NextReviewDate string      `json:"next_review_date"`
	Reasons        []DueReason `json:"reasons"`
}

// Approval names an approved version of an assessment.
type Approval struct {
	AssessmentRef  string    `json:"assessment_ref"`
	Number         int       `json:"number"`
	ApprovedAt     time.Time `json:"approved_at"`
	NextReviewDate string    `json:"next_review_date"`
}

// SystemSnapshot is what readiness reads of one AI system's impact assessments.
type SystemSnapshot struct {
	SystemID string `json:"system_id"`
	// Latest is the most recently approved version among the system's
	// assessments; nil when none has been approved.
	Latest *Approval `json:"latest"`
	// Due reports whether any approved assessment of the system is due for
	// review; Reasons say why, each starting with the assessment's reference.
	Due     bool        `json:"due"`
	Reasons []DueReason `json:"reasons"`
	// OpenDrafts counts the system's assessments in draft or in review.
	OpenDrafts int `json:"open_drafts"`
}
