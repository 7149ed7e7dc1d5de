package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/evidence"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

type evidenceOutput struct{ Body *evidence.Evidence }

type evidencePath struct {
	Ref string `path:"ref" doc:"The evidence's id or reference, such as EV-3."`
}

type listEvidenceInput struct {
	evidence.ListQuery
}

type listEvidenceOutput struct{ Body *evidence.EvidencePage }

// evidenceForm is the multipart form that adds evidence. Its fields carry
// no validation tags: the service checks them all at once and the answer
// names each bad one at body.<field>. The document describes the rules.
type evidenceForm struct {
	Kind        string        `form:"kind" doc:"file, link or note (required)."`
	Title       string        `form:"title" doc:"What the evidence is (required, at most 200 characters)."`
	Description string        `form:"description" doc:"More about it (at most 4000 characters)."`
	URL         string        `form:"url" doc:"For a link: the http or https address (required, at most 2000 characters)."`
	Note        string        `form:"note" doc:"For a note: the written record (required, at most 20000 characters)."`
	ValidFrom   string        `form:"valid_from" doc:"First valid day, YYYY-MM-DD; empty for valid from now."`
	ValidUntil  string        `form:"valid_until" doc:"Last valid day, YYYY-MM-DD; empty for no end."`
	Links       []string      `form:"links" doc:"What the evidence supports, repeatable: control:A.6.2.4, control:CTL-2, clause:6.1.3, ai_system:SYS-1."`
	File        huma.FormFile `form:"file" contentType:"application/octet-stream" doc:"For a file: its content and name. Accepted types: pdf, png, jpg, gif, webp, txt, csv, md, json, xml, html, eml, docx, xlsx, pptx, odt, ods, zip."`
}

type addEvidenceInput struct {
	RawBody huma.MultipartFormFiles[evidenceForm]
}

type updateEvidenceInput struct {
	Ref  string `path:"ref" doc:"The evidence's id or reference, such as EV-3."`
	Body evidence.EvidenceUpdateRequest
}

// uploadMemory is how much of an upload is held in memory; the rest waits in temporary files.
const uploadMemory = 1 << 20

func registerEvidence(r *registrar, s Services) {
	tags := []string{"Evidence"}
	register(r, huma.Operation{
		OperationID: "list-evidence", Method: http.MethodGet, Path: "/api/v1/evidence", Tags: tags,
		Summary:     "List evidence",
		Description: "Filter, search, sort and page the organisation's evidence. `validity` selects by today's state (UTC); `target` selects what is linked to a control, clause or AI system.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listEvidenceInput) (*listEvidenceOutput, error) {
		page, err := s.Evidence.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &listEvidenceOutput{page}, nil
	})

	// Uploads may be as large as the evidence limit, plus room for the form's other fields.
	uploadLimit := s.Evidence.MaxBytes() + r.maxBody
	register(r, huma.Operation{
		OperationID: "add-evidence", Method: http.MethodPost, Path: "/api/v1/evidence", Tags: tags,
		Summary: "Add evidence",
		Description: "Adds a file, a link or a note, sent as `multipart/form-data`. A file is stored by its SHA-256 and never " +
			"overwritten; it must be one of the accepted types, and its content must match its extension. " +
			"Invalid input answers 422 naming every bad field (`body.title`, `body.file`, `body.links` …); a file over the " +
			"server's evidence limit answers 413.",
		DefaultStatus: http.StatusCreated, MaxBodyBytes: uploadLimit,
		Errors:      []int{http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge},
		Middlewares: huma.Middlewares{limitUpload(r.api, uploadLimit)},
	}, func(ctx context.Context, in *addEvidenceInput) (*evidenceOutput, error) {
		f := in.RawBody.Data()
		req := evidence.AddRequest{Kind: f.Kind, Title: f.Title, Description: f.Description, URL: f.URL, Note: f.Note,
			ValidFrom: f.ValidFrom, ValidUntil: f.ValidUntil, Links: f.Links}
		if f.File.IsSet {
			defer f.File.Close()
			req.File, req.FileName = f.File, f.File.Filename
		}
		it, err := s.Evidence.Add(ctx, actor(ctx), req)
		if err != nil {
			return nil, evidenceProblem(err, "body")
		}
		return &evidenceOutput{it}, nil
	})
	describeUploadForm(r.api)

	register(r, huma.Operation{
		OperationID: "get-evidence", Method: http.MethodGet, Path: "/api/v1/evidence/{ref}", Tags: tags,
		Summary: "Get evidence", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *evidencePath) (*evidenceOutput, error) {
		it, err := s.Evidence.Get(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &evidenceOutput{it}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-evidence", Method: http.MethodPatch, Path: "/api/v1/evidence/{ref}", Tags: tags,
		Summary: "Change evidence",
		Description: "Changes the title, description, validity dates or links given; `links` replaces the whole set. " +
			"The evidence itself (file, URL, note) never changes: add new evidence and archive the old. `version` must be " +
			"the version you read; if the evidence changed since, the answer is 409 and nothing is changed.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateEvidenceInput) (*evidenceOutput, error) {
		it, err := s.Evidence.Update(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &evidenceOutput{it}, nil
	})
	register(r, huma.Operation{
		OperationID: "archive-evidence", Method: http.MethodPost, Path: "/api/v1/evidence/{ref}/archive", Tags: tags,
		Summary: "Archive evidence", Description: "Archived evidence no longer counts as current; its record, file and history stay.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *evidencePath) (*evidenceOutput, error) {
		it, err := s.Evidence.Archive(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &evidenceOutput{it}, nil
	})
	register(r, huma.Operation{
		OperationID: "restore-evidence", Method: http.MethodPost, Path: "/api/v1/evidence/{ref}/restore", Tags: tags,
		Summary: "Restore archived evidence", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *evidencePath) (*evidenceOutput, error) {
		it, err := s.Evidence.Restore(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &evidenceOutput{it}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-evidence-history", Method: http.MethodGet, Path: "/api/v1/evidence/{ref}/history", Tags: tags,
		Summary: "Change history of evidence", Description: "The audit events about the evidence, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *evidencePath) (*historyOutput, error) {
		evs, err := s.Evidence.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "download-evidence", Method: http.MethodGet, Path: "/api/v1/evidence/{ref}/file", Tags: tags,
		Summary: "Download an evidence file",
		Description: "Answers the file as an attachment with its stored content type, after checking that its bytes still " +
			"hash to `file_sha256`; `Repr-Digest` carries that hash too. A file that was changed or lost on the server is " +
			"refused with 500 and never served. Links and notes have no file: 404.",
		Errors: []int{http.StatusNotFound, http.StatusInternalServerError},
		Responses: fileResponses("The file's bytes.", []string{"*/*"}, "The file's bytes, as they were uploaded.", map[string]*huma.Param{
			"Content-Disposition": {Description: "attachment, with the file's name.", Schema: &huma.Schema{Type: "string"}},
			"Repr-Digest":         {Description: "The SHA-256 of the file (RFC 9530), such as sha-256=:base64:.", Schema: &huma.Schema{Type: "string"}},
		}),
	}, func(ctx context.Context, in *evidencePath) (*huma.StreamResponse, error) {
		it, f, err := s.Evidence.Open(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, evidenceProblem(err, "path")
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			defer f.Close()
			hctx.SetHeader("Content-Type", it.ContentType)
			hctx.SetHeader("Content-Disposition", it.ContentDisposition())
			hctx.SetHeader("Content-Length", it.ContentLength())
			hctx.SetHeader("X-Content-Type-Options", "nosniff")
			hctx.SetHeader("Cache-Control", "private, no-store")
			hctx.SetHeader("Repr-Digest", it.ReprDigest())
			hctx.SetStatus(http.StatusOK)
			_, _ = io.Copy(hctx.BodyWriter(), f)
		}}, nil
	})
}

// evidenceProblem answers a file over the limit with 413 and a damaged
// file with 500 saying so; everything else as any other error.
func evidenceProblem(err error, location string) error {
	switch {
	case errors.Is(err, evidence.ErrFileTooLarge):
		p := problem(err, location)
		if m, ok := p.(*huma.ErrorModel); ok {
			m.Status, m.Title = http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge)
			m.Detail = "the file is larger than this server accepts as evidence"
		}
		return p
	case errors.Is(err, evidence.ErrFileDamaged):
		// The service has logged the details.
		return huma.NewError(http.StatusInternalServerError, aims.AsError(err).Message)
	}
	return problem(err, location)
}

// limitUpload refuses uploads from people who may not add evidence before
// reading their body, limits the body to the evidence limit and answers an
// upload over it with 413. It reads the form itself, so that the limit
// applies (huma does not limit multipart bodies), and removes the form's
// temporary files when the request is done.
func limitUpload(api huma.API, limit int64) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		r, w := humago.Unwrap(ctx)
		if err := identity.Authorize(aims.ActorFrom(r.Context()), identity.ActEvidenceAdd); err != nil {
			writeProblem(api, ctx, problem(err, ""))
			return
		}
		tooLarge := func() {
			_ = huma.WriteErr(api, ctx, http.StatusRequestEntityTooLarge,
				"the request is larger than this server accepts ("+strconv.FormatInt(limit, 10)+" bytes)",
				&huma.ErrorDetail{Location: "body.file", Message: "is larger than this server accepts as evidence"})
		}
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		err := r.ParseMultipartForm(uploadMemory)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			tooLarge()
			return
		case err != nil:
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "the body must be multipart/form-data",
				&huma.ErrorDetail{Location: "body", Message: strings.TrimPrefix(err.Error(), "http: ")})
			return
		}
		next(ctx)
	}
}

// writeProblem writes an error made by problem.
func writeProblem(api huma.API, ctx huma.Context, err error) {
	var se huma.StatusError
	if !errors.As(err, &se) {
		se = huma.NewError(http.StatusInternalServerError, "internal error")
	}
	var hs huma.HeadersError
	if errors.As(err, &hs) {
		for k, vs := range hs.GetHeaders() {
			for _, v := range vs {
				ctx.AppendHeader(k, v)
			}
		}
	}
	_ = huma.WriteErr(api, ctx, se.GetStatus(), se.Error())
}

// describeUploadForm adds to the document the rules of the upload form's
// fields, which the service rather than huma enforces.
func describeUploadForm(api huma.API) {
	op := api.OpenAPI().Paths["/api/v1/evidence"].Post
	mt := op.RequestBody.Content["multipart/form-data"]
	op.RequestBody.Required = true
	props := mt.Schema.Properties
	maxLen := func(n int) *int { return &n }
	props["kind"].Enum = []any{evidence.KindFile, evidence.KindLink, evidence.KindNote}
	props["title"].MaxLength = maxLen(200)
	props["description"].MaxLength = maxLen(4000)
	props["url"].MaxLength = maxLen(2000)
	props["url"].Format = "uri"
	props["note"].MaxLength = maxLen(20000)
	props["valid_from"].Format = "date"
	props["valid_until"].Format = "date"
	props["links"].MaxItems = maxLen(200)
	props["file"] = binarySchema(props["file"].Description)
	mt.Schema.Required = []string{"kind", "title"}
}
