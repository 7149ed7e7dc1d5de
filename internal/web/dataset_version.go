package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/dataset"
	"github.com/aims-dev/aims/internal/identity"
)

// dsVersionNew shows the form that records a data set's next version.
func (h *handler) dsVersionNew(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := identity.Authorize(a, identity.ActDatasetEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Datasets.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A version's page can ask for a version derived from it: ?derived_from=DS-1@2.
	f := dsVersionForm{DerivedFrom: r.URL.Query()["derived_from"]}
	if len(f.DerivedFrom) > 0 {
		f.Acquisition = "derived"
	}
	h.showDsVersionForm(w, r, a, http.StatusOK, dsVersionFormData{Dataset: d, Form: f})
}

// showDsVersionForm renders the version form with the versions to derive from.
func (h *handler) showDsVersionForm(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d dsVersionFormData) {
	var err error
	if d.Choices, err = h.Datasets.VersionChoices(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "New version of "+d.Dataset.Ref, "datasets", func(v view) templ.Component { return dsVersionFormView(v, d) })
}

// dsVersionCreate records a version from the posted form.
func (h *handler) dsVersionCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	d, err := h.Datasets.Get(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := dsVersionFormFrom(r.PostForm)
	v, err := h.Datasets.AddVersion(r.Context(), a, d.ID, f.request())
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDsVersionForm(w, r, a, status, dsVersionFormData{Dataset: d, Form: f, Errs: fe})
		return
	}
	h.flash(r.Context(), v.Key+" is recorded. Upload its file below to profile its quality.")
	seeOther(w, r, dsVersionHref(v.Key))
}

// dsVersionHref is the page of a version by its key, such as DS-3@2.
func dsVersionHref(key string) string {
	ref, n, ok := dsCutKey(key)
	if !ok {
		return "/datasets"
	}
	return "/datasets/" + ref + "/versions/" + n
}

// dsCutKey splits a version's key into its data set's reference and its dsNumber.
func dsCutKey(key string) (ref, dsNumber string, ok bool) {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '@' {
			return key[:i], key[i+1:], i > 0 && i < len(key)-1
		}
	}
	return "", "", false
}

// dsVersionData is what a version's page shows.
type dsVersionData struct {
	Version *dataset.Version
	History []eventView
	Profile *dsProfileView
	// Upload is the upload form, shown to those who may profile the version.
	Upload    dsProfileForm
	UploadErr formErrors
	CanUpload bool
	MaxBytes  int64
}

// dsVersionDetail shows a version: its provenance, its profile and the upload form.
func (h *handler) dsVersionDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	v, err := h.Datasets.GetVersion(r.Context(), a, dataset.Key(r.PathValue("ref"), r.PathValue("dsNumber")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showDsVersion(w, r, a, http.StatusOK, v, dsProfileFormOf(v.Profile), formErrors{})
}

// showDsVersion renders a version's page with the upload form as given.
func (h *handler) showDsVersion(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, v *dataset.Version, up dsProfileForm, errs formErrors) {
	hist, err := h.history(r, a, v.ID, h.Datasets.VersionHistory)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Datasets.Get(r.Context(), a, v.DatasetID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := dsVersionData{Version: v, History: hist, Upload: up, UploadErr: errs, MaxBytes: h.dsUploadLimit(),
		CanUpload: identity.Can(a, identity.ActDatasetEdit) && d.Status == dataset.StatusActive}
	if v.Profile != nil && v.Profile.Result != nil {
		data.Profile = newDsProfileView(v.Profile)
	}
	h.show(w, r, status, v.Key+" "+v.DatasetName, "datasets", func(vw view) templ.Component { return dsVersionDetailView(vw, data) })
}

// dsUploadLimit is the largest file the upload form takes: the service's
// limit, and the request limit when that is smaller.
func (h *handler) dsUploadLimit() int64 {
	return min(h.Datasets.MaxUpload(), h.bodyLimit(&http.Request{Method: http.MethodPost, URL: &url.URL{Path: dsUploadProbe}}))
}

// dsUploadProbe is a profile upload's path, to ask what body it may have.
const dsUploadProbe = "/datasets/DS-1/versions/1/profile"

// dsProfileUpload receives a version's file with the profiling options from
// a multipart form, streaming the file to the service as it arrives, and
// profiles it. Profiling a large file happens within the request.
func (h *handler) dsProfileUpload(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ctx := r.Context()
	v, err := h.Datasets.GetVersion(ctx, a, dataset.Key(r.PathValue("ref"), r.PathValue("dsNumber")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Refuse before reading a large upload from someone who may not profile.
	if err := identity.Authorize(a, identity.ActDatasetEdit); err != nil {
		h.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(2 * time.Hour))
	_ = rc.SetWriteDeadline(time.Now().Add(2 * time.Hour))
	var f dsProfileForm
	up, err := h.dsReceiveProfileForm(r, a, &f)
	defer up.Remove()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, dataset.ErrFileTooLarge) {
		h.errorPage(w, r, errorInfo{Status: http.StatusRequestEntityTooLarge, Heading: "The file is too large",
			Message: "Files uploaded here may be at most " + sizeText(h.dsUploadLimit()) + ". Nothing was stored. " +
				"Profile larger files with 'aims dataset profile " + v.Key + " FILE' or through the API."})
		return
	}
	if err == nil {
		var p aims.Problems
		opts := f.options()
		opts.Reference = dataset.ParseReference([]string{f.Reference}, &p)
		if up == nil {
			p.Add("file", "is required: choose the version's file")
		}
		err = p.Err()
		if err == nil {
			_, err = h.Datasets.Profile(ctx, a, v.ID, dataset.ProfileRequest{Upload: up, Options: opts})
		}
	}
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showDsVersion(w, r, a, status, v, f, fe)
		return
	}
	h.flash(ctx, "The profile of "+v.Key+" is stored with the file's SHA-256; the file itself was not kept.")
	seeOther(w, r, dsVersionHref(v.Key)+"#profile")
}

// dsReceiveProfileForm reads the upload form part by part, handing the file
// to the service as it streams in; problems reading the form are returned.
func (h *handler) dsReceiveProfileForm(r *http.Request, a *aims.Actor, f *dsProfileForm) (*dataset.Upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, dsFormError("file", "could not be read: send the form again")
	}
	var up *dataset.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return up, dsReadProblem(err)
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue // no file chosen
			}
			f.FileName = part.FileName()
			if up != nil {
				up.Remove()
			}
			if up, err = h.Datasets.Receive(r.Context(), a, part, part.FileName()); err != nil {
				return nil, dsReadProblem(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 1<<16))
		if err != nil {
			return up, dsReadProblem(err)
		}
		f.set(part.FormName(), string(b))
	}
}

// dsReadProblem keeps an over-size body as it is, and words any other failure to read the form as a problem of its file.
func dsReadProblem(err error) error {
	var tooBig *http.MaxBytesError
	var ae *aims.Error
	if errors.As(err, &tooBig) || errors.As(err, &ae) {
		return err
	}
	return dsFormError("file", "could not be read: send the form again")
}

// dsFormError is a problem of one field of a form.
func dsFormError(field, msg string) error {
	return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: field, Message: msg}}}
}

// dsUploadField is a text control of the upload form.
func dsUploadField(d dsVersionData, name, value, hint string) field {
	return field{ID: name, Name: name, Label: dsProfileLabels[name], Type: "text", Value: value, Hint: hint,
		Err: d.UploadErr.For(name), Wide: name == "columns"}
}

// dsFileAgainHint explains the file control, and asks for the file again after a refused upload.
func dsFileAgainHint(d dsVersionData) string {
	hint := "The version's file, CSV or Parquet (.parquet, .pq)."
	if d.UploadErr.Any() {
		if d.Upload.FileName != "" {
			return "Choose " + d.Upload.FileName + " again: a browser does not send a file twice. " + hint
		}
		return "Choose the file again: a browser does not send a file twice. " + hint
	}
	return hint
}
