package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/tlog"
)

func init() {
	for k, v := range map[string]string{
		"aims_role.create": "Created the AIMS role", "aims_role.update": "Changed the AIMS role",
		"aims_role.archive": "Archived the AIMS role", "aims_role.restore": "Restored the AIMS role",
		"competence.create": "Recorded the competence", "competence.update": "Changed the competence",
		"competence.archive": "Archived the competence", "competence.restore": "Restored the competence",
		"training_course.create": "Recorded the course", "training_course.update": "Changed the course",
		"training_course.archive": "Archived the course", "training_course.restore": "Restored the course",
		"training_record.create": "Recorded the training", "training_record.replace": "Corrected the training by a new record",
		"training_record.withdraw": "Withdrew the training record",
	} {
		actionLabels[k] = v
	}
}

// peopleRoutes adds the pages of AIMS roles, competences, courses, training records and gaps.
func (h *handler) peopleRoutes(signed route) {
	signed("GET /people", h.peopleMatrix)
	signed("GET /people/me", h.peopleMe)
	signed("GET /people/members/{user}", h.personPage)
	signed("GET /people/training", h.trainingList)
	signed("GET /people/training/new", h.trainingNew)
	signed("POST /people/training", h.trainingCreate)
	signed("GET /people/training/{ref}", h.trainingDetail)
	signed("POST /people/training/{ref}/withdraw", h.trainingWithdraw)
	for _, k := range peopleKinds(h.People) {
		signed("GET /people/"+k.path, h.peopleList(k))
		signed("GET /people/"+k.path+"/new", h.peopleNew(k))
		signed("POST /people/"+k.path, h.peopleCreate(k))
		signed("GET /people/"+k.path+"/{ref}", h.peopleDetail(k))
		signed("GET /people/"+k.path+"/{ref}/edit", h.peopleEdit(k))
		signed("POST /people/"+k.path+"/{ref}", h.peopleUpdate(k))
		signed("POST /people/"+k.path+"/{ref}/archive", h.peopleStatus(k, k.archive, " is archived. Its record and history are kept."))
		signed("POST /people/"+k.path+"/{ref}/restore", h.peopleStatus(k, k.restore, " is back in use."))
	}
}

// peopleLabels name the fields of people's forms.
var peopleLabels = map[string]string{
	"name": "Name", "responsibilities": "Responsibilities", "authorities": "Authorities",
	"reports_to_top_management": "Reports to top management", "members": "Held by", "competences": "Competences",
	"title": "Title", "provider": "Provider", "description": "Description", "validity_months": "Valid for (months)",
	"person": "Person", "course": "Course", "activity": "Activity", "activity_title": "What the activity was",
	"completed_on": "Completed on", "expires_on": "Expires on", "evidence": "Evidence", "notes": "Notes", "replaces": "Corrects",
	"reason": "Reason", "version": "Version",
}

func peopleField(name, typ, value, hint string, errs formErrors) field {
	return field{ID: "f-" + name, Name: name, Label: peopleLabels[name], Type: typ, Value: value, Hint: hint, Err: errs.For(name),
		Wide: typ == "textarea"}
}

// peopleSummary lists a form's problems, linking each to its control.
func peopleSummary(fe formErrors) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		label := peopleLabels[f.Field]
		if label == "" {
			label = fieldLabel(f.Field)
		}
		out = append(out, summaryItem{Text: label + " " + f.Message, Href: "#f-" + f.Field})
	}
	return out
}

// peopleFormData is what a form of the people pages shows.
type peopleFormData struct {
	Title, Parent, ParentHref, Action, Submit, Cancel, Version string
	Fields                                                     []field
	Errs                                                       formErrors
}

// peopleKind is one kind of editable record: AIMS roles, competences or courses.
type peopleKind struct {
	path, noun, plural, lead string
	manageAction             string
	list                     func(context.Context, *aims.Actor, string) ([]peopleRow, error)
	get                      func(context.Context, *aims.Actor, string) (peopleRecord, error)
	create                   func(context.Context, *aims.Actor, url.Values) (string, error)
	update                   func(context.Context, *aims.Actor, string, url.Values) (string, int, error)
	archive, restore         func(context.Context, *aims.Actor, string) (string, error)
	history                  func(context.Context, *aims.Actor, string) ([]tlog.Event, error)
	// fields are the form's controls filled from values; members are the organisation's members.
	fields func(v url.Values, errs formErrors, opts formChoices) []field
}

// formChoices are what the forms offer to choose from.
type formChoices struct {
	Members     []identity.Membership
	Competences []people.Competence
	Courses     []people.Course
}

// peopleRow is one line of a list.
type peopleRow struct {
	Ref, Name, Status string
	Facts             []string
}

// peopleRecord is a record shown on its page: facts as label and value, links as label and list.
type peopleRecord struct {
	ID, Ref, Name, Status string
	Version               int
	Facts                 [][2]string
	Lists                 []peopleList
	Values                url.Values
}

// peopleList is a labelled list of linked items on a record's page.
type peopleList struct {
	Label string
	Items []peopleLink
}

// peopleLink is an item of a list, linked when Href is set.
type peopleLink struct{ Href, Text string }

func (h *handler) choices(ctx context.Context, a *aims.Actor) (formChoices, error) {
	var c formChoices
	var err error
	if c.Members, err = h.Identity.ListMembers(ctx, a); err != nil {
		return c, err
	}
	if c.Competences, err = h.People.ListCompetences(ctx, a, people.CompetenceQuery{}); err != nil {
		return c, err
	}
	c.Courses, err = h.People.ListCourses(ctx, a, people.CourseQuery{})
	return c, err
}

func memberField(name, hint string, chosen []string, errs formErrors, c formChoices) field {
	f := peopleField(name, "checkbox", "", hint, errs)
	for _, m := range c.Members {
		f.Options = append(f.Options, option{Value: m.UserID, Label: m.Name, Hint: m.Email, Selected: slices.Contains(chosen, m.UserID)})
	}
	return f
}

func competenceField(hint string, chosen []string, errs formErrors, c formChoices) field {
	f := peopleField("competences", "checkbox", "", hint, errs)
	for _, k := range c.Competences {
		f.Options = append(f.Options, option{Value: k.Ref, Label: k.Ref + " " + k.Name, Selected: containsFold(chosen, k.Ref)})
	}
	return f
}

func (h *handler) peopleList(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		status := r.URL.Query().Get("status")
		rows, err := k.list(r.Context(), a, status)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.show(w, r, http.StatusOK, k.plural, "people", func(v view) templ.Component { return peopleListView(v, k, rows, status) })
	}
}

func (h *handler) showPeopleForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, k peopleKind, d peopleFormData, values url.Values) {
	c, err := h.choices(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Fields = k.fields(values, d.Errs, c)
	d.Parent, d.ParentHref = k.plural, "/people/"+k.path
	h.show(w, r, status, d.Title, "people", func(v view) templ.Component { return peopleFormView(v, d) })
}

func (h *handler) peopleNew(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		if err := identity.Authorize(a, k.manageAction); err != nil {
			h.fail(w, r, err)
			return
		}
		h.showPeopleForm(w, r, a, http.StatusOK, k, peopleFormData{Title: "Record a " + k.noun, Action: "/people/" + k.path,
			Submit: "Record", Cancel: "/people/" + k.path}, url.Values{})
	}
}

func (h *handler) peopleCreate(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		if !h.parseForm(w, r) {
			return
		}
		ref, err := k.create(r.Context(), a, r.PostForm)
		if err != nil {
			fe, status, ok := formProblem(err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			h.showPeopleForm(w, r, a, status, k, peopleFormData{Title: "Record a " + k.noun, Action: "/people/" + k.path,
				Submit: "Record", Cancel: "/people/" + k.path, Errs: fe}, r.PostForm)
			return
		}
		h.flash(r.Context(), ref+" is recorded.")
		seeOther(w, r, "/people/"+k.path+"/"+ref)
	}
}

func (h *handler) peopleDetail(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		rec, err := k.get(r.Context(), a, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		hist, err := h.history(r, a, rec.ID, k.history)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.show(w, r, http.StatusOK, rec.Ref+" "+rec.Name, "people", func(v view) templ.Component { return peopleDetailView(v, k, rec, hist) })
	}
}

func (h *handler) peopleEdit(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		if err := identity.Authorize(a, k.manageAction); err != nil {
			h.fail(w, r, err)
			return
		}
		rec, err := k.get(r.Context(), a, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.showPeopleForm(w, r, a, http.StatusOK, k, peopleFormData{Title: "Edit " + rec.Ref + " " + rec.Name, Action: "/people/" + k.path + "/" + rec.Ref,
			Submit: "Save changes", Cancel: "/people/" + k.path + "/" + rec.Ref, Version: strconv.Itoa(rec.Version)}, rec.Values)
	}
}

func (h *handler) peopleUpdate(k peopleKind) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		if !h.parseForm(w, r) {
			return
		}
		rec, err := k.get(r.Context(), a, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ref, version, err := k.update(r.Context(), a, rec.ID, r.PostForm)
		if err != nil {
			fe, status, ok := formProblem(err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			h.showPeopleForm(w, r, a, status, k, peopleFormData{Title: "Edit " + rec.Ref + " " + rec.Name, Action: "/people/" + k.path + "/" + rec.Ref,
				Submit: "Save changes", Cancel: "/people/" + k.path + "/" + rec.Ref, Version: r.PostForm.Get("version"), Errs: fe}, r.PostForm)
			return
		}
		if version == rec.Version {
			h.flash(r.Context(), "Nothing was changed.")
		} else {
			h.flash(r.Context(), "Your changes to "+ref+" are saved (version "+strconv.Itoa(version)+").")
		}
		seeOther(w, r, "/people/"+k.path+"/"+ref)
	}
}

func (h *handler) peopleStatus(k peopleKind, change func(context.Context, *aims.Actor, string) (string, error), done string) actorFunc {
	return func(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
		if !h.parseForm(w, r) {
			return
		}
		ref, err := change(r.Context(), a, r.PathValue("ref"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.flash(r.Context(), ref+done)
		seeOther(w, r, "/people/"+k.path+"/"+ref)
	}
}

// stateLabel words a standing or a record's state.
func standingLabel(state, until string) string {
	switch state {
	case people.Held:
		if until == "" {
			return "held, does not expire"
		}
		return "held, expires " + until
	case people.Expired:
		return "expired " + until
	}
	return state
}

// splitRefs splits typed references at spaces and commas.
func splitRefs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func joinComma(ss []string) string { return strings.Join(ss, ", ") }
