package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/supplier"
	"github.com/danielgtaylor/huma/v2"
)

type bomFileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type bomImportInput struct {
	ID      string `path:"id" doc:"The system's id or reference, such as SYS-3."`
	DryRun  bool   `query:"dry_run" doc:"Only report what the import would do; change nothing."`
	RawBody []byte `contentType:"application/vnd.cyclonedx+json" doc:"A CycloneDX JSON BOM."`
}

type bomImportOutput struct{ Body *supplier.ImportReport }

// registerAIBOM adds the export and import of a system's AI bill of materials.
func registerAIBOM(r *registrar, s Services) {
	tags := []string{"AI systems", "AI bill of materials"}
	register(r, huma.Operation{
		OperationID: "export-system-aibom", Method: http.MethodGet, Path: "/api/v1/systems/{id}/aibom", Tags: tags,
		Summary: "Export a system's AI bill of materials",
		Description: "The system's AI bill of materials as CycloneDX 1.6 JSON: each version of its active models with its model card, " +
			"the data set versions they were trained and evaluated on, those of the data sets the system uses and all they were derived from, " +
			"the supplier of each, and the dependencies between them. The same records give the same serial number.",
		Responses: fileResponses("The BOM, as an attachment (Content-Disposition names it, such as SYS-1.cdx.json).", []string{aibom.MediaType},
			"CycloneDX 1.6 JSON.", map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"}}}),
		Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *systemPath) (*bomFileOutput, error) {
		f, err := s.Suppliers.ExportBOM(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, problem(err, "path")
		}
		return &bomFileOutput{ContentType: f.ContentType, Body: f.Data,
			ContentDisposition: mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})}, nil
	})
	register(r, huma.Operation{
		OperationID: "import-system-aibom", Method: http.MethodPost, Path: "/api/v1/systems/{id}/aibom", Tags: tags,
		Summary: "Import an AI bill of materials into a system",
		Description: "Registers what a CycloneDX JSON BOM holds for the system: data sets and their versions, models and their versions with " +
			"their digests, cards and results, and the suppliers of each with what they supply. What exists already (by name, then label) is left " +
			"as it is. With dry_run=true nothing changes and the answer says what would be done. The import is one " +
			"transaction: all of it is recorded, or, when it fails, none of it.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge},
	}, func(ctx context.Context, in *bomImportInput) (*bomImportOutput, error) {
		rep, err := s.Suppliers.ImportBOM(ctx, actor(ctx), in.ID, in.RawBody, in.DryRun)
		if err != nil {
			return nil, problem(err, "body")
		}
		return &bomImportOutput{rep}, nil
	})
	// huma describes a raw body with a format OpenAPI 3.0 lacks; say it the way both versions accept.
	body := r.api.OpenAPI().Paths["/api/v1/systems/{id}/aibom"].Post.RequestBody
	body.Required = true
	body.Content[aibom.MediaType].Schema = binarySchema("A CycloneDX JSON BOM, such as one exported by aims or another tool.")
	body.Content["application/json"] = &huma.MediaType{Schema: binarySchema("A CycloneDX JSON BOM, sent as plain JSON.")}
}
