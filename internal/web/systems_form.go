package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/identity"
)

// systemForm holds the system form as typed, so that it can be shown again.
type systemForm struct {
	Name              string
	IntendedPurpose   string
	Description       string
	OwnerID           string
	AIRoles           []string
	LifecycleStage    string
	EUAIActClass      string
	DeploymentContext string
	// Stakeholders is the textarea: one group per line.
	Stakeholders    string
	AutomationLevel string
	HumanOversight  string
	// Version is the hidden version the edit was based on.
	Version string
}

// systemFormFrom reads a posted system form.
func systemFormFrom(v url.Values) systemForm {
	return systemForm{
		Name: v.Get("name"), IntendedPurpose: v.Get("intended_purpose"), Description: v.Get("description"),
		OwnerID: v.Get("owner_id"), AIRoles: v["ai_roles"], LifecycleStage: v.Get("lifecycle_stage"),
		EUAIActClass: v.Get("eu_ai_act_class"), DeploymentContext: v.Get("deployment_context"),
		Stakeholders: v.Get("affected_stakeholders"), AutomationLevel: v.Get("automation_level"),
		HumanOversight: v.Get("human_oversight"), Version: v.Get("version"),
	}
}

// systemFormOf fills the form from a stored system.
func systemFormOf(s *aisystem.System) systemForm {
	return systemForm{
		Name: s.Name, IntendedPurpose: s.IntendedPurpose, Description: s.Description, OwnerID: s.OwnerID,
		AIRoles: s.AIRoles, LifecycleStage: s.LifecycleStage, EUAIActClass: s.EUAIActClass,
		DeploymentContext: s.DeploymentContext, Stakeholders: strings.Join(s.AffectedStakeholders, "\n"),
		AutomationLevel: s.AutomationLevel, HumanOversight: s.HumanOversight, Version: strconv.Itoa(s.Version),
	}
}

// stakeholders splits the textarea into groups, one per line.
func (f systemForm) stakeholders() []string {
	out := []string{}
	for _, line := range strings.Split(strings.ReplaceAll(f.Stakeholders, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// roles is the checked roles, never nil so that unchecking every box clears them.
func (f systemForm) roles() []string {
	if f.AIRoles == nil {
		return []string{}
	}
	return f.AIRoles
}

// create is the form as a creation request.
func (f systemForm) create() aisystem.CreateRequest {
	return aisystem.CreateRequest{
		Name: f.Name, IntendedPurpose: f.IntendedPurpose, Description: f.Description, OwnerID: f.OwnerID,
		AIRoles: f.roles(), LifecycleStage: f.LifecycleStage, EUAIActClass: f.EUAIActClass,
		DeploymentContext: f.DeploymentContext, AffectedStakeholders: f.stakeholders(),
		AutomationLevel: f.AutomationLevel, HumanOversight: f.HumanOversight,
	}
}

// update is the form as an update request that sets every field but the
// life-cycle stage, which moves only through a stage-move request.
func (f systemForm) update() aisystem.UpdateRequest {
	version, _ := strconv.Atoi(strings.TrimSpace(f.Version))
	roles, groups := f.roles(), f.stakeholders()
	return aisystem.UpdateRequest{
		Version: version, Name: &f.Name, IntendedPurpose: &f.IntendedPurpose, Description: &f.Description,
		OwnerID: &f.OwnerID, AIRoles: &roles, EUAIActClass: &f.EUAIActClass,
		DeploymentContext: &f.DeploymentContext, AffectedStakeholders: &groups, AutomationLevel: &f.AutomationLevel,
		HumanOversight: &f.HumanOversight,
	}
}

// systemFormData is what the create and edit form shows.
type systemFormData struct {
	// Sys is the stored system when editing, nil when creating.
	Sys     *aisystem.System
	Form    systemForm
	Errs    formErrors
	Members []identity.Membership
}

// systemFields maps the system's fields to their controls, for the error summary.
var systemFields = map[string]string{
	"name": "name", "intended_purpose": "intended_purpose", "description": "description", "owner_id": "owner_id",
	"ai_roles": "ai_roles", "lifecycle_stage": "lifecycle_stage", "eu_ai_act_class": "eu_ai_act_class",
	"deployment_context": "deployment_context", "affected_stakeholders": "affected_stakeholders",
	"automation_level": "automation_level", "human_oversight": "human_oversight",
}

// action is where the form posts.
func (d systemFormData) action() string {
	if d.Sys == nil {
		return "/systems"
	}
	return "/systems/" + d.Sys.Ref
}

// text is a single-line text field of the form.
func (d systemFormData) text(name, value, hint string, required bool) field {
	return field{ID: name, Name: name, Label: fieldLabel(name), Type: "text", Value: value, Hint: hint,
		Required: required, Err: d.Errs.For(name), Wide: true}
}

// area is a textarea of the form.
func (d systemFormData) area(name, value, hint string, rows int, required bool) field {
	return field{ID: name, Name: name, Label: fieldLabel(name), Type: "textarea", Value: value, Hint: hint,
		Rows: rows, Required: required, Err: d.Errs.For(name), Wide: true}
}

// choice is a select of an enumeration, labelled for people.
func (d systemFormData) choice(name, value, hint string, opts []aisystem.Option) field {
	f := field{ID: name, Name: name, Label: fieldLabel(name), Type: "select", Hint: hint, Err: d.Errs.For(name)}
	for _, o := range opts {
		label := o.Label
		if o.Help != "" {
			label += " — " + o.Help
		}
		f.Options = append(f.Options, option{Value: o.Value, Label: label, Selected: o.Value == value})
	}
	return f
}

// owner is the select of the organisation's members.
func (d systemFormData) owner() field {
	f := field{ID: "owner_id", Name: "owner_id", Label: fieldLabel("owner_id"), Type: "select",
		Hint: "The person accountable for the system.", Err: d.Errs.For("owner_id")}
	f.Options = append(f.Options, option{Value: "", Label: "No owner yet", Selected: d.Form.OwnerID == ""})
	found := d.Form.OwnerID == ""
	for _, m := range d.Members {
		label := m.Name + " (" + m.Email + ")"
		if !m.Active {
			label += ", invited"
		}
		sel := m.UserID == d.Form.OwnerID
		found = found || sel
		f.Options = append(f.Options, option{Value: m.UserID, Label: label, Selected: sel})
	}
	if !found {
		name := "A former member"
		if d.Sys != nil && d.Sys.OwnerID == d.Form.OwnerID && d.Sys.OwnerName != "" {
			name = d.Sys.OwnerName + " (no longer a member)"
		}
		f.Options = append(f.Options, option{Value: d.Form.OwnerID, Label: name, Selected: true})
	}
	return f
}

// roles is the checkbox group of the organisation's AI roles.
func (d systemFormData) roles() field {
	f := field{ID: "ai_roles", Name: "ai_roles", Label: fieldLabel("ai_roles"),
		Hint: "Your organisation's roles towards this system, after ISO/IEC 22989. Choose all that apply.",
		Err:  d.Errs.For("ai_roles")}
	for _, o := range aisystem.AIRoles {
		f.Options = append(f.Options, option{Value: o.Value, Label: o.Label, Hint: o.Help,
			Selected: slices.Contains(d.Form.AIRoles, o.Value)})
	}
	return f
}
