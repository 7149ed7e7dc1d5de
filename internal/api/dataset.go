package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

type datasetOutput struct{ Body *dataset.Dataset }

type datasetPath struct {
	Ref string `path:"ref" doc:"The data set's reference, such as DS-3, or its id."`
}

type listDatasetsInput struct{ dataset.ListQuery }

type listDatasetsOutput struct{ Body *dataset.Page }

type createDatasetInput struct{ Body dataset.CreateRequest }

type updateDatasetInput struct {
	Ref  string `path:"ref" doc:"The data set's reference, such as DS-3, or its id."`
	Body dataset.UpdateRequest
}

type dsVersionPath struct {
	Ref    string `path:"ref" doc:"The data set's reference, such as DS-3."`
	Number int    `path:"number" minimum:"1" doc:"The version's number, 1, 2, …"`
}

type dsVersionOutput struct{ Body *dataset.Version }

type dsVersionsOutput struct {
	Body struct {
		Items []dataset.Version `json:"items"`
	}
}

type createVersionInput struct {
	Ref  string `path:"ref" doc:"The data set's reference, such as DS-3, or its id."`
	Body dataset.VersionRequest
}

type lineageInput struct {
	Version []string `query:"version,explode" doc:"A data set version by key (DS-3@2) or id; repeat for several."`
}

type lineageOutput struct{ Body *dataset.Lineage }

// ProfileQuery holds the profiling options given in the query string.
type ProfileQuery struct {
	Format     string   `query:"format" doc:"csv or parquet; by default from the file name."`
	NoHeader   bool     `query:"no_header" doc:"The first line is data, not column names."`
	Columns    string   `query:"columns" doc:"Column names, separated by commas."`
	Separator  string   `query:"separator" doc:"The one character between fields, or tab or space; a comma by default."`
	KeepSpaces bool     `query:"keep_spaces" doc:"Keep the spaces around values."`
	Missing    []string `query:"missing,explode" doc:"A value that means missing, such as ?; repeat for several."`
	Label      string   `query:"label" doc:"The label column."`
	Positive   string   `query:"positive" doc:"The positive label value."`
	Sensitive  string   `query:"sensitive" doc:"Sensitive feature columns, separated by commas."`
	Reference  []string `query:"reference,explode" doc:"Reference shares written feature:group=share, such as sex:Female=0.5; repeat or separate with commas."`
	FileName   string   `query:"file_name" doc:"The file's name when the body is the file itself."`
}

// profileInput is an upload to profile: its body is read by the handler as
// it streams, so it is kept out of huma's hands.
type profileInput struct {
	Ref    string `path:"ref" doc:"The data set's reference, such as DS-3."`
	Number int    `path:"number" minimum:"1" doc:"The version's number, 1, 2, …"`
	ProfileQuery
	req *http.Request
	w   http.ResponseWriter
}

// Resolve keeps the request, whose body the handler streams.
func (in *profileInput) Resolve(ctx huma.Context) []error {
	in.req, in.w = humago.Unwrap(ctx)
	return nil
}

// uploadTime is how long an upload and its profiling may take, beyond the
// server's usual deadlines.
const uploadTime = 2 * time.Hour

func registerDatasets(r *registrar, s Services) {
	tags := []string{"Data sets"}
	register(r, huma.Operation{
		OperationID: "list-datasets", Method: http.MethodGet, Path: "/api/v1/datasets", Tags: tags,
		Summary: "List data sets", Description: "Search, filter by AI system and personal data, sort and page the organisation's data sets.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *listDatasetsInput) (*listDatasetsOutput, error) {
		page, err := s.Datasets.List(ctx, actor(ctx), in.ListQuery)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &listDatasetsOutput{page}, nil
	})
	register(r, huma.Operation{
		OperationID: "create-dataset", Method: http.MethodPost, Path: "/api/v1/datasets", Tags: tags,
		Summary: "Register a data set", Description: "Names must be unique in the organisation, ignoring case and spacing (409 otherwise).",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *createDatasetInput) (*datasetOutput, error) {
		d, err := s.Datasets.Create(ctx, actor(ctx), in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &datasetOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-dataset", Method: http.MethodGet, Path: "/api/v1/datasets/{ref}", Tags: tags,
		Summary: "Get a data set", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *datasetPath) (*datasetOutput, error) {
		d, err := s.Datasets.Get(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &datasetOutput{d}, nil
	})
	register(r, huma.Operation{
		OperationID: "update-dataset", Method: http.MethodPatch, Path: "/api/v1/datasets/{ref}", Tags: tags,
		Summary: "Change a data set",
		Description: "Changes the name, description, owner or AI systems given; `systems` replaces the whole set. `version` must be " +
			"the version you read; if the data set changed since, the answer is 409 and nothing is changed. Versions are recorded apart.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *updateDatasetInput) (*datasetOutput, error) {
		d, err := s.Datasets.Update(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &datasetOutput{d}, nil
	})
	for _, st := range []struct{ id, path, summary, desc string }{
		{"archive-dataset", "archive", "Archive a data set", "Takes the data set out of the active list; its versions, profiles and history stay, and nothing about it can change until it is restored."},
		{"restore-dataset", "restore", "Restore an archived data set", "Returns the data set to the active list."},
	} {
		change := s.Datasets.Archive
		if st.path == "restore" {
			change = s.Datasets.Restore
		}
		register(r, huma.Operation{
			OperationID: st.id, Method: http.MethodPost, Path: "/api/v1/datasets/{ref}/" + st.path, Tags: tags,
			Summary: st.summary, Description: st.desc, Errors: []int{http.StatusNotFound},
		}, func(ctx context.Context, in *datasetPath) (*datasetOutput, error) {
			d, err := change(ctx, actor(ctx), in.Ref)
			if err != nil {
				return nil, problem(err, "path")
			}
			return &datasetOutput{d}, nil
		})
	}
	register(r, huma.Operation{
		OperationID: "get-dataset-history", Method: http.MethodGet, Path: "/api/v1/datasets/{ref}/history", Tags: tags,
		Summary: "Change history of a data set", Description: "The audit events about the data set and its versions, newest first.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *datasetPath) (*historyOutput, error) {
		evs, err := s.Datasets.History(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &historyOutput{}
		out.Body.Items = historyEntries(evs)
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "list-dataset-versions", Method: http.MethodGet, Path: "/api/v1/datasets/{ref}/versions", Tags: tags,
		Summary: "List a data set's versions", Description: "Newest first, each with what it was derived from and its profile's summary, without the whole profile.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *datasetPath) (*dsVersionsOutput, error) {
		vs, err := s.Datasets.Versions(ctx, actor(ctx), in.Ref)
		if err != nil {
			return nil, problem(err, "path")
		}
		out := &dsVersionsOutput{}
		out.Body.Items = vs
		if out.Body.Items == nil {
			out.Body.Items = []dataset.Version{}
		}
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "create-dataset-version", Method: http.MethodPost, Path: "/api/v1/datasets/{ref}/versions", Tags: tags,
		Summary: "Record a data set version",
		Description: "Records the next version, numbered 1, 2, …, with its provenance (A.7.3–A.7.6). `derived_from` names existing " +
			"versions of any of the organisation's data sets by key (DS-3@2) or id, so derivations never form a cycle. A version " +
			"never changes once recorded, except that a profile of its file can be uploaded. Every invalid field is named (422).",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *createVersionInput) (*dsVersionOutput, error) {
		v, err := s.Datasets.AddVersion(ctx, actor(ctx), in.Ref, in.Body)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &dsVersionOutput{v}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-dataset-version", Method: http.MethodGet, Path: "/api/v1/datasets/{ref}/versions/{number}", Tags: tags,
		Summary: "Get a data set version", Description: "With the versions it was derived from and those derived from it, and its whole profile.",
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *dsVersionPath) (*dsVersionOutput, error) {
		v, err := s.Datasets.GetVersion(ctx, actor(ctx), dataset.Key(in.Ref, strconv.Itoa(in.Number)))
		if err != nil {
			return nil, problem(err, "path")
		}
		return &dsVersionOutput{v}, nil
	})
	registerProfileUpload(r, s, tags)
	register(r, huma.Operation{
		OperationID: "get-dataset-lineage", Method: http.MethodGet, Path: "/api/v1/dataset-lineage", Tags: tags,
		Summary: "Lineage of data set versions",
		Description: fmt.Sprintf("The whole ancestry of the versions named by `version` (repeatable): every version they were derived "+
			"from, directly or not, with the derivations and their preparation steps. Generation 0 is a version asked about; its "+
			"sources are further back. At most %d versions; beyond that `truncated` is true.", dataset.MaxLineageNodes),
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *lineageInput) (*lineageOutput, error) {
		l, err := s.Datasets.Lineage(ctx, actor(ctx), in.Version...)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &lineageOutput{l}, nil
	})
}

// registerProfileUpload adds the operation that profiles a version's file.
func registerProfileUpload(r *registrar, s Services, tags []string) {
	str := func(doc string) *huma.Schema { return &huma.Schema{Type: "string", Description: doc} }
	boolean := func(doc string) *huma.Schema { return &huma.Schema{Type: "boolean", Description: doc} }
	list := func(doc string) *huma.Schema {
		return &huma.Schema{Type: "array", Items: &huma.Schema{Type: "string"}, Description: doc}
	}
	form := &huma.Schema{Type: "object", Required: []string{"file"}, Properties: map[string]*huma.Schema{
		"format":      str("csv or parquet; by default from the file name."),
		"no_header":   boolean("The first line is data, not column names."),
		"columns":     str("Column names, separated by commas."),
		"separator":   str("The one character between fields, or tab or space; a comma by default."),
		"keep_spaces": boolean("Keep the spaces around values."),
		"missing":     list("Values that mean missing, such as ?; the field may be repeated."),
		"label":       str("The label column."),
		"positive":    str("The positive label value."),
		"sensitive":   str("Sensitive feature columns, separated by commas."),
		"reference":   list("Reference shares written feature:group=share; the field may be repeated."),
		"file":        binarySchema("The file to profile, CSV or Parquet."),
	}}
	register(r, huma.Operation{
		OperationID: "upload-dataset-profile", Method: http.MethodPost, Path: "/api/v1/datasets/{ref}/versions/{number}/profile", Tags: tags,
		Summary: "Profile a data set version's file",
		Description: fmt.Sprintf("Uploads the version's file, streamed to a temporary file and hashed, computes its data-quality "+
			"profile in one pass and stores it on the version with the file's name, size and SHA-256 and the options used, "+
			"replacing any earlier profile. The file itself is deleted afterwards. Send either `multipart/form-data` with a `file` "+
			"part and the options as fields, or the file itself as the body with the options in the query (`file_name` names it). "+
			"Large files take as long as one pass over them. A file over the server's limit (%d bytes by default) answers 413; "+
			"options that do not fit the file, and a file that cannot be read, answer 422 naming the field.", dataset.DefaultMaxUpload),
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"multipart/form-data":      {Schema: form},
			"application/octet-stream": {Schema: binarySchema("The file itself; the options are in the query.")},
			"text/csv":                 {Schema: binarySchema("The CSV file itself; the options are in the query.")},
		}},
	}, func(ctx context.Context, in *profileInput) (*dsVersionOutput, error) {
		v, err := uploadProfile(ctx, s.Datasets, in)
		if err != nil {
			return nil, err
		}
		return &dsVersionOutput{v}, nil
	})
}

// uploadProfile checks the version and the actor's right before it reads
// the body, receives the file and the options, and profiles it.
func uploadProfile(ctx context.Context, svc *dataset.Service, in *profileInput) (*dataset.Version, error) {
	a := actor(ctx)
	key := dataset.Key(in.Ref, strconv.Itoa(in.Number))
	if _, err := svc.GetVersion(ctx, a, key); err != nil {
		return nil, problem(err, "path")
	}
	if err := identity.Authorize(a, identity.ActDatasetEdit); err != nil {
		return nil, problem(err, "")
	}
	// A large file takes longer than the server's usual deadlines.
	rc := http.NewResponseController(in.w)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTime))
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTime))
	q := in.ProfileQuery
	opts := dataset.ProfileOptions{Format: q.Format, NoHeader: q.NoHeader, Columns: dataset.SplitList(q.Columns),
		Separator: q.Separator, KeepSpaces: q.KeepSpaces, Missing: q.Missing, Label: q.Label, Positive: q.Positive,
		Sensitive: dataset.SplitList(q.Sensitive)}
	refs := q.Reference
	location := "query"
	var up *dataset.Upload
	defer func() { up.Remove() }()
	mt, _, _ := mime.ParseMediaType(in.req.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		location = "body"
		mr, err := in.req.MultipartReader()
		if err != nil {
			return nil, problem(formError("body", "the body must be multipart/form-data: "+err.Error()), "")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, uploadProblem(err, location)
			}
			name := part.FormName()
			if name == "file" && part.FileName() != "" {
				if up != nil {
					return nil, problem(formError("file", "must be sent once"), location)
				}
				if up, err = svc.Receive(ctx, a, part, part.FileName()); err != nil {
					return nil, uploadProblem(err, location)
				}
				continue
			}
			b, err := io.ReadAll(io.LimitReader(part, 1<<20))
			if err != nil {
				return nil, uploadProblem(err, location)
			}
			setOption(&opts, &refs, name, string(b))
		}
	} else {
		name := q.FileName
		if _, p, err := mime.ParseMediaType(in.req.Header.Get("Content-Disposition")); name == "" && err == nil {
			name = p["filename"]
		}
		var err error
		if up, err = svc.Receive(ctx, a, in.req.Body, name); err != nil {
			return nil, uploadProblem(err, "body")
		}
	}
	if up == nil {
		return nil, problem(formError("file", "is required: send the file to profile"), location)
	}
	var p aims.Problems
	opts.Reference = dataset.ParseReference(refs, &p)
	if err := p.Err(); err != nil {
		return nil, problem(err, location)
	}
	v, err := svc.Profile(ctx, a, key, dataset.ProfileRequest{Upload: up, Options: opts})
	if err != nil {
		return nil, problem(err, location)
	}
	return v, nil
}

// setOption sets the option a form field names; list fields add to what the query gave.
func setOption(o *dataset.ProfileOptions, refs *[]string, name, value string) {
	yes := func(v string) bool {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		return err == nil && b || strings.EqualFold(strings.TrimSpace(v), "on") || strings.EqualFold(strings.TrimSpace(v), "yes")
	}
	switch name {
	case "format":
		o.Format = value
	case "no_header":
		o.NoHeader = yes(value)
	case "columns":
		o.Columns = append(o.Columns, dataset.SplitList(value)...)
	case "separator":
		o.Separator = value
	case "keep_spaces":
		o.KeepSpaces = yes(value)
	case "missing":
		o.Missing = append(o.Missing, value)
	case "label":
		o.Label = value
	case "positive":
		o.Positive = value
	case "sensitive":
		o.Sensitive = append(o.Sensitive, dataset.SplitList(value)...)
	case "reference":
		*refs = append(*refs, value)
	}
}

// formError is a problem of one field of an upload.
func formError(field, msg string) error {
	return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: field, Message: msg}}}
}

// uploadProblem answers a file over the limit with 413, and everything else as any other error.
func uploadProblem(err error, location string) error {
	if errors.Is(err, dataset.ErrFileTooLarge) {
		p := problem(err, location)
		if m, ok := p.(*huma.ErrorModel); ok {
			m.Status, m.Title = http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge)
			m.Detail = "the file is larger than this server accepts for profiling"
		}
		return p
	}
	var ae *aims.Error
	if !errors.As(err, &ae) {
		// The body broke off or was not a well-formed form.
		return problem(formError("file", "could not be read: "+err.Error()), location)
	}
	return problem(err, location)
}
