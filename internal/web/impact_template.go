package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/impact"
)

// impactTemplateRoutes adds the pages of impact assessment templates.
func (h *handler) impactTemplateRoutes(signed route) {
	signed("GET /impact/templates", h.impactTemplates)
	signed("GET /impact/templates/{key}", h.impactTemplate)
	signed("POST /impact/templates/{key}/copy", h.impactTemplateCopy)
	signed("GET /impact/templates/{key}/edit", h.impactTemplateEdit)
	signed("POST /impact/templates/{key}/edit", h.impactTemplateSave)
	signed("POST /impact/templates/{key}/archive", h.impactTemplateArchive)
}

// impactTemplates lists the templates, archived ones included.
func (h *handler) impactTemplates(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ts, err := h.Impact.Templates(r.Context(), a, impact.TemplateListQuery{Status: "all"})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Impact assessment templates", "impact", func(v view) templ.Component { return impactTemplatesView(v, ts) })
}

// templateData is what a template's page shows.
type templateData struct {
	T    *impact.Template
	Copy copyForm
}

// copyForm is the copy form as typed.
type copyForm struct {
	Name string
	Errs formErrors
}

// impactTemplate shows a template as of ?version= (by default its latest).
func (h *handler) impactTemplate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showTemplate(w, r, a, http.StatusOK, copyForm{})
}

func (h *handler) showTemplate(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, f copyForm) {
	t, err := h.Impact.Template(r.Context(), a, r.PathValue("key"), max(0, formInt(r.URL.Query().Get("version"))))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, t.Name, "impact", func(v view) templ.Component { return impactTemplateView(v, templateData{T: t, Copy: f}) })
}

// impactTemplateCopy copies the template shown into an own template.
func (h *handler) impactTemplateCopy(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	f := copyForm{Name: r.PostForm.Get("name")}
	t, err := h.Impact.CopyTemplate(r.Context(), a, r.PathValue("key"), impact.CopyRequest{Name: f.Name, Version: formInt(r.PostForm.Get("version"))})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showTemplate(w, r, a, status, f)
		return
	}
	h.flash(r.Context(), t.Key+" "+t.Name+" is your own copy of "+t.BasedOn+". Edit its questions here.")
	seeOther(w, r, "/impact/templates/"+t.Key+"/edit")
}

// impactTemplateArchive archives an own template.
func (h *handler) impactTemplateArchive(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	t, err := h.Impact.ArchiveTemplate(r.Context(), a, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), t.Key+" is archived: no new assessment starts from it.")
	seeOther(w, r, "/impact/templates/"+t.Key)
}

// templateForm is the editor of an own template, as typed.
type templateForm struct {
	Key, Name, Description, Version string
	Sections                        []impact.Section
	// Options and Scales hold each question's options and scale as typed, one per line, by "i.j".
	Options, Scales map[string]string
	Errs            formErrors
	// Pending says what the last button changed before the template was saved.
	Pending string
}

// impactTemplateEdit shows the editor of an own template.
func (h *handler) impactTemplateEdit(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActImpactTemplate); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.Impact.Template(r.Context(), a, r.PathValue("key"), 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if t.BuiltIn || t.Status == impact.TemplateArchived {
		h.fail(w, r, aims.Errorf(aims.CodeConflict, "%s cannot be edited: copy it and edit the copy", t.Key))
		return
	}
	f := templateForm{Key: t.Key, Name: t.Name, Description: t.Description, Version: strconv.Itoa(t.Version), Sections: t.Sections}
	f.fillText()
	h.showTemplateForm(w, r, http.StatusOK, f)
}

func (h *handler) showTemplateForm(w http.ResponseWriter, r *http.Request, status int, f templateForm) {
	h.show(w, r, status, "Edit "+f.Key, "impact", func(v view) templ.Component { return impactTemplateFormView(v, f) })
}

// fillText writes each question's options and scale as the text areas show them.
func (f *templateForm) fillText() {
	f.Options, f.Scales = map[string]string{}, map[string]string{}
	for i, s := range f.Sections {
		for j, q := range s.Questions {
			var lines []string
			for _, o := range q.Options {
				lines = append(lines, o.Value+": "+o.Label)
			}
			f.Options[qKey(i, j)] = strings.Join(lines, "\n")
			f.Scales[qKey(i, j)] = strings.Join(q.Scale, "\n")
		}
	}
}

func qKey(i, j int) string { return strconv.Itoa(i) + "." + strconv.Itoa(j) }

// templateFormFrom reads the posted editor: sections s0, s1 … with
// questions s0.q0 …; the counts come in sections and s<i>.questions.
func templateFormFrom(key string, v url.Values) templateForm {
	f := templateForm{Key: key, Name: v.Get("name"), Description: v.Get("description"), Version: v.Get("version"),
		Options: map[string]string{}, Scales: map[string]string{}}
	n := min(max(0, formInt(v.Get("sections"))), 100)
	for i := 0; i < n; i++ {
		p := "s" + strconv.Itoa(i) + "."
		s := impact.Section{ID: v.Get(p + "id"), Ref: v.Get(p + "ref"), Title: v.Get(p + "title"), Help: v.Get(p + "help"), Questions: []impact.Question{}}
		m := min(max(0, formInt(v.Get(p+"questions"))), 100)
		for j := 0; j < m; j++ {
			qp := p + "q" + strconv.Itoa(j) + "."
			q := impact.Question{ID: v.Get(qp + "id"), Ref: v.Get(qp + "ref"), Text: v.Get(qp + "text"), Help: v.Get(qp + "help"),
				Type: v.Get(qp + "type"), Required: v.Get(qp+"required") != ""}
			f.Options[qKey(i, j)], f.Scales[qKey(i, j)] = v.Get(qp+"options"), v.Get(qp+"scale")
			if q.Type == impact.TypeChoice {
				q.Options = parseOptions(v.Get(qp + "options"))
			}
			if q.Type == impact.TypeScale {
				q.Scale = lines(v.Get(qp + "scale"))
			}
			s.Questions = append(s.Questions, q)
		}
		f.Sections = append(f.Sections, s)
	}
	return f
}

// lines splits a text area into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var notSlug = regexp.MustCompile(`[^a-z0-9_-]+`)

// parseOptions reads a choice's options, one a line: "value: Label" (the
// value in lower case), or a label alone, whose value is made from it.
func parseOptions(s string) []impact.Choice {
	var out []impact.Choice
	for _, l := range lines(s) {
		value, label, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(strings.TrimSpace(value), " \t") {
			label = l
			value = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(strings.ReplaceAll(l, " ", "_")), ""), "_-")
		}
		out = append(out, impact.Choice{Value: strings.ToLower(strings.TrimSpace(value)), Label: strings.TrimSpace(label)})
	}
	return out
}

// impactTemplateSave applies the editor's button: a change of structure,
// shown again unsaved, or save, which makes the template's next version.
func (h *handler) impactTemplateSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	if err := identity.Authorize(a, identity.ActImpactTemplate); err != nil {
		h.fail(w, r, err)
		return
	}
	key := strings.ToUpper(r.PathValue("key"))
	f := templateFormFrom(key, r.PostForm)
	if op := r.PostForm.Get("op"); op != "save" {
		f.apply(op)
		h.showTemplateForm(w, r, http.StatusOK, f)
		return
	}
	t, err := h.Impact.UpdateTemplate(r.Context(), a, key, impact.TemplateRequest{Version: formInt(f.Version), Name: f.Name,
		Description: f.Description, Sections: f.Sections})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showTemplateForm(w, r, status, f)
		return
	}
	h.flash(r.Context(), t.Key+" is saved as version "+strconv.Itoa(t.Version)+". New assessments use it; those started before keep theirs.")
	seeOther(w, r, "/impact/templates/"+t.Key)
}

// apply changes the form's structure as a button asks: add-section,
// add-question:i, remove-section:i, remove-question:i:j, up-/down-section:i,
// up-/down-question:i:j.
func (f *templateForm) apply(op string) {
	parts := strings.Split(op, ":")
	at := func(k int) int {
		if k < len(parts) {
			if n, err := strconv.Atoi(parts[k]); err == nil {
				return n
			}
		}
		return -1
	}
	i, j := at(1), at(2)
	okSection := i >= 0 && i < len(f.Sections)
	okQuestion := okSection && j >= 0 && j < len(f.Sections[i].Questions)
	// Move the typed options and scales with their questions.
	f.syncText()
	switch parts[0] {
	case "add-section":
		f.Sections = append(f.Sections, impact.Section{ID: f.freeID("section"), Title: "",
			Questions: []impact.Question{{ID: f.freeID("question"), Type: impact.TypeText}}})
		f.Pending = "A section is added."
	case "add-question":
		if okSection {
			f.Sections[i].Questions = append(f.Sections[i].Questions, impact.Question{ID: f.freeID("question"), Type: impact.TypeText})
			f.Pending = "A question is added to section " + strconv.Itoa(i+1) + "."
		}
	case "remove-section":
		if okSection {
			f.Sections = append(f.Sections[:i:i], f.Sections[i+1:]...)
			f.Pending = "Section " + strconv.Itoa(i+1) + " is removed."
		}
	case "remove-question":
		if okQuestion {
			qs := f.Sections[i].Questions
			f.Sections[i].Questions = append(qs[:j:j], qs[j+1:]...)
			f.Pending = "A question is removed from section " + strconv.Itoa(i+1) + "."
		}
	case "up-section", "down-section":
		k := i - 1
		if parts[0] == "down-section" {
			k = i + 1
		}
		if okSection && k >= 0 && k < len(f.Sections) {
			f.Sections[i], f.Sections[k] = f.Sections[k], f.Sections[i]
			f.Pending = "Section " + strconv.Itoa(i+1) + " is moved."
		}
	case "up-question", "down-question":
		k := j - 1
		if parts[0] == "down-question" {
			k = j + 1
		}
		if okQuestion && k >= 0 && k < len(f.Sections[i].Questions) {
			qs := f.Sections[i].Questions
			qs[j], qs[k] = qs[k], qs[j]
			f.Pending = "A question of section " + strconv.Itoa(i+1) + " is moved."
		}
	}
	f.fillText()
	if f.Pending != "" {
		f.Pending += " Nothing is saved until you save the template."
	}
}

// syncText keeps options and scales typed for questions of another type,
// so that a button press does not lose them.
func (f *templateForm) syncText() {
	for i := range f.Sections {
		for j := range f.Sections[i].Questions {
			q := &f.Sections[i].Questions[j]
			if q.Type != impact.TypeChoice {
				q.Options = parseOptions(f.Options[qKey(i, j)])
			}
			if q.Type != impact.TypeScale {
				q.Scale = lines(f.Scales[qKey(i, j)])
			}
		}
	}
}

// freeID is an id of the kind not yet used in the template: question_3.
func (f *templateForm) freeID(kind string) string {
	used := map[string]bool{}
	for _, s := range f.Sections {
		used[s.ID] = true
		for _, q := range s.Questions {
			used[q.ID] = true
		}
	}
	for n := 1; ; n++ {
		if id := fmt.Sprintf("%s_%d", kind, n); !used[id] {
			return id
		}
	}
}

var fieldPath = regexp.MustCompile(`^sections\[(\d+)\](?:\.questions\[(\d+)\])?\.?([a-z]*)`)

// templateIDs maps a field's path, such as sections[1].questions[0].text,
// to its control, such as s1-q0-text.
func templateIDs(field string) string {
	switch field {
	case "name", "description":
		return field
	case "version":
		return "name"
	case "sections":
		return "add-section"
	}
	m := fieldPath.FindStringSubmatch(field)
	if m == nil {
		return ""
	}
	id := "s" + m[1]
	if m[2] != "" {
		id += "-q" + m[2]
	}
	if m[3] == "" {
		return id + "-title"
	}
	return id + "-" + m[3]
}

// errFor is the problem of a control of the editor, from the fields that map to it.
func (f templateForm) errFor(id string) string {
	var msgs []string
	for _, fe := range f.Errs.Fields {
		if templateIDs(fe.Field) == id {
			msgs = append(msgs, fe.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// templateSummary lists the editor's problems, each linked to its control.
func templateSummary(fe formErrors) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		it := summaryItem{Text: templatePathWords(f.Field) + " " + f.Message}
		if id := templateIDs(f.Field); id != "" {
			it.Href = "#" + id
		}
		out = append(out, it)
	}
	return out
}

// templatePathWords words a field's path: "Section 2, question 1: text".
func templatePathWords(field string) string {
	m := fieldPath.FindStringSubmatch(field)
	if m == nil {
		return impactLabel(field, nil)
	}
	i, _ := strconv.Atoi(m[1])
	out := "Section " + strconv.Itoa(i+1)
	if m[2] != "" {
		j, _ := strconv.Atoi(m[2])
		out += ", question " + strconv.Itoa(j+1)
	}
	if rest := strings.TrimPrefix(field, m[0]); m[3] != "" || rest != "" {
		out += ": " + strings.TrimSpace(m[3]+rest)
	}
	return out
}

// questionTypeOptions are the choices of a question's type.
func questionTypeOptions(chosen string) []option {
	return impactOptions("", impact.QuestionTypes, chosen)
}

// qid is the id prefix of a question's controls: s1-q0.
func qid(i, j int) string { return "s" + strconv.Itoa(i) + "-q" + strconv.Itoa(j) }

// qname is the name prefix of a question's fields: s1.q0.
func qname(i, j int) string { return "s" + strconv.Itoa(i) + ".q" + strconv.Itoa(j) + "." }

// qKey2 names a question in a button's value: 1:0.
func qKey2(i, j int) string { return strconv.Itoa(i) + ":" + strconv.Itoa(j) }

// nextTemplateVersion is the number a save makes.
func nextTemplateVersion(v string) string { return strconv.Itoa(formInt(v) + 1) }
