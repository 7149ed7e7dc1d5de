package api

import (
	"context"
	"mime"
	"net/http"
	"strconv"

	"github.com/aims-dev/aims/internal/document"
	"github.com/danielgtaylor/huma/v2"
)

type documentPath struct {
	Ref string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
}

type documentOutput struct{ Body *document.Document }

type documentListInput struct{ document.Query }

type documentListOutput struct{ Body *document.Page }

type documentCreateInput struct{ Body document.CreateRequest }

type documentUpdateInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body document.UpdateRequest
}

type documentVersionPath struct {
	Ref    string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Number int    `path:"number" minimum:"1" doc:"The version's number."`
}

type documentVersionOutput struct{ Body *document.Version }

type documentVersionsOutput struct {
	Body struct {
		Items []document.VersionInfo `json:"items" doc:"The versions, newest first, without their text."`
	}
}

type documentDraftInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body document.DraftRequest
}

type documentDraftUpdateInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body document.DraftUpdate
}

type documentDiscardInput struct {
	Ref      string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Revision int    `query:"revision" required:"true" minimum:"1" doc:"The draft's revision as you read it."`
}

type documentApproveInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body document.ApproveRequest
}

type documentReviewInput struct {
	Ref  string                  `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body *document.ReviewRequest `required:"false"`
}

type documentArchiveInput struct {
	Ref  string                   `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body *document.ArchiveRequest `required:"false"`
}

type documentAcknowledgeInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Body document.AcknowledgeRequest
}

type documentAcknowledgeOutput struct{ Body *document.Acknowledgement }

type documentReadersInput struct {
	Ref     string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	Version int    `query:"version" minimum:"0" doc:"An approved version's number; the version in force when left out."`
}

type documentReadersOutput struct{ Body *document.Readers }

type documentCompareInput struct {
	Ref  string `path:"ref" doc:"The document's reference, such as DOC-3, or its id."`
	From int    `query:"from" required:"true" minimum:"1" doc:"The older version's number."`
	To   int    `query:"to" required:"true" minimum:"1" doc:"The newer version's number."`
}

type documentCompareOutput struct{ Body *document.Comparison }

type documentReviewsOutput struct {
	Body struct {
		Items []document.Review `json:"items" doc:"Approvals and reviews without change, the latest first."`
	}
}

type documentToReadOutput struct {
	Body struct {
		Items []document.ToRead `json:"items" doc:"The versions in force you have still to acknowledge, the longest waiting first."`
	}
}

type documentTextOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// registerDocuments adds the document operations.
func registerDocuments(r *registrar, s Services) {
	tags := []string{"Documents and the AI policy"}
	changeErrors := []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge}
	doc := func(location string, call func() (*document.Document, error)) (*documentOutput, error) {
		d, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &documentOutput{d}, nil
	}
	version := func(location string, call func() (*document.Version, error)) (*documentVersionOutput, error) {
		v, err := call()
		if err != nil {
			return nil, problem(err, location)
		}
		return &documentVersionOutput{v}, nil
	}
	register(r, huma.Operation{
		OperationID: "list-documents", Method: http.MethodGet, Path: "/api/v1/documents", Tags: tags,
		Summary: "List documents",
		Description: "The organisation's documented information (7.5): the AI policy first, then other policies, procedures, records and others. " +
			"Each with its version in force, its draft, where its review stands and how many of the people it is distributed to acknowledged it. " +
			"Filter by kind, status, review due, owner, clause or control addressed, or draft; search by words.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *documentListInput) (*documentListOutput, error) {
		page, err := s.Documents.List(ctx, actor(ctx), in.Query)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &documentListOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-document", Method: http.MethodPost, Path: "/api/v1/documents", Tags: tags,
		Summary: "Write a document", DefaultStatus: http.StatusCreated,
		Description: "Records a document and its first draft, version 1. At most one AI policy (kind ai_policy) is in force: a second " +
			"answers 409. The owner must be an owner, manager or contributor; clauses and controls must exist in the catalogue.",
		Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *documentCreateInput) (*documentOutput, error) {
		return doc("body", func() (*document.Document, error) { return s.Documents.Create(ctx, actor(ctx), in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-document", Method: http.MethodGet, Path: "/api/v1/documents/{ref}", Tags: tags,
		Summary: "Get a document", Description: "The document with its version in force and its draft, without their text.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentPath) (*documentOutput, error) {
		return doc("path", func() (*document.Document, error) { return s.Documents.Get(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "update-document", Method: http.MethodPatch, Path: "/api/v1/documents/{ref}", Tags: tags,
		Summary: "Change a document's details",
		Description: "Changes the fields given: title, kind, owner, review interval, clauses, controls, distribution. `version` must be the document's " +
			"version as you read it; if it changed since, the answer is 409 and nothing is changed. The text is changed through the draft.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *documentUpdateInput) (*documentOutput, error) {
		return doc("body", func() (*document.Document, error) { return s.Documents.Update(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "list-document-versions", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/versions", Tags: tags,
		Summary: "List a document's versions", Description: "Newest first, without their text: the draft, the version in force and the earlier approved versions.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentPath) (*documentVersionsOutput, error) {
		vs, err := s.Documents.Versions(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &documentVersionsOutput{}
		out.Body.Items = vs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "start-document-draft", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/versions", Tags: tags,
		Summary: "Start a new version", DefaultStatus: http.StatusCreated,
		Description: "Starts the next version as a draft, from the text given or else from the version in force. A document has at most one draft: 409 when it has one.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *documentDraftInput) (*documentVersionOutput, error) {
		return version("body", func() (*document.Version, error) { return s.Documents.StartDraft(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "get-document-version", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/versions/{number}", Tags: tags,
		Summary: "Get a version with its text", Description: "The version, draft or approved, with its Markdown text.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentVersionPath) (*documentVersionOutput, error) {
		return version("path", func() (*document.Version, error) { return s.Documents.Version(ctx, actor(ctx), in.Ref, in.Number) })
	})
	register(r, huma.Operation{
		OperationID: "get-document-version-text", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/versions/{number}/text", Tags: tags,
		Summary:     "Download a version's text",
		Description: "The version's Markdown text as text/markdown, named like DOC-1-v2.md. Its SHA-256 is the version's `text_sha256`.",
		Responses: fileResponses("The Markdown text, as an attachment.", []string{"text/markdown"}, "The version's Markdown text, in UTF-8.",
			map[string]*huma.Param{"Content-Disposition": {Description: "attachment, with the file's name.", Schema: &huma.Schema{Type: "string"}}}),
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentVersionPath) (*documentTextOutput, error) {
		v, err := s.Documents.Version(ctx, actor(ctx), in.Ref, in.Number)
		if err != nil {
			return nil, problem(err, "path")
		}
		name := v.DocumentRef + "-v" + strconv.Itoa(v.Number) + ".md"
		return &documentTextOutput{ContentType: "text/markdown; charset=utf-8", Body: []byte(v.Text),
			ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": name})}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-document-draft", Method: http.MethodPatch, Path: "/api/v1/documents/{ref}/draft", Tags: tags,
		Summary:     "Change the draft",
		Description: "Changes the draft's text or change note. `revision` must be the draft's revision as you read it; if it changed since, the answer is 409.",
		Errors:      changeErrors,
	}, func(ctx context.Context, in *documentDraftUpdateInput) (*documentVersionOutput, error) {
		return version("body", func() (*document.Version, error) { return s.Documents.UpdateDraft(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "discard-document-draft", Method: http.MethodDelete, Path: "/api/v1/documents/{ref}/draft", Tags: tags,
		Summary: "Discard the draft", Description: "Deletes the draft at the revision given; the history keeps that it was there. Approved versions are never deleted.",
		Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *documentDiscardInput) (*documentOutput, error) {
		return doc("query", func() (*document.Document, error) {
			return s.Documents.DiscardDraft(ctx, actor(ctx), in.Ref, in.Revision)
		})
	})
	register(r, huma.Operation{
		OperationID: "approve-document", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/approve", Tags: tags,
		Summary: "Approve the draft",
		Description: "Owners and managers approve the draft as it stood at the revision they read: it is frozen for good (the database refuses " +
			"to change or delete an approved version) and becomes the version in force, everyone it is distributed to must acknowledge it, " +
			"and the next review falls due the review interval after today. The audit event records the SHA-256 of the text.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *documentApproveInput) (*documentOutput, error) {
		return doc("body", func() (*document.Document, error) { return s.Documents.Approve(ctx, actor(ctx), in.Ref, in.Body) })
	})
	register(r, huma.Operation{
		OperationID: "review-document", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/review", Tags: tags,
		Summary: "Record a review without change",
		Description: "The document's owner, or an owner or manager, records that the version in force was reviewed and stays as it is (A.2.4): " +
			"the next review falls due the review interval after today.",
		Errors: changeErrors,
	}, func(ctx context.Context, in *documentReviewInput) (*documentOutput, error) {
		req := document.ReviewRequest{}
		if in.Body != nil {
			req = *in.Body
		}
		return doc("body", func() (*document.Document, error) { return s.Documents.Review(ctx, actor(ctx), in.Ref, req) })
	})
	register(r, huma.Operation{
		OperationID: "list-document-reviews", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/reviews", Tags: tags,
		Summary: "List a document's reviews", Description: "Its approvals and reviews without change, the latest first: the record of its planned reviews.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentPath) (*documentReviewsOutput, error) {
		rs, err := s.Documents.Reviews(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &documentReviewsOutput{}
		out.Body.Items = rs
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "archive-document", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/archive", Tags: tags,
		Summary: "Withdraw a document",
		Description: "Owners and managers withdraw a document, with an optional reason: it leaves the active list and needs no acknowledgement " +
			"or review; its versions, acknowledgements and history stay.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *documentArchiveInput) (*documentOutput, error) {
		req := document.ArchiveRequest{}
		if in.Body != nil {
			req = *in.Body
		}
		return doc("body", func() (*document.Document, error) { return s.Documents.Archive(ctx, actor(ctx), in.Ref, req) })
	})
	register(r, huma.Operation{
		OperationID: "restore-document", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/restore", Tags: tags,
		Summary: "Restore a withdrawn document", Description: "Returns the document to the active list; an AI policy only while no other is in force (409).",
		Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *documentPath) (*documentOutput, error) {
		return doc("path", func() (*document.Document, error) { return s.Documents.Restore(ctx, actor(ctx), in.Ref) })
	})
	register(r, huma.Operation{
		OperationID: "acknowledge-document", Method: http.MethodPost, Path: "/api/v1/documents/{ref}/acknowledge", Tags: tags,
		Summary: "Acknowledge having read a document", DefaultStatus: http.StatusCreated,
		Description: "Records that you have read and understood the version in force (7.3), once per version. `number` names the version " +
			"you read: if another is in force now, the answer is 409. A document not distributed to your role answers 403.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *documentAcknowledgeInput) (*documentAcknowledgeOutput, error) {
		a, err := s.Documents.Acknowledge(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &documentAcknowledgeOutput{a}, nil
	})
	register(r, huma.Operation{
		OperationID: "list-document-acknowledgements", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/acknowledgements", Tags: tags,
		Summary: "Who has acknowledged a version",
		Description: "Everyone an approved version (the one in force unless `version` is given) is distributed to, with the date each " +
			"acknowledged it or null, those who have not first; then anyone else who acknowledged it.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *documentReadersInput) (*documentReadersOutput, error) {
		rd, err := s.Documents.Readers(ctx, actor(ctx), in.Ref, in.Version)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &documentReadersOutput{rd}, nil
	})
	register(r, huma.Operation{
		OperationID: "compare-document-versions", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/compare", Tags: tags,
		Summary: "Compare two versions", Description: "The lines of two versions' texts, each the same in both, removed or added.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *documentCompareInput) (*documentCompareOutput, error) {
		c, err := s.Documents.Compare(ctx, actor(ctx), in.Ref, in.From, in.To)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &documentCompareOutput{c}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-document-history", Method: http.MethodGet, Path: "/api/v1/documents/{ref}/history", Tags: tags,
		Summary: "Change history of a document", Description: "The audit events about the document and its versions, newest first; acknowledgements are listed apart.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *documentPath) (*historyOutput, error) {
		evs, err := s.Documents.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "list-documents-to-read", Method: http.MethodGet, Path: "/api/v1/documents-to-read", Tags: tags,
		Summary:     "Documents you have to read",
		Description: "The versions in force of documents distributed to you that you have not acknowledged yet, the longest waiting first.",
	}, func(ctx context.Context, _ *struct{}) (*documentToReadOutput, error) {
		items, err := s.Documents.ToRead(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		out := &documentToReadOutput{}
		out.Body.Items = items
		return out, nil
	})
}
