package review

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Inputs are what a review considers (9.3.2), compiled from the records:
// one section per required input, and further ones a thorough review expects.
type Inputs struct {
	CompiledAt time.Time `json:"compiled_at"`
	// PeriodFrom is the start of the period covered, YYYY-MM-DD; empty when it covers everything from the start.
	PeriodFrom string    `json:"period_from"`
	Sections   []Section `json:"sections"`
}

// Section is one input: where it comes from, whether the records give it,
// and what they say.
type Section struct {
	Key string `json:"key" doc:"Such as previous_actions, issues, parties, nonconformities, monitoring, audits, improvement, risks."`
	// Clause is the requirement it answers, such as 9.3.2 a); empty for an extra input.
	Clause   string `json:"clause"`
	Title    string `json:"title"`
	Required bool   `json:"required" doc:"Whether 9.3.2 requires this input."`
	Present  bool   `json:"present" doc:"Whether the records give this input."`
	// Missing says why the input is missing; empty when present.
	Missing string `json:"missing"`
	// Facts say in words what the records show.
	Facts []string `json:"facts"`
	// Link is the page where the records are kept.
	Link string `json:"link"`
}

// MissingRequired lists the titles of the required inputs that are missing.
func (in *Inputs) MissingRequired() []string {
	var out []string
	for _, s := range in.Sections {
		if s.Required && !s.Present {
			out = append(out, s.Title)
		}
	}
	return out
}

// state holds the summaries inputs are compiled from.
type state struct {
	since      time.Time
	today      string
	previous   []Action
	contextual *ContextState
	documents  *DocumentState
	people     *PeopleState
	concerns   *ConcernState
	objectives *ObjectiveState
	incidents  *IncidentState
	ncs        *NonconformityState
	audits     *AuditState
	risks      *RiskState
	readiness  *ReadinessState
}

// compile gathers the inputs of review reviewID for the period from since.
func (s *Service) compile(ctx context.Context, actor *aims.Actor, reviewID string, since time.Time) (*Inputs, error) {
	org := actor.OrgID
	st := state{since: since, today: s.today()}
	var err error
	if st.previous, err = s.actions(ctx, s.db, org, `a.review_id <> ? AND r.status = ?`, reviewID, StatusSignedOff); err != nil {
		return nil, err
	}
	by, _, err := s.members(ctx, actor)
	if err != nil {
		return nil, err
	}
	for i := range st.previous {
		st.previous[i].Owner = person(by, st.previous[i].Owner.UserID)
	}
	src := s.sources
	steps := []func() error{
		func() (err error) { st.contextual, err = src.Context(ctx, org, since); return },
		func() (err error) { st.documents, err = src.Documents(ctx, org); return },
		func() (err error) { st.people, err = src.People(ctx, org, since); return },
		func() (err error) { st.concerns, err = src.Concerns(ctx, org, since); return },
		func() (err error) { st.objectives, err = src.Objectives(ctx, org); return },
		func() (err error) { st.incidents, err = src.Incidents(ctx, org, since); return },
		func() (err error) { st.ncs, err = src.Nonconformities(ctx, org, since); return },
		func() (err error) { st.audits, err = src.Audits(ctx, org, since); return },
		func() (err error) { st.risks, err = src.Risks(ctx, org); return },
		func() (err error) { st.readiness, err = src.Readiness(ctx, actor); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("cannot compile the review's inputs: %w", err)
		}
	}
	in := &Inputs{CompiledAt: s.clock().UTC()}
	if !since.IsZero() {
		in.PeriodFrom = since.Format(DateLayout)
	}
	in.Sections = []Section{st.previousActions(), st.issues(), st.parties(), st.nonconformities(), st.monitoring(), st.auditResults(),
		st.improvement(), st.riskRegister(), st.incidentState(), st.concernState(), st.competence(), st.documentation(), st.readinessState()}
	return in, nil
}

// period says in words what the period covered is.
func (st *state) period() string {
	if st.since.IsZero() {
		return "since the start"
	}
	return "since " + st.since.Format(DateLayout)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func refs(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return ": " + strings.Join(list, ", ")
}

func (st *state) previousActions() Section {
	sec := Section{Key: "previous_actions", Clause: "9.3.2 a)", Title: "Status of actions from previous management reviews",
		Required: true, Present: true, Link: "/reviews"}
	if len(st.previous) == 0 {
		sec.Facts = []string{"No earlier signed-off management review has actions to follow up."}
		return sec
	}
	var open, done, overdue int
	for _, a := range st.previous {
		switch {
		case a.Status == ActionDone:
			done++
		case a.Overdue:
			overdue++
			open++
		default:
			open++
		}
	}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s from earlier reviews: %d done, %d open, %d of them overdue.",
		plural(len(st.previous), "action", "actions"), done, open, overdue))
	for _, a := range st.previous {
		line := fmt.Sprintf("%s %s (owner %s, due %s): ", a.Ref, a.Description, a.Owner.Name, a.DueOn)
		switch {
		case a.Status == ActionDone:
			line += "done on " + a.DoneOn
		case a.Overdue:
			line += "open, overdue"
		default:
			line += "open"
		}
		sec.Facts = append(sec.Facts, line+".")
	}
	return sec
}

func (st *state) issues() Section {
	c := st.contextual
	sec := Section{Key: "issues", Clause: "9.3.2 b)", Title: "Changes in external and internal issues", Required: true, Link: "/context"}
	if c.Version == 0 {
		sec.Missing = "No version of the organisation's context (4.1) is approved, so its issues are not known."
		return sec
	}
	sec.Present = true
	sec.Facts = append(sec.Facts, fmt.Sprintf("Context version %d, approved on %s, lists %s and %s.", c.Version,
		c.ApprovedAt.UTC().Format(DateLayout), plural(c.InternalIssues, "internal issue", "internal issues"),
		plural(c.ExternalIssues, "external issue", "external issues")))
	sec.Facts = append(sec.Facts, c.IssueChanges...)
	if len(c.IssueChanges) == 0 {
		sec.Facts = append(sec.Facts, "No approved change to the issues "+st.period()+".")
	}
	return sec
}

func (st *state) parties() Section {
	c := st.contextual
	sec := Section{Key: "parties", Clause: "9.3.2 c)", Title: "Changes in the needs and expectations of interested parties", Required: true, Link: "/context"}
	if c.Version == 0 {
		sec.Missing = "No version of the organisation's context (4.2) is approved, so its interested parties are not known."
		return sec
	}
	sec.Present = true
	sec.Facts = append(sec.Facts, fmt.Sprintf("Context version %d lists %s.", c.Version, plural(c.Parties, "interested party", "interested parties")))
	sec.Facts = append(sec.Facts, c.PartyChanges...)
	if len(c.PartyChanges) == 0 {
		sec.Facts = append(sec.Facts, "No approved change to interested parties "+st.period()+".")
	}
	return sec
}

func (st *state) nonconformities() Section {
	n := st.ncs
	sec := Section{Key: "nonconformities", Clause: "9.3.2 d) 1)", Title: "Nonconformities and corrective actions", Required: true,
		Present: true, Link: "/nonconformities"}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s raised and %d closed %s; %d open now.", plural(n.Raised, "nonconformity", "nonconformities"),
		n.Closed, st.period(), n.Open))
	switch {
	case n.Raised > n.Closed:
		sec.Facts = append(sec.Facts, "Trend: more were raised than closed in the period; the open number grows.")
	case n.Raised < n.Closed:
		sec.Facts = append(sec.Facts, "Trend: more were closed than raised in the period; the open number falls.")
	}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s overdue%s.", plural(len(n.ActionsOverdue), "corrective action is", "corrective actions are"),
		refs(n.ActionsOverdue)))
	return sec
}

func (st *state) monitoring() Section {
	o := st.objectives
	sec := Section{Key: "monitoring", Clause: "9.3.2 d) 2)", Title: "Monitoring and measurement results", Required: true, Link: "/objectives"}
	if o.Objectives == 0 || len(o.Indicators) == 0 {
		sec.Missing = "No active AI objective with indicators (6.2) is recorded, so there are no measurement results."
		return sec
	}
	sec.Present = true
	var on, off, unmeasured, due int
	for _, in := range o.Indicators {
		switch {
		case !in.Measured:
			unmeasured++
		case in.OnTarget:
			on++
		default:
			off++
		}
		if in.Due {
			due++
		}
	}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s with %s: %d on target, %d off target, %d not measured yet; %d due for measurement.",
		plural(o.Objectives, "objective", "objectives"), plural(len(o.Indicators), "indicator", "indicators"), on, off, unmeasured, due))
	for _, in := range o.Indicators {
		line := fmt.Sprintf("%s %s, %s (target %s): ", in.ObjectiveRef, in.Objective, in.Name, in.Target)
		switch {
		case !in.Measured:
			line += "not measured"
		case in.OnTarget:
			line += fmt.Sprintf("%g on %s, on target", in.Latest, in.MeasuredOn)
		default:
			line += fmt.Sprintf("%g on %s, off target", in.Latest, in.MeasuredOn)
		}
		sec.Facts = append(sec.Facts, line+".")
	}
	return sec
}

// findingKinds are the results of audit findings, in the order they are shown.
var findingKinds = []string{"major", "minor", "observation", "opportunity"}

func (st *state) auditResults() Section {
	a := st.audits
	sec := Section{Key: "audits", Clause: "9.3.2 d) 3)", Title: "Audit results", Required: true, Link: "/internal-audits"}
	if a.Completed == 0 && a.LastReportedOn == "" {
		sec.Missing = "No internal audit (9.2) has been reported yet."
		if !a.Programme {
			sec.Missing += " No audit programme is recorded either."
		}
		return sec
	}
	sec.Present = true
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s reported %s (latest report on %s); %d planned.",
		plural(a.Completed, "audit", "audits"), st.period(), a.LastReportedOn, a.Planned))
	var parts []string
	for _, k := range findingKinds {
		parts = append(parts, fmt.Sprintf("%d %s", a.Findings[k], k))
	}
	sec.Facts = append(sec.Facts, "Findings: "+strings.Join(parts, ", ")+".")
	if len(a.Overdue) > 0 {
		sec.Facts = append(sec.Facts, fmt.Sprintf("%s past the planned date without a report%s.", plural(len(a.Overdue), "audit is", "audits are"), refs(a.Overdue)))
	}
	return sec
}

func (st *state) improvement() Section {
	sec := Section{Key: "improvement", Clause: "9.3.2 e)", Title: "Opportunities for continual improvement", Required: true, Present: true}
	sec.Facts = append(sec.Facts,
		fmt.Sprintf("%s raised by internal audits %s.", plural(st.audits.Findings["opportunity"], "opportunity for improvement", "opportunities for improvement"), st.period()),
		fmt.Sprintf("%s not answered yet.", plural(st.concerns.Open, "reported concern is", "reported concerns are")),
		fmt.Sprintf("%s open, %d of them serious.", plural(st.incidents.Open, "incident is", "incidents are"), st.incidents.Serious))
	if st.readiness != nil && st.readiness.Gaps+st.readiness.Partial > 0 {
		sec.Facts = append(sec.Facts, fmt.Sprintf("Certification readiness shows %d gaps and %d partly met requirements.", st.readiness.Gaps, st.readiness.Partial))
	}
	return sec
}

func (st *state) riskRegister() Section {
	r := st.risks
	sec := Section{Key: "risks", Title: "Risk register and treatment", Link: "/risks"}
	if r.CriteriaVersion == 0 {
		sec.Missing = "No risk criteria (6.1.2) are set, so risks cannot be assessed against an appetite."
	} else {
		sec.Present = true
	}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s not closed: %d assessed, %d with a treatment chosen.", plural(r.Open, "risk", "risks"), r.Assessed, r.Treated),
		fmt.Sprintf("%d above the appetite without treatment or acceptance; %d due for review; %d treatment actions overdue.",
			r.AboveAppetiteUntreated, r.OverdueReviews, r.OverdueActions))
	if r.LatestAssessment != "" {
		sec.Facts = append(sec.Facts, fmt.Sprintf("Latest risk assessment: %s, closed on %s.", r.LatestAssessment, r.LatestAssessmentClosedAt.UTC().Format(DateLayout)))
	}
	return sec
}

func (st *state) incidentState() Section {
	in := st.incidents
	sec := Section{Key: "incidents", Title: "Incidents", Present: true, Link: "/incidents"}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s raised %s; %d open, %d of them serious.", plural(in.Raised, "incident", "incidents"), st.period(), in.Open, in.Serious))
	if len(in.NotificationsOverdue) > 0 {
		sec.Facts = append(sec.Facts, "Notifications past their deadline"+refs(in.NotificationsOverdue)+".")
	}
	return sec
}

func (st *state) concernState() Section {
	c := st.concerns
	sec := Section{Key: "concerns", Title: "Reported concerns", Present: true, Link: "/concerns"}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s reported and %d answered %s; %d open.", plural(c.Reported, "concern", "concerns"), c.Answered, st.period(), c.Open))
	if !c.OldestOpen.IsZero() {
		sec.Facts = append(sec.Facts, "The oldest open concern was reported on "+c.OldestOpen.UTC().Format(DateLayout)+".")
	}
	return sec
}

func (st *state) competence() Section {
	p := st.people
	sec := Section{Key: "competence", Title: "Roles, competence and training", Link: "/people"}
	if p.Roles == 0 {
		sec.Missing = "No AIMS roles (5.3) are defined."
		return sec
	}
	sec.Present = true
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s defined, held by %s; %s.", plural(p.Roles, "AIMS role", "AIMS roles"), plural(p.People, "person", "people"),
		plural(p.Gaps, "competence gap", "competence gaps")),
		fmt.Sprintf("%s completed %s.", plural(p.TrainingSince, "training record", "training records"), st.period()))
	if len(p.Unassigned) > 0 {
		sec.Facts = append(sec.Facts, "Roles nobody holds: "+strings.Join(p.Unassigned, ", ")+".")
	}
	return sec
}

func (st *state) documentation() Section {
	d := st.documents
	sec := Section{Key: "documents", Title: "AI policy and documented information", Link: "/documents"}
	if d.PolicyRef == "" {
		sec.Missing = "No approved AI policy (5.2) is in force."
	} else {
		sec.Present = true
		sec.Facts = append(sec.Facts, fmt.Sprintf("AI policy %s version %d, approved on %s.", d.PolicyRef, d.PolicyVersion, d.PolicyApprovedAt.UTC().Format(DateLayout)))
	}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%s in force, %d with an approved version; %d acknowledgements of %d.",
		plural(d.Documents, "document", "documents"), d.Approved, d.Acknowledged, d.AcknowledgementsRequired))
	if len(d.ReviewsOverdue) > 0 {
		overdue := append([]string(nil), d.ReviewsOverdue...)
		sort.Strings(overdue)
		sec.Facts = append(sec.Facts, "Documents past their review date"+refs(overdue)+".")
	}
	return sec
}

func (st *state) readinessState() Section {
	r := st.readiness
	sec := Section{Key: "readiness", Title: "Certification readiness", Present: true, Link: "/readiness"}
	sec.Facts = append(sec.Facts, fmt.Sprintf("%.0f %% of requirements met: %d met, %d partly met, %d gaps.", r.Score*100, r.Met, r.Partial, r.Gaps))
	return sec
}
