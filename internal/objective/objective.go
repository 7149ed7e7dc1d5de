package objective

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Objective is an AI objective of the organisation with its plan (6.2).
type Objective struct {
	ID          string `json:"id"`
	Ref         string `json:"ref" doc:"Short reference such as OBJ-3."`
	Title       string `json:"title"`
	Description string `json:"description"`
	// AnnexC are the Annex C objectives it relates to, in Annex C's order.
	AnnexC  []ObjectiveAnnexC `json:"annex_c" doc:"The Annex C objectives (C.2.x) it relates to."`
	Owner   ObjectiveOwner    `json:"owner" doc:"The member who answers for the objective."`
	Systems []ObjectiveSystem `json:"systems" doc:"The AI systems it concerns; empty when it concerns the organisation as a whole."`
	Plan    ObjectivePlan     `json:"plan"`
	Status  string            `json:"status" enum:"active,achieved,withdrawn"`
	// StatusNote says why it was achieved, withdrawn or made active again.
	StatusNote string      `json:"status_note"`
	Indicators []Indicator `json:"indicators" doc:"Its indicators in order, each with its latest value and when the next is due."`
	// DueCount and OffTarget count its active indicators that are due and whose latest value misses the target.
	DueCount  int       `json:"due_count" doc:"How many of its indicators are due for a value."`
	OffTarget int       `json:"off_target" doc:"How many of its active indicators have a latest value that misses the target."`
	Version   int       `json:"version" doc:"Increases with every change to the objective's own fields; send it back when updating."`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ObjectiveOwner names a member.
type ObjectiveOwner struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// ObjectiveSystem names an AI system an objective concerns.
type ObjectiveSystem struct {
	ID   string `json:"id"`
	Ref  string `json:"ref"`
	Name string `json:"name"`
}

// ObjectivePlan is how the objective is to be achieved, as 6.2 asks.
type ObjectivePlan struct {
	Actions     string `json:"actions" maxLength:"10000" doc:"What will be done."`
	Resources   string `json:"resources" maxLength:"2000" doc:"What resources it needs."`
	Responsible string `json:"responsible" maxLength:"200" doc:"Who is responsible: a person, role or team."`
	DueOn       string `json:"due_on" doc:"When it will be completed, YYYY-MM-DD."`
	Evaluation  string `json:"evaluation" maxLength:"2000" doc:"How the results will be evaluated."`
}

// Objective statuses.
const (
	StatusActive    = "active"
	StatusAchieved  = "achieved"
	StatusWithdrawn = "withdrawn"
)

// Statuses are the statuses of objectives.
var Statuses = []Option{
	{StatusActive, "Active", "being worked on and measured"},
	{StatusAchieved, "Achieved", "met, as the plan's evaluation showed"},
	{StatusWithdrawn, "Withdrawn", "no longer pursued"},
}

// ObjectiveRequest describes a new objective; everything but the
// description, the Annex C objectives and the systems is required.
type ObjectiveRequest struct {
	Title       string        `json:"title" minLength:"1" maxLength:"200"`
	Description string        `json:"description,omitempty" maxLength:"10000" doc:"What the objective is and why, consistent with the AI policy."`
	AnnexC      []string      `json:"annex_c,omitempty" maxItems:"11" doc:"Ids of the Annex C objectives it relates to, such as C.2.5; see GET /api/v1/catalog/annex-c."`
	Owner       string        `json:"owner" doc:"The owner: a member's user id or email."`
	Systems     []string      `json:"systems,omitempty" maxItems:"100" doc:"AI systems it concerns, by reference or id."`
	Plan        ObjectivePlan `json:"plan"`
}

// ObjectiveUpdate changes the fields it names, if the objective has not
// changed since the version it is based on. Lists and the plan replace the whole.
type ObjectiveUpdate struct {
	Version     int            `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title       *string        `json:"title,omitempty" minLength:"1" maxLength:"200"`
	Description *string        `json:"description,omitempty" maxLength:"10000"`
	AnnexC      *[]string      `json:"annex_c,omitempty" maxItems:"11"`
	Owner       *string        `json:"owner,omitempty"`
	Systems     *[]string      `json:"systems,omitempty" maxItems:"100"`
	Plan        *ObjectivePlan `json:"plan,omitempty"`
}

// ObjectiveStatusRequest marks an objective achieved or withdrawn, or active again.
type ObjectiveStatusRequest struct {
	Version int    `json:"version" minimum:"1" doc:"The version this change is based on."`
	Status  string `json:"status" enum:"active,achieved,withdrawn"`
	Note    string `json:"note" minLength:"1" maxLength:"2000" doc:"Why: the evaluation that shows it achieved, the reason to withdraw it or to take it up again."`
}

// draft is an objective's own fields as requested, before they are checked.
type draft struct {
	Title, Description string
	AnnexC, Systems    []string
	Owner              string
	Plan               ObjectivePlan
}

// check trims and checks a draft, resolving the owner, systems and Annex C
// objectives, and returns the objective it describes.
func (s *Service) check(ctx context.Context, actor *aims.Actor, d draft) (*Objective, error) {
	var p aims.Problems
	o := &Objective{Title: d.Title, Description: d.Description, Plan: d.Plan, AnnexC: []ObjectiveAnnexC{}, Systems: []ObjectiveSystem{}}
	trimText(&p, "title", &o.Title, true, maxTitle)
	trimText(&p, "description", &o.Description, false, maxLong)
	annex := map[string]bool{}
	for _, id := range d.AnnexC {
		annex[strings.ToUpper(strings.TrimSpace(id))] = true
	}
	for _, it := range s.sources.AnnexCObjectives() {
		if annex[it.ID] {
			o.AnnexC = append(o.AnnexC, it)
			delete(annex, it.ID)
		}
	}
	for id := range annex {
		if id != "" {
			p.Add("annex_c", "names %s, which is not one of Annex C's objectives (C.2.1 to C.2.11)", id)
			break
		}
	}
	members, err := s.sources.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Owner) == "" {
		p.Add("owner", "is required")
	} else if m, ok := findMember(members, d.Owner); ok {
		o.Owner = ObjectiveOwner{UserID: m.UserID, Name: m.Name, Email: m.Email}
	} else {
		p.Add("owner", "names %s, who is not a member of this organisation", strings.TrimSpace(d.Owner))
	}
	if err := s.checkSystems(ctx, actor, d.Systems, o, &p); err != nil {
		return nil, err
	}
	trimText(&p, "plan.actions", &o.Plan.Actions, true, maxLong)
	trimText(&p, "plan.resources", &o.Plan.Resources, true, maxText)
	trimText(&p, "plan.responsible", &o.Plan.Responsible, true, maxTitle)
	if _, ok := parseDate(&p, "plan.due_on", &o.Plan.DueOn); !ok && !p.Has("plan.due_on") {
		p.Add("plan.due_on", "is required")
	}
	trimText(&p, "plan.evaluation", &o.Plan.Evaluation, true, maxText)
	return o, p.Err()
}

// checkSystems resolves the systems an objective concerns, once each.
func (s *Service) checkSystems(ctx context.Context, actor *aims.Actor, refs []string, o *Objective, p *aims.Problems) error {
	if len(refs) > maxSystems {
		p.Add("systems", "must list at most %d", maxSystems)
		return nil
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		sys, err := s.sources.System(ctx, actor, ref)
		if c := aims.CodeOf(err); c == aims.CodeNotFound || c == aims.CodeInvalid {
			p.Add("systems", "names %s, which is not an AI system of this organisation", ref)
			continue
		}
		if err != nil {
			return err
		}
		if !seen[sys.ID] {
			seen[sys.ID] = true
			o.Systems = append(o.Systems, ObjectiveSystem{ID: sys.ID, Ref: sys.Ref, Name: sys.Name})
		}
	}
	sort.Slice(o.Systems, func(i, j int) bool { return o.Systems[i].Ref < o.Systems[j].Ref })
	return nil
}

// annexIDs lists the ids of the Annex C objectives.
func annexIDs(items []ObjectiveAnnexC) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// systemIDs lists the ids of the linked systems.
func systemIDs(ls []ObjectiveSystem) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

// systemRefs lists the references of the linked systems.
func systemRefs(ls []ObjectiveSystem) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Ref
	}
	return out
}

// searchText is what a search matches, in lower case.
func (o *Objective) searchText() string {
	return strings.ToLower(strings.Join([]string{o.Ref, o.Title, o.Description, o.Plan.Actions, o.Plan.Responsible,
		strings.Join(annexIDs(o.AnnexC), " ")}, "\n"))
}

// auditObjective is what the audit log records of an objective's own fields.
type auditObjective struct {
	Ref         string   `json:"ref"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	AnnexC      []string `json:"annex_c"`
	Owner       string   `json:"owner"`
	Systems     []string `json:"systems"`
	Actions     string   `json:"plan.actions"`
	Resources   string   `json:"plan.resources"`
	Responsible string   `json:"plan.responsible"`
	DueOn       string   `json:"plan.due_on"`
	Evaluation  string   `json:"plan.evaluation"`
}

func (o *Objective) audit() auditObjective {
	return auditObjective{Ref: o.Ref, Title: o.Title, Description: o.Description, AnnexC: annexIDs(o.AnnexC),
		Owner: o.Owner.Email, Systems: systemRefs(o.Systems), Actions: o.Plan.Actions, Resources: o.Plan.Resources,
		Responsible: o.Plan.Responsible, DueOn: o.Plan.DueOn, Evaluation: o.Plan.Evaluation}
}
