package identity

import (
	"slices"

	"github.com/aims-dev/aims/internal/aims"
)

// Actions that services authorise; each capability adds its own here, so
// that the whole policy reads in one table.
const (
	ActRead             = "read"          // read the organisation's records
	ActAuditRead        = "audit.read"    // read the audit log and its proofs
	ActAuditSign        = "audit.sign"    // sign a checkpoint on demand
	ActMemberManage     = "member.manage" // add and remove members, change roles
	ActTokenOwn         = "token.own"     // create and revoke one's own API tokens
	ActPasswordOwn      = "password.own"  // change one's own password
	ActSystemCreate     = "ai_system.create"
	ActSystemUpdate     = "ai_system.update"
	ActSystemArchive    = "ai_system.archive"
	ActCatalogManage    = "catalog.manage"             // add and change the organisation's own controls
	ActSoAEdit          = "soa.edit"                   // edit the draft Statement of Applicability
	ActSoAApprove       = "soa.approve"                // approve a version of the Statement of Applicability
	ActEvidenceAdd      = "evidence.add"               // add evidence and change what it is linked to
	ActEvidenceRetire   = "evidence.archive"           // archive and restore evidence
	ActRiskCriteria     = "risk.criteria"              // set the risk criteria: scales, level matrix, appetite
	ActRiskEdit         = "risk.edit"                  // record and assess risks, plan treatments, open risk assessments
	ActRiskAccept       = "risk.accept"                // accept a residual risk within the appetite and close risk assessments, as designated management
	ActRiskAcceptAbove  = "risk.accept_above_appetite" // accept a residual risk above the appetite, an owner's decision
	ActImpactEdit       = "impact.edit"                // carry out AI system impact assessments
	ActImpactApprove    = "impact.approve"             // approve impact assessments
	ActImpactTemplate   = "impact.template"            // copy and edit impact assessment templates
	ActDatasetEdit      = "dataset.edit"               // register data sets and their versions, with provenance and profiles
	ActModelEdit        = "model.edit"                 // register models and their versions, evaluation results and model cards
	ActModelApprove     = "model.approve"              // approve, deploy and retire model versions
	ActGateConfigure    = "lifecycle.gates"            // set what each life-cycle stage gate requires
	ActStageRequest     = "lifecycle.request"          // request a move to another life-cycle stage and raise change requests
	ActStageDecide      = "lifecycle.decide"           // approve or refuse stage moves and change requests, and record changes as implemented
	ActGateOverride     = "lifecycle.override"         // move a system past a gate whose requirements are not met, with a recorded reason
	ActSupplierEdit     = "supplier.edit"              // record suppliers, customers, what they provide, responsibilities and resources
	ActSupplierAssess   = "supplier.assess"            // record supplier assessments
	ActDocumentEdit     = "document.edit"              // draft documents, the AI policy and the organisation's context, and distribute them
	ActDocumentApprove  = "document.approve"           // approve versions of documents and of the organisation's context
	ActAcknowledge      = "document.acknowledge"       // acknowledge having read a document distributed to one
	ActPeopleManage     = "people.manage"              // assign AIMS roles, set competence requirements, keep training courses
	ActTrainingRecord   = "training.record"            // record training people completed, with evidence
	ActConcernReport    = "concern.report"             // report a concern, anonymously if one wishes
	ActConcernHandle    = "concern.handle"             // read and answer reported concerns
	ActObjectiveEdit    = "objective.edit"             // set AI objectives, their indicators and targets
	ActObjectiveMeasure = "objective.measure"          // record measured values of indicators
	ActIncidentEdit     = "incident.edit"              // raise incidents and record their handling and notifications
	ActIncidentClose    = "incident.close"             // close incidents
	ActNCEdit           = "nonconformity.edit"         // record nonconformities, corrections, root causes and corrective actions
	ActNCClose          = "nonconformity.close"        // check effectiveness and close nonconformities
	ActAuditPlan        = "internal_audit.plan"        // plan the internal audit programme and its audits, assign auditors
	ActAuditConduct     = "internal_audit.conduct"     // carry out an internal audit one is assigned to: checklist, findings, report
	ActReviewEdit       = "review.edit"                // prepare management reviews and record their decisions and actions
	ActReviewSignOff    = "review.sign_off"            // sign off a management review as its chair, which freezes it
	ActNotifyConfigure  = "notification.configure"     // set up webhooks and what reminders are sent
	ActNotifyOwn        = "notification.own"           // read and dismiss one's own notifications
	ActDecisionWrite    = "decision.write"             // record decisions and their outcomes in a system's decision log
	ActDecisionRead     = "decision.read"              // read decision records: inputs, explanations, reviews and receipts
	ActDecisionToken    = "decision.token"             // create API tokens that may only write one system's decisions
	ActDecisionErase    = "decision.erase"             // erase a subject's decision payloads and set how long decisions are kept
	ActMonitorEdit      = "monitor.edit"               // set up monitoring of AI systems: settings, monitors and their thresholds
)

var (
	everyone = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor, aims.RoleViewer}
	editors  = []aims.Role{aims.RoleOwner, aims.RoleManager, aims.RoleContributor}
	leads    = []aims.Role{aims.RoleOwner, aims.RoleManager}
)

// permissions says which roles may perform each action. Auditors read
// everything including the logs and change nothing.
var permissions = map[string][]aims.Role{
	ActRead:             everyone,
	ActAuditRead:        {aims.RoleOwner, aims.RoleManager, aims.RoleAuditor},
	ActAuditSign:        leads,
	ActMemberManage:     {aims.RoleOwner},
	ActTokenOwn:         everyone,
	ActPasswordOwn:      everyone,
	ActSystemCreate:     editors,
	ActSystemUpdate:     editors,
	ActSystemArchive:    leads,
	ActCatalogManage:    leads,
	ActSoAEdit:          editors,
	ActSoAApprove:       leads,
	ActEvidenceAdd:      editors,
	ActEvidenceRetire:   leads,
	ActRiskCriteria:     leads,
	ActRiskEdit:         editors,
	ActRiskAccept:       leads,
	ActRiskAcceptAbove:  {aims.RoleOwner},
	ActImpactEdit:       editors,
	ActImpactApprove:    leads,
	ActImpactTemplate:   leads,
	ActDatasetEdit:      editors,
	ActModelEdit:        editors,
	ActModelApprove:     leads,
	ActGateConfigure:    leads,
	ActStageRequest:     editors,
	ActStageDecide:      leads,
	ActGateOverride:     {aims.RoleOwner},
	ActSupplierEdit:     editors,
	ActSupplierAssess:   leads,
	ActDocumentEdit:     editors,
	ActDocumentApprove:  leads,
	ActAcknowledge:      everyone,
	ActPeopleManage:     leads,
	ActTrainingRecord:   editors,
	ActConcernReport:    everyone,
	ActConcernHandle:    leads,
	ActObjectiveEdit:    leads,
	ActObjectiveMeasure: editors,
	ActIncidentEdit:     editors,
	ActIncidentClose:    leads,
	ActNCEdit:           editors,
	ActNCClose:          leads,
	ActAuditPlan:        leads,
	ActAuditConduct:     {aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor},
	ActReviewEdit:       leads,
	ActReviewSignOff:    leads,
	ActNotifyConfigure:  leads,
	ActNotifyOwn:        everyone,
	ActDecisionWrite:    editors,
	ActDecisionRead:     {aims.RoleOwner, aims.RoleManager, aims.RoleContributor, aims.RoleAuditor},
	ActDecisionToken:    editors,
	ActDecisionErase:    leads,
	ActMonitorEdit:      editors,
}

// Authorize returns nil when the actor's role allows the action in its
// organisation, an unauthenticated error when there is no actor, and a
// forbidden error otherwise. Unknown actions are refused, and so is every
// action but decision.write for a token scoped to one AI system.
func Authorize(actor *aims.Actor, action string) error {
	if actor == nil || actor.OrgID == "" {
		return aims.Errorf(aims.CodeUnauthenticated, "sign in or give an API token")
	}
	roles, ok := permissions[action]
	if !ok {
		return aims.Internal(aims.Errorf(aims.CodeInternal, "unknown action %q", action))
	}
	if actor.ScopeSystemID != "" && action != ActDecisionWrite {
		return aims.Errorf(aims.CodeForbidden, "this API token may only write decisions for its AI system, not %s", action)
	}
	if actor.Kind == aims.ActorSystem || slices.Contains(roles, actor.Role) {
		return nil
	}
	return aims.Forbidden(action)
}

// Can reports whether the actor may perform the action; pages use it to
// show only what the person can do.
func Can(actor *aims.Actor, action string) bool { return Authorize(actor, action) == nil }
