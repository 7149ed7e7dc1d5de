package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/notify"
)

// webhookData is what the webhook pages show.
type webhookData struct {
	Hooks      []notify.Webhook
	Hook       *notify.Webhook
	Deliveries []notify.Delivery
	// Form holds what was typed, Errs its problems.
	Form notify.WebhookRequest
	Errs formErrors
	// Secret is a secret just made, shown this once.
	Secret string
}

// webhookFields map the webhook form's fields to their controls.
var webhookFields = map[string]string{"url": "url", "description": "description", "kinds": "kinds"}

// kindOptions are the kinds of reminder as checkboxes, those chosen ticked.
func kindOptions(chosen []string) []option {
	out := make([]option, len(notify.Kinds))
	for i, k := range notify.Kinds {
		out[i] = option{Value: k.Value, Label: k.Label}
		for _, c := range chosen {
			out[i].Selected = out[i].Selected || c == k.Value
		}
	}
	return out
}

// webhookList shows the organisation's webhooks and the form to register one.
func (h *handler) webhookList(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showWebhooks(w, r, a, http.StatusOK, webhookData{})
}

func (h *handler) showWebhooks(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d webhookData) {
	var err error
	if d.Hooks, err = h.Notifications.ListWebhooks(r.Context(), a); err != nil {
		h.fail(w, r, err)
		return
	}
	h.show(w, r, status, "Webhooks", "notifications", func(v view) templ.Component { return webhooksView(v, d) })
}

// webhookForm reads the webhook form.
func webhookForm(r *http.Request) notify.WebhookRequest {
	return notify.WebhookRequest{URL: r.PostForm.Get("url"), Description: r.PostForm.Get("description"), Kinds: r.PostForm["kinds"]}
}

// webhookCreate registers a webhook and shows its secret once, in this response only.
func (h *handler) webhookCreate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	d := webhookData{Form: webhookForm(r)}
	created, err := h.Notifications.CreateWebhook(r.Context(), a, d.Form)
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		d.Errs = fe
		h.showWebhooks(w, r, a, status, d)
		return
	}
	h.showWebhook(w, r, a, http.StatusCreated, created.Ref, webhookData{Secret: created.Secret})
}

// webhookDetail shows a webhook, its form and its latest deliveries.
func (h *handler) webhookDetail(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showWebhook(w, r, a, http.StatusOK, r.PathValue("ref"), webhookData{})
}

func (h *handler) showWebhook(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, ref string, d webhookData) {
	ctx := r.Context()
	var err error
	if d.Hook, err = h.Notifications.GetWebhook(ctx, a, ref); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Deliveries, err = h.Notifications.Deliveries(ctx, a, ref, 20); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Form.URL == "" && !d.Errs.Any() {
		d.Form = notify.WebhookRequest{URL: d.Hook.URL, Description: d.Hook.Description, Kinds: d.Hook.Kinds}
	}
	h.show(w, r, status, "Webhook "+d.Hook.Ref, "notifications", func(v view) templ.Component { return webhookView(v, d) })
}

// webhookUpdate changes a webhook's address, description, kinds and whether it is enabled.
func (h *handler) webhookUpdate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	ref := r.PathValue("ref")
	form := webhookForm(r)
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	enabled := r.PostForm.Get("enabled") == "on"
	_, err := h.Notifications.UpdateWebhook(r.Context(), a, ref, notify.WebhookUpdate{Version: version, URL: &form.URL,
		Description: &form.Description, Kinds: &form.Kinds, Enabled: &enabled})
	if err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showWebhook(w, r, a, status, ref, webhookData{Form: form, Errs: fe})
		return
	}
	h.flash(r.Context(), "The webhook is saved.")
	seeOther(w, r, "/notifications/webhooks/"+ref)
}

// webhookRotate makes a new secret and shows it once.
func (h *handler) webhookRotate(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	created, err := h.Notifications.RotateSecret(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showWebhook(w, r, a, http.StatusOK, created.Ref, webhookData{Secret: created.Secret})
}

// webhookTest posts a ping and says how the endpoint answered.
func (h *handler) webhookTest(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	ref := r.PathValue("ref")
	d, err := h.Notifications.TestWebhook(r.Context(), a, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msg := "The test event was delivered: the endpoint answered " + strconv.Itoa(d.ResponseCode) + "."
	if d.Status != notify.StatusSent {
		msg = "The test event was not delivered (" + d.LastError + "); it will be tried again."
	}
	h.flash(r.Context(), msg)
	seeOther(w, r, "/notifications/webhooks/"+ref)
}

// webhookDelete removes a webhook.
func (h *handler) webhookDelete(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if err := h.Notifications.DeleteWebhook(r.Context(), a, r.PathValue("ref")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "The webhook is deleted.")
	seeOther(w, r, "/notifications/webhooks")
}
