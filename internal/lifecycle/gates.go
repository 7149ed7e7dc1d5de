package lifecycle

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/tlog"
)

// Kinds of requirement a stage gate can have.
const (
	KindModelVersion   = "approved_model_version"     // a model version of the system is approved or deployed
	KindVVRecord       = "vv_record"                  // current evidence for A.6.2.4 linked to the system
	KindImpact         = "approved_impact_assessment" // an approved impact assessment not due for review
	KindRisksAssessed  = "risks_assessed"             // every open risk of the system is assessed
	KindRetirementPlan = "retirement_plan"            // the request carries a retirement plan
	KindEvidence       = "evidence"                   // current evidence for a named control linked to the system
	// KindNoChangeReview is the check every move has, which no gate setting
	// removes: no risk or impact assessment of the system is due for review
	// because of an approved significant change.
	KindNoChangeReview = "no_review_due_for_change"
)

// VVControl is the Annex A control of verification and validation, whose
// evidence linked to a system is its verification and validation record.
const VVControl = "A.6.2.4"

// RequirementKinds lists the kinds of requirement an organisation can set.
var RequirementKinds = []Option{
	{KindModelVersion, "An approved model version", "a version of one of the system's models is approved or deployed"},
	{KindVVRecord, "A verification and validation record", "current evidence linked to the system and to A.6.2.4 AI system verification and validation"},
	{KindImpact, "An approved impact assessment", "an impact assessment of the system is approved and not due for review"},
	{KindRisksAssessed, "Every open risk assessed", "each open risk of the system has its likelihood and impact rated"},
	{KindRetirementPlan, "A retirement plan", "the request says what happens to the data, the models and the users, and who is told"},
	{KindEvidence, "Evidence for a control", "current evidence linked to the system and to the control named"},
}

// maxRequirements limits the requirements of one stage.
const maxRequirements = 20

// Requirement is one thing a move into a stage needs.
type Requirement struct {
	Kind string `json:"kind" enum:"approved_model_version,vv_record,approved_impact_assessment,risks_assessed,retirement_plan,evidence"`
	// Control names the control for kind evidence.
	Control string `json:"control,omitempty" doc:"For kind evidence: the control, an Annex A id such as A.6.2.6 or an own control such as CTL-2."`
}

// String writes the requirement as the audit log and the CLI do: its kind, or evidence:A.6.2.6.
func (r Requirement) String() string {
	if r.Kind == KindEvidence {
		return r.Kind + ":" + r.Control
	}
	return r.Kind
}

// Gate is what a move into one stage needs.
type Gate struct {
	Stage        string        `json:"stage" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement"`
	Requirements []Requirement `json:"requirements" maxItems:"20" doc:"What a move into the stage needs, besides the check every move has."`
}

// Gates are an organisation's stage gates: one per stage, in life-cycle order.
type Gates struct {
	Gates []Gate `json:"gates" doc:"One gate per stage, in life-cycle order."`
	// Default is true while the organisation has not set its gates.
	Default       bool       `json:"default" doc:"True while the organisation has not set its gates: these are the defaults."`
	Version       int        `json:"version" doc:"0 while the defaults apply; increases with every change. Send it back when setting the gates."`
	UpdatedBy     string     `json:"updated_by,omitempty"`
	UpdatedByName string     `json:"updated_by_name,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

// Gate returns the requirements of a move into a stage.
func (g *Gates) Gate(stage string) []Requirement {
	for _, x := range g.Gates {
		if x.Stage == stage {
			return x.Requirements
		}
	}
	return nil
}

// GatesRequest sets every stage gate of an organisation.
type GatesRequest struct {
	Version int    `json:"version" minimum:"0" doc:"The version of the gates this change is based on: 0 while the defaults apply."`
	Gates   []Gate `json:"gates" maxItems:"7" doc:"The requirements of each stage; a stage left out needs nothing."`
}

// DefaultGates are the gates of an organisation that has set none: into
// deployment, an approved model version, a verification and validation
// record and an approved impact assessment; into retirement, a plan.
func DefaultGates() []Gate {
	out := make([]Gate, len(Stages))
	for i, st := range Stages {
		out[i] = Gate{Stage: st.Value, Requirements: []Requirement{}}
	}
	for i := range out {
		switch out[i].Stage {
		case "deployment":
			out[i].Requirements = []Requirement{{Kind: KindModelVersion}, {Kind: KindVVRecord}, {Kind: KindImpact}}
		case "retirement":
			out[i].Requirements = []Requirement{{Kind: KindRetirementPlan}}
		}
	}
	return out
}

// normaliseGates checks a request's gates and returns every stage's gate
// in life-cycle order, with controls written as the catalogue writes them
// and repeated requirements left out.
func (s *Service) normaliseGates(ctx context.Context, actor *aims.Actor, in []Gate, p *aims.Problems) ([]Gate, error) {
	byStage := map[string][]Requirement{}
	for i, g := range in {
		at := fmt.Sprintf("gates.%d", i)
		g.Stage = strings.TrimSpace(g.Stage)
		if !allowed(Stages, g.Stage) {
			p.Add(at+".stage", "must be one of %s", values(Stages))
			continue
		}
		if _, dup := byStage[g.Stage]; dup {
			p.Add(at+".stage", "names %s a second time", g.Stage)
			continue
		}
		reqs := []Requirement{}
		seen := map[string]bool{}
		for j, r := range g.Requirements {
			rat := fmt.Sprintf("%s.requirements.%d", at, j)
			r.Kind, r.Control = strings.TrimSpace(r.Kind), strings.TrimSpace(r.Control)
			switch {
			case !allowed(RequirementKinds, r.Kind):
				p.Add(rat+".kind", "must be one of %s", values(RequirementKinds))
				continue
			case r.Kind == KindEvidence && r.Control == "":
				p.Add(rat+".control", "is required: name the control the evidence must be linked to, such as A.6.2.6")
				continue
			case r.Kind != KindEvidence && r.Control != "":
				p.Add(rat+".control", "is only for requirements of kind evidence")
				continue
			case r.Kind == KindRetirementPlan && g.Stage != "retirement":
				p.Add(rat+".kind", "retirement_plan is a requirement of the retirement stage only")
				continue
			}
			if r.Kind == KindEvidence {
				c, err := s.sources.Control(ctx, actor, r.Control)
				if aims.CodeOf(err) == aims.CodeNotFound {
					p.Add(rat+".control", "is not an Annex A control or one of your own controls")
					continue
				} else if err != nil {
					return nil, err
				}
				r.Control = c.ID
			}
			if !seen[r.String()] {
				seen[r.String()] = true
				reqs = append(reqs, r)
			}
		}
		if len(reqs) > maxRequirements {
			p.Add(at+".requirements", "must list at most %d requirements", maxRequirements)
		}
		byStage[g.Stage] = reqs
	}
	out := make([]Gate, len(Stages))
	for i, st := range Stages {
		reqs := byStage[st.Value]
		if reqs == nil {
			reqs = []Requirement{}
		}
		out[i] = Gate{Stage: st.Value, Requirements: reqs}
	}
	return out, nil
}

// Gates returns the organisation's stage gates, the defaults while it has set none.
func (s *Service) Gates(ctx context.Context, actor *aims.Actor) (*Gates, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	return gatesOf(ctx, s.db, actor.OrgID)
}

// gatesOf reads an organisation's gates.
func gatesOf(ctx context.Context, q db.Queryer, orgID string) (*Gates, error) {
	var content, by, byName string
	var at time.Time
	g := &Gates{}
	err := q.QueryRowContext(ctx, `SELECT g.content, g.version, g.updated_by, COALESCE(u.name, g.updated_by), g.updated_at
		FROM lifecycle_gates g LEFT JOIN users u ON u.id = g.updated_by WHERE g.org_id = ?`, orgID).Scan(&content, &g.Version, &by, &byName, &at)
	if db.IsNoRows(err) {
		return &Gates{Gates: DefaultGates(), Default: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(content), &g.Gates); err != nil {
		return nil, fmt.Errorf("cannot read the stage gates: %w", err)
	}
	at = at.UTC()
	g.UpdatedBy, g.UpdatedByName, g.UpdatedAt = by, byName, &at
	return g, nil
}

// SetGates replaces the organisation's stage gates, if they have not
// changed since the version the request is based on. Setting what is
// already set changes nothing and records nothing.
func (s *Service) SetGates(ctx context.Context, actor *aims.Actor, req GatesRequest) (*Gates, error) {
	if err := identity.Authorize(actor, identity.ActGateConfigure); err != nil {
		return nil, err
	}
	var p aims.Problems
	gates, err := s.normaliseGates(ctx, actor, req.Gates, &p)
	if err != nil {
		return nil, err
	}
	if req.Version < 0 {
		p.Add("version", "must not be negative")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := gatesOf(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if req.Version != cur.Version {
			return stale("the stage gates", cur.Version, req.Version)
		}
		var ch []tlog.Change
		for i, g := range gates {
			before, after := requirementStrings(cur.Gates[i].Requirements), requirementStrings(g.Requirements)
			if strings.Join(before, ",") != strings.Join(after, ",") {
				ch = append(ch, tlog.Change{Field: g.Stage, Before: mustJSON(before), After: mustJSON(after)})
			}
		}
		if len(ch) == 0 {
			return nil
		}
		content := string(mustJSON(gates))
		by, now := tlog.ActorOf(actor).ID, s.clock()
		var res sql.Result
		if cur.Version == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO lifecycle_gates (org_id, content, version, updated_by, updated_at) VALUES (?, ?, 1, ?, ?)`,
				actor.OrgID, content, by, now)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE lifecycle_gates SET content = ?, version = version + 1, updated_by = ?, updated_at = ?
				WHERE org_id = ? AND version = ?`, content, by, now, actor.OrgID, cur.Version)
		}
		if db.IsUniqueViolation(err) {
			return stale("the stage gates", cur.Version+1, req.Version)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale("the stage gates", cur.Version+1, req.Version)
		}
		ch = append(ch, tlog.Change{Field: "version", Before: mustJSON(cur.Version), After: mustJSON(cur.Version + 1)})
		return s.logs.Record(ctx, tx, actor.OrgID, actor, ActionGatesSet, tlog.EventObject{Type: ObjectGates, ID: actor.OrgID, Ref: gatesRef}, ch)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot set the stage gates: %w", err)
	}
	return gatesOf(ctx, s.db, actor.OrgID)
}

// requirementStrings writes requirements as the audit log shows them.
func requirementStrings(rs []Requirement) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// ParseRequirement reads a requirement written as its kind, or evidence:CONTROL.
func ParseRequirement(s string) Requirement {
	kind, control, _ := strings.Cut(strings.TrimSpace(s), ":")
	return Requirement{Kind: strings.TrimSpace(kind), Control: strings.TrimSpace(control)}
}
