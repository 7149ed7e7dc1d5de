// Package readiness answers "how ready are we for the certification
// audit?" from records rather than from opinion: a status for every
// sub-clause and control with the reasons behind it, one overall figure,
// the gaps with links to close them, a daily trend, and how far the
// controls in place cover other frameworks.
package readiness

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// State is how far a requirement is met, as the records show.
type State string

// The states, from best to worst; NotMeasurable means aims does not yet
// hold the records that would show it, so it is never counted as met.
const (
	Met           State = "met"
	Partial       State = "partial"
	Gap           State = "gap"
	NotMeasurable State = "not_measurable"
)

// points is what each state adds to the overall figure.
var points = map[State]float64{Met: 1, Partial: 0.5}

// Requirement is the readiness of one sub-clause or control.
type Requirement struct {
	ID    string `json:"id"`
	Kind  string `json:"kind" enum:"clause,control"`
	Title string `json:"title"`
	State State  `json:"state" enum:"met,partial,gap,not_measurable"`
	// Reasons say why the state is what it is.
	Reasons []string `json:"reasons"`
	// Fix points at the page where the gap can be closed.
	Fix string `json:"fix,omitempty"`
	// Evidence counts the current evidence linked to the item.
	Evidence int `json:"evidence"`
}

// Counts tallies items by state.
type Counts struct {
	Met           int `json:"met"`
	Partial       int `json:"partial"`
	Gaps          int `json:"gaps"`
	NotMeasurable int `json:"not_measurable"`
}

// Report is an organisation's readiness now.
type Report struct {
	// Score is the share of all requirements met, from 0 to 1; partial ones count half.
	Score float64 `json:"score"`
	// MeasurableScore leaves out what aims cannot measure yet.
	MeasurableScore float64       `json:"measurable_score"`
	Counts          Counts        `json:"counts"`
	Clauses         []Requirement `json:"clauses"`
	Controls        []Requirement `json:"controls"`
	ComputedAt      time.Time     `json:"computed_at"`
}

// Gaps lists the items that are not met and can be worked on, worst first.
func (r *Report) Gaps() []Requirement {
	var out []Requirement
	for _, list := range [][]Requirement{r.Clauses, r.Controls} {
		for _, it := range list {
			if it.State == Gap || it.State == Partial {
				out = append(out, it)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].State == Gap && out[j].State != Gap })
	return out
}

// Entry is a Statement of Applicability decision as readiness reads it.
type Entry struct {
	Applicable    bool
	Justification string
	Status        string
	OwnerID       string
}

// SoA is what readiness needs of an organisation's Statement of Applicability.
type SoA struct {
	// Approved is the number of the latest approved version, 0 when none.
	Approved   int
	ApprovedAt time.Time
	// Entries are the draft's organisation-level decisions by control id.
	Entries map[string]Entry
}

// SystemInfo is what readiness needs of an AI system.
type SystemInfo struct {
	ID       string
	Ref      string
	Name     string
	HasRoles bool
}

// Risks is what readiness needs of the risk register; counts leave closed
// risks out.
type Risks struct {
	// CriteriaVersion is the current version of the risk criteria, 0 when none is set.
	CriteriaVersion int
	CriteriaSetAt   time.Time
	Open            int
	Assessed        int
	// Treated counts risks with a treatment option chosen, retaining included.
	Treated int
	// AboveAppetiteUntreated counts assessed risks above the appetite that
	// have neither a treatment nor a valid acceptance.
	AboveAppetiteUntreated int
	OverdueReviews         int
	OverdueActions         int
	// LatestAssessment names the latest closed risk assessment, empty when none.
	LatestAssessment         string
	LatestAssessmentClosedAt time.Time
}

// Operations is what readiness needs of operational control beyond the
// controls: changes to AI systems and externally provided products.
type Operations struct {
	// ChangesRequested counts change requests waiting for a decision.
	ChangesRequested int
	// ChangesApproved counts approved change requests not implemented yet.
	ChangesApproved int
	// SuppliersDue names the suppliers whose assessment is due or was never made.
	SuppliersDue []string
}

// Impact is what readiness needs of one AI system's impact assessments.
type Impact struct {
	// Approved names the latest approved version, such as "IA-1 version 2";
	// empty when none is approved.
	Approved   string
	ApprovedAt time.Time
	// Due says an approved assessment of the system is due for review.
	Due bool
}

// ControlInfo names a control the organisation must decide on.
type ControlInfo struct {
	ID    string
	Title string
}

// ClauseInfo names a sub-clause.
type ClauseInfo struct {
	ID    string
	Title string
}

// Sources are the records readiness reads; app satisfies it with the
// catalogue, the Statement of Applicability, the evidence and the inventory.
type Sources interface {
	Clauses() []ClauseInfo
	Controls(ctx context.Context, orgID string) ([]ControlInfo, error)
	SoA(ctx context.Context, orgID string) (*SoA, error)
	Systems(ctx context.Context, orgID string) ([]SystemInfo, error)
	// CurrentEvidence counts the current evidence linked to each control and clause id.
	CurrentEvidence(ctx context.Context, orgID string) (map[string]int, error)
	// Risks sums up the risk register.
	Risks(ctx context.Context, orgID string) (*Risks, error)
	// Impacts gives the impact assessments of each AI system, by system id.
	Impacts(ctx context.Context, orgID string) (map[string]Impact, error)
	// Operations sums up change control and supplier assessments.
	Operations(ctx context.Context, orgID string) (*Operations, error)
	// Management sums up the management system's own records.
	Management(ctx context.Context, orgID string) (*Management, error)
	// Framework returns a crosswalked framework.
	Framework(id string) (*FrameworkInfo, bool)
}

// Service computes readiness and keeps its daily trend.
type Service struct {
	db      *db.DB
	clock   aims.Clock
	sources Sources
}

// New returns the readiness service.
func New(d *db.DB, clock aims.Clock, sources Sources) *Service {
	if clock == nil {
		clock = aims.SystemClock
	}
	return &Service{db: d, clock: clock, sources: sources}
}

// Compute works out the actor's organisation's readiness now and records
// today's figure for the trend.
func (s *Service) Compute(ctx context.Context, actor *aims.Actor) (*Report, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	r, err := s.compute(ctx, actor.OrgID)
	if err != nil {
		return nil, err
	}
	if err := s.record(ctx, actor.OrgID, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) compute(ctx context.Context, orgID string) (*Report, error) {
	soa, err := s.sources.SoA(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the Statement of Applicability: %w", err)
	}
	controls, err := s.sources.Controls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	systems, err := s.sources.Systems(ctx, orgID)
	if err != nil {
		return nil, err
	}
	evidence, err := s.sources.CurrentEvidence(ctx, orgID)
	if err != nil {
		return nil, err
	}
	risks, err := s.sources.Risks(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the risk register: %w", err)
	}
	impacts, err := s.sources.Impacts(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the impact assessments: %w", err)
	}
	ops, err := s.sources.Operations(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read change requests and supplier assessments: %w", err)
	}
	mgmt, err := s.sources.Management(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("cannot read the management system's records: %w", err)
	}
	now := s.clock()
	in := inputs{soa: soa, controls: controls, systems: systems, evidence: evidence, risks: risks, impacts: impacts, ops: ops, mgmt: mgmt, now: now}
	r := &Report{ComputedAt: now}
	for _, c := range s.sources.Clauses() {
		it := clauseItem(c, in)
		it.Evidence = evidence[c.ID]
		r.Clauses = append(r.Clauses, it)
	}
	for _, c := range controls {
		r.Controls = append(r.Controls, controlItem(c, in))
	}
	r.tally()
	return r, nil
}

// tally counts the states and works out the figures.
func (r *Report) tally() {
	var got, all, measurable float64
	for _, list := range [][]Requirement{r.Clauses, r.Controls} {
		for _, it := range list {
			all++
			got += points[it.State]
			switch it.State {
			case Met:
				r.Counts.Met++
			case Partial:
				r.Counts.Partial++
			case Gap:
				r.Counts.Gaps++
			case NotMeasurable:
				r.Counts.NotMeasurable++
			}
			if it.State != NotMeasurable {
				measurable++
			}
		}
	}
	if all > 0 {
		r.Score = got / all
	}
	if measurable > 0 {
		r.MeasurableScore = got / measurable
	}
}

// inputs are the records one computation reads.
type inputs struct {
	soa      *SoA
	controls []ControlInfo
	systems  []SystemInfo
	evidence map[string]int
	risks    *Risks
	impacts  map[string]Impact
	ops      *Operations
	mgmt     *Management
	now      time.Time
}

// Statuses of implementation, as the Statement of Applicability names them.
const (
	statusImplemented = "implemented"
	statusPartial     = "partially_implemented"
)

// controlItem derives a control's readiness from its decision and evidence.
func controlItem(c ControlInfo, in inputs) Requirement {
	it := Requirement{ID: c.ID, Kind: "control", Title: c.Title, Evidence: in.evidence[c.ID], Reasons: []string{},
		Fix: "/soa/controls/" + c.ID}
	e, decided := in.soa.Entries[c.ID]
	switch {
	case !decided:
		it.State = Gap
		it.Reasons = append(it.Reasons, "The Statement of Applicability has no decision on it yet.")
	case strings.TrimSpace(e.Justification) == "":
		it.State = Gap
		it.Reasons = append(it.Reasons, "Its decision has no justification.")
	case !e.Applicable:
		it.State = Met
		it.Reasons = append(it.Reasons, "Excluded from the Statement of Applicability, with a justification.")
		it.Fix = ""
	case e.Status == statusImplemented && it.Evidence > 0:
		it.State = Met
		it.Reasons = append(it.Reasons, fmt.Sprintf("Implemented, and %s shows it.", plural(it.Evidence, "current piece of evidence", "current pieces of evidence")))
		it.Fix = ""
	case e.Status == statusImplemented:
		it.State = Partial
		it.Reasons = append(it.Reasons, "Implemented, but no current evidence shows it.")
		it.Fix = "/evidence/new?link=control:" + c.ID
	case e.Status == statusPartial:
		it.State = Partial
		it.Reasons = append(it.Reasons, "Partially implemented.")
	default:
		it.State = Gap
		it.Reasons = append(it.Reasons, "Applicable but not implemented yet ("+strings.ReplaceAll(e.Status, "_", " ")+").")
	}
	if decided && e.Applicable && e.OwnerID == "" {
		it.Reasons = append(it.Reasons, "It has no owner.")
		if it.State == Met {
			it.State = Partial
			it.Fix = "/soa/controls/" + c.ID
		}
	}
	return it
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
