package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/people"
	"github.com/aims-dev/aims/internal/tlog"
	"github.com/danielgtaylor/huma/v2"
)

type peopleRefPath struct {
	Ref string `path:"ref" doc:"The record's reference, such as ROLE-2, COMP-3, CRS-1 or TR-4, or its id."`
}

type body[T any] struct{ Body T }

type peopleUpdateInput[T any] struct {
	Ref  string `path:"ref" doc:"The record's reference, such as ROLE-2, or its id."`
	Body T
}

type itemsOutput[T any] struct {
	Body struct {
		Items []T `json:"items"`
	}
}

type roleListInput struct{ people.RoleQuery }

type competenceListInput struct{ people.CompetenceQuery }

type courseListInput struct{ people.CourseQuery }

type recordListInput struct{ people.RecordQuery }

type personPath struct {
	Person string `path:"person" doc:"The member's user id or email, or me for yourself."`
}

type withdrawInput struct {
	Ref  string `path:"ref" doc:"The training record's reference, such as TR-4, or its id."`
	Body people.WithdrawRequest
}

var peopleChangeErrors = []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}

// registerPeople adds the operations on AIMS roles, competences, courses, training records and gaps.
func registerPeople(r *registrar, s Services) {
	p := s.People
	registerPeopleKind(r, "aims-role", "/api/v1/aims-roles", "AIMS role", []string{"AIMS roles and competence"},
		"Records an AIMS role (5.3, A.3.2): its responsibilities and authorities, whether it reports the AIMS's performance to top management, "+
			"the members who hold it and the competences it requires. Owners and managers only.",
		p.CreateRole, p.GetRole, p.UpdateRole, p.ArchiveRole, p.RestoreRole, p.RoleHistory)
	register(r, huma.Operation{
		OperationID: "list-aims-roles", Method: http.MethodGet, Path: "/api/v1/aims-roles", Tags: []string{"AIMS roles and competence"},
		Summary: "List AIMS roles", Description: "The organisation's AIMS roles by name, with their members and required competences.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *roleListInput) (*itemsOutput[people.Role], error) {
		items, err := p.ListRoles(ctx, actor(ctx), in.RoleQuery)
		return itemsOf(items, err)
	})
	registerPeopleKind(r, "competence", "/api/v1/competences", "competence", []string{"AIMS roles and competence"},
		"Records a competence the organisation needs (7.2). Owners and managers only.",
		p.CreateCompetence, p.GetCompetence, p.UpdateCompetence, p.ArchiveCompetence, p.RestoreCompetence, p.CompetenceHistory)
	register(r, huma.Operation{
		OperationID: "list-competences", Method: http.MethodGet, Path: "/api/v1/competences", Tags: []string{"AIMS roles and competence"},
		Summary: "List competences", Description: "The organisation's competences by name.", Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *competenceListInput) (*itemsOutput[people.Competence], error) {
		items, err := p.ListCompetences(ctx, actor(ctx), in.CompetenceQuery)
		return itemsOf(items, err)
	})
	registerPeopleKind(r, "course", "/api/v1/courses", "training course", []string{"Training"},
		"Records a training course with the competences completing it confers and how many months a completion counts (0: for good). Owners and managers only.",
		p.CreateCourse, p.GetCourse, p.UpdateCourse, p.ArchiveCourse, p.RestoreCourse, p.CourseHistory)
	register(r, huma.Operation{
		OperationID: "list-courses", Method: http.MethodGet, Path: "/api/v1/courses", Tags: []string{"Training"},
		Summary: "List training courses", Description: "The organisation's training courses by title.", Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *courseListInput) (*itemsOutput[people.Course], error) {
		items, err := p.ListCourses(ctx, actor(ctx), in.CourseQuery)
		return itemsOf(items, err)
	})
	registerTraining(r, p)
}

func itemsOf[T any](items []T, err error) (*itemsOutput[T], error) {
	if err != nil {
		return nil, problem(err, "query")
	}
	out := &itemsOutput[T]{}
	out.Body.Items = items
	return out, nil
}

// registerPeopleKind adds create, get, update, archive, restore and history of one kind of editable record.
func registerPeopleKind[T, Req, Upd any](r *registrar, id, base, noun string, tags []string, createDoc string,
	create func(context.Context, *aims.Actor, Req) (*T, error), get func(context.Context, *aims.Actor, string) (*T, error),
	update func(context.Context, *aims.Actor, string, Upd) (*T, error), archive, restore func(context.Context, *aims.Actor, string) (*T, error),
	history func(context.Context, *aims.Actor, string) ([]tlog.Event, error)) {
	one := func(location string, v *T, err error) (*body[*T], error) {
		if err != nil {
			return nil, problem(err, location)
		}
		return &body[*T]{v}, nil
	}
	register(r, huma.Operation{
		OperationID: "create-" + id, Method: http.MethodPost, Path: base, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Record a " + noun, Description: createDoc,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *body[Req]) (*body[*T], error) {
		v, err := create(ctx, actor(ctx), in.Body)
		return one("body", v, err)
	})
	register(r, huma.Operation{
		OperationID: "get-" + id, Method: http.MethodGet, Path: base + "/{ref}", Tags: tags,
		Summary: "Get a " + noun, Description: "The " + noun + " by reference or id.", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*body[*T], error) {
		v, err := get(ctx, actor(ctx), in.Ref)
		return one("path", v, err)
	})
	register(r, huma.Operation{
		OperationID: "update-" + id, Method: http.MethodPatch, Path: base + "/{ref}", Tags: tags,
		Summary:     "Change a " + noun,
		Description: "Changes the fields given; lists replace the stored ones. `version` must be the version as you read it; if it changed since, the answer is 409 and nothing is changed.",
		Errors:      peopleChangeErrors,
	}, func(ctx context.Context, in *peopleUpdateInput[Upd]) (*body[*T], error) {
		v, err := update(ctx, actor(ctx), in.Ref, in.Body)
		return one("body", v, err)
	})
	register(r, huma.Operation{
		OperationID: "archive-" + id, Method: http.MethodPost, Path: base + "/{ref}/archive", Tags: tags,
		Summary: "Archive a " + noun, Description: "Takes the " + noun + " out of use; its record and history stay.", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*body[*T], error) {
		v, err := archive(ctx, actor(ctx), in.Ref)
		return one("path", v, err)
	})
	register(r, huma.Operation{
		OperationID: "restore-" + id, Method: http.MethodPost, Path: base + "/{ref}/restore", Tags: tags,
		Summary: "Restore an archived " + noun, Description: "Returns the " + noun + " to use.", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*body[*T], error) {
		v, err := restore(ctx, actor(ctx), in.Ref)
		return one("path", v, err)
	})
	register(r, huma.Operation{
		OperationID: "get-" + id + "-history", Method: http.MethodGet, Path: base + "/{ref}/history", Tags: tags,
		Summary: "Change history of a " + noun, Description: "The audit events about the " + noun + ", newest first.", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*historyOutput, error) {
		evs, err := history(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}

// registerTraining adds the operations on training records, the competence matrix and a person's competence.
func registerTraining(r *registrar, p *people.Service) {
	tags := []string{"Training"}
	record := func(location string, v *people.TrainingRecord, err error) (*body[*people.TrainingRecord], error) {
		if err != nil {
			return nil, problem(err, location)
		}
		return &body[*people.TrainingRecord]{v}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-training-records", Method: http.MethodGet, Path: "/api/v1/training-records", Tags: tags,
		Summary:     "List training records",
		Description: "Training records, the latest completed first, filtered by person, course, competence or state today.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *recordListInput) (*body[*people.RecordPage], error) {
		page, err := p.ListRecords(ctx, actor(ctx), in.RecordQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &body[*people.RecordPage]{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-training-record", Method: http.MethodPost, Path: "/api/v1/training-records", Tags: tags,
		Summary: "Record training", DefaultStatus: http.StatusCreated,
		Description: "Records that a member completed a course, or education, experience or another activity conferring named competences (7.2), " +
			"with evidence. A course's validity sets the expiry: the expiry day is the first day the record no longer counts. " +
			"Records never change: to correct one, record a new one with `replaces`; to cancel one, withdraw it. Owners, managers and contributors.",
		Errors: peopleChangeErrors,
	}, func(ctx context.Context, in *body[people.RecordRequest]) (*body[*people.TrainingRecord], error) {
		v, err := p.RecordTraining(ctx, actor(ctx), in.Body)
		return record("body", v, err)
	})
	register(r, huma.Operation{
		OperationID: "get-training-record", Method: http.MethodGet, Path: "/api/v1/training-records/{ref}", Tags: tags,
		Summary: "Get a training record", Description: "The record with its state today and the titles of its evidence.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*body[*people.TrainingRecord], error) {
		v, err := p.GetRecord(ctx, actor(ctx), in.Ref)
		return record("path", v, err)
	})
	register(r, huma.Operation{
		OperationID: "withdraw-training-record", Method: http.MethodPost, Path: "/api/v1/training-records/{ref}/withdraw", Tags: tags,
		Summary: "Withdraw a training record", Description: "Withdraws a record with a reason; it no longer counts and stays in the history.",
		Errors: peopleChangeErrors,
	}, func(ctx context.Context, in *withdrawInput) (*body[*people.TrainingRecord], error) {
		v, err := p.WithdrawRecord(ctx, actor(ctx), in.Ref, in.Body)
		return record("body", v, err)
	})
	register(r, huma.Operation{
		OperationID: "get-training-record-history", Method: http.MethodGet, Path: "/api/v1/training-records/{ref}/history", Tags: tags,
		Summary: "Change history of a training record", Description: "The audit events about the record: its recording, correction and withdrawal.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *peopleRefPath) (*historyOutput, error) {
		evs, err := p.RecordHistory(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-competence-matrix", Method: http.MethodGet, Path: "/api/v1/people/matrix", Tags: []string{"AIMS roles and competence"},
		Summary:     "Competence matrix",
		Description: "For every member holding an active AIMS role, how they stand today with each competence the roles require: held (until when), expired or missing.",
	}, func(ctx context.Context, _ *struct{}) (*body[*people.Matrix], error) {
		m, err := p.CompetenceMatrix(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &body[*people.Matrix]{m}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-person-competence", Method: http.MethodGet, Path: "/api/v1/people/{person}", Tags: []string{"AIMS roles and competence"},
		Summary:     "A person's roles, competences and training",
		Description: "The member's AIMS roles, how they stand with each competence the roles require (and others they hold), their gaps and all their training records.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *personPath) (*body[*people.PersonCompetence], error) {
		who := in.Person
		if who == "me" {
			who = actor(ctx).UserID
		}
		pc, err := p.Person(ctx, actor(ctx), who)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &body[*people.PersonCompetence]{pc}, nil
	})
}
