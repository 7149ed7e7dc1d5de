package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aibom"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/aims-dev/aims/internal/supplier"
)

// aibomRoutes adds the page of a system's AI bill of materials.
func (h *handler) aibomRoutes(signed route) {
	signed("GET /systems/{ref}/aibom", h.aibomPage)
	signed("GET /systems/{ref}/aibom/download", h.aibomDownload)
	signed("POST /systems/{ref}/aibom", h.aibomImport)
}

// aibomData is what the AI bill of materials page shows.
type aibomData struct {
	In       *aibom.Input
	DryRun   bool
	Report   *supplier.ImportReport
	Errs     formErrors
	Imported bool
}

// aibomPage shows what the system's AI bill of materials holds, with its
// download link and, for editors, the form that imports one.
func (h *handler) aibomPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showAIBOM(w, r, a, http.StatusOK, aibomData{DryRun: true})
}

func (h *handler) showAIBOM(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d aibomData) {
	var err error
	if d.In, err = h.Suppliers.BOMInput(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "AI bill of materials of "+d.In.System.Ref, "systems", func(v view) templ.Component { return aibomView(v, d) })
}

// aibomDownload sends the system's AI bill of materials as a CycloneDX JSON file.
func (h *handler) aibomDownload(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	f, err := h.Suppliers.ExportBOM(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	_, _ = w.Write(f.Data)
}

// aibomImport imports the uploaded BOM into the system, or with dry_run
// only reports what it would do, and shows the report on the page.
func (h *handler) aibomImport(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActSupplierEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	err := r.ParseMultipartForm(h.MaxBodyBytes)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || errors.Is(err, http.ErrNotMultipart) {
			h.fail(w, r, err)
			return
		}
		h.errorPage(w, r, errorInfo{Status: http.StatusBadRequest, Heading: "The form could not be read",
			Message: "What was sent is not a form aims understands. Go back, reload the page and try again."})
		return
	}
	d := aibomData{DryRun: r.PostForm.Get("dry_run") != ""}
	var data []byte
	if file, _, ferr := r.FormFile("file"); ferr == nil {
		data, err = io.ReadAll(file)
		file.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if len(data) == 0 {
		d.Errs = formErrors{Message: "Some values need your attention. Correct them and send the form again.",
			Fields: []aims.FieldError{{Field: "file", Message: "is required: choose a CycloneDX JSON file"}}}
		h.showAIBOM(w, r, a, http.StatusUnprocessableEntity, d)
		return
	}
	rep, err := h.Suppliers.ImportBOM(r.Context(), a, r.PathValue("ref"), data, d.DryRun)
	d.Report = rep
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showAIBOM(w, r, a, status, d)
		return
	}
	d.Imported = !d.DryRun
	h.showAIBOM(w, r, a, http.StatusOK, d)
}

// joinKeys lists keys such as DS-1@2, separated by commas.
func joinKeys(keys []string) string { return strings.Join(keys, ", ") }

// importAction words what an import did with a record.
func importAction(action string) string {
	return map[string]string{supplier.ImportCreated: "created", supplier.ImportWouldCreate: "would create",
		supplier.ImportExists: "already there"}[action]
}

// importKind names a kind of record an import handles.
func importKind(kind string) string {
	return map[string]string{"data_set": "Data set", "data_set_version": "Data set version", "model": "Model",
		"model_version": "Model version", "third_party": "Supplier", "supply": "Supply"}[kind]
}
