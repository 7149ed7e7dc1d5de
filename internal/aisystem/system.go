// Package aisystem is the inventory of AI systems: what each is for, who
// owns it, the organisation's roles towards it, where it is in its life
// cycle, its EU AI Act class and how people oversee it.
package aisystem

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// System is one AI system in the inventory.
type System struct {
	ID                   string     `json:"id"`
	Ref                  string     `json:"ref" doc:"Short reference such as SYS-3."`
	Name                 string     `json:"name"`
	IntendedPurpose      string     `json:"intended_purpose"`
	Description          string     `json:"description"`
	OwnerID              string     `json:"owner_id" doc:"User id of the accountable owner; empty when none."`
	OwnerName            string     `json:"owner_name" doc:"Name of the owner, for display."`
	AIRoles              []string   `json:"ai_roles" doc:"The organisation's roles towards the system (ISO/IEC 22989)."`
	LifecycleStage       string     `json:"lifecycle_stage"`
	EUAIActClass         string     `json:"eu_ai_act_class"`
	DeploymentContext    string     `json:"deployment_context"`
	AffectedStakeholders []string   `json:"affected_stakeholders"`
	AutomationLevel      string     `json:"automation_level"`
	HumanOversight       string     `json:"human_oversight"`
	Status               string     `json:"status" enum:"active,archived"`
	Version              int        `json:"version" doc:"Increases with every change; send it back when updating."`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	ArchivedAt           *time.Time `json:"archived_at"`
}

// Statuses of a system.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Option is one allowed value of an enumerated field, with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// AIRoles are the roles an organisation can have towards an AI system, after ISO/IEC 22989.
var AIRoles = []Option{
	{"provider", "AI provider", "makes the system available to others"},
	{"producer", "AI producer", "designs, develops, tests or deploys the system"},
	{"customer", "AI customer", "uses the system, bought or built"},
	{"partner", "AI partner", "supplies data, tools, integration or evaluation"},
	{"subject", "AI subject", "is affected by the system's decisions or data"},
	{"relevant_authority", "Relevant authority", "regulates or oversees the system"},
}

// LifecycleStages are the stages of an AI system's life cycle, after ISO/IEC 22989.
var LifecycleStages = []Option{
	{"inception", "Inception", "need, objectives and feasibility"},
	{"design_and_development", "Design and development", "data, models and the system are built"},
	{"verification_and_validation", "Verification and validation", "tested against its requirements"},
	{"deployment", "Deployment", "installed and released into its environment"},
	{"operation_and_monitoring", "Operation and monitoring", "in use and watched"},
	{"re_evaluation", "Re-evaluation", "reassessed after change or drift"},
	{"retirement", "Retirement", "withdrawn from use"},
}

// EUAIActClasses are the risk classes of Regulation (EU) 2024/1689.
var EUAIActClasses = []Option{
	{"not_classified", "Not yet classified", "no classification has been made"},
	{"prohibited", "Prohibited", "an Article 5 practice"},
	{"high", "High risk", "Article 6 and Annex III"},
	{"limited", "Limited risk", "transparency obligations of Article 50"},
	{"minimal", "Minimal risk", "no specific obligations"},
}

// AutomationLevels say how far the system acts without a person.
var AutomationLevels = []Option{
	{"not_assessed", "Not yet assessed", ""},
	{"human_decides", "Assistive: a person decides", "the system informs; people make every decision"},
	{"human_in_the_loop", "Human in the loop", "the system proposes; a person approves each decision"},
	{"human_on_the_loop", "Human on the loop", "the system acts; people monitor and can intervene"},
	{"autonomous", "Autonomous", "the system acts without routine human involvement"},
}

// Label returns the label of value in opts, or the value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func allowed(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func values(opts []Option) string {
	vs := make([]string, len(opts))
	for i, o := range opts {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

// Field limits, in characters.
const (
	maxName        = 200
	maxPurpose     = 2000
	maxLongText    = 10000
	maxStakeholder = 200
	maxListItems   = 50
)

// CreateRequest describes a new AI system. Name and intended purpose are
// required; enumerated fields take their first value when empty.
type CreateRequest struct {
	Name                 string   `json:"name" minLength:"1" maxLength:"200" doc:"Name people know the system by."`
	IntendedPurpose      string   `json:"intended_purpose" minLength:"1" maxLength:"2000" doc:"What the system is meant to do, and for whom."`
	Description          string   `json:"description,omitempty" maxLength:"10000"`
	OwnerID              string   `json:"owner_id,omitempty" doc:"User id of the accountable owner, a member of the organisation."`
	AIRoles              []string `json:"ai_roles,omitempty" maxItems:"6" enum:"provider,producer,customer,partner,subject,relevant_authority"`
	LifecycleStage       string   `json:"lifecycle_stage,omitempty" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement" doc:"The stage the system is in when it is registered, such as deployment for a system already in use; afterwards it changes only through stage-move requests."`
	EUAIActClass         string   `json:"eu_ai_act_class,omitempty" enum:"not_classified,prohibited,high,limited,minimal"`
	DeploymentContext    string   `json:"deployment_context,omitempty" maxLength:"10000" doc:"Where and how the system is used."`
	AffectedStakeholders []string `json:"affected_stakeholders,omitempty" maxItems:"50" doc:"Groups affected by the system."`
	AutomationLevel      string   `json:"automation_level,omitempty" enum:"not_assessed,human_decides,human_in_the_loop,human_on_the_loop,autonomous"`
	HumanOversight       string   `json:"human_oversight,omitempty" maxLength:"10000" doc:"How people oversee the system and can intervene."`
}

// UpdateRequest changes the fields it names. Version must be the version the
// change was based on; if someone else changed the system since, the update
// is refused rather than overwriting their work.
type UpdateRequest struct {
	Version              int       `json:"version" minimum:"1" doc:"The version this change is based on."`
	Name                 *string   `json:"name,omitempty" minLength:"1" maxLength:"200"`
	IntendedPurpose      *string   `json:"intended_purpose,omitempty" minLength:"1" maxLength:"2000"`
	Description          *string   `json:"description,omitempty" maxLength:"10000"`
	OwnerID              *string   `json:"owner_id,omitempty" doc:"User id of the owner; empty to clear."`
	AIRoles              *[]string `json:"ai_roles,omitempty" maxItems:"6" enum:"provider,producer,customer,partner,subject,relevant_authority"`
	LifecycleStage       *string   `json:"lifecycle_stage,omitempty" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement" doc:"Only the current stage is accepted: the stage changes through a stage-move request, which checks the stage gate (POST /api/v1/systems/{ref}/stage-requests)."`
	EUAIActClass         *string   `json:"eu_ai_act_class,omitempty" enum:"not_classified,prohibited,high,limited,minimal"`
	DeploymentContext    *string   `json:"deployment_context,omitempty" maxLength:"10000"`
	AffectedStakeholders *[]string `json:"affected_stakeholders,omitempty" maxItems:"50"`
	AutomationLevel      *string   `json:"automation_level,omitempty" enum:"not_assessed,human_decides,human_in_the_loop,human_on_the_loop,autonomous"`
	HumanOversight       *string   `json:"human_oversight,omitempty" maxLength:"10000"`
}

// apply copies the named fields of an update onto the system.
func (r *UpdateRequest) apply(s *System) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.Name, r.Name)
	set(&s.IntendedPurpose, r.IntendedPurpose)
	set(&s.Description, r.Description)
	set(&s.OwnerID, r.OwnerID)
	set(&s.LifecycleStage, r.LifecycleStage)
	set(&s.EUAIActClass, r.EUAIActClass)
	set(&s.DeploymentContext, r.DeploymentContext)
	set(&s.AutomationLevel, r.AutomationLevel)
	set(&s.HumanOversight, r.HumanOversight)
	if r.AIRoles != nil {
		s.AIRoles = *r.AIRoles
	}
	if r.AffectedStakeholders != nil {
		s.AffectedStakeholders = *r.AffectedStakeholders
	}
}

// fromCreate fills a system from a creation request, with defaults.
func fromCreate(r CreateRequest) System {
	s := System{Name: r.Name, IntendedPurpose: r.IntendedPurpose, Description: r.Description, OwnerID: r.OwnerID,
		AIRoles: r.AIRoles, LifecycleStage: r.LifecycleStage, EUAIActClass: r.EUAIActClass,
		DeploymentContext: r.DeploymentContext, AffectedStakeholders: r.AffectedStakeholders,
		AutomationLevel: r.AutomationLevel, HumanOversight: r.HumanOversight, Status: StatusActive}
	if s.LifecycleStage == "" {
		s.LifecycleStage = LifecycleStages[0].Value
	}
	if s.EUAIActClass == "" {
		s.EUAIActClass = EUAIActClasses[0].Value
	}
	if s.AutomationLevel == "" {
		s.AutomationLevel = AutomationLevels[0].Value
	}
	return s
}

// normalise trims text, removes blank and repeated list items, and records
// every problem with the system's fields.
func (s *System) normalise(p *aims.Problems) {
	text := func(field string, v *string, required bool, max int) {
		*v = strings.TrimSpace(*v)
		switch {
		case required && *v == "":
			p.Add(field, "is required")
		case utf8.RuneCountInString(*v) > max:
			p.Add(field, "must be at most %d characters", max)
		case strings.ContainsRune(*v, 0):
			p.Add(field, "must not contain NUL characters")
		}
	}
	text("name", &s.Name, true, maxName)
	text("intended_purpose", &s.IntendedPurpose, true, maxPurpose)
	text("description", &s.Description, false, maxLongText)
	text("deployment_context", &s.DeploymentContext, false, maxLongText)
	text("human_oversight", &s.HumanOversight, false, maxLongText)
	s.OwnerID = strings.TrimSpace(s.OwnerID)
	if s.OwnerID != "" && !aims.ValidID(s.OwnerID) {
		p.Add("owner_id", "is not a user id")
	}
	enum := func(field, v string, opts []Option) {
		if !allowed(opts, v) {
			p.Add(field, "must be one of %s", values(opts))
		}
	}
	enum("lifecycle_stage", s.LifecycleStage, LifecycleStages)
	enum("eu_ai_act_class", s.EUAIActClass, EUAIActClasses)
	enum("automation_level", s.AutomationLevel, AutomationLevels)

	// Keep roles in the standard's order, so equal sets compare equal.
	seen := map[string]bool{}
	for _, r := range s.AIRoles {
		r = strings.TrimSpace(r)
		if r != "" && !allowed(AIRoles, r) && !p.Has("ai_roles") {
			p.Add("ai_roles", "must each be one of %s", values(AIRoles))
		}
		seen[r] = true
	}
	roles := []string{}
	for _, o := range AIRoles {
		if seen[o.Value] {
			roles = append(roles, o.Value)
		}
	}
	s.AIRoles = roles

	groups := []string{}
	seenGroup := map[string]bool{}
	for _, g := range s.AffectedStakeholders {
		g = strings.Join(strings.Fields(g), " ")
		if g == "" || seenGroup[strings.ToLower(g)] {
			continue
		}
		seenGroup[strings.ToLower(g)] = true
		if utf8.RuneCountInString(g) > maxStakeholder {
			p.Add("affected_stakeholders", "must each be at most %d characters", maxStakeholder)
			break
		}
		groups = append(groups, g)
	}
	if len(groups) > maxListItems {
		p.Add("affected_stakeholders", "must list at most %d groups", maxListItems)
	}
	s.AffectedStakeholders = groups
}

// searchText is what a search matches: reference, name, purpose and description, in lower case.
func (s *System) searchText() string {
	return strings.ToLower(strings.Join([]string{s.Ref, s.Name, s.IntendedPurpose, s.Description, s.DeploymentContext}, "\n"))
}
