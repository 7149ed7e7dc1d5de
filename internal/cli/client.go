package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/api"
	"github.com/aims-dev/aims/internal/config"
	"github.com/spf13/cobra"
)

// client talks to an aims server's JSON API with a token.
type client struct {
	base  string
	token string
	http  *http.Client
}

// newClient reads --server and --token (or AIMS_SERVER and AIMS_TOKEN).
func newClient(cmd *cobra.Command, e env) (*client, error) {
	cfg, err := config.Load(cmd.Flags(), e.getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, errors.New("no API token: give --token or set AIMS_TOKEN (create one with 'aims token create' or on your settings page)")
	}
	u, err := url.Parse(cfg.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q must be an http or https URL", cfg.Server)
	}
	return &client{base: strings.TrimSuffix(cfg.Server, "/"), token: cfg.Token, http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// problem is an RFC 9457 answer of the API.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// do sends a request with a JSON body (when in is not nil) and decodes the
// JSON answer into out. API problems become *aims.Error naming the fields.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the aims server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return problemError(resp.StatusCode, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("unexpected answer from the server: %w", err)
	}
	return nil
}

// history reads the change history of the record at path, such as
// /api/v1/systems/{id}.
func (c *client) history(ctx context.Context, path string) ([]api.HistoryEntry, error) {
	var hist struct {
		Items []api.HistoryEntry `json:"items"`
	}
	if err := c.do(ctx, "GET", path+"/history", nil, &hist); err != nil {
		return nil, err
	}
	return hist.Items, nil
}

// codeOf maps an HTTP status back to an error code.
var codeOf = map[int]aims.Code{
	http.StatusUnprocessableEntity: aims.CodeInvalid,
	http.StatusBadRequest:          aims.CodeInvalid,
	http.StatusNotFound:            aims.CodeNotFound,
	http.StatusConflict:            aims.CodeConflict,
	http.StatusForbidden:           aims.CodeForbidden,
	http.StatusUnauthorized:        aims.CodeUnauthenticated,
	http.StatusTooManyRequests:     aims.CodeTooMany,
}

func problemError(status int, data []byte) error {
	var p problem
	_ = json.Unmarshal(data, &p)
	code, ok := codeOf[status]
	if !ok {
		code = aims.CodeInternal
	}
	msg := p.Detail
	if msg == "" {
		msg = strings.TrimSpace(string(data))
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	e := &aims.Error{Code: code, Message: fmt.Sprintf("%s (HTTP %d)", msg, status)}
	for _, fe := range p.Errors {
		field := fe.Location
		for _, prefix := range []string{"body.", "query.", "path."} {
			field = strings.TrimPrefix(field, prefix)
		}
		e.Fields = append(e.Fields, aims.FieldError{Field: field, Message: fe.Message})
	}
	return e
}
