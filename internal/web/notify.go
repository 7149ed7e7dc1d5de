package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/notify"
)

func init() {
	for k, v := range map[string]string{
		notify.ActionWebhookCreate: "registered webhook",
		notify.ActionWebhookUpdate: "changed webhook",
		notify.ActionWebhookRotate: "rotated the secret of webhook",
		notify.ActionWebhookDelete: "deleted webhook",
		notify.ActionPreferences:   "changed the notification settings of",
	} {
		actionLabels[k] = v
	}
}

// inboxData is what the notification centre shows.
type inboxData struct {
	Inbox      *notify.Inbox
	UnreadOnly bool
	Prefs      *notify.Preferences
	PrefsErrs  formErrors
}

// notificationRoutes adds the notification centre and the webhook pages.
func (h *handler) notificationRoutes(signed route) {
	signed("GET /notifications", h.inboxPage)
	signed("POST /notifications/read-all", h.inboxReadAll)
	signed("POST /notifications/preferences", h.inboxPreferences)
	signed("POST /notifications/read/{id}", h.inboxRead)
	signed("GET /notifications/webhooks", h.webhookList)
	signed("POST /notifications/webhooks", h.webhookCreate)
	signed("GET /notifications/webhooks/{ref}", h.webhookDetail)
	signed("POST /notifications/webhooks/{ref}", h.webhookUpdate)
	signed("POST /notifications/webhooks/{ref}/rotate", h.webhookRotate)
	signed("POST /notifications/webhooks/{ref}/test", h.webhookTest)
	signed("POST /notifications/webhooks/{ref}/delete", h.webhookDelete)
}

// inboxPage shows the person's notifications, unread first, and their e-mail setting.
func (h *handler) inboxPage(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	h.showInbox(w, r, a, http.StatusOK, inboxData{UnreadOnly: r.URL.Query().Get("unread") == "1"})
}

func (h *handler) showInbox(w http.ResponseWriter, r *http.Request, a *aims.Actor, status int, d inboxData) {
	ctx := r.Context()
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	var err error
	if d.Inbox, err = h.Notifications.List(ctx, a, notify.InboxQuery{Unread: d.UnreadOnly, Limit: 50, Offset: max(offset, 0)}); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Prefs == nil {
		if d.Prefs, err = h.Notifications.GetPreferences(ctx, a); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.show(w, r, status, "Notifications", "notifications", func(v view) templ.Component { return inboxView(v, d) })
}

// inboxRead marks one notification read.
func (h *handler) inboxRead(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if _, err := h.Notifications.MarkRead(r.Context(), a, r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/notifications")
}

// inboxReadAll marks every notification read.
func (h *handler) inboxReadAll(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	n, err := h.Notifications.MarkAllRead(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.flash(r.Context(), "Marked "+strconv.Itoa(n)+" notifications read.")
	seeOther(w, r, "/notifications")
}

// inboxPreferences turns e-mail on or off for the person.
func (h *handler) inboxPreferences(w http.ResponseWriter, r *http.Request, a *aims.Actor) {
	if !h.parseForm(w, r) {
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	req := notify.PreferencesRequest{Email: r.PostForm.Get("email") == "on", Version: version}
	if _, err := h.Notifications.SetPreferences(r.Context(), a, req); err != nil {
		fe, status, ok := formProblem(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.showInbox(w, r, a, status, inboxData{PrefsErrs: fe})
		return
	}
	msg := "E-mail is off: you will see reminders here only."
	if req.Email {
		msg = "E-mail is on: new reminders are also sent to you by e-mail."
	}
	h.flash(r.Context(), msg)
	seeOther(w, r, "/notifications")
}

// kindLabel names a kind of reminder for people.
func kindLabel(kind string) string { return notify.KindLabel(kind) }

// dueDay shows a due time as its day.
func dueDay(t time.Time) string { return t.UTC().Format("2 Jan 2006") }
