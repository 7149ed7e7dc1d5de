package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/risk"
)

// riskCriteriaForm is the criteria editor as typed. Cells and the appetite
// hold a level's position (1 for the first), so that renaming a level in
// the same form keeps them.
type riskCriteriaForm struct {
	Likelihood []risk.ScaleLevel
	Impact     []risk.ScaleLevel
	Levels     []riskCriteriaLevel
	// Cells[l-1][i-1] is the level position of likelihood l and impact i, as typed.
	Cells    [][]string
	Appetite string
	Note     string
	Version  string
	Errs     formErrors
}

// riskCriteriaLevel is a level's row of the editor.
type riskCriteriaLevel struct {
	Name, Colour, ReviewDays string
}

// riskCriteriaFormOf fills the editor from criteria.
func riskCriteriaFormOf(req risk.CriteriaRequest) riskCriteriaForm {
	f := riskCriteriaForm{Likelihood: req.Likelihood, Impact: req.Impact, Version: strconv.Itoa(req.Version)}
	pos := map[string]string{}
	for i, l := range req.Levels {
		f.Levels = append(f.Levels, riskCriteriaLevel{Name: l.Name, Colour: l.Colour, ReviewDays: strconv.Itoa(l.ReviewDays)})
		pos[l.Name] = strconv.Itoa(i + 1)
	}
	for _, row := range req.Matrix {
		cells := make([]string, len(row))
		for i, name := range row {
			cells[i] = pos[name]
		}
		f.Cells = append(f.Cells, cells)
	}
	f.Appetite = pos[req.Appetite]
	return f
}

// riskCriteriaFormFrom reads a posted editor: numbered rows until one is missing.
func riskCriteriaFormFrom(v url.Values) riskCriteriaForm {
	f := riskCriteriaForm{Appetite: v.Get("appetite"), Note: v.Get("note"), Version: v.Get("version")}
	scale := func(name string) []risk.ScaleLevel {
		var out []risk.ScaleLevel
		for i := 1; i <= risk.MaxScale+1; i++ {
			p := name + "-" + strconv.Itoa(i) + "-"
			if _, ok := v[p+"label"]; !ok {
				break
			}
			out = append(out, risk.ScaleLevel{Label: v.Get(p + "label"), Description: v.Get(p + "description")})
		}
		return out
	}
	f.Likelihood, f.Impact = scale("likelihood"), scale("impact")
	for i := 1; i <= risk.MaxLevels+1; i++ {
		p := "level-" + strconv.Itoa(i) + "-"
		if _, ok := v[p+"name"]; !ok {
			break
		}
		f.Levels = append(f.Levels, riskCriteriaLevel{Name: v.Get(p + "name"), Colour: v.Get(p + "colour"), ReviewDays: v.Get(p + "review_days")})
	}
	f.Cells = make([][]string, len(f.Likelihood))
	for l := range f.Likelihood {
		f.Cells[l] = make([]string, len(f.Impact))
		for i := range f.Impact {
			f.Cells[l][i] = v.Get("cell-" + strconv.Itoa(l+1) + "-" + strconv.Itoa(i+1))
		}
	}
	return f
}

// request is the editor as a request; a position that names no level
// leaves the cell empty, which the service names.
func (f riskCriteriaForm) request() risk.CriteriaRequest {
	name := func(pos string) string {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 1 || n > len(f.Levels) {
			return ""
		}
		return f.Levels[n-1].Name
	}
	req := risk.CriteriaRequest{Likelihood: f.Likelihood, Impact: f.Impact, Appetite: name(f.Appetite), Note: f.Note, Version: formInt(f.Version)}
	if f.Appetite != "" && req.Appetite == "" {
		req.Appetite = "?"
	}
	for _, l := range f.Levels {
		days, err := strconv.Atoi(strings.TrimSpace(l.ReviewDays))
		if err != nil {
			days = 0
		}
		req.Levels = append(req.Levels, risk.Level{Name: l.Name, Colour: l.Colour, ReviewDays: days})
	}
	for _, row := range f.Cells {
		names := make([]string, len(row))
		for i, pos := range row {
			names[i] = name(pos)
		}
		req.Matrix = append(req.Matrix, names)
	}
	return req
}

// apply carries out an editing step of the editor: adding or removing a
// step of a scale or a level. It reports whether op was one.
func (f *riskCriteriaForm) apply(op string) bool {
	kind, n := op, 0
	if i := strings.LastIndex(op, "-"); i > 0 {
		if x, err := strconv.Atoi(op[i+1:]); err == nil {
			kind, n = op[:i], x
		}
	}
	switch kind {
	case "refresh":
	case "add-likelihood":
		if len(f.Likelihood) < risk.MaxScale {
			f.Likelihood = append(f.Likelihood, risk.ScaleLevel{})
			last := []string{}
			if len(f.Cells) > 0 {
				last = f.Cells[len(f.Cells)-1]
			}
			f.Cells = append(f.Cells, append([]string(nil), last...))
		}
	case "remove-likelihood":
		if n >= 1 && n <= len(f.Likelihood) && len(f.Likelihood) > risk.MinScale {
			f.Likelihood = append(f.Likelihood[:n-1:n-1], f.Likelihood[n:]...)
			f.Cells = append(f.Cells[:n-1:n-1], f.Cells[n:]...)
		}
	case "add-impact":
		if len(f.Impact) < risk.MaxScale {
			f.Impact = append(f.Impact, risk.ScaleLevel{})
			for l := range f.Cells {
				last := ""
				if k := len(f.Cells[l]); k > 0 {
					last = f.Cells[l][k-1]
				}
				f.Cells[l] = append(f.Cells[l], last)
			}
		}
	case "remove-impact":
		if n >= 1 && n <= len(f.Impact) && len(f.Impact) > risk.MinScale {
			f.Impact = append(f.Impact[:n-1:n-1], f.Impact[n:]...)
			for l := range f.Cells {
				if n <= len(f.Cells[l]) {
					f.Cells[l] = append(f.Cells[l][:n-1:n-1], f.Cells[l][n:]...)
				}
			}
		}
	case "add-level":
		if len(f.Levels) < risk.MaxLevels {
			f.Levels = append(f.Levels, riskCriteriaLevel{Colour: "#607d8b", ReviewDays: "90"})
		}
	case "remove-level":
		if n >= 1 && n <= len(f.Levels) && len(f.Levels) > risk.MinLevels {
			f.Levels = append(f.Levels[:n-1:n-1], f.Levels[n:]...)
			// Cells of the level removed take the level below it; those above move down one.
			shift := func(pos string) string {
				x, err := strconv.Atoi(pos)
				if err != nil || x < n || (x == n && n == 1) {
					return pos
				}
				return strconv.Itoa(x - 1)
			}
			for l := range f.Cells {
				for i := range f.Cells[l] {
					f.Cells[l][i] = shift(f.Cells[l][i])
				}
			}
			f.Appetite = shift(f.Appetite)
		}
	default:
		return false
	}
	return true
}

// riskCriteriaPageData is what the criteria page shows.
type riskCriteriaPageData struct {
	// Current is the current version, nil while there is none.
	Current  *risk.Criteria
	Versions []risk.CriteriaSummary
	Form     riskCriteriaForm
	// Edited is set when the form shows an editing step not yet saved.
	Edited bool
}

// riskCriteriaPage shows the current criteria, their versions and, for
// owners and managers, the editor: filled with the current version, or
// with the default while there is none.
func (h *handler) riskCriteriaPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showCriteria(w, r, a, http.StatusOK, nil, false)
}

func (h *handler) showCriteria(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, form *riskCriteriaForm, edited bool) {
	ctx := r.Context()
	d := riskCriteriaPageData{Edited: edited}
	var err error
	if d.Current, err = h.currentCriteria(r, a); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Versions, err = h.Risks.CriteriaVersions(ctx, a); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case form != nil:
		d.Form = *form
	case d.Current != nil:
		d.Form = riskCriteriaFormOf(d.Current.Request())
	default:
		d.Form = riskCriteriaFormOf(risk.DefaultCriteria())
	}
	h.show(w, r, status, "Risk criteria", "risks", func(v view) templ.Component { return riskCriteriaView(v, d) })
}

// riskCriteriaSave carries out an editing step of the editor, or saves it
// as the next version.
func (h *handler) riskCriteriaSave(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActRiskCriteria); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	f := riskCriteriaFormFrom(r.PostForm)
	if op := r.PostForm.Get("op"); op != "" && op != "save" {
		if !f.apply(op) {
			h.fail(w, r, &aims.Error{Code: aims.CodeInvalid, Message: "invalid input",
				Fields: []aims.FieldError{{Field: "op", Message: "is not a step the editor knows"}}})
			return
		}
		h.showCriteria(w, r, a, http.StatusOK, &f, true)
		return
	}
	c, err := h.Risks.SetCriteria(r.Context(), a, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		f.Errs = fe
		h.showCriteria(w, r, a, status, &f, false)
		return
	}
	if strconv.Itoa(c.Version) == f.Version {
		h.flash(r.Context(), "Nothing was changed: the criteria stay at version "+strconv.Itoa(c.Version)+".")
	} else {
		h.flash(r.Context(), "The risk criteria are saved as version "+strconv.Itoa(c.Version)+". Risks keep the version they were assessed with.")
	}
	seeOther(w, r, "/risk-criteria")
}

// riskCriteriaVersion shows a version of the criteria, read-only.
func (h *handler) riskCriteriaVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.fail(w, r, aims.NotFound("risk criteria version", r.PathValue("n")))
		return
	}
	c, err := h.Risks.CriteriaVersion(r.Context(), a, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, http.StatusOK, "Risk criteria, version "+strconv.Itoa(n), "risks", func(v view) templ.Component { return riskCriteriaVersionView(v, c) })
}

// riskCriteriaID is the id of the editor's control a service field names:
// likelihood.2.label is likelihood-2-label, levels.1.colour level-1-colour,
// matrix.3.2 cell-3-2.
func riskCriteriaID(field string) string {
	parts := strings.Split(field, ".")
	switch {
	case len(parts) == 3 && parts[0] == "matrix":
		return "cell-" + parts[1] + "-" + parts[2]
	case len(parts) == 3 && parts[0] == "levels":
		return "level-" + parts[1] + "-" + parts[2]
	case len(parts) == 3:
		return parts[0] + "-" + parts[1] + "-" + parts[2]
	case field == "version":
		return "likelihood"
	}
	return field
}

// riskCriteriaSummary lists the editor's problems, each linking to its control.
func riskCriteriaSummary(fe formErrors) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		out = append(out, summaryItem{Text: riskLabel(f.Field) + " " + f.Message, Href: "#" + riskCriteriaID(f.Field)})
	}
	return out
}

// levelOptions are the levels as choices of a cell or of the appetite, by position.
func (f riskCriteriaForm) levelOptions(value, prompt string) []option {
	out := []option{{Value: "", Label: prompt, Selected: value == ""}}
	for i, l := range f.Levels {
		pos := strconv.Itoa(i + 1)
		name := l.Name
		if strings.TrimSpace(name) == "" {
			name = "Level " + pos + " (no name yet)"
		}
		out = append(out, option{Value: pos, Label: name, Selected: value == pos})
	}
	return out
}

// rows are the likelihood steps from the highest, as the matrix shows them.
func (f riskCriteriaForm) rows() []int {
	out := make([]int, len(f.Likelihood))
	for i := range out {
		out[i] = len(f.Likelihood) - i
	}
	return out
}

// cell is the typed level position of likelihood l and impact i.
func (f riskCriteriaForm) cell(l, i int) string {
	if l-1 < len(f.Cells) && i-1 < len(f.Cells[l-1]) {
		return f.Cells[l-1][i-1]
	}
	return ""
}

// nextVersion is the version the editor saves as.
func (d riskCriteriaPageData) nextVersion() string {
	if d.Current == nil {
		return "1"
	}
	return strconv.Itoa(d.Current.Version + 1)
}

// riskArticle is the indefinite article of a word: an impact, a likelihood.
func riskArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
