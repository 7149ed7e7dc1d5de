package risk

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// Comparison is what differs between two closed risk assessments.
type Comparison struct {
	From     string `json:"from" doc:"The older side's reference."`
	To       string `json:"to" doc:"The newer side's reference."`
	FromName string `json:"from_name"`
	ToName   string `json:"to_name"`
	// Added are risks in To only, Removed in From only.
	Added   []RiskRef    `json:"added"`
	Removed []RiskRef    `json:"removed"`
	Changed []RiskChange `json:"changed" doc:"Risks in both whose recorded state differs, field by field, in reference order."`
}

// RiskChange is one risk whose state differs between two assessments.
type RiskChange struct {
	Ref    string        `json:"ref"`
	Title  string        `json:"title"`
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one field's value on each side of a comparison.
type FieldChange struct {
	Field  string `json:"field" enum:"status,owner,systems,criteria_version,inherent_level,inherent_rating,residual_level,residual_rating,option,plan_version,controls,actions,acceptance"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// comparedFields are the fields a comparison looks at, in order.
var comparedFields = []string{"status", "owner", "systems", "criteria_version", "inherent_level", "inherent_rating",
	"residual_level", "residual_rating", "option", "plan_version", "controls", "actions", "acceptance"}

// CompareAssessments returns what differs between two closed assessments:
// risks added and removed, and for the others each change of status,
// owner, levels, treatment and acceptance.
func (s *Service) CompareAssessments(ctx context.Context, actor *aims.Actor, from, to string) (*Comparison, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	if strings.TrimSpace(from) == "" {
		p.Add("from", "is required: name a closed risk assessment")
	}
	if strings.TrimSpace(to) == "" {
		p.Add("to", "is required: name a closed risk assessment")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	a, err := s.assessment(ctx, s.db, actor.OrgID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.assessment(ctx, s.db, actor.OrgID, to)
	if err != nil {
		return nil, err
	}
	for _, x := range []*Assessment{a, b} {
		if x.Status != AssessmentClosed {
			return nil, aims.Errorf(aims.CodeConflict, "%s is still open: only closed assessments, whose results are frozen, are compared", x.Ref)
		}
	}
	return compare(a, b), nil
}

// compare lists what differs from a to b.
func compare(a, b *Assessment) *Comparison {
	c := &Comparison{From: a.Ref, To: b.Ref, FromName: a.Name, ToName: b.Name, Added: []RiskRef{}, Removed: []RiskRef{}, Changed: []RiskChange{}}
	before := map[string]*Risk{}
	for i := range a.Risks {
		before[a.Risks[i].Ref] = &a.Risks[i]
	}
	after := map[string]*Risk{}
	for i := range b.Risks {
		r := &b.Risks[i]
		after[r.Ref] = r
		x, ok := before[r.Ref]
		if !ok {
			c.Added = append(c.Added, RiskRef{Ref: r.Ref, Title: r.Title})
			continue
		}
		fx, fy := facts(x), facts(r)
		ch := RiskChange{Ref: r.Ref, Title: r.Title}
		for _, f := range comparedFields {
			if fx[f] != fy[f] {
				ch.Fields = append(ch.Fields, FieldChange{Field: f, Before: fx[f], After: fy[f]})
			}
		}
		if len(ch.Fields) > 0 {
			c.Changed = append(c.Changed, ch)
		}
	}
	for i := range a.Risks {
		if _, ok := after[a.Risks[i].Ref]; !ok {
			c.Removed = append(c.Removed, RiskRef{Ref: a.Risks[i].Ref, Title: a.Risks[i].Title})
		}
	}
	sort.Slice(c.Added, func(i, j int) bool { return lessRef(c.Added[i].Ref, c.Added[j].Ref) })
	sort.Slice(c.Removed, func(i, j int) bool { return lessRef(c.Removed[i].Ref, c.Removed[j].Ref) })
	sort.Slice(c.Changed, func(i, j int) bool { return lessRef(c.Changed[i].Ref, c.Changed[j].Ref) })
	return c
}

// facts are a risk's compared fields as text; empty means none.
func facts(r *Risk) map[string]string {
	out := map[string]string{"status": r.Status, "owner": r.OwnerName, "option": r.Treatment.Option}
	if out["owner"] == "" {
		out["owner"] = r.OwnerID
	}
	var systems []string
	for _, s := range r.Systems {
		systems = append(systems, s.Ref)
	}
	out["systems"] = strings.Join(systems, ", ")
	if r.CriteriaVersion > 0 {
		out["criteria_version"] = itoa(r.CriteriaVersion)
	}
	if r.Inherent != nil {
		out["inherent_level"], out["inherent_rating"] = r.Inherent.Level, RatingText(r.Inherent)
	}
	if res := r.Treatment.Residual; res != nil {
		out["residual_level"], out["residual_rating"] = res.Level, RatingText(res)
	}
	if r.Treatment.PlanVersion > 0 {
		out["plan_version"] = itoa(r.Treatment.PlanVersion)
	}
	var controls []string
	for _, ctl := range r.Treatment.Controls {
		controls = append(controls, ctl.ID)
	}
	out["controls"] = strings.Join(controls, ", ")
	if n := len(r.Treatment.Actions); n > 0 {
		open := 0
		for _, a := range r.Treatment.Actions {
			if a.Status == ActionOpen {
				open++
			}
		}
		out["actions"] = fmt.Sprintf("%d open, %d done", open, n-open)
	}
	out["acceptance"] = AcceptanceText(r.Acceptance)
	return out
}

// RatingText words a rating: "likelihood 3 × impact 2: high".
func RatingText(r *Rating) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("likelihood %d × impact %d: %s", r.Likelihood, r.Impact, r.Level)
}

// AcceptanceText words an acceptance: "valid: accepted by Ada for plan v2 until 2027-03-02".
func AcceptanceText(a *Acceptance) string {
	if a == nil {
		return ""
	}
	s := fmt.Sprintf("%s: %s accepted by %s for plan v%d until %s", a.State, a.ResidualLevel, a.AcceptedByName, a.PlanVersion, a.ValidUntil)
	if a.AboveAppetite {
		s += ", above the appetite"
	}
	return s
}
