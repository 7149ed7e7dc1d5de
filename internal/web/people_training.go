package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/people"
)

// peopleMatrix shows the competence matrix: everyone holding an AIMS role against the competences the roles require.
func (h *handler) peopleMatrix(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	m, err := h.People.CompetenceMatrix(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "People and competence", "people", func(v view) templ.Component { return peopleMatrixView(v, m) })
}

// peopleMe sends the signed-in person to their own page.
func (h *handler) peopleMe(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	seeOther(w, r, "/people/members/"+url.PathEscape(a.UserID))
}

// personPage shows a member's roles, competences, gaps and training records.
func (h *handler) personPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	pc, err := h.People.Person(r.Context(), a, r.PathValue("user"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	title := pc.Person.Name
	if pc.Person.UserID == a.UserID {
		title = "My training"
	}
	h.show(w, r, http.StatusOK, title, "people", func(v view) templ.Component { return personView(v, pc, pc.Person.UserID == a.UserID) })
}

// trainingListData is what the list of training records shows.
type trainingListData struct {
	Query people.RecordQuery
	Page  *people.RecordPage
	Errs  formErrors
}

func (d trainingListData) pageHref(offset int) string {
	v := url.Values{}
	for k, x := range map[string]string{"person": d.Query.Person, "course": d.Query.Course, "competence": d.Query.Competence, "state": d.Query.State} {
		if x != "" && x != "all" {
			v.Set(k, x)
		}
	}
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	return "/people/training?" + v.Encode()
}

func (d trainingListData) stateOptions() []option {
	out := []option{}
	for _, s := range []string{"all", people.RecordCurrent, people.RecordExpired, people.RecordReplaced, people.RecordWithdrawn} {
		out = append(out, option{Value: s, Label: sentence(s), Selected: s == d.Query.State})
	}
	return out
}

// trainingList lists training records, filtered.
func (h *handler) trainingList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v := r.URL.Query()
	d := trainingListData{Query: people.RecordQuery{Person: v.Get("person"), Course: v.Get("course"), Competence: v.Get("competence"),
		State: v.Get("state"), Offset: max(0, formInt(v.Get("offset")))}}
	status := http.StatusOK
	var err error
	if d.Page, err = h.People.ListRecords(r.Context(), a, d.Query); err != nil {
		fe, st, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs, status = fe, st
	}
	h.show(w, r, status, "Training records", "people", func(v view) templ.Component { return trainingListView(v, d) })
}

// trainingFields are the controls of the training form.
func trainingFields(v url.Values, errs formErrors, c formChoices) []field {
	person := peopleField("person", "select", "", "Who completed it.", errs)
	person.Required = true
	person.Options = []option{{Value: "", Label: "Choose a person", Selected: v.Get("person") == ""}}
	for _, m := range c.Members {
		person.Options = append(person.Options, option{Value: m.UserID, Label: m.Name + " (" + m.Email + ")", Selected: v.Get("person") == m.UserID})
	}
	course := peopleField("course", "select", "", "A course: its competences and validity apply. Or leave it and describe an activity below.", errs)
	course.Options = []option{{Value: "", Label: "No course: another activity", Selected: v.Get("course") == ""}}
	for _, k := range c.Courses {
		course.Options = append(course.Options, option{Value: k.Ref, Label: k.Ref + " " + k.Title + " (" + validityText(k.ValidityMonths) + ")",
			Selected: v.Get("course") == k.Ref})
	}
	activity := peopleField("activity", "select", "", "Instead of a course.", errs)
	activity.Options = []option{{Value: "", Label: "—", Selected: v.Get("activity") == ""}}
	for _, x := range people.Activities {
		activity.Options = append(activity.Options, option{Value: x, Label: sentence(x), Selected: v.Get("activity") == x})
	}
	completed := peopleField("completed_on", "date", v.Get("completed_on"), "Today when left empty.", errs)
	return []field{person, course, activity,
		peopleField("activity_title", "text", v.Get("activity_title"), "Such as MSc Statistics, or Five years of credit model validation.", errs),
		competenceField("For an activity: the competences it confers. A course's own apply to a course.", v["competences"], errs, c),
		completed,
		peopleField("expires_on", "date", v.Get("expires_on"), "The first day it no longer counts. Computed from a course's validity; give it only when there is none.", errs),
		peopleField("evidence", "text", v.Get("evidence"), "References of the evidence, such as EV-3, separated by spaces or commas.", errs),
		peopleField("notes", "textarea", v.Get("notes"), "", errs)}
}

func (h *handler) showTrainingForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, v url.Values, errs formErrors) {
	c, err := h.choices(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := peopleFormData{Title: "Record training", Parent: "Training records", ParentHref: "/people/training", Action: "/people/training",
		Submit: "Record", Cancel: "/people/training", Errs: errs, Fields: trainingFields(v, errs, c)}
	if rep := v.Get("replaces"); rep != "" {
		d.Title = "Correct " + rep
		d.Fields = append([]field{peopleField("replaces", "hidden", rep, "", errs)}, d.Fields...)
	}
	h.show(w, r, status, d.Title, "people", func(v view) templ.Component { return peopleFormView(v, d) })
}

// trainingNew shows the training form; ?person= and ?replaces= fill it in.
func (h *handler) trainingNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActTrainingRecord); err != nil {
		h.fail(w, r, err)
		return
	}
	v := url.Values{"person": {r.URL.Query().Get("person")}}
	if rep := r.URL.Query().Get("replaces"); rep != "" {
		old, err := h.People.GetRecord(r.Context(), a, rep)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v = url.Values{"replaces": {old.Ref}, "person": {old.Person.UserID}, "activity": {old.Activity}, "activity_title": {old.ActivityTitle},
			"competences": refsOf(old.Competences), "completed_on": {old.CompletedOn}, "notes": {old.Notes}}
		if old.Course != nil {
			v.Set("course", old.Course.Ref)
			v.Del("competences")
		}
		var evs []string
		for _, e := range old.Evidence {
			evs = append(evs, e.Ref)
		}
		v.Set("evidence", joinComma(evs))
	}
	h.showTrainingForm(w, r, a, http.StatusOK, v, formErrors{})
}

// trainingCreate records training from the form.
func (h *handler) trainingCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	v := r.PostForm
	rec, err := h.People.RecordTraining(r.Context(), a, people.RecordRequest{Person: v.Get("person"), Course: v.Get("course"),
		Activity: v.Get("activity"), ActivityTitle: v.Get("activity_title"), Competences: v["competences"], CompletedOn: v.Get("completed_on"),
		ExpiresOn: v.Get("expires_on"), Evidence: splitRefs(v.Get("evidence")), Notes: v.Get("notes"), Replaces: v.Get("replaces")})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showTrainingForm(w, r, a, status, v, fe)
		return
	}
	h.flash(r.Context(), rec.Ref+" is recorded.")
	seeOther(w, r, "/people/training/"+rec.Ref)
}

// trainingDetail shows a training record with its history and, for editors, the withdraw form.
func (h *handler) trainingDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showTraining(w, r, a, http.StatusOK, "", formErrors{})
}

func (h *handler) showTraining(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, reason string, errs formErrors) {
	rec, err := h.People.GetRecord(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := h.history(r, a, rec.ID, h.People.RecordHistory)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	reasonField := peopleField("reason", "textarea", reason, "Why the record should no longer count. It stays in the history.", errs)
	reasonField.Required = true
	h.show(w, r, status, rec.Ref+" "+rec.Title(), "people", func(v view) templ.Component { return trainingDetailView(v, rec, hist, reasonField, errs) })
}

// trainingWithdraw withdraws a record with the reason typed.
func (h *handler) trainingWithdraw(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	reason := r.PostForm.Get("reason")
	rec, err := h.People.WithdrawRecord(r.Context(), a, r.PathValue("ref"), people.WithdrawRequest{Reason: reason})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showTraining(w, r, a, status, reason, fe)
		return
	}
	h.flash(r.Context(), rec.Ref+" is withdrawn; it no longer counts.")
	seeOther(w, r, "/people/training/"+rec.Ref)
}
