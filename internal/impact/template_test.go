package impact_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/aims-dev/aims/internal/servicetest"
	"github.com/google/go-cmp/cmp"
)

// structure writes a template's sections and questions as section: id:type[*] …,
// with * marking required questions.
func structure(ss []impact.Section) []string {
	var out []string
	for _, s := range ss {
		line := s.ID + " (" + s.Ref + "):"
		for _, q := range s.Questions {
			line += " " + q.ID + ":" + q.Type
			if q.Required {
				line += "*"
			}
		}
		out = append(out, line)
	}
	return out
}

// TestBuiltinTemplates pins the built-in templates' sections and question
// ids: assessments keep answers under these ids, so they never change
// within a version. A change adds a version of the template.
func TestBuiltinTemplates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		want := map[string][]string{
			"iso-42005": {
				"scope (6.2): scope:text* trigger:choice*",
				"system (6.3): description:text* functions:text purpose:text* intended_uses:text* misuse:text* automation:scale",
				"data (6.4): data_sources:text* data_quality:text personal_data:choice*",
				"model (6.5): model:text",
				"deployment (6.6): environment:text* jurisdictions:text",
				"parties (6.7): stakeholders:text* vulnerable:choice*",
				"impacts (6.8): impacts:impacts* benefits:text failures:text overall:scale*",
				"measures (6.9): measures:text* oversight:text* disclosure:choice",
			},
			"eu-fria": {
				"process (Art. 27(1)(a)): process:text* decisions:text",
				"period (Art. 27(1)(b)): period:text* frequency:choice* volume:text",
				"persons (Art. 27(1)(c)): categories:text* vulnerable:choice*",
				"harms (Art. 27(1)(d)): harms:impacts* rights:text provider_info:choice",
				"oversight (Art. 27(1)(e)): oversight:text* override:choice* oversight_strength:scale",
				"measures (Art. 27(1)(f)): measures:text* governance:text* complaints:text*",
				"notification (Art. 27(3)-(4)): notified:choice* dpia:choice",
			},
		}
		list, err := e.svc.Templates(e.ctx, e.viewer(), impact.TemplateListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		wantList := []impact.TemplateSummary{
			{Key: "iso-42005", Name: "ISO/IEC 42005 elements", BuiltIn: true, Status: "active", Version: 1, Sections: 8, Questions: 23},
			{Key: "eu-fria", Name: "EU AI Act Art. 27 FRIA", BuiltIn: true, Status: "active", Version: 1, Sections: 7, Questions: 18},
		}
		for i := range list {
			list[i].Description = ""
		}
		if diff := cmp.Diff(wantList, list); diff != "" {
			t.Errorf("templates (-want +got):\n%s", diff)
		}
		for key, lines := range want {
			tpl, err := e.svc.Template(e.ctx, e.viewer(), strings.ToUpper(key), 0)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(lines, structure(tpl.Sections)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", key, diff)
			}
			if !tpl.BuiltIn || tpl.Version != 1 || tpl.Latest != 1 || len(tpl.Versions) != 1 || tpl.Versions[0].CreatedAt != nil {
				t.Errorf("%s = %+v", key, tpl)
			}
			// Every question is worded, choices have options, scales labels.
			for _, s := range tpl.Sections {
				for _, q := range s.Questions {
					if q.Text == "" || q.Ref == "" || (q.Type == "choice" && len(q.Options) < 2) || (q.Type == "scale" && len(q.Scale) < 2) {
						t.Errorf("%s %s is incomplete: %+v", key, q.ID, q)
					}
				}
			}
		}
		fria, _ := e.svc.Template(e.ctx, e.viewer(), "eu-fria", 1)
		q, _ := (&impact.Assessment{Sections: fria.Sections}).Question("frequency")
		if diff := cmp.Diff([]impact.Choice{{Value: "continuous", Label: "Continuously"}, {Value: "daily", Label: "Every day"},
			{Value: "weekly", Label: "Every week"}, {Value: "monthly", Label: "Monthly or less often"},
			{Value: "one_off", Label: "Once, or for a single campaign"}}, q.Options); diff != "" {
			t.Errorf("frequency options (-want +got):\n%s", diff)
		}
		_, err = e.svc.Template(e.ctx, e.viewer(), "eu-fria", 2)
		servicetest.WantCode(t, err, aims.CodeNotFound)
		_, err = e.svc.Template(e.ctx, e.viewer(), "IAT-1", 0)
		servicetest.WantCode(t, err, aims.CodeNotFound)
	})
}

// validSections is a small questionnaire of every question type.
func validSections() []impact.Section {
	return []impact.Section{
		{ID: "use", Title: "Use", Questions: []impact.Question{
			{ID: "where", Text: "Where is it used?", Type: "text", Required: true},
			{ID: "often", Text: "How often?", Type: "choice", Options: []impact.Choice{{Value: "daily", Label: "Daily"}, {Value: "rarely", Label: "Rarely"}}},
		}},
		{ID: "harm", Ref: "6.8", Title: "Harm", Questions: []impact.Question{
			{ID: "list", Text: "Who may be harmed?", Type: "impacts", Required: true},
			{ID: "level", Text: "How bad overall?", Type: "scale", Required: true, Scale: []string{"Low", "Medium", "High"}},
		}},
	}
}

// TestTemplateCopyAndVersions copies a built-in template, saves the copy
// twice and checks that each save is a version, that assessments keep the
// version they were started from, and the audit events.
func TestTemplateCopyAndVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.system(t, "Hiring screening")
		mgr := e.manager()
		cp, err := e.svc.CopyTemplate(e.ctx, mgr, "eu-fria", impact.CopyRequest{})
		if err != nil {
			t.Fatal(err)
		}
		fria, _ := e.svc.Template(e.ctx, mgr, "eu-fria", 0)
		if cp.Key != "IAT-1" || cp.Name != "EU AI Act Art. 27 FRIA (copy)" || cp.Description != fria.Description || cp.BuiltIn ||
			cp.Status != "active" || cp.Version != 1 || cp.Latest != 1 || cp.BasedOn != "eu-fria v1" || len(cp.Versions) != 1 ||
			cp.Versions[0].CreatedByName != "Max Manager" || !cp.Versions[0].CreatedAt.Equal(t0) || cp.Versions[0].Questions != 18 {
			t.Errorf("copy = %+v", cp)
		}
		if diff := cmp.Diff(fria.Sections, cp.Sections); diff != "" {
			t.Errorf("the copy's questions differ (-built-in +copy):\n%s", diff)
		}
		ev := servicetest.LastEvent(t, e.ctx, d, e.org)
		if ev.Action != "impact_template.copy" || ev.Object.Type != "impact_template" || ev.Object.Ref != "IAT-1" {
			t.Errorf("event = %+v", ev)
		}
		ch := servicetest.ChangeMap(t, ev)
		if ch["name"][1] != `"EU AI Act Art. 27 FRIA (copy)"` || ch["based_on"][1] != `"eu-fria v1"` || ch["number"][1] != "1" ||
			ch["questions"][1] != "18" || ch["sections"][1] != "7" || ch["status"][1] != `"active"` || len(ch["content_sha256"][1]) != 66 {
			t.Errorf("copy changes = %v", ch)
		}

		// An assessment started now keeps version 1.
		a1 := e.start(t, "SYS-1", "iat-1")
		if a1.Template != (impact.TemplateRef{Key: "IAT-1", Version: 1, Name: "EU AI Act Art. 27 FRIA (copy)"}) {
			t.Errorf("template of a1 = %+v", a1.Template)
		}

		// Saving makes version 2; an assessment started now answers it.
		e.clock.Advance(time.Hour)
		saved, err := e.svc.UpdateTemplate(e.ctx, mgr, "IAT-1", impact.TemplateRequest{Version: 1, Name: "Hiring FRIA", Sections: validSections()})
		if err != nil {
			t.Fatal(err)
		}
		if saved.Version != 2 || saved.Latest != 2 || saved.Name != "Hiring FRIA" || saved.Description != "" || len(saved.Versions) != 2 ||
			saved.Versions[0].Number != 2 || saved.Versions[1].Number != 1 || saved.Versions[0].Questions != 4 {
			t.Errorf("saved = %+v", saved)
		}
		ch = servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org))
		if ch["number"] != [2]string{"1", "2"} || ch["name"] != [2]string{`"EU AI Act Art. 27 FRIA (copy)"`, `"Hiring FRIA"`} ||
			ch["questions"] != [2]string{"18", "4"} || ch["description"][1] != `""` || ch["content_sha256"][0] == ch["content_sha256"][1] {
			t.Errorf("update changes = %v", ch)
		}
		a2 := e.start(t, "SYS-1", "IAT-1")
		if a2.Template.Version != 2 || len(a2.Sections) != 2 || a2.Sections[1].Questions[1].Scale[2] != "High" {
			t.Errorf("a2 = %+v", a2)
		}
		if a1 = e.get(t, a1.Ref); a1.Template.Version != 1 || len(a1.Sections) != 7 {
			t.Errorf("a1 changed template: %+v", a1.Template)
		}
		if v1, _ := e.svc.Template(e.ctx, mgr, "IAT-1", 1); v1.Name != "EU AI Act Art. 27 FRIA (copy)" || len(v1.Sections) != 7 || v1.Latest != 2 {
			t.Errorf("version 1 = %+v", v1)
		}

		// A save that changes nothing makes no version and no event.
		before := len(servicetest.Actions(t, e.ctx, d, e.org))
		same, err := e.svc.UpdateTemplate(e.ctx, mgr, "IAT-1", impact.TemplateRequest{Version: 2, Name: " Hiring FRIA ", Sections: validSections()})
		if err != nil || same.Version != 2 || len(servicetest.Actions(t, e.ctx, d, e.org)) != before {
			t.Errorf("unchanged save = %+v, %v", same, err)
		}
		// A stale save is refused.
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateTemplate(e.ctx, mgr, "IAT-1", impact.TemplateRequest{Version: 1, Name: "Stale", Sections: validSections()})
			servicetest.WantFields(t, err, aims.CodeConflict, "version")
			_, err = e.svc.UpdateTemplate(e.ctx, mgr, "eu-fria", impact.TemplateRequest{Version: 1, Name: "Mine", Sections: validSections()})
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.ArchiveTemplate(e.ctx, mgr, "iso-42005")
			servicetest.WantCode(t, err, aims.CodeConflict)
			_, err = e.svc.CopyTemplate(e.ctx, mgr, "eu-fria", impact.CopyRequest{Version: 3})
			servicetest.WantCode(t, err, aims.CodeNotFound)
		})

		// A copy of an own template's older version.
		cp2, err := e.svc.CopyTemplate(e.ctx, e.owner(), "IAT-1", impact.CopyRequest{Version: 1, Name: "Old FRIA", Description: "As first copied"})
		if err != nil || cp2.Key != "IAT-2" || cp2.BasedOn != "IAT-1 v1" || len(cp2.Sections) != 7 || cp2.Description != "As first copied" {
			t.Errorf("copy of v1 = %+v, %v", cp2, err)
		}

		// Archived: listed on request, no longer a start, still answered by its assessments.
		arch, err := e.svc.ArchiveTemplate(e.ctx, mgr, "IAT-1")
		if err != nil || arch.Status != "archived" {
			t.Fatalf("archive = %+v, %v", arch, err)
		}
		if got := servicetest.ChangeMap(t, servicetest.LastEvent(t, e.ctx, d, e.org)); got["status"] != [2]string{`"active"`, `"archived"`} {
			t.Errorf("archive changes = %v", got)
		}
		before = len(servicetest.Actions(t, e.ctx, d, e.org))
		if _, err := e.svc.ArchiveTemplate(e.ctx, mgr, "IAT-1"); err != nil || len(servicetest.Actions(t, e.ctx, d, e.org)) != before {
			t.Errorf("archiving again recorded something: %v", err)
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.Start(e.ctx, e.contributor(), impact.StartRequest{System: "SYS-1", Template: "IAT-1"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "template")
			_, err = e.svc.UpdateTemplate(e.ctx, mgr, "IAT-1", impact.TemplateRequest{Version: 2, Name: "x", Sections: validSections()})
			servicetest.WantCode(t, err, aims.CodeConflict)
		})
		if a2 = e.get(t, a2.Ref); a2.Template.Version != 2 {
			t.Errorf("a2 lost its template: %+v", a2.Template)
		}
		keys := func(q impact.TemplateListQuery) []string {
			l, err := e.svc.Templates(e.ctx, e.viewer(), q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range l {
				out = append(out, s.Key+" v"+itoa(s.Version)+" "+s.Status)
			}
			return out
		}
		if diff := cmp.Diff([]string{"iso-42005 v1 active", "eu-fria v1 active", "IAT-2 v1 active"}, keys(impact.TemplateListQuery{})); diff != "" {
			t.Errorf("active (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"IAT-1 v2 archived"}, keys(impact.TemplateListQuery{Status: "archived"})); diff != "" {
			t.Errorf("archived (-want +got):\n%s", diff)
		}
		if got := keys(impact.TemplateListQuery{Status: "all"}); len(got) != 4 {
			t.Errorf("all = %v", got)
		}
		_, err = e.svc.Templates(e.ctx, e.viewer(), impact.TemplateListQuery{Status: "gone"})
		servicetest.WantFields(t, err, aims.CodeInvalid, "status")

		// Template versions are append-only.
		if _, err := d.ExecContext(e.ctx, `UPDATE impact_template_versions SET name = 'forged'`); err == nil {
			t.Error("impact_template_versions accepted an UPDATE")
		}
		if _, err := d.ExecContext(e.ctx, `DELETE FROM impact_template_versions`); err == nil {
			t.Error("impact_template_versions accepted a DELETE")
		}
		if got := servicetest.Actions(t, e.ctx, d, e.org); !cmp.Equal(got[len(got)-6:], []string{"impact_template.copy", "impact.create",
			"impact_template.update", "impact.create", "impact_template.copy", "impact_template.archive"}) {
			t.Errorf("actions = %q", got)
		}
	})
}

// TestTemplateValidation names every bad field of a template at once, by its path.
func TestTemplateValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.svc.CopyTemplate(e.ctx, e.owner(), "iso-42005", impact.CopyRequest{Name: "Ours"}); err != nil {
			t.Fatal(err)
		}
		bad := []impact.Section{
			{ID: "Use!", Title: " ", Questions: []impact.Question{
				{ID: "where", Text: "", Type: "essay"},
				{ID: "where", Text: "Again?", Type: "choice", Options: []impact.Choice{{Value: "a", Label: "A"}}},
				{ID: "level", Text: "Level?", Type: "scale", Scale: []string{"Low", " "}, Options: []impact.Choice{{Value: "x", Label: "X"}}},
				{ID: "pick", Text: "Pick", Type: "choice", Options: []impact.Choice{{Value: "a", Label: "A"}, {Value: "a", Label: ""}}},
			}},
			{ID: "empty", Title: "Empty"},
			{ID: "harms", Title: "Harms", Questions: []impact.Question{
				{ID: "list", Text: "Harms?", Type: "impacts", Scale: []string{"x"}},
				{ID: "more", Text: "More harms?", Type: "impacts"},
			}},
		}
		servicetest.Unchanged(t, d, func() {
			_, err := e.svc.UpdateTemplate(e.ctx, e.owner(), "IAT-1", impact.TemplateRequest{Version: 0, Name: "", Description: strings.Repeat("d", 4001), Sections: bad})
			servicetest.WantFields(t, err, aims.CodeInvalid, "description", "name",
				"sections[0].id", "sections[0].questions[0].text", "sections[0].questions[0].type",
				"sections[0].questions[1].id", "sections[0].questions[1].options",
				"sections[0].questions[2].options", "sections[0].questions[2].scale[1]",
				"sections[0].questions[3].options[1].label", "sections[0].questions[3].options[1].value",
				"sections[0].title", "sections[1].questions",
				"sections[2].questions[0].scale", "sections[2].questions[1].type", "version")
			_, err = e.svc.UpdateTemplate(e.ctx, e.owner(), "IAT-1", impact.TemplateRequest{Version: 1, Name: "x"})
			servicetest.WantFields(t, err, aims.CodeInvalid, "sections")
			_, err = e.svc.CopyTemplate(e.ctx, e.owner(), "eu-fria", impact.CopyRequest{Name: strings.Repeat("n", 201), Version: -1})
			servicetest.WantFields(t, err, aims.CodeInvalid, "name", "version")
		})
	})
}
