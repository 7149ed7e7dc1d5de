package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/people"
)

// peopleKinds are the editable kinds of record of the people pages.
func peopleKinds(p *people.Service) []peopleKind {
	return []peopleKind{roleKind(p), competenceKind(p), courseKind(p)}
}

func statusName(s string) string {
	if s == people.StatusArchived {
		return "Archived"
	}
	return ""
}

func linkItems(prefix string, ls []people.Named) []peopleLink {
	out := []peopleLink{}
	for _, l := range ls {
		out = append(out, peopleLink{Href: prefix + l.Ref, Text: l.Ref + " " + l.Name})
	}
	return out
}

func linkNames(ls []people.Named) string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return strings.Join(out, ", ")
}

func roleKind(p *people.Service) peopleKind {
	values := func(r *people.Role) url.Values {
		v := url.Values{"name": {r.Name}, "responsibilities": {r.Responsibilities}, "authorities": {r.Authorities}, "competences": refsOf(r.Competences)}
		if r.ReportsToTopManagement {
			v.Set("reports_to_top_management", "yes")
		}
		for _, m := range r.Members {
			v.Add("members", m.UserID)
		}
		return v
	}
	return peopleKind{path: "roles", noun: "AIMS role", plural: "AIMS roles", manageAction: identity.ActPeopleManage,
		lead: "The roles of the AI management system, what each is responsible for and may decide, who holds it and the competences it requires (ISO/IEC 42001 5.3, A.3.2). They are not the access roles that say what someone may do in aims.",
		list: func(ctx context.Context, a *aims.Actor, status string) ([]peopleRow, error) {
			rs, err := p.ListRoles(ctx, a, people.RoleQuery{Status: status})
			var out []peopleRow
			for _, r := range rs {
				holders := "nobody holds it"
				if len(r.Members) > 0 {
					var names []string
					for _, m := range r.Members {
						names = append(names, m.Name)
					}
					holders = "held by " + strings.Join(names, ", ")
				}
				facts := []string{holders}
				if len(r.Competences) > 0 {
					facts = append(facts, "requires "+linkNames(r.Competences))
				}
				if r.ReportsToTopManagement {
					facts = append(facts, "reports to top management")
				}
				out = append(out, peopleRow{Ref: r.Ref, Name: r.Name, Status: statusName(r.Status), Facts: facts})
			}
			return out, err
		},
		get: func(ctx context.Context, a *aims.Actor, ref string) (peopleRecord, error) {
			r, err := p.GetRole(ctx, a, ref)
			if err != nil {
				return peopleRecord{}, err
			}
			top := "No"
			if r.ReportsToTopManagement {
				top = "Yes: reports the performance of the AIMS to top management"
			}
			holders := []peopleLink{}
			for _, m := range r.Members {
				holders = append(holders, peopleLink{Href: "/people/members/" + m.UserID, Text: m.Name + " (" + m.Email + ")"})
			}
			return peopleRecord{ID: r.ID, Ref: r.Ref, Name: r.Name, Status: r.Status, Version: r.Version, Values: values(r),
				Facts: [][2]string{{"Responsibilities", r.Responsibilities}, {"Authorities", r.Authorities}, {"Reports to top management", top}},
				Lists: []peopleList{{"Held by", holders}, {"Requires", linkItems("/people/competences/", r.Competences)}}}, nil
		},
		create: func(ctx context.Context, a *aims.Actor, v url.Values) (string, error) {
			r, err := p.CreateRole(ctx, a, people.RoleRequest{Name: v.Get("name"), Responsibilities: v.Get("responsibilities"),
				Authorities: v.Get("authorities"), ReportsToTopManagement: v.Get("reports_to_top_management") == "yes",
				Members: v["members"], Competences: v["competences"]})
			if err != nil {
				return "", err
			}
			return r.Ref, nil
		},
		update: func(ctx context.Context, a *aims.Actor, id string, v url.Values) (string, int, error) {
			name, resp, auth, top := v.Get("name"), v.Get("responsibilities"), v.Get("authorities"), v.Get("reports_to_top_management") == "yes"
			members, comps := nonNil(v["members"]), nonNil(v["competences"])
			r, err := p.UpdateRole(ctx, a, id, people.RoleUpdate{Version: formInt(v.Get("version")), Name: &name, Responsibilities: &resp,
				Authorities: &auth, ReportsToTopManagement: &top, Members: &members, Competences: &comps})
			if err != nil {
				return "", 0, err
			}
			return r.Ref, r.Version, nil
		},
		archive: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			r, err := p.ArchiveRole(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return r.Ref, nil
		},
		restore: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			r, err := p.RestoreRole(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return r.Ref, nil
		},
		history: p.RoleHistory,
		fields: func(v url.Values, errs formErrors, c formChoices) []field {
			name := peopleField("name", "text", v.Get("name"), "Such as AI governance lead, AI system owner, Internal auditor or Concern handler.", errs)
			name.Required = true
			resp := peopleField("responsibilities", "textarea", v.Get("responsibilities"), "What the role answers for.", errs)
			resp.Required = true
			top := peopleField("reports_to_top_management", "select", "", "Whether the role reports on the performance of the AIMS to top management (5.3 b).", errs)
			top.Options = []option{{Value: "", Label: "No", Selected: v.Get("reports_to_top_management") != "yes"},
				{Value: "yes", Label: "Yes", Selected: v.Get("reports_to_top_management") == "yes"}}
			return []field{name, resp, peopleField("authorities", "textarea", v.Get("authorities"), "What the role may decide or approve.", errs), top,
				memberField("members", "The members who hold the role.", v["members"], errs, c),
				competenceField("The competences the role requires.", v["competences"], errs, c)}
		},
	}
}

func refsOf(ls []people.Named) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Ref)
	}
	return out
}

func competenceKind(p *people.Service) peopleKind {
	return peopleKind{path: "competences", noun: "competence", plural: "Competences", manageAction: identity.ActPeopleManage,
		lead: "What people whose work affects the AI systems need to know and be able to do (ISO/IEC 42001 7.2). Roles require competences; courses and other activities confer them.",
		list: func(ctx context.Context, a *aims.Actor, status string) ([]peopleRow, error) {
			cs, err := p.ListCompetences(ctx, a, people.CompetenceQuery{Status: status})
			var out []peopleRow
			for _, c := range cs {
				out = append(out, peopleRow{Ref: c.Ref, Name: c.Name, Status: statusName(c.Status), Facts: []string{c.Description}})
			}
			return out, err
		},
		get: func(ctx context.Context, a *aims.Actor, ref string) (peopleRecord, error) {
			c, err := p.GetCompetence(ctx, a, ref)
			if err != nil {
				return peopleRecord{}, err
			}
			return peopleRecord{ID: c.ID, Ref: c.Ref, Name: c.Name, Status: c.Status, Version: c.Version,
				Values: url.Values{"name": {c.Name}, "description": {c.Description}}, Facts: [][2]string{{"Description", c.Description}},
				Lists: []peopleList{{"Required by", linkItems("/people/roles/", c.RequiredBy)}, {"Conferred by", linkItems("/people/courses/", c.ConferredBy)}}}, nil
		},
		create: func(ctx context.Context, a *aims.Actor, v url.Values) (string, error) {
			c, err := p.CreateCompetence(ctx, a, people.CompetenceRequest{Name: v.Get("name"), Description: v.Get("description")})
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		update: func(ctx context.Context, a *aims.Actor, id string, v url.Values) (string, int, error) {
			name, desc := v.Get("name"), v.Get("description")
			c, err := p.UpdateCompetence(ctx, a, id, people.CompetenceUpdate{Version: formInt(v.Get("version")), Name: &name, Description: &desc})
			if err != nil {
				return "", 0, err
			}
			return c.Ref, c.Version, nil
		},
		archive: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			c, err := p.ArchiveCompetence(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		restore: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			c, err := p.RestoreCompetence(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		history: p.CompetenceHistory,
		fields: func(v url.Values, errs formErrors, _ formChoices) []field {
			name := peopleField("name", "text", v.Get("name"), "Such as Statistics, AI risk assessment or EU AI Act obligations.", errs)
			name.Required = true
			return []field{name, peopleField("description", "textarea", v.Get("description"), "What someone with the competence knows and can do.", errs)}
		},
	}
}

func courseKind(p *people.Service) peopleKind {
	return peopleKind{path: "courses", noun: "training course", plural: "Training courses", manageAction: identity.ActPeopleManage,
		lead: "Training the organisation offers or buys, the competences completing it confers and how long a completion counts.",
		list: func(ctx context.Context, a *aims.Actor, status string) ([]peopleRow, error) {
			cs, err := p.ListCourses(ctx, a, people.CourseQuery{Status: status})
			var out []peopleRow
			for _, c := range cs {
				out = append(out, peopleRow{Ref: c.Ref, Name: c.Title, Status: statusName(c.Status),
					Facts: []string{c.Provider, validityText(c.ValidityMonths), "confers " + orNothing(linkNames(c.Competences))}})
			}
			return out, err
		},
		get: func(ctx context.Context, a *aims.Actor, ref string) (peopleRecord, error) {
			c, err := p.GetCourse(ctx, a, ref)
			if err != nil {
				return peopleRecord{}, err
			}
			return peopleRecord{ID: c.ID, Ref: c.Ref, Name: c.Title, Status: c.Status, Version: c.Version,
				Values: url.Values{"title": {c.Title}, "provider": {c.Provider}, "description": {c.Description},
					"validity_months": {strconv.Itoa(c.ValidityMonths)}, "competences": refsOf(c.Competences)},
				Facts: [][2]string{{"Provider", c.Provider}, {"Description", c.Description}, {"Validity", validityText(c.ValidityMonths)}},
				Lists: []peopleList{{"Confers", linkItems("/people/competences/", c.Competences)}}}, nil
		},
		create: func(ctx context.Context, a *aims.Actor, v url.Values) (string, error) {
			c, err := p.CreateCourse(ctx, a, people.CourseRequest{Title: v.Get("title"), Provider: v.Get("provider"), Description: v.Get("description"),
				ValidityMonths: formInt(v.Get("validity_months")), Competences: v["competences"]})
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		update: func(ctx context.Context, a *aims.Actor, id string, v url.Values) (string, int, error) {
			title, provider, desc, months, comps := v.Get("title"), v.Get("provider"), v.Get("description"), formInt(v.Get("validity_months")), nonNil(v["competences"])
			c, err := p.UpdateCourse(ctx, a, id, people.CourseUpdate{Version: formInt(v.Get("version")), Title: &title, Provider: &provider,
				Description: &desc, ValidityMonths: &months, Competences: &comps})
			if err != nil {
				return "", 0, err
			}
			return c.Ref, c.Version, nil
		},
		archive: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			c, err := p.ArchiveCourse(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		restore: func(ctx context.Context, a *aims.Actor, ref string) (string, error) {
			c, err := p.RestoreCourse(ctx, a, ref)
			if err != nil {
				return "", err
			}
			return c.Ref, nil
		},
		history: p.CourseHistory,
		fields: func(v url.Values, errs formErrors, c formChoices) []field {
			title := peopleField("title", "text", v.Get("title"), "Such as AI governance essentials.", errs)
			title.Required = true
			return []field{title, peopleField("provider", "text", v.Get("provider"), "Internal, or the external provider's name.", errs),
				peopleField("description", "textarea", v.Get("description"), "", errs),
				peopleField("validity_months", "number", v.Get("validity_months"), "How many months a completion counts; 0 when it does not expire.", errs),
				competenceField("The competences completing the course confers.", v["competences"], errs, c)}
		},
	}
}

func validityText(months int) string {
	if months == 0 {
		return "does not expire"
	}
	return "valid " + strconv.Itoa(months) + " months"
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

func orNothingDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
