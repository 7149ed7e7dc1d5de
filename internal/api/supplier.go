package api

import (
	"context"
	"net/http"

	"github.com/aims-dev/aims/internal/supplier"
	"github.com/danielgtaylor/huma/v2"
)

type partyPath struct {
	Ref string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
}

type partyOutput struct{ Body *supplier.Party }

type partyListInput struct{ supplier.PartyQuery }

type partyListOutput struct{ Body *supplier.PartyPage }

type partyCreateInput struct{ Body supplier.PartyRequest }

type partyUpdateInput struct {
	Ref  string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Body supplier.PartyUpdate
}

type supplyPath struct {
	Ref    string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The supply's number within the party."`
}

type supplyOutput struct{ Body *supplier.Supply }

type suppliesOutput struct {
	Body struct {
		Items []supplier.Supply `json:"items"`
	}
}

type supplyCreateInput struct {
	Ref  string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Body supplier.SupplyRequest
}

type supplyUpdateInput struct {
	Ref    string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The supply's number within the party."`
	Body   supplier.SupplyUpdate
}

type supplyRemoveInput struct {
	Ref     string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Number  int    `path:"number" minimum:"1" doc:"The supply's number within the party."`
	Version int    `query:"version" required:"true" minimum:"1" doc:"The supply's version as you read it."`
}

type supplierAssessmentOutput struct{ Body *supplier.Assessment }

type supplierAssessmentsOutput struct {
	Body struct {
		Items []supplier.Assessment `json:"items" doc:"The assessments, the latest first."`
	}
}

type supplierAssessInput struct {
	Ref  string `path:"ref" doc:"The third party's reference, such as TP-3, or its id."`
	Body supplier.AssessRequest
}

type supplierDueOutput struct {
	Body struct {
		Items []supplier.DueSupplier `json:"items"`
	}
}

type raciOutput struct{ Body *supplier.RACIMatrix }

type raciSetInput struct {
	ID    string `path:"id" doc:"The system's id or reference, such as SYS-3."`
	Stage string `path:"stage" enum:"inception,design_and_development,verification_and_validation,deployment,operation_and_monitoring,re_evaluation,retirement" doc:"The life-cycle stage."`
	Body  supplier.RACIRequest
}

// registerSuppliers adds the operations on third parties and resources.
func registerSuppliers(r *registrar, s Services) {
	registerParties(r, s)
	registerSupplies(r, s)
	registerRACI(r, s)
	registerResources(r, s)
	registerAIBOM(r, s)
}

// registerParties adds the operations on third parties themselves and their assessments.
func registerParties(r *registrar, s Services) {
	tags := []string{"Suppliers and customers"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	party := func(location string, call func() (*supplier.Party, error)) (*partyOutput, error) {
		p, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &partyOutput{p}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-suppliers", Method: http.MethodGet, Path: "/api/v1/suppliers", Tags: tags,
		Summary:     "List suppliers and customers",
		Description: "The organisation's third parties by name, with the dates of their latest and next assessment. Filter by kind, status, AI system or due assessment; search by words.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *partyListInput) (*partyListOutput, error) {
		page, err := s.Suppliers.ListParties(ctx, actor(ctx), in.PartyQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &partyListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-supplier", Method: http.MethodPost, Path: "/api/v1/suppliers", Tags: tags,
		Summary: "Record a supplier or customer", DefaultStatus: http.StatusCreated,
		Description: "Records a third party (A.10): a supplier, a customer, or both. Its name must be unique in the organisation, ignoring case.",
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *partyCreateInput) (*partyOutput, error) {
		return party("body", func() (*supplier.Party, error) { return s.Suppliers.CreateParty(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-supplier", Method: http.MethodGet, Path: "/api/v1/suppliers/{ref}", Tags: tags,
		Summary: "Get a supplier or customer", Description: "The third party with its contact and assessment dates.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*partyOutput, error) {
		return party("path", func() (*supplier.Party, error) { return s.Suppliers.GetParty(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-supplier", Method: http.MethodPatch, Path: "/api/v1/suppliers/{ref}", Tags: tags,
		Summary:     "Change a supplier or customer",
		Description: "Changes the fields given. `version` must be the party's version as you read it; if it changed since, the answer is 409 and nothing is changed. A party cannot stop being a supplier (or customer) while supplies in that role are recorded.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *partyUpdateInput) (*partyOutput, error) {
		return party("body", func() (*supplier.Party, error) { return s.Suppliers.UpdateParty(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "archive-supplier", Method: http.MethodPost, Path: "/api/v1/suppliers/{ref}/archive", Tags: tags,
		Summary: "Archive a supplier or customer", Description: "Takes the party out of the active list; its supplies, assessments and history stay.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*partyOutput, error) {
		return party("path", func() (*supplier.Party, error) { return s.Suppliers.ArchiveParty(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "restore-supplier", Method: http.MethodPost, Path: "/api/v1/suppliers/{ref}/restore", Tags: tags,
		Summary: "Restore an archived supplier or customer", Description: "Returns the party to the active list.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*partyOutput, error) {
		return party("path", func() (*supplier.Party, error) { return s.Suppliers.RestoreParty(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "get-supplier-history", Method: http.MethodGet, Path: "/api/v1/suppliers/{ref}/history", Tags: tags,
		Summary: "Change history of a supplier or customer", Description: "The audit events about the party, its supplies and its assessments, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*historyOutput, error) {
		evs, err := s.Suppliers.PartyHistory(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "list-supplier-assessments", Method: http.MethodGet, Path: "/api/v1/suppliers/{ref}/assessments", Tags: tags,
		Summary: "List a supplier's assessments", Description: "The assessments of the supplier (A.10.3), the latest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*supplierAssessmentsOutput, error) {
		as, err := s.Suppliers.Assessments(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &supplierAssessmentsOutput{}
		out.Body.Items = as
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "assess-supplier", Method: http.MethodPost, Path: "/api/v1/suppliers/{ref}/assessments", Tags: tags,
		Summary: "Record a supplier assessment", DefaultStatus: http.StatusCreated,
		Description: "Records an assessment by an owner or manager: the day (today when left out), the assessor (you when left out), the result, " +
			"findings and conditions (required unless satisfactory) and when to assess again (a year later when left out). It never changes once recorded.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *supplierAssessInput) (*supplierAssessmentOutput, error) {
		a, err := s.Suppliers.Assess(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &supplierAssessmentOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-supplier-due", Method: http.MethodGet, Path: "/api/v1/supplier-due", Tags: tags,
		Summary:     "Suppliers due for assessment",
		Description: "Active suppliers whose next assessment date has come, and those that supply something and were never assessed: the never assessed first, then the longest overdue.",
	}, func(ctx context.Context, _ *struct{}) (*supplierDueOutput, error) {
		items, err := s.Suppliers.Due(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &supplierDueOutput{}
		out.Body.Items = items
		return out, nil
	})
}

// registerSupplies adds the operations on what third parties supply and receive.
func registerSupplies(r *registrar, s Services) {
	tags := []string{"Suppliers and customers"}
	list := func(items []supplier.Supply, err error, location string) (*suppliesOutput, error) {
		if err != nil {
			return nil, problem(err, location)
		}
		out := &suppliesOutput{}
		out.Body.Items = items
		return out, nil
	}
	register(r, huma.Operation{
		OperationID: "list-supplies", Method: http.MethodGet, Path: "/api/v1/suppliers/{ref}/supplies", Tags: tags,
		Summary: "List what a party supplies or receives", Description: "The party's supplies, by number, with the AI system, model or data set each names.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *partyPath) (*suppliesOutput, error) {
		items, err := s.Suppliers.Supplies(ctx, actor(ctx), in.Ref)
		return list(items, err, "path")
	})
	register(r, huma.Operation{
		OperationID: "create-supply", Method: http.MethodPost, Path: "/api/v1/suppliers/{ref}/supplies", Tags: tags,
		Summary: "Record what a party supplies or receives", DefaultStatus: http.StatusCreated,
		Description: "Records a supply: its kind, the AI system it serves, and for a model or data set which one (MDL-1, DS-1); a model brings its system when none is named. " +
			"role says which way it goes: supplier (the party supplies the organisation) or customer (the organisation supplies the party).",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *supplyCreateInput) (*supplyOutput, error) {
		sp, err := s.Suppliers.AddSupply(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &supplyOutput{sp}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-supply", Method: http.MethodPatch, Path: "/api/v1/suppliers/{ref}/supplies/{number}", Tags: tags,
		Summary:     "Change a supply",
		Description: "Changes the fields given; an empty system, model or data set clears it. `version` must be the supply's version as you read it.",
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *supplyUpdateInput) (*supplyOutput, error) {
		sp, err := s.Suppliers.UpdateSupply(ctx, actor(ctx), in.Ref, in.Number, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &supplyOutput{sp}, nil
	})
	register(r, huma.Operation{
		OperationID: "delete-supply", Method: http.MethodDelete, Path: "/api/v1/suppliers/{ref}/supplies/{number}", Tags: tags,
		Summary: "Remove a supply", DefaultStatus: http.StatusNoContent,
		Description: "Removes a supply that is no longer true; the party's history keeps what it was. `version` must be the supply's version as you read it.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *supplyRemoveInput) (*struct{}, error) {
		if err := s.Suppliers.RemoveSupply(ctx, actor(ctx), in.Ref, in.Number, in.Version); err != nil {
			return nil, problem(err, "query")
		}
		return nil, nil
	})
	register(r, huma.Operation{
		OperationID: "list-system-supplies", Method: http.MethodGet, Path: "/api/v1/systems/{id}/supplies", Tags: []string{"AI systems", "Suppliers and customers"},
		Summary: "List a system's suppliers and customers", Description: "The supplies that serve the AI system, by party name.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*suppliesOutput, error) {
		items, err := s.Suppliers.SystemSupplies(ctx, actor(ctx), in.ID)
		return list(items, err, "path")
	})
}

// registerRACI adds the operations on the responsibility matrix of a system.
func registerRACI(r *registrar, s Services) {
	tags := []string{"AI systems", "Suppliers and customers"}
	register(r, huma.Operation{
		OperationID: "get-system-raci", Method: http.MethodGet, Path: "/api/v1/systems/{id}/raci", Tags: tags,
		Summary:     "Get a system's responsibility matrix",
		Description: "For every life-cycle stage, in order, the members and third parties responsible, accountable, consulted and informed (A.10.2).",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*raciOutput, error) {
		m, err := s.Suppliers.RACI(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &raciOutput{m}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-system-raci-stage", Method: http.MethodPut, Path: "/api/v1/systems/{id}/raci/{stage}", Tags: tags,
		Summary: "Set the responsibilities of one stage",
		Description: "Replaces who is responsible, accountable, consulted and informed at the stage; name members by user id or email and third parties by reference (TP-2). " +
			"Exactly one party is accountable when anyone is named; send all lists empty to clear the stage. `version` is the matrix's version as you read it (0 when never set).",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *raciSetInput) (*raciOutput, error) {
		m, err := s.Suppliers.SetStage(ctx, actor(ctx), in.ID, in.Stage, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &raciOutput{m}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-system-raci-history", Method: http.MethodGet, Path: "/api/v1/systems/{id}/raci/history", Tags: tags,
		Summary: "Change history of a system's responsibilities", Description: "The audit events about the matrix, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*historyOutput, error) {
		evs, err := s.Suppliers.RACIHistory(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
}
