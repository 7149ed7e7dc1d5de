package risk

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
)

// CreateRequest describes a new risk.
type CreateRequest struct {
	Title       string `json:"title" doc:"What could happen, in a line; at most 200 characters."`
	Description string `json:"description,omitempty" doc:"The event or scenario and its causes; at most 10000 characters."`
	// Systems are the AI systems concerned, by id or reference.
	Systems    []string `json:"systems,omitempty" maxItems:"50" doc:"The AI systems concerned, by reference (SYS-3) or id."`
	RiskSource string   `json:"risk_source,omitempty" doc:"An Annex C risk source (C.3.1 to C.3.7) or own words, at most 500 characters."`
	Objectives []string `json:"objectives,omitempty" maxItems:"50" doc:"The objectives affected: Annex C objectives (C.2.1 to C.2.11) or own words."`
	// Consequences, which impact assessments inform; at most 10000 characters each.
	ConsequencesOrganisation string `json:"consequences_organisation,omitempty"`
	ConsequencesIndividuals  string `json:"consequences_individuals,omitempty" doc:"Consequences for individuals and groups."`
	ConsequencesSociety      string `json:"consequences_society,omitempty"`
	OwnerID                  string `json:"owner_id,omitempty" doc:"User id of the risk owner, a member of the organisation."`
}

// UpdateRequest changes the fields it names, if the risk has not changed
// since the version it is based on.
type UpdateRequest struct {
	Version                  int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Title                    *string   `json:"title,omitempty"`
	Description              *string   `json:"description,omitempty"`
	Systems                  *[]string `json:"systems,omitempty" maxItems:"50"`
	RiskSource               *string   `json:"risk_source,omitempty"`
	Objectives               *[]string `json:"objectives,omitempty" maxItems:"50"`
	ConsequencesOrganisation *string   `json:"consequences_organisation,omitempty"`
	ConsequencesIndividuals  *string   `json:"consequences_individuals,omitempty"`
	ConsequencesSociety      *string   `json:"consequences_society,omitempty"`
	OwnerID                  *string   `json:"owner_id,omitempty" doc:"User id of the owner; empty to clear."`
}

// details are the fields of a risk that describe it, as stored.
type details struct {
	Title, Description, Source string
	Systems                    []SystemRef
	Objectives                 []string
	ConsOrg, ConsInd, ConsSoc  string
	OwnerID                    string
}

// auditFields are the fields of a risk's description that its audit events record.
func (d *details) auditFields() map[string]any {
	refs := make([]string, len(d.Systems))
	for i, s := range d.Systems {
		refs[i] = s.Ref
	}
	return map[string]any{"title": d.Title, "description": d.Description, "systems": refs, "risk_source": d.Source,
		"objectives": d.Objectives, "consequences_organisation": d.ConsOrg, "consequences_individuals": d.ConsInd,
		"consequences_society": d.ConsSoc, "owner_id": d.OwnerID}
}

// annexID matches an Annex C id such as C.3.4, in any case.
var annexID = regexp.MustCompile(`(?i)^c\.\d+(\.\d+)*$`)

// check trims the details and records every problem with them; system
// names are resolved to AI systems of the organisation.
func (s *Service) check(ctx context.Context, orgID string, d *details, systems []string, p *aims.Problems) error {
	checkText(p, "title", &d.Title, true, maxTitle)
	checkText(p, "description", &d.Description, false, maxLongText)
	checkText(p, "consequences_organisation", &d.ConsOrg, false, maxLongText)
	checkText(p, "consequences_individuals", &d.ConsInd, false, maxLongText)
	checkText(p, "consequences_society", &d.ConsSoc, false, maxLongText)
	annex := map[string]AnnexCItem{}
	for _, it := range s.sources.AnnexC() {
		annex[it.ID] = it
	}
	// annexItem reads an Annex C id or own words, and says what is wrong with it.
	annexItem := func(v, kind, prefix string) (string, string) {
		v = strings.Join(strings.Fields(v), " ")
		if annexID.MatchString(v) {
			v = strings.ToUpper(v)
			if it, ok := annex[v]; !ok || it.Kind != kind {
				return v, "must be one of Annex C's " + prefix + " ids, or own words: " + v + " is not"
			}
			return v, ""
		}
		if len([]rune(v)) > maxOwnText {
			return v, "must be at most 500 characters"
		}
		return v, ""
	}
	var msg string
	d.Source, msg = annexItem(d.Source, KindRiskSource, "risk source (C.3.x)")
	if msg != "" {
		p.Add("risk_source", "%s", msg)
	}
	var objectives []string
	seen := map[string]bool{}
	for _, o := range d.Objectives {
		v, msg := annexItem(o, KindObjective, "objective (C.2.x)")
		if msg != "" && !p.Has("objectives") {
			p.Add("objectives", "%s", msg)
		}
		if v == "" || seen[strings.ToLower(v)] {
			continue
		}
		seen[strings.ToLower(v)] = true
		objectives = append(objectives, v)
	}
	if len(objectives) > maxListItems {
		p.Add("objectives", "must list at most %d objectives", maxListItems)
	}
	d.Objectives = objectives
	if d.Objectives == nil {
		d.Objectives = []string{}
	}
	d.Systems = []SystemRef{}
	var unknown []string
	seenSys := map[string]bool{}
	for _, name := range systems {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		id, ref, sysName, err := s.sources.System(ctx, orgID, name)
		if aims.CodeOf(err) == aims.CodeNotFound {
			unknown = append(unknown, name)
			continue
		}
		if err != nil {
			return err
		}
		if !seenSys[id] {
			seenSys[id] = true
			d.Systems = append(d.Systems, SystemRef{ID: id, Ref: ref, Name: sysName})
		}
	}
	sort.Slice(d.Systems, func(i, j int) bool { return lessRef(d.Systems[i].Ref, d.Systems[j].Ref) })
	if len(unknown) > 0 {
		p.Add("systems", "must name AI systems of this organisation: %s is not one", strings.Join(unknown, ", "))
	}
	if len(d.Systems) > maxListItems {
		p.Add("systems", "must list at most %d AI systems", maxListItems)
	}
	return nil
}

// AssessRequest records a risk's likelihood and impact under the current
// criteria.
type AssessRequest struct {
	Likelihood int    `json:"likelihood" doc:"A step of the current criteria's likelihood scale, from 1."`
	Impact     int    `json:"impact" doc:"A step of the current criteria's impact scale, from 1."`
	NextReview string `json:"next_review,omitempty" doc:"YYYY-MM-DD; by default today plus the review interval of the level."`
	Version    int    `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// TreatmentRequest sets how a risk is treated. Every field is set as sent.
type TreatmentRequest struct {
	Option             string   `json:"option" doc:"modify, avoid, share or retain."`
	Plan               string   `json:"plan,omitempty" doc:"The treatment plan in words, at most 10000 characters."`
	Controls           []string `json:"controls,omitempty" maxItems:"100" doc:"The controls that treat the risk: Annex A ids (A.9.3) or own controls (CTL-2)."`
	ResidualLikelihood int      `json:"residual_likelihood,omitempty" doc:"The likelihood expected after treatment; 0 while not estimated."`
	ResidualImpact     int      `json:"residual_impact,omitempty" doc:"The impact expected after treatment; 0 while not estimated."`
	Version            int      `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// AddActionRequest adds an action to a risk's treatment plan.
type AddActionRequest struct {
	Description string `json:"description" doc:"What is to be done, at most 2000 characters."`
	OwnerID     string `json:"owner_id,omitempty" doc:"User id of the person who does it, a member of the organisation."`
	DueDate     string `json:"due_date,omitempty" doc:"YYYY-MM-DD."`
	Version     int    `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// UpdateActionRequest changes the fields of an action it names.
type UpdateActionRequest struct {
	Description   *string `json:"description,omitempty"`
	OwnerID       *string `json:"owner_id,omitempty" doc:"User id of the owner; empty to clear."`
	DueDate       *string `json:"due_date,omitempty" doc:"YYYY-MM-DD; empty to clear."`
	Status        *string `json:"status,omitempty" enum:"open,done"`
	CompletedDate *string `json:"completed_date,omitempty" doc:"YYYY-MM-DD, for a done action; today when it is marked done without one."`
	Version       int     `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// AcceptRequest accepts a risk's residual level for its current treatment plan.
type AcceptRequest struct {
	ValidUntil string `json:"valid_until,omitempty" doc:"Last day the acceptance holds, YYYY-MM-DD, within five years; by default today plus the review interval of the residual level."`
	Note       string `json:"note,omitempty" doc:"At most 4000 characters."`
	// A residual level above the appetite needs an owner's explicit decision.
	AboveAppetiteConfirmed bool   `json:"above_appetite_confirmed,omitempty" doc:"An owner's confirmation that the residual level is accepted although it is above the appetite."`
	AboveAppetiteReason    string `json:"above_appetite_reason,omitempty" doc:"Why a level above the appetite is accepted; required then, at most 4000 characters."`
	Version                int    `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// CloseRequest closes a risk that is no longer relevant.
type CloseRequest struct {
	Reason  string `json:"reason" doc:"Why the risk is closed, at most 4000 characters."`
	Version int    `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// ReopenRequest reopens a closed risk.
type ReopenRequest struct {
	Version int `json:"version" minimum:"1" doc:"The risk's version this change is based on."`
}

// maxAction is the longest description of an action.
const maxAction = 2000
