package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/aims-dev/aims/internal/model"
	"github.com/aims-dev/aims/internal/risk"
	"github.com/aims-dev/aims/internal/soa"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/aims-dev/aims/internal/tlog"
)

// fmtTime shows a time for people, in UTC.
func fmtTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// isoTime is a time for the datetime attribute.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// roleLabel is a role as people read it.
func roleLabel(r aims.Role) string { return sentence(string(r)) }

// fieldLabels name the fields of records and forms for people.
var fieldLabels = map[string]string{
	"name":                  "Name",
	"intended_purpose":      "Intended purpose",
	"description":           "Description",
	"owner_id":              "Owner",
	"ai_roles":              "Our AI roles",
	"lifecycle_stage":       "Lifecycle stage",
	"eu_ai_act_class":       "EU AI Act class",
	"deployment_context":    "Deployment context",
	"affected_stakeholders": "Affected stakeholders",
	"automation_level":      "Automation level",
	"human_oversight":       "Human oversight",
	"status":                "Status",
	"ref":                   "Reference",
	"archived_at":           "Archived",
	"version":               "Version",
	"organisation":          "Organisation name",
	"org":                   "Organisation",
	"email":                 "Email",
	"password":              "Password",
	"current_password":      "Current password",
	"new_password":          "New password",
	"expires":               "Expires",
	"expires_at":            "Expires",
	"revoked_at":            "Revoked",
	"role":                  "Role",
	"user_id":               "Person",
	"active":                "Active",
	"invited":               "Invited",
	"owner_email":           "Owner's email",
	"owner_name":            "Owner's name",
	"q":                     "Search",
	"sort":                  "Sort",
	"limit":                 "Page size",
	"offset":                "Offset",
	"before":                "Before",
	"kind":                  "Kind",
	"title":                 "Title",
	"url":                   "URL",
	"note":                  "Note",
	"file":                  "File",
	"file_sha256":           "SHA-256",
	"file_name":             "File name",
	"file_size":             "Size in bytes",
	"content_type":          "Content type",
	"valid_from":            "Valid from",
	"valid_until":           "Valid until",
	"links":                 "Links",
	"validity":              "Validity",
	"target":                "Linked to",
	"category_id":           "Annex A category",
	"asks":                  "What it asks",
	"evidence":              "Records that show it",
	"auditor_samples":       "What an auditor would sample",
	"applicable":            "Applicable",
	"justification":         "Justification",
	"target_date":           "Target date",
	"scope":                 "Scope",
	"content_sha256":        "Content SHA-256",
	"number":                "Version",
}

// fieldLabel names a field for people, falling back to its key in words.
func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return sentence(strings.ReplaceAll(f, "_", " "))
}

// fieldOptions are the enumerations whose values have labels.
var fieldOptions = map[string][]aisystem.Option{
	"ai_roles":         aisystem.AIRoles,
	"lifecycle_stage":  aisystem.LifecycleStages,
	"eu_ai_act_class":  aisystem.EUAIActClasses,
	"automation_level": aisystem.AutomationLevels,
	"status":           {{Value: aisystem.StatusActive, Label: "Active"}, {Value: aisystem.StatusArchived, Label: "Archived"}},
	"role": {{Value: "owner", Label: "Owner"}, {Value: "manager", Label: "Manager"}, {Value: "contributor", Label: "Contributor"},
		{Value: "auditor", Label: "Auditor"}, {Value: "viewer", Label: "Viewer"}},
}

// actionLabels describe audit actions for people.
var actionLabels = map[string]string{
	"installation.setup":   "Set up aims",
	"organisation.create":  "Created the organisation",
	"auth.login":           "Signed in",
	"auth.logout":          "Signed out",
	"member.add":           "Added a member",
	"member.role_change":   "Changed a member's role",
	"member.remove":        "Removed a member",
	"member.join":          "Accepted an invitation",
	"user.create":          "Created a user",
	"user.password_change": "Changed a password",
	"api_token.create":     "Created an API token",
	"api_token.revoke":     "Revoked an API token",
	"ai_system.create":     "Registered the AI system",
	"ai_system.update":     "Changed the AI system",
	"ai_system.archive":    "Archived the AI system",
	"ai_system.restore":    "Restored the AI system",
	"control.create":       "Added an own control",
	"control.update":       "Changed an own control",
	"control.archive":      "Archived an own control",
	"control.restore":      "Restored an own control",
	"evidence.add":         "Added the evidence",
	"evidence.update":      "Changed the evidence",
	"evidence.archive":     "Archived the evidence",
	"evidence.restore":     "Restored the evidence",
	"soa.scope_change":     "Changed the SoA's scope",
	"soa.entry_set":        "Decided a control in the SoA",
	"soa.override_remove":  "Removed a system's SoA override",
	"soa.approve":          "Approved a version of the SoA",

	risk.ActionCreate:          "Recorded the risk",
	risk.ActionUpdate:          "Changed the risk",
	risk.ActionAssess:          "Assessed the risk",
	risk.ActionTreatmentChange: "Changed the risk's treatment",
	risk.ActionActionAdd:       "Added a treatment action",
	risk.ActionActionUpdate:    "Changed a treatment action",
	risk.ActionAccept:          "Accepted the residual risk",
	risk.ActionClose:           "Closed the risk",
	risk.ActionReopen:          "Reopened the risk",
	risk.ActionCriteria:        "Set a new version of the risk criteria",
	risk.ActionAssessmentOpen:  "Opened a risk assessment",
	risk.ActionAssessmentClose: "Closed the risk assessment",

	impact.ActionCreate:          "Started the impact assessment",
	impact.ActionUpdate:          "Changed the impact assessment",
	impact.ActionImpactAdd:       "Added an impact to the assessment",
	impact.ActionImpactUpdate:    "Changed an impact of the assessment",
	impact.ActionImpactRemove:    "Removed an impact from the assessment",
	impact.ActionSubmit:          "Submitted the impact assessment for review",
	impact.ActionReturn:          "Sent the impact assessment back",
	impact.ActionApprove:         "Approved a version of the impact assessment",
	impact.ActionRiskCreate:      "Recorded a risk from an impact",
	impact.ActionRiskLink:        "Linked an impact to a risk",
	impact.ActionTemplateCopy:    "Copied an impact assessment template",
	impact.ActionTemplateUpdate:  "Changed the impact assessment template",
	impact.ActionTemplateArchive: "Archived the impact assessment template",

	dataset.ActionCreate:        "Registered the data set",
	dataset.ActionUpdate:        "Changed the data set",
	dataset.ActionArchive:       "Archived the data set",
	dataset.ActionRestore:       "Restored the data set",
	dataset.ActionVersionCreate: "Recorded a data set version",
	dataset.ActionProfile:       "Profiled the data set version's file",

	model.ActionCreate:        "Registered the model",
	model.ActionUpdate:        "Changed the model",
	model.ActionArchive:       "Archived the model",
	model.ActionRestore:       "Restored the model",
	model.ActionVersionCreate: "Registered the model version",
	model.ActionVersionUpdate: "Changed the model version",
	model.ActionEvaluate:      "Recorded evaluation results",
	model.ActionApprove:       "Approved the model version",
	model.ActionDeploy:        "Deployed the model version",
	model.ActionSupersede:     "Superseded by another version",
	model.ActionWithdraw:      "Withdrew the model version",
	model.ActionRetire:        "Retired the model version",

	supplier.ActionPartyCreate:    "Recorded the third party",
	supplier.ActionPartyUpdate:    "Changed the third party",
	supplier.ActionPartyArchive:   "Archived the third party",
	supplier.ActionPartyRestore:   "Restored the third party",
	supplier.ActionSupplyAdd:      "Recorded a supply",
	supplier.ActionSupplyUpdate:   "Changed a supply",
	supplier.ActionSupplyRemove:   "Removed a supply",
	supplier.ActionAssess:         "Assessed the supplier",
	supplier.ActionRACISet:        "Set responsibilities",
	supplier.ActionResourceCreate: "Recorded the resource",
	supplier.ActionResourceUpdate: "Changed the resource",
	supplier.ActionResourceArch:   "Archived the resource",
	supplier.ActionResourceRest:   "Restored the resource",

	lifecycle.ActionGatesSet:          "Set the stage gates",
	lifecycle.ActionRequestCreate:     "Requested a move to another stage",
	lifecycle.ActionRequestApprove:    "Approved the stage move",
	lifecycle.ActionRequestOverride:   "Approved the stage move past unmet requirements (override)",
	lifecycle.ActionRequestRefuse:     "Refused the stage move",
	lifecycle.ActionRequestWithdraw:   "Withdrew the stage-move request",
	lifecycle.ActionChangeCreate:      "Raised the change request",
	lifecycle.ActionChangeReclass:     "Raised the change to significant",
	lifecycle.ActionChangeApprove:     "Approved the change request",
	lifecycle.ActionChangeRefuse:      "Refused the change request",
	lifecycle.ActionChangeImplement:   "Recorded the change as implemented",
	lifecycle.ActionChangeWithdraw:    "Withdrew the change request",
	lifecycle.ActionSignificantChange: "Approved a significant change of the AI system",
	aisystem.ActionStageChange:        "Moved the AI system to another stage",
}

// actionLabel describes an audit action, falling back to its code.
func actionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

// eventView is an audit event ready to show.
type eventView struct {
	Index      int64
	Time       time.Time
	Actor      string
	Action     string
	Label      string
	ObjectType string
	ObjectRef  string
	// ObjectHref links to the object's page, when it has one.
	ObjectHref string
	Changes    []changeView
}

// changeView is one field's change.
type changeView struct {
	Field  string
	Label  string
	Before value
	After  value
}

// value is a decoded change value: nothing, a text or a list of texts.
type value struct {
	None   bool
	IsList bool
	Text   string
	Items  []string
}

// eventsView prepares audit events for display; names maps user ids to
// people's names so that owners read as names.
func eventsView(evs []tlog.Event, names map[string]string) []eventView {
	out := make([]eventView, 0, len(evs))
	for _, e := range evs {
		v := eventView{Index: e.Index, Time: e.Time, Actor: e.Actor.Label, Action: e.Action, Label: actionLabel(e.Action),
			ObjectType: e.Object.Type, ObjectRef: e.Object.Ref}
		if v.Actor == "" {
			v.Actor = e.Actor.ID
		}
		if e.Object.Ref != "" {
			switch e.Object.Type {
			case aisystem.ObjectType:
				v.ObjectHref = "/systems/" + e.Object.Ref
			case catalog.ObjectControl:
				v.ObjectHref = "/catalog/controls/" + e.Object.Ref
			case evidence.ObjectType:
				v.ObjectHref = "/evidence/" + e.Object.Ref
			case soa.ObjectEntry:
				control, _, _ := strings.Cut(e.Object.Ref, " ")
				v.ObjectHref = "/soa/controls/" + control
			case soa.ObjectVersion:
				v.ObjectHref = "/soa/versions/" + strings.TrimPrefix(e.Object.Ref, "SoA v")
			case risk.ObjectRisk:
				v.ObjectHref = "/risks/" + e.Object.Ref
			case risk.ObjectCriteria:
				v.ObjectHref = criteriaHref(e.Object.Ref)
			case risk.ObjectAssessment:
				v.ObjectHref = "/risk-assessments/" + e.Object.Ref
			case impact.ObjectAssessment:
				v.ObjectHref = "/impact/assessments/" + e.Object.Ref
			case impact.ObjectTemplate:
				v.ObjectHref = "/impact/templates/" + e.Object.Ref
			case dataset.ObjectDataset:
				v.ObjectHref = "/datasets/" + e.Object.Ref
			case model.ObjectModel:
				v.ObjectHref = "/models/" + e.Object.Ref
			case dataset.ObjectVersion, model.ObjectVersion:
				v.ObjectHref = auditVersionHref(e.Object.Type, e.Object.Ref)
			case lifecycle.ObjectRequest:
				v.ObjectHref = "/lifecycle/requests/" + e.Object.Ref
			case lifecycle.ObjectChange:
				v.ObjectHref = "/changes/" + e.Object.Ref
			case lifecycle.ObjectGates:
				v.ObjectHref = "/lifecycle/gates"
			case supplier.ObjectParty, supplier.ObjectSupply, supplier.ObjectAssessment:
				party, _, _ := strings.Cut(e.Object.Ref, "/")
				v.ObjectHref = "/suppliers/" + party
			case supplier.ObjectRACI:
				v.ObjectHref = "/systems/" + e.Object.Ref + "/responsibilities"
			case supplier.ObjectResource:
				v.ObjectHref = "/resources/" + e.Object.Ref
			default:
				if link, ok := managementLinks[e.Object.Type]; ok {
					v.ObjectHref = link(e.Object.Ref)
				}
			}
		}
		for _, c := range e.Changes {
			v.Changes = append(v.Changes, changeView{Field: c.Field, Label: fieldLabel(c.Field),
				Before: decodeValue(c.Field, c.Before, names), After: decodeValue(c.Field, c.After, names)})
		}
		out = append(out, v)
	}
	return out
}

// auditVersionHref links to the data set or model version that a key such as
// DS-3@2 or MDL-1@1.4.0 names.
func auditVersionHref(objectType, key string) string {
	ref, v, _ := strings.Cut(key, "@")
	if objectType == dataset.ObjectVersion {
		return "/datasets/" + ref + "/versions/" + v
	}
	return "/models/" + ref + "/versions/" + v
}

// criteriaHref links to the version of the risk criteria that an event's
// reference, such as "Risk criteria v3", names; to the criteria when it
// names none.
func criteriaHref(ref string) string {
	n, ok := strings.CutPrefix(ref, "Risk criteria v")
	if _, err := strconv.Atoi(n); !ok || err != nil {
		return "/risk-criteria"
	}
	return "/risk-criteria/versions/" + n
}

// decodeValue reads a JSON change value and words it for people.
func decodeValue(field string, raw json.RawMessage, names map[string]string) value {
	if len(raw) == 0 {
		return value{None: true}
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return value{Text: string(raw)}
	}
	switch t := x.(type) {
	case nil:
		return value{None: true}
	case []any:
		v := value{IsList: true, Items: []string{}}
		for _, item := range t {
			v.Items = append(v.Items, scalarText(field, item, names))
		}
		return v
	default:
		return value{Text: scalarText(field, t, names)}
	}
}

// scalarText words one decoded JSON value.
func scalarText(field string, x any, names map[string]string) string {
	switch t := x.(type) {
	case nil:
		return "—"
	case string:
		if t == "" {
			return "(empty)"
		}
		if opts, ok := fieldOptions[field]; ok {
			return aisystem.Label(opts, t)
		}
		if field == "owner_id" || field == "user_id" {
			if n, ok := names[t]; ok && n != "" {
				return n
			}
		}
		if tm, err := time.Parse(time.RFC3339Nano, t); err == nil && strings.HasSuffix(field, "_at") {
			return fmtTime(tm)
		}
		return t
	case bool:
		if t {
			return "yes"
		}
		return "no"
	case json.Number:
		return t.String()
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return string(b)
	}
}

// plural words a count with a noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
