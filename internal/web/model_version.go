package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/model"
)

// versionForm is the version form as typed.
type versionForm struct {
	Label, Digest, Framework string
	// TrainedOn and EvaluatedOn are textareas of data set version keys.
	TrainedOn, EvaluatedOn                                                       string
	IntendedUse, OutOfScopeUses, Limitations, KnownBiases, EthicalConsiderations string
	Version                                                                      string
}

// versionFormData is what the version form shows.
type versionFormData struct {
	Model *model.Model
	// Existing is the stored version when editing, nil when registering.
	Existing *model.Version
	Form     versionForm
	Errs     formErrors
}

// versionFormFields map a version's fields to their controls.
var versionFormFields = map[string]string{"label": "version-label", "digest": "version-digest", "framework": "version-framework",
	"trained_on": "version-trained_on", "evaluated_on": "version-evaluated_on", "card.intended_use": "version-card-intended_use",
	"card.out_of_scope_uses": "version-card-out_of_scope_uses", "card.limitations": "version-card-limitations",
	"card.known_biases": "version-card-known_biases", "card.ethical_considerations": "version-card-ethical_considerations",
	"version": "version-digest"}

// field is a control of the form.
func (d versionFormData) field(name, typ, value, hint string) field {
	f := modelField("version-", name, typ, value, hint, d.Errs)
	if typ == "textarea" {
		f.Rows = 3
	}
	return f
}

// action is where the form posts.
func (d versionFormData) action() string {
	if d.Existing == nil {
		return "/models/" + d.Model.Ref + "/versions"
	}
	return versionHref(d.Model.Ref, d.Existing.Label)
}

// keySeparators split a list of data set version keys typed in a textarea.
var keySeparators = regexp.MustCompile(`[\s,;]+`)

// keys splits typed data set version keys.
func keys(s string) []string {
	out := []string{}
	for _, k := range keySeparators.Split(s, -1) {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// versionFormFrom reads a posted version form.
func versionFormFrom(v url.Values) versionForm {
	return versionForm{Label: v.Get("label"), Digest: v.Get("digest"), Framework: v.Get("framework"),
		TrainedOn: v.Get("trained_on"), EvaluatedOn: v.Get("evaluated_on"), IntendedUse: v.Get("card.intended_use"),
		OutOfScopeUses: v.Get("card.out_of_scope_uses"), Limitations: v.Get("card.limitations"),
		KnownBiases: v.Get("card.known_biases"), EthicalConsiderations: v.Get("card.ethical_considerations"), Version: v.Get("version")}
}

// versionFormOf fills the form from a stored version.
func versionFormOf(v *model.Version) versionForm {
	return versionForm{Label: v.Label, Digest: v.Digest, Framework: v.Framework, TrainedOn: strings.Join(datasetKeys(v.TrainedOn), "\n"),
		EvaluatedOn: strings.Join(datasetKeys(v.EvaluatedOn), "\n"), IntendedUse: v.Card.IntendedUse,
		OutOfScopeUses: v.Card.OutOfScopeUses, Limitations: v.Card.Limitations, KnownBiases: v.Card.KnownBiases,
		EthicalConsiderations: v.Card.EthicalConsiderations, Version: strconv.Itoa(v.Version)}
}

// card is the form's model card.
func (f versionForm) card() model.Card {
	return model.Card{IntendedUse: f.IntendedUse, OutOfScopeUses: f.OutOfScopeUses, Limitations: f.Limitations,
		KnownBiases: f.KnownBiases, EthicalConsiderations: f.EthicalConsiderations}
}

// datasetKeys lists the keys of data set versions.
func datasetKeys(ds []model.DatasetVersionRef) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Key
	}
	return out
}

// datasetHref links a data set version's key, such as DS-3@2, to its page.
func datasetHref(key string) string {
	ref, n, ok := strings.Cut(key, "@")
	if !ok {
		return "/datasets"
	}
	return "/datasets/" + url.PathEscape(ref) + "/versions/" + url.PathEscape(n)
}

// lineageHref links to the lineage of the data set versions of a model version.
func lineageHref(v *model.Version) string {
	q := url.Values{"version": v.DatasetKeys()}
	return "/datasets/lineage?" + q.Encode()
}

// versionNew shows the form that registers a version of a model.
func (h *handler) versionNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActModelEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.Models.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showVersionForm(w, r, http.StatusOK, versionFormData{Model: m})
}

// showVersionForm renders the version form.
func (h *handler) showVersionForm(w http.ResponseWriter, r *http.Request, status int, d versionFormData) {
	title := "Register a version of " + d.Model.Ref
	if d.Existing != nil {
		title = "Edit " + d.Existing.Key
	}
	h.show(w, r, status, title, "models", func(v view) templ.Component { return versionFormView(v, d) })
}

// versionCreate registers a version from the posted form.
func (h *handler) versionCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	m, err := h.Models.Get(ctx, a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := versionFormFrom(r.PostForm)
	v, err := h.Models.CreateVersion(ctx, a, m.ID, model.VersionRequest{Label: f.Label, Digest: f.Digest, Framework: f.Framework,
		TrainedOn: keys(f.TrainedOn), EvaluatedOn: keys(f.EvaluatedOn), Card: f.card()})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showVersionForm(w, r, status, versionFormData{Model: m, Form: f, Errs: fe})
		return
	}
	h.flash(ctx, v.Key+" is registered as a candidate. Record its evaluation results, then ask for approval.")
	seeOther(w, r, versionHref(m.Ref, v.Label))
}

// versionEdit shows the edit form of a candidate version.
func (h *handler) versionEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActModelEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	m, v, err := h.modelVersion(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showVersionForm(w, r, http.StatusOK, versionFormData{Model: m, Existing: v, Form: versionFormOf(v)})
}

// versionUpdate saves the edit form of a candidate version.
func (h *handler) versionUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	m, v, err := h.modelVersion(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := versionFormFrom(r.PostForm)
	f.Label = v.Label
	trained, evaluated := keys(f.TrainedOn), keys(f.EvaluatedOn)
	c := f.card()
	up, err := h.Models.UpdateVersion(ctx, a, v.ID, model.VersionUpdate{Version: formInt(f.Version), Digest: &f.Digest,
		Framework: &f.Framework, TrainedOn: &trained, EvaluatedOn: &evaluated, Card: &model.CardUpdate{IntendedUse: &c.IntendedUse,
			OutOfScopeUses: &c.OutOfScopeUses, Limitations: &c.Limitations, KnownBiases: &c.KnownBiases,
			EthicalConsiderations: &c.EthicalConsiderations}})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showVersionForm(w, r, status, versionFormData{Model: m, Existing: v, Form: f, Errs: fe})
		return
	}
	if up.Version == v.Version {
		h.flash(ctx, "Nothing was changed.")
	} else {
		h.flash(ctx, "Your changes to "+up.Key+" are saved.")
	}
	seeOther(w, r, versionHref(m.Ref, up.Label))
}

// modelVersion reads the model and the version that the address names.
func (h *handler) modelVersion(r *http.Request, a *aims.Actor) (*model.Model, *model.Version, error) {
	m, err := h.Models.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		return nil, nil, err
	}
	v, err := h.Models.GetVersion(r.Context(), a, m.Ref+"@"+r.PathValue("label"))
	if err != nil {
		return nil, nil, err
	}
	return m, v, nil
}

// evaluationForm is the form that records a result, as typed.
type evaluationForm struct {
	Metric, Value, Dataset, MeasuredOn, Note string
	Errs                                     formErrors
}

// decisionForm approves or retires a version, as typed.
type decisionForm struct {
	Note, Version string
	Errs          formErrors
}

// deployForm deploys or withdraws a version, as typed.
type deployForm struct {
	Environment, Note, Version string
	Errs                       formErrors
}

// versionPageData is what a version's page shows, with its forms as typed.
type versionPageData struct {
	Model    *model.Model
	Version  *model.Version
	Charts   []metricChart
	History  []eventView
	Evaluate evaluationForm
	Approve  decisionForm
	Deploy   deployForm
	Withdraw deployForm
	Retire   decisionForm
}

// versionDetail shows a version with its forms and history.
func (h *handler) versionDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showVersion(w, r, a, http.StatusOK, versionPageData{})
}

// showVersion renders a version's page; the forms of d that were posted stay as typed.
func (h *handler) showVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d versionPageData) {
	m, v, err := h.modelVersion(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Model, d.Version, d.Charts = m, v, metricCharts(v.Evaluations)
	if d.History, err = h.history(r, a, v.ID, h.Models.VersionHistory); err != nil {
		h.fail(w, r, err)
		return
	}
	labelChanges(d.History)
	version := strconv.Itoa(v.Version)
	d.Approve.Version, d.Deploy.Version, d.Withdraw.Version, d.Retire.Version = version, version, version, version
	h.show(w, r, status, v.Key+" "+m.Name, "models", func(vw view) templ.Component { return versionDetailView(vw, d) })
}

// versionFormFailed shows the version's page with a posted form's problems,
// or fails the request for any other error.
func (h *handler) versionFormFailed(w http.ResponseWriter, r *http.Request, a *aims.Actor, err error, set func(*versionPageData, formErrors)) {
	fe, status, ok := formProblem(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	d := versionPageData{}
	set(&d, fe)
	h.showVersion(w, r, a, status, d)
}

// versionDone leaves a message and returns to the version's page.
func (h *handler) versionDone(w http.ResponseWriter, r *http.Request, v *model.Version, msg string) {
	h.flash(r.Context(), msg)
	seeOther(w, r, versionHref(v.ModelRef, v.Label))
}

// versionKey is the key of the version the address names.
func versionKey(r *http.Request) string { return r.PathValue("ref") + "@" + r.PathValue("label") }

// versionEvaluate records one evaluation result from the posted form.
func (h *handler) versionEvaluate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	f := evaluationForm{Metric: v.Get("metric"), Value: v.Get("value"), Dataset: v.Get("dataset"), MeasuredOn: v.Get("measured_on"), Note: v.Get("note")}
	value, perr := strconv.ParseFloat(strings.TrimSpace(f.Value), 64)
	var err error
	if perr != nil {
		var p aims.Problems
		p.Add("value", "must be a number, such as 0.91")
		err = p.Err()
	} else {
		_, err = h.Models.Evaluate(r.Context(), a, versionKey(r), model.EvaluateRequest{Results: []model.EvaluationInput{{
			Metric: f.Metric, Value: value, Dataset: f.Dataset, MeasuredOn: f.MeasuredOn, Note: f.Note}}})
	}
	if err != nil {
		h.versionFormFailed(w, r, a, err, func(d *versionPageData, fe formErrors) {
			for i := range fe.Fields {
				fe.Fields[i].Field = strings.TrimPrefix(fe.Fields[i].Field, "results[0].")
			}
			f.Errs = fe
			d.Evaluate = f
		})
		return
	}
	h.flash(r.Context(), "The result "+strings.Join(strings.Fields(f.Metric), " ")+" = "+fmtValue(value)+" is recorded.")
	seeOther(w, r, versionHref(r.PathValue("ref"), r.PathValue("label"))+"#evaluations")
}

// versionApprove approves a candidate version.
func (h *handler) versionApprove(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := decisionForm{Note: r.PostForm.Get("note"), Version: r.PostForm.Get("version")}
	v, err := h.Models.Approve(r.Context(), a, versionKey(r), model.DecisionRequest{Version: formInt(f.Version), Note: f.Note})
	if err != nil {
		h.versionFormFailed(w, r, a, err, func(d *versionPageData, fe formErrors) { f.Errs = fe; d.Approve = f })
		return
	}
	h.versionDone(w, r, v, v.Key+" is approved. Its model card and data are now frozen; it can be deployed.")
}

// versionDeploy deploys a version to an environment.
func (h *handler) versionDeploy(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	p := r.PostForm
	f := deployForm{Environment: p.Get("environment"), Note: p.Get("note"), Version: p.Get("version")}
	v, err := h.Models.Deploy(r.Context(), a, versionKey(r), model.DeployRequest{Version: formInt(f.Version), Environment: f.Environment, Note: f.Note})
	if err != nil {
		h.versionFormFailed(w, r, a, err, func(d *versionPageData, fe formErrors) { f.Errs = fe; d.Deploy = f })
		return
	}
	h.versionDone(w, r, v, v.Key+" is deployed in "+model.NormaliseEnvironment(f.Environment)+".")
}

// versionWithdraw takes a version out of an environment.
func (h *handler) versionWithdraw(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	p := r.PostForm
	f := deployForm{Environment: p.Get("environment"), Note: p.Get("note"), Version: p.Get("version")}
	v, err := h.Models.Withdraw(r.Context(), a, versionKey(r), model.DeployRequest{Version: formInt(f.Version), Environment: f.Environment, Note: f.Note})
	if err != nil {
		h.versionFormFailed(w, r, a, err, func(d *versionPageData, fe formErrors) { f.Errs = fe; d.Withdraw = f })
		return
	}
	msg := v.Key + " is withdrawn"
	if strings.TrimSpace(f.Environment) != "" {
		msg += " from " + model.NormaliseEnvironment(f.Environment)
	}
	h.versionDone(w, r, v, msg+".")
}

// versionRetire retires a version.
func (h *handler) versionRetire(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := decisionForm{Note: r.PostForm.Get("note"), Version: r.PostForm.Get("version")}
	v, err := h.Models.Retire(r.Context(), a, versionKey(r), model.DecisionRequest{Version: formInt(f.Version), Note: f.Note})
	if err != nil {
		h.versionFormFailed(w, r, a, err, func(d *versionPageData, fe formErrors) { f.Errs = fe; d.Retire = f })
		return
	}
	h.versionDone(w, r, v, v.Key+" is retired.")
}

// approvalGaps are what a version lacks for approval, worded for people.
func approvalGaps(v *model.Version) []string {
	var out []string
	for _, g := range v.ApprovalGaps() {
		out = append(out, modelLabel(g.Field)+" "+g.Message+".")
	}
	return out
}

// editable reports whether the version's card and data can still change.
func (d versionPageData) editable() bool {
	return d.Version.Changeable() && d.Model.Status == model.StatusActive
}

// evaluable reports whether results can be added.
func (d versionPageData) evaluable() bool {
	return d.Version.TakesResults() && d.Model.Status == model.StatusActive
}

// deployable reports whether the version can be deployed.
func (d versionPageData) deployable() bool {
	return d.Version.Deployable() && d.Model.Status == model.StatusActive
}

// retirable reports whether the version can be retired as it is.
func (d versionPageData) retirable() bool {
	return d.Version.Retirable() && d.Model.Status == model.StatusActive
}

// datasetHint is the hint of the result's data set, naming the version's own.
func (d versionPageData) datasetHint() string {
	hint := "The key of the data set version measured on, such as DS-2@1."
	if ks := datasetKeys(d.Version.EvaluatedOn); len(ks) > 0 {
		hint += " This version was evaluated on " + strings.Join(ks, ", ") + "."
	}
	return hint
}

// evaluateFields map the result's fields to their controls.
var evaluateFields = map[string]string{"metric": "evaluate-metric", "value": "evaluate-value", "dataset": "evaluate-dataset",
	"measured_on": "evaluate-measured_on", "note": "evaluate-note"}
