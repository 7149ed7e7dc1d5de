package identity_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
)

// TestAuthorize states the whole policy: every actor against every action.
func TestAuthorize(t *testing.T) {
	const (
		ok     = aims.Code("")
		denied = aims.CodeForbidden
		anon   = aims.CodeUnauthenticated
	)
	actions := []string{identity.ActRead, identity.ActAuditRead, identity.ActAuditSign, identity.ActMemberManage,
		identity.ActTokenOwn, identity.ActPasswordOwn, identity.ActSystemCreate, identity.ActSystemUpdate, identity.ActSystemArchive}
	user := func(r aims.Role) *aims.Actor {
		return &aims.Actor{Kind: aims.ActorUser, UserID: "u", OrgID: "o", Role: r}
	}
	tests := []struct {
		name  string
		actor *aims.Actor
		want  []aims.Code // in the order of actions
	}{
		//                                       read audit.read audit.sign member token password create update archive
		{"owner", user(aims.RoleOwner), []aims.Code{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{"manager", user(aims.RoleManager), []aims.Code{ok, ok, ok, denied, ok, ok, ok, ok, ok}},
		{"contributor", user(aims.RoleContributor), []aims.Code{ok, denied, denied, denied, ok, ok, ok, ok, denied}},
		{"auditor", user(aims.RoleAuditor), []aims.Code{ok, ok, denied, denied, ok, ok, denied, denied, denied}},
		{"viewer", user(aims.RoleViewer), []aims.Code{ok, denied, denied, denied, ok, ok, denied, denied, denied}},
		{"token of a viewer", &aims.Actor{Kind: aims.ActorToken, UserID: "u", OrgID: "o", Role: aims.RoleViewer, TokenID: "t"},
			[]aims.Code{ok, denied, denied, denied, ok, ok, denied, denied, denied}},
		{"unknown role", user("admin"), []aims.Code{denied, denied, denied, denied, denied, denied, denied, denied, denied}},
		{"no role", user(""), []aims.Code{denied, denied, denied, denied, denied, denied, denied, denied, denied}},
		{"nil actor", nil, []aims.Code{anon, anon, anon, anon, anon, anon, anon, anon, anon}},
		{"owner without organisation", &aims.Actor{Kind: aims.ActorUser, UserID: "u", Role: aims.RoleOwner},
			[]aims.Code{anon, anon, anon, anon, anon, anon, anon, anon, anon}},
		{"system actor", &aims.Actor{Kind: aims.ActorSystem, Name: "cli", OrgID: "o"}, []aims.Code{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
		{"system actor without organisation", &aims.Actor{Kind: aims.ActorSystem, Name: "cli"},
			[]aims.Code{anon, anon, anon, anon, anon, anon, anon, anon, anon}},
	}
	for _, tc := range tests {
		for i, action := range actions {
			err := identity.Authorize(tc.actor, action)
			got := ok
			if err != nil {
				got = aims.CodeOf(err)
			}
			if got != tc.want[i] {
				t.Errorf("%s, %s: got %q (%v), want %q", tc.name, action, got, err, tc.want[i])
			}
			if identity.Can(tc.actor, action) != (tc.want[i] == ok) {
				t.Errorf("%s, %s: Can disagrees with Authorize", tc.name, action)
			}
		}
	}
	// RolesFor reports the same policy.
	for i, action := range actions {
		var want []aims.Role
		for _, tc := range tests[:5] {
			if tc.want[i] == ok {
				want = append(want, tc.actor.Role)
			}
		}
		if got := identity.RolesFor(action); !slices.Equal(got, want) {
			t.Errorf("RolesFor(%s) = %q, want %q", action, got, want)
		}
	}
	// An action nobody defined is refused even to owners and the system.
	for _, a := range []*aims.Actor{user(aims.RoleOwner), {Kind: aims.ActorSystem, OrgID: "o"}} {
		if err := identity.Authorize(a, "ai_system.destroy"); aims.CodeOf(err) != aims.CodeInternal {
			t.Errorf("unknown action for %s: %v, want an internal error", a.Kind, err)
		}
	}
}

// TestRolesDocumentation keeps docs/roles.md true: each row of its table
// names an action, and its ticks must be the roles the policy allows.
func TestRolesDocumentation(t *testing.T) {
	b, err := os.ReadFile("../../docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{
		"read the inventory, the catalogue, the SoA, evidence, risks, impact assessments and readiness, and each record's history": identity.ActRead,
		"set the risk criteria: scales, level matrix, appetite":                                                                    identity.ActRiskCriteria,
		"record and assess risks, plan treatments, open risk assessments":                                                          identity.ActRiskEdit,
		"accept a residual risk within the appetite, close risk assessments":                                                       identity.ActRiskAccept,
		"accept a residual risk above the appetite":                                                                                identity.ActRiskAcceptAbove,
		"carry out AI system impact assessments":                                                                                   identity.ActImpactEdit,
		"register data sets and their versions, with provenance and profiles":                                                      identity.ActDatasetEdit,
		"register models and their versions, evaluation results and model cards":                                                   identity.ActModelEdit,
		"approve, deploy and retire model versions":                                                                                identity.ActModelApprove,
		"set what each life-cycle stage gate requires":                                                                             identity.ActGateConfigure,
		"request a move to another life-cycle stage and raise change requests":                                                     identity.ActStageRequest,
		"approve or refuse stage moves and change requests, and record changes as implemented":                                     identity.ActStageDecide,
		"move a system past a gate whose requirements are not met, with a recorded reason":                                         identity.ActGateOverride,
		"record suppliers, customers, what they provide, responsibilities and resources":                                           identity.ActSupplierEdit,
		"record supplier assessments":                                                                                              identity.ActSupplierAssess,
		"draft documents, the AI policy and the organisation's context, and distribute them":                                       identity.ActDocumentEdit,
		"approve versions of documents and of the organisation's context":                                                          identity.ActDocumentApprove,
		"acknowledge having read a document distributed to one":                                                                    identity.ActAcknowledge,
		"assign AIMS roles, set competence requirements, keep training courses":                                                    identity.ActPeopleManage,
		"record training people completed, with evidence":                                                                          identity.ActTrainingRecord,
		"report a concern, anonymously if one wishes":                                                                              identity.ActConcernReport,
		"read and answer reported concerns":                                                                                        identity.ActConcernHandle,
		"set AI objectives, their indicators and targets":                                                                          identity.ActObjectiveEdit,
		"record measured values of indicators":                                                                                     identity.ActObjectiveMeasure,
		"raise incidents and record their handling and notifications":                                                              identity.ActIncidentEdit,
		"close incidents": identity.ActIncidentClose,
		"record nonconformities, corrections, root causes and corrective actions":     identity.ActNCEdit,
		"check effectiveness and close nonconformities":                               identity.ActNCClose,
		"plan the internal audit programme and its audits, assign auditors":           identity.ActAuditPlan,
		"carry out an internal audit one is assigned to: checklist, findings, report": identity.ActAuditConduct,
		"prepare management reviews and record their decisions and actions":           identity.ActReviewEdit,
		"sign off a management review as its chair, which freezes it":                 identity.ActReviewSignOff,
		"set up webhooks and what reminders are sent":                                 identity.ActNotifyConfigure,
		"read and dismiss one's own notifications":                                    identity.ActNotifyOwn,
		"record decisions and their outcomes in a system's decision log":              identity.ActDecisionWrite,
		"read decision records: inputs, explanations, reviews and receipts":           identity.ActDecisionRead,
		"create API tokens that may only write one system's decisions":                identity.ActDecisionToken,
		"erase a subject's decision payloads and set how long decisions are kept":     identity.ActDecisionErase,
		"set up monitoring of AI systems: settings, monitors and their thresholds":    identity.ActMonitorEdit,
		"approve impact assessments":                                                  identity.ActImpactApprove,
		"copy and edit impact assessment templates":                                   identity.ActImpactTemplate,
		"add and change the organisation's own controls":                              identity.ActCatalogManage,
		"edit the draft Statement of Applicability":                                   identity.ActSoAEdit,
		"approve a version of the Statement of Applicability":                         identity.ActSoAApprove,
		"add evidence and change what it is linked to":                                identity.ActEvidenceAdd,
		"archive and restore evidence":                                                identity.ActEvidenceRetire,
		"register and change AI systems":                                              identity.ActSystemUpdate,
		"archive and restore AI systems":                                              identity.ActSystemArchive,
		"read the audit log, its proofs, verify it":                                   identity.ActAuditRead,
		"sign an audit checkpoint on demand":                                          identity.ActAuditSign,
		"add and remove members, change roles":                                        identity.ActMemberManage,
		"own API tokens and password":                                                 identity.ActTokenOwn,
	}
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 8 {
			continue
		}
		action, ok := rows[strings.TrimSpace(cells[1])]
		if !ok {
			continue
		}
		seen++
		var ticked []aims.Role
		for i, role := range []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer} {
			if strings.TrimSpace(cells[i+2]) == "✓" {
				ticked = append(ticked, role)
			}
		}
		if got := identity.RolesFor(action); !slices.Equal(got, ticked) {
			t.Errorf("docs/roles.md ticks %q for %q; the policy allows %q", ticked, strings.TrimSpace(cells[1]), got)
		}
	}
	if seen != len(rows) {
		t.Errorf("docs/roles.md has %d of the %d rows this test knows", seen, len(rows))
	}
}
