package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
)

// formErrors holds what is wrong with a submitted form: a message for the
// whole form and one per field, in the order the service named them.
type formErrors struct {
	Message string
	Fields  []aims.FieldError
}

// Any reports whether the form has a problem to show.
func (e formErrors) Any() bool { return e.Message != "" || len(e.Fields) > 0 }

// For returns the message of a field, or "".
func (e formErrors) For(field string) string {
	var msgs []string
	for _, f := range e.Fields {
		if f.Field == field {
			msgs = append(msgs, f.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// formProblem turns an invalid-input or conflict error into the problems
// to show on the form and the status to answer with; ok is false for any
// other error, which the caller passes to fail.
func formProblem(err error) (fe formErrors, status int, ok bool) {
	e := aims.AsError(err)
	switch e.Code {
	case aims.CodeInvalid:
		status = http.StatusUnprocessableEntity
		fe.Message = "Some values need your attention. Correct them and send the form again."
	case aims.CodeConflict:
		status = http.StatusConflict
		fe.Message = sentence(e.Message) + "."
	default:
		return fe, 0, false
	}
	fe.Fields = e.Fields
	return fe, status, true
}

// field describes one form control and its state.
type field struct {
	ID    string
	Name  string
	Label string
	Hint  string
	Value string
	// Type is the input type; textarea and select make those elements.
	Type         string
	Autocomplete string
	Required     bool
	Rows         int
	Options      []option
	Err          string
	// Wide lets a control span the whole form width.
	Wide bool
}

// option is one choice of a select or a checkbox group.
type option struct {
	Value    string
	Label    string
	Hint     string
	Selected bool
}

// describedBy lists the ids of the hint and error of a field.
func (f field) describedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Err != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// errorText is the full sentence shown for a field's problem.
func (f field) errorText() string {
	if f.Err == "" {
		return ""
	}
	return f.Label + " " + f.Err
}

// summaryItem is one entry of a form's error summary.
type summaryItem struct {
	Text string
	// Href points at the field at fault, when it is on the page.
	Href string
}

// summary lists a form's problems, linking each to its field when the
// field is one of those on the form.
func summary(fe formErrors, fields map[string]string) []summaryItem {
	var out []summaryItem
	for _, f := range fe.Fields {
		label := fieldLabel(f.Field)
		href := ""
		if id, ok := fields[f.Field]; ok {
			href = "#" + id
		}
		out = append(out, summaryItem{Text: label + " " + f.Message, Href: href})
	}
	return out
}

// rowsOf is the height of a textarea, in lines.
func rowsOf(f field) string {
	if f.Rows > 0 {
		return strconv.Itoa(f.Rows)
	}
	return "4"
}
