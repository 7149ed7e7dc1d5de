package model

import (
	"regexp"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
)

// Version is one version of a model: the artefact, what it was trained and
// evaluated on, how well it did, its model card and where it runs.
type Version struct {
	ID         string `json:"id"`
	Key        string `json:"key" doc:"The model's reference and the version's label, such as MDL-1@1.4.0."`
	ModelID    string `json:"model_id"`
	ModelRef   string `json:"model_ref"`
	ModelName  string `json:"model_name"`
	SystemID   string `json:"system_id"`
	SystemRef  string `json:"system_ref"`
	SystemName string `json:"system_name"`
	Label      string `json:"label" doc:"The version's label, such as 1.4.0; unique within the model."`
	Digest     string `json:"digest" doc:"SHA-256 of the model artefact, 64 lower-case hex digits."`
	Framework  string `json:"framework" doc:"Framework and version, such as scikit-learn 1.5."`
	// TrainedOn and EvaluatedOn are data set versions, in the order given.
	TrainedOn   []DatasetVersionRef `json:"trained_on" doc:"The data set versions the model was trained on."`
	EvaluatedOn []DatasetVersionRef `json:"evaluated_on" doc:"The data set versions the model was evaluated on."`
	Card        Card                `json:"card"`
	Status      string              `json:"status" enum:"candidate,approved,deployed,retired"`
	// Environments are where the version is deployed now.
	Environments []string  `json:"environments" doc:"The environments the version is deployed in now."`
	Approval     *Decision `json:"approval,omitempty" doc:"Who approved the version, when and why; absent while a candidate."`
	Retirement   *Decision `json:"retirement,omitempty" doc:"Who retired the version, when and why; absent unless retired."`
	// Evaluations are the version's results, oldest first; lists of versions leave them out.
	Evaluations     []Evaluation `json:"evaluations,omitempty" doc:"Evaluation results, oldest first; absent when there are none, and in lists of versions."`
	EvaluationCount int          `json:"evaluation_count"`
	// Deployments are the version's deployments, current and past, newest first; lists leave them out.
	Deployments   []Deployment `json:"deployments,omitempty" doc:"Deployments of the version, current and ended, newest first; absent when there are none, and in lists of versions."`
	Version       int          `json:"version" doc:"Increases with every change; send it back when changing the version."`
	CreatedBy     string       `json:"created_by"`
	CreatedByName string       `json:"created_by_name"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// Card is a version's model card: what the model is for and where it falls short.
type Card struct {
	IntendedUse           string `json:"intended_use" required:"false" maxLength:"4000" doc:"What the model is for, for whom. Required for approval."`
	OutOfScopeUses        string `json:"out_of_scope_uses" required:"false" maxLength:"4000" doc:"Uses the model is not meant or fit for."`
	Limitations           string `json:"limitations" required:"false" maxLength:"4000" doc:"Where the model falls short. Required for approval."`
	KnownBiases           string `json:"known_biases" required:"false" maxLength:"4000" doc:"Biases found in the model or its data."`
	EthicalConsiderations string `json:"ethical_considerations" required:"false" maxLength:"4000"`
}

// Decision records who took a decision about a version, when and why.
type Decision struct {
	By     string    `json:"by" doc:"User id, or the name of an administrative actor."`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
	Note   string    `json:"note"`
}

// Statuses of a version.
const (
	VersionCandidate = "candidate"
	VersionApproved  = "approved"
	VersionDeployed  = "deployed"
	VersionRetired   = "retired"
)

// Data set roles of a version.
const (
	RoleTraining   = "training"
	RoleEvaluation = "evaluation"
)

// Option is one allowed value with words for people.
type Option struct {
	Value string
	Label string
	Help  string
}

// VersionStatuses are the statuses of a version in the order of its life.
var VersionStatuses = []Option{
	{VersionCandidate, "Candidate", "registered; its card and data can still change"},
	{VersionApproved, "Approved", "approved for deployment; its card and data are frozen"},
	{VersionDeployed, "Deployed", "deployed in at least one environment"},
	{VersionRetired, "Retired", "no longer to be used"},
}

// StatusLabel words a version's status for people.
func StatusLabel(status string) string {
	for _, o := range VersionStatuses {
		if o.Value == status {
			return o.Label
		}
	}
	return status
}

// VersionRequest registers a version of a model.
type VersionRequest struct {
	Label       string   `json:"label" minLength:"1" maxLength:"64" doc:"Label such as 1.4.0: letters, digits, '.', '_', '+' and '-', starting with a letter or digit."`
	Digest      string   `json:"digest" minLength:"1" doc:"SHA-256 of the artefact: 64 hex digits, optionally after sha256:."`
	Framework   string   `json:"framework,omitempty" maxLength:"200" doc:"Framework and version, such as scikit-learn 1.5."`
	TrainedOn   []string `json:"trained_on,omitempty" maxItems:"50" doc:"Keys of data set versions (DS-3@2) the model was trained on."`
	EvaluatedOn []string `json:"evaluated_on,omitempty" maxItems:"50" doc:"Keys of data set versions (DS-4@1) the model was evaluated on."`
	Card        Card     `json:"card,omitempty"`
}

// VersionUpdate changes a candidate version's fields that it names; the
// label never changes. Version must be the version the change was based on.
type VersionUpdate struct {
	Version     int         `json:"version" minimum:"1" doc:"The version this change is based on."`
	Digest      *string     `json:"digest,omitempty"`
	Framework   *string     `json:"framework,omitempty" maxLength:"200"`
	TrainedOn   *[]string   `json:"trained_on,omitempty" maxItems:"50"`
	EvaluatedOn *[]string   `json:"evaluated_on,omitempty" maxItems:"50"`
	Card        *CardUpdate `json:"card,omitempty" doc:"The card fields to change; those left out stay."`
}

// CardUpdate changes the model card fields it names.
type CardUpdate struct {
	IntendedUse           *string `json:"intended_use,omitempty" maxLength:"4000"`
	OutOfScopeUses        *string `json:"out_of_scope_uses,omitempty" maxLength:"4000"`
	Limitations           *string `json:"limitations,omitempty" maxLength:"4000"`
	KnownBiases           *string `json:"known_biases,omitempty" maxLength:"4000"`
	EthicalConsiderations *string `json:"ethical_considerations,omitempty" maxLength:"4000"`
}

// Apply copies the card fields that u names onto c.
func (u *CardUpdate) Apply(c *Card) {
	if u == nil {
		return
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.IntendedUse, u.IntendedUse)
	set(&c.OutOfScopeUses, u.OutOfScopeUses)
	set(&c.Limitations, u.Limitations)
	set(&c.KnownBiases, u.KnownBiases)
	set(&c.EthicalConsiderations, u.EthicalConsiderations)
}

// labelPattern is what a version label may be: URL-safe, at most 64 characters.
var labelPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)

// digestPattern is a SHA-256 digest in hex.
var digestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// environmentPattern is a normalised environment name.
var environmentPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)

// checkLabel trims a label and records what is wrong with it.
func checkLabel(p *aims.Problems, field string, v *string) {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "":
		p.Add(field, "is required")
	case !labelPattern.MatchString(*v):
		p.Add(field, "must be 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit, such as 1.4.0")
	case strings.EqualFold(*v, "new"):
		p.Add(field, "must not be \"new\", which names the page that registers a version")
	}
}

// NormaliseDigest returns a SHA-256 digest in lower-case hex without its
// sha256: prefix, and whether it is one.
func NormaliseDigest(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "sha256:")
	return s, digestPattern.MatchString(s)
}

// checkDigest normalises a digest and records what is wrong with it.
func checkDigest(p *aims.Problems, field string, v *string) {
	d, ok := NormaliseDigest(*v)
	switch {
	case strings.TrimSpace(*v) == "":
		p.Add(field, "is required: the SHA-256 of the model artefact")
	case !ok:
		p.Add(field, "must be a SHA-256 digest: 64 hex digits, optionally after sha256:")
	}
	*v = d
}

// NormaliseEnvironment returns an environment's name as aims keeps it:
// lower case, with runs of spaces as one '-'; empty is production.
func NormaliseEnvironment(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), "-"))
	if s == "" {
		return defaultEnvironment
	}
	return s
}

// checkEnvironment normalises an environment's name and records what is wrong with it.
func checkEnvironment(p *aims.Problems, field string, v *string) {
	*v = NormaliseEnvironment(*v)
	if !environmentPattern.MatchString(*v) {
		p.Add(field, "must be 1 to 40 letters, digits, '.', '_' or '-', such as production or staging")
	}
}

// normalise trims the card's fields and records what is wrong with them.
func (c *Card) normalise(p *aims.Problems) {
	checkText(p, "card.intended_use", &c.IntendedUse, false, maxText)
	checkText(p, "card.out_of_scope_uses", &c.OutOfScopeUses, false, maxText)
	checkText(p, "card.limitations", &c.Limitations, false, maxText)
	checkText(p, "card.known_biases", &c.KnownBiases, false, maxText)
	checkText(p, "card.ethical_considerations", &c.EthicalConsiderations, false, maxText)
}

// versionKey is a version's key: the model's reference and the label.
func versionKey(modelRef, label string) string { return modelRef + "@" + label }

// SplitKey splits a version key such as MDL-1@1.4.0 into the model's
// reference and the version's label.
func SplitKey(key string) (modelRef, label string, ok bool) {
	modelRef, label, ok = strings.Cut(strings.TrimSpace(key), "@")
	if !ok || modelRef == "" || label == "" {
		return "", "", false
	}
	return modelRef, label, true
}

// versionFields are a version's changeable fields as the audit log records them.
type versionFields struct {
	Label       string   `json:"label"`
	Digest      string   `json:"digest"`
	Framework   string   `json:"framework"`
	TrainedOn   []string `json:"trained_on"`
	EvaluatedOn []string `json:"evaluated_on"`
	// The card's fields are recorded one by one.
	IntendedUse           string `json:"card.intended_use"`
	OutOfScopeUses        string `json:"card.out_of_scope_uses"`
	Limitations           string `json:"card.limitations"`
	KnownBiases           string `json:"card.known_biases"`
	EthicalConsiderations string `json:"card.ethical_considerations"`
}

// fields are a version's changeable fields for the audit log.
func (v *Version) fields() versionFields {
	keys := func(ds []DatasetVersionRef) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = d.Key
		}
		return out
	}
	return versionFields{Label: v.Label, Digest: v.Digest, Framework: v.Framework, TrainedOn: keys(v.TrainedOn),
		EvaluatedOn: keys(v.EvaluatedOn), IntendedUse: v.Card.IntendedUse, OutOfScopeUses: v.Card.OutOfScopeUses,
		Limitations: v.Card.Limitations, KnownBiases: v.Card.KnownBiases, EthicalConsiderations: v.Card.EthicalConsiderations}
}

// DatasetKeys lists the keys of the data set versions the version was
// trained and evaluated on, each once, training first.
func (v *Version) DatasetKeys() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range append(append([]DatasetVersionRef{}, v.TrainedOn...), v.EvaluatedOn...) {
		if !seen[d.Key] {
			seen[d.Key] = true
			out = append(out, d.Key)
		}
	}
	return out
}

// Changeable reports whether the version's card, framework, digest and data
// may still change: only while it is a candidate.
func (v *Version) Changeable() bool { return v.Status == VersionCandidate }

// Deployable reports whether the version may be deployed: once approved, until retired.
func (v *Version) Deployable() bool {
	return v.Status == VersionApproved || v.Status == VersionDeployed
}

// Retirable reports whether the version may be retired as it is: a deployed
// one must be withdrawn first, and a retired one stays so.
func (v *Version) Retirable() bool {
	return v.Status == VersionCandidate || v.Status == VersionApproved
}

// TakesResults reports whether evaluation results may be added: until it is retired.
func (v *Version) TakesResults() bool { return v.Status != VersionRetired }
