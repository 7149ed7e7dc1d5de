package web

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/aisystem"
	"github.com/aims-dev/aims/internal/catalog"
	"github.com/aims-dev/aims/internal/evidence"
)

// evidenceForm holds the add or edit form as typed, so that it can be shown again.
type evidenceForm struct {
	Kind, Title, Description, URL, Note, ValidFrom, ValidUntil string
	Links                                                      []string
	// Version is the hidden version an edit was based on.
	Version string
	// FileName names the file chosen for an upload that must be chosen again.
	FileName string
}

// evidenceFormFrom reads a posted evidence form.
func evidenceFormFrom(v url.Values) evidenceForm {
	return evidenceForm{Kind: v.Get("kind"), Title: v.Get("title"), Description: v.Get("description"), URL: v.Get("url"),
		Note: v.Get("note"), ValidFrom: v.Get("valid_from"), ValidUntil: v.Get("valid_until"), Links: v["links"],
		Version: v.Get("version")}
}

// links is the checked links, never nil so that unchecking every box clears them.
func (f evidenceForm) links() []string {
	if f.Links == nil {
		return []string{}
	}
	return f.Links
}

// evidenceFormData is what the add and edit forms show.
type evidenceFormData struct {
	// Ev is the stored evidence when editing, nil when adding.
	Ev   *evidence.Evidence
	Form evidenceForm
	Errs formErrors
	// Groups are the choices of links: controls by Annex A category, clauses by clause, AI systems.
	Groups   []linkGroup
	MaxBytes int64
}

// linkGroup is a set of link checkboxes under a heading.
type linkGroup struct {
	ID      string
	Title   string
	Options []option
}

// open reports whether the group shows its choices at once: when one is chosen.
func (g linkGroup) open() bool {
	return slices.ContainsFunc(g.Options, func(o option) bool { return o.Selected })
}

// evidenceFields maps the request's fields to the form's controls, for the error summary.
var evidenceFields = map[string]string{"kind": "kind-file", "title": "title", "description": "description", "url": "url",
	"note": "note", "file": "file", "valid_from": "valid_from", "valid_until": "valid_until", "links": "links", "version": "title"}

// field is a control of the form.
func (d evidenceFormData) field(name, typ, value, hint string, required bool) field {
	f := field{ID: name, Name: name, Label: fieldLabel(name), Type: typ, Value: value, Hint: hint, Required: required,
		Err: d.Errs.For(name), Wide: typ == "textarea" || typ == "text" || typ == "url" || typ == "file"}
	if typ == "textarea" {
		f.Rows = 4
		if name == "note" {
			f.Rows = 8
		}
	}
	return f
}

// fileHint explains the file field, and asks for the file again after a refused upload.
func (d evidenceFormData) fileHint() string {
	hint := "For a file: " + strings.Join(evidence.Extensions(), ", ") + "; at most " + sizeText(d.MaxBytes) +
		". It is kept by its SHA-256 and never changes."
	if d.Errs.Any() && d.Form.Kind == evidence.KindFile {
		if d.Form.FileName != "" {
			return "Choose " + d.Form.FileName + " again: a browser does not send a file twice. " + hint
		}
		return "Choose the file again: a browser does not send a file twice. " + hint
	}
	return hint
}

// fixedText says what an edit cannot change: the evidence itself.
func (d evidenceFormData) fixedText() string {
	what := "The written note"
	switch d.Ev.Kind {
	case evidence.KindFile:
		what = "The file " + d.Ev.FileName + " (SHA-256 " + d.Ev.FileSHA256 + ")"
	case evidence.KindLink:
		what = "The link " + d.Ev.URL
	}
	return what + " cannot be changed: add new evidence and archive this one instead."
}

// action is where the form posts.
func (d evidenceFormData) action() string {
	if d.Ev == nil {
		return "/evidence"
	}
	return "/evidence/" + d.Ev.Ref
}

// linkGroups builds the link choices: the catalogue's controls by Annex A
// category, then the organisation's own, the clauses by clause, and the
// active AI systems, with every chosen link checked and kept even when it
// is not among them.
func (h *handler) linkGroups(ctx context.Context, a *aims.Actor, chosen []string) ([]linkGroup, error) {
	sel := map[string]bool{}
	for _, c := range chosen {
		sel[c] = true
	}
	shown := map[string]bool{}
	opt := func(value, label string) option {
		shown[value] = true
		return option{Value: value, Label: label, Selected: sel[value]}
	}
	controls, err := h.Catalog.Controls(ctx, a, catalog.ControlQuery{})
	if err != nil {
		return nil, err
	}
	var groups []linkGroup
	for _, cat := range catalog.Categories() {
		g := linkGroup{ID: "links-" + cat.ID, Title: cat.ID + " " + cat.Title}
		for _, c := range controls {
			if c.CategoryID == cat.ID {
				g.Options = append(g.Options, opt("control:"+c.ID, c.ID+" "+c.Title))
			}
		}
		groups = append(groups, g)
	}
	own := linkGroup{ID: "links-own", Title: "Own controls outside Annex A"}
	for _, c := range controls {
		if c.CategoryID == "" {
			own.Options = append(own.Options, opt("control:"+c.ID, c.ID+" "+c.Title))
		}
	}
	if len(own.Options) > 0 {
		groups = append(groups, own)
	}
	headings := map[string]string{}
	for _, hd := range catalog.Headings() {
		headings[hd.ID] = hd.Title
	}
	for _, c := range catalog.Clauses() {
		if n := len(groups); n == 0 || groups[n-1].ID != "links-clause-"+c.Group {
			groups = append(groups, linkGroup{ID: "links-clause-" + c.Group, Title: "Clause " + c.Group + " " + headings[c.Group]})
		}
		g := &groups[len(groups)-1]
		g.Options = append(g.Options, opt("clause:"+c.ID, c.ID+" "+c.Title))
	}
	systems := linkGroup{ID: "links-systems", Title: "AI systems"}
	for offset := 0; ; offset += 200 {
		page, err := h.Systems.List(ctx, a, aisystem.ListQuery{Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			systems.Options = append(systems.Options, opt("ai_system:"+s.Ref, s.Ref+" "+s.Name))
		}
		if offset+len(page.Items) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	groups = append(groups, systems)
	other := linkGroup{ID: "links-other", Title: "Other links chosen"}
	for _, c := range chosen {
		if !shown[c] && strings.TrimSpace(c) != "" {
			other.Options = append(other.Options, opt(c, c))
		}
	}
	if len(other.Options) > 0 {
		groups = append(groups, other)
	}
	return groups, nil
}
