package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/aims-dev/aims/internal/decision"
	"github.com/danielgtaylor/huma/v2"
)

type decisionSystemPath struct {
	ID string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
}

type decisionKeyPath struct {
	ID  string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Key string `path:"key" doc:"The decision's index in the system's decision log (digits), or the client's own id of it."`
}

type recordDecisionsInput struct {
	ID      string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Partial bool   `query:"partial" doc:"Store the good records of a batch with bad ones, reporting the bad ones in results; by default one bad record refuses the whole batch."`
	streamedBody
}

type recordOutcomesInput struct {
	ID string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	streamedBody
}

type batchResultOutput struct{ Body *decision.BatchResult }

type outcomeResultOutput struct{ Body *decision.OutcomeResult }

type decisionListInput struct {
	ID string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	decision.Query
}

type decisionPageOutput struct{ Body *decision.Page }

type decisionOutput struct{ Body *decision.Decision }

type receiptOutput struct{ Body *decision.Receipt }

type decisionLogOutput struct{ Body *decision.Log }

type retentionInput struct {
	ID   string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Body decision.RetentionRequest
}

type eraseInput struct {
	ID   string `path:"id" doc:"The AI system's reference, such as SYS-3, or its id."`
	Body decision.EraseRequest
}

type eraseOutput struct{ Body *decision.EraseResult }

type oversightOutput struct{ Body *decision.Oversight }

// registerDecisions adds the operations of AI systems' decision logs.
func registerDecisions(r *registrar, s Services) {
	tags := []string{"Decisions"}
	limits := decision.DefaultLimits
	if s.Decisions != nil {
		limits = s.Decisions.Limits
	}
	ingestErrors := []int{http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity}
	register(r, huma.Operation{
		OperationID: "record-decisions", Method: http.MethodPost, Path: "/api/v1/systems/{id}/decisions", Tags: tags,
		Summary: "Record decisions",
		Description: fmt.Sprintf("Appends a batch of decision records to the AI system's own verifiable decision log and answers, once the batch is durable, "+
			"with each record's index in the log. Send a JSON array (`application/json`) or NDJSON (`application/x-ndjson`, one record per line); "+
			"the body is read as it streams in, up to %d records and %d bytes a request (413 beyond). A record whose `id` the log holds already "+
			"is not stored again: it is answered with the earlier record's index and `duplicate`. By default one bad record refuses the whole "+
			"batch with 422, naming every bad record by position and field (`body[3].time`); with `partial=true` the good records are stored and "+
			"the bad ones reported in `results`. Needs the permission to write decisions: editors, or a token made for this system.",
			limits.Records, limits.Bytes),
		MaxBodyBytes: limits.Bytes,
		Errors:       ingestErrors,
	}, func(ctx context.Context, in *recordDecisionsInput) (*batchResultOutput, error) {
		recs, err := readBatch[decision.Record](ctx, s, in.ID, &in.streamedBody, "decision records")
		if err != nil {
			return nil, err
		}
		res, err := s.Decisions.Record(ctx, actor(ctx), in.ID, recs, decision.RecordOptions{Partial: in.Partial})
		if err != nil {
			return nil, batchProblem(err, "records")
		}
		// Bad records of a partial batch are named as the problems of a refused one are.
		for i := range res.Results {
			for j := range res.Results[i].Errors {
				res.Results[i].Errors[j].Field = "body" + res.Results[i].Errors[j].Field
			}
		}
		return &batchResultOutput{res}, nil
	})
	register(r, huma.Operation{
		OperationID: "record-outcomes", Method: http.MethodPost, Path: "/api/v1/systems/{id}/outcomes", Tags: tags,
		Summary: "Record outcomes of decisions",
		Description: fmt.Sprintf("Appends outcomes, the ground truth learnt later, to the AI system's decisions, each naming its decision by the client's id "+
			"or by log index. Outcomes are never edited: a later outcome stands beside an earlier one. Send a JSON array or NDJSON as for decisions, "+
			"up to %d outcomes and %d bytes a request. The batch is all or nothing; an outcome whose `id` was seen before is not stored again.",
			limits.Records, limits.Bytes),
		MaxBodyBytes: limits.Bytes,
		Errors:       ingestErrors,
	}, func(ctx context.Context, in *recordOutcomesInput) (*outcomeResultOutput, error) {
		outs, err := readBatch[decision.OutcomeInput](ctx, s, in.ID, &in.streamedBody, "outcomes")
		if err != nil {
			return nil, err
		}
		res, err := s.Decisions.RecordOutcomes(ctx, actor(ctx), in.ID, outs)
		if err != nil {
			return nil, batchProblem(err, "outcomes")
		}
		return &outcomeResultOutput{res}, nil
	})
	// The bodies are described after the operations are registered, so that
	// huma leaves them to the handlers, which read them as they stream in.
	paths := r.api.OpenAPI().Paths
	paths["/api/v1/systems/{id}/decisions"].Post.RequestBody = batchRequestBody(r.api, reflect.TypeFor[decision.Record](), "decision records", limits)
	paths["/api/v1/systems/{id}/outcomes"].Post.RequestBody = batchRequestBody(r.api, reflect.TypeFor[decision.OutcomeInput](), "outcomes", limits)
	register(r, huma.Operation{
		OperationID: "list-decisions", Method: http.MethodGet, Path: "/api/v1/systems/{id}/decisions", Tags: tags,
		Summary: "Search decisions",
		Description: "The AI system's decisions, newest first, filtered by time, model version, output, subject pseudonym and human review. " +
			"Pages continue with `before` set to the previous page's `next`. Needs the permission to read decisions (not viewers).",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *decisionListInput) (*decisionPageOutput, error) {
		page, err := s.Decisions.List(ctx, actor(ctx), in.ID, in.Query)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &decisionPageOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-decision", Method: http.MethodGet, Path: "/api/v1/systems/{id}/decisions/{key}", Tags: tags,
		Summary: "Get a decision",
		Description: "One decision in full: its inputs, output, explanation, model version, human review and outcomes, and the hash of the " +
			"canonical record the log commits to. Once erased, the record is gone and the hash stays. Sensitive attributes are never shown.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *decisionKeyPath) (*decisionOutput, error) {
		d, err := s.Decisions.Get(ctx, actor(ctx), in.ID, in.Key)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &decisionOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-decision-receipt", Method: http.MethodGet, Path: "/api/v1/systems/{id}/decisions/{key}/receipt", Tags: tags,
		Summary: "Get a decision's receipt",
		Description: "A receipt (format `aims-decision-receipt/v1`) that proves offline that the decision is in the system's log: the SHA-256 of the " +
			"canonical record (`record_hash`), the record itself in base64 unless erased, an RFC 6962 inclusion proof and the signed checkpoint " +
			"(a C2SP signed note) of the tree it leads to. Verify it with `aims receipt verify FILE --key KEY`, with the key of GET /api/v1/audit/key. " +
			"A checkpoint is signed when none covers the decision yet.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *decisionKeyPath) (*receiptOutput, error) {
		rc, err := s.Decisions.Receipt(ctx, actor(ctx), in.ID, in.Key)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &receiptOutput{rc}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-decision-log", Method: http.MethodGet, Path: "/api/v1/systems/{id}/decision-log", Tags: tags,
		Summary:     "Get a system's decision log",
		Description: "The decision log's origin (the name its checkpoints carry), its size and how many days decision payloads are kept.",
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *decisionSystemPath) (*decisionLogOutput, error) {
		l, err := s.Decisions.Log(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &decisionLogOutput{l}, nil
	})
	register(r, huma.Operation{
		OperationID: "set-decision-retention", Method: http.MethodPut, Path: "/api/v1/systems/{id}/decision-log/retention", Tags: tags,
		Summary: "Set how long decisions are kept",
		Description: fmt.Sprintf("Sets how many days after it was recorded a decision's payload is kept: at least %d (six months, the EU AI Act's "+
			"minimum for logs), at most %d. Payloads past it are erased daily; the log's leaves and proofs stay. For owners and managers.",
			decision.MinRetentionDays, decision.MaxRetentionDays),
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *retentionInput) (*decisionLogOutput, error) {
		l, err := s.Decisions.SetRetention(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &decisionLogOutput{l}, nil
	})
	register(r, huma.Operation{
		OperationID: "erase-decisions", Method: http.MethodPost, Path: "/api/v1/systems/{id}/decisions/erase", Tags: tags,
		Summary: "Erase a subject's decisions",
		Description: "Erases the payload, subject pseudonym and sensitive attributes of every decision of the system about a subject, such as on " +
			"a data subject's request. The log's leaves stay, so every proof and receipt stays valid; the erasure is an audit event that " +
			"records how many decisions were erased and why, but not the pseudonym. For owners and managers.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *eraseInput) (*eraseOutput, error) {
		res, err := s.Decisions.EraseSubject(ctx, actor(ctx), in.ID, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &eraseOutput{res}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-oversight", Method: http.MethodGet, Path: "/api/v1/systems/{id}/oversight", Tags: tags,
		Summary: "Human oversight rates",
		Description: "How many of the system's decisions people reviewed and how many they overrode, per model version and in total: " +
			"review_rate is reviewed over decisions, override_rate overridden over reviewed.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *decisionSystemPath) (*oversightOutput, error) {
		o, err := s.Decisions.Oversight(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &oversightOutput{o}, nil
	})
}
