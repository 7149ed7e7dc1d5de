package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/decision"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// ingestTime is how long reading a large batch and storing it may take,
// beyond the server's usual deadlines.
const ingestTime = 10 * time.Minute

// ndjsonTypes are the media types of a body with one record per line.
var ndjsonTypes = []string{"application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines"}

// streamedBody keeps the request of an ingest operation, whose body the
// handler decodes as it streams in, out of huma's hands.
type streamedBody struct {
	req *http.Request
	w   http.ResponseWriter
}

// Resolve keeps the request and its writer.
func (b *streamedBody) Resolve(ctx huma.Context) []error {
	b.req, b.w = humago.Unwrap(ctx)
	return nil
}

// readBatch checks that the actor may write the system's decisions before it
// reads a byte of the body, then decodes the body's items within the
// decision limits. Its errors are API problems.
func readBatch[T any](ctx context.Context, s Services, systemRef string, in *streamedBody, noun string) ([]T, error) {
	if err := s.Decisions.CheckWrite(ctx, actor(ctx), systemRef); err != nil {
		return nil, problem(err, "path")
	}
	if ct := in.req.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !slices.Contains(ndjsonTypes, mt)) {
			return nil, huma.NewError(http.StatusUnsupportedMediaType,
				fmt.Sprintf("send the %s as application/json (a JSON array) or application/x-ndjson (one per line), not %s", noun, ct))
		}
	}
	limits := s.Decisions.Limits
	if in.req.ContentLength > limits.Bytes {
		return nil, batchTooLarge(limits.Bytes, noun)
	}
	rc := http.NewResponseController(in.w)
	_ = rc.SetReadDeadline(time.Now().Add(ingestTime))
	_ = rc.SetWriteDeadline(time.Now().Add(ingestTime))
	body := http.MaxBytesReader(in.w, in.req.Body, limits.Bytes)
	items, err := decodeBatch[T](body, limits.Records, noun)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, batchTooLarge(limits.Bytes, noun)
	case err != nil:
		if _, ok := err.(*aims.Error); !ok {
			// The body broke off.
			err = batchFieldError("body", "could not be read: "+err.Error())
		}
		return nil, problem(err, "")
	}
	return items, nil
}

// batchTooLarge is the answer to a body over the decision limit.
func batchTooLarge(limit int64, noun string) error {
	return huma.NewError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("the request is larger than this server accepts for %s (%d bytes); split the batch", noun, limit),
		&huma.ErrorDetail{Location: "body", Message: "must be at most " + strconv.FormatInt(limit, 10) + " bytes"})
}

// batchFieldError is an invalid-input error naming one location of the body.
func batchFieldError(location, msg string) *aims.Error {
	return &aims.Error{Code: aims.CodeInvalid, Message: "invalid input", Fields: []aims.FieldError{{Field: location, Message: msg}}}
}

// decodeBatch decodes a JSON array of items, or NDJSON with one item per
// line, as it streams in: the body is split into items as it is read, which
// stops at the first item over max, and the items are then decoded on every
// core. A malformed item is named by its position, body[i]; the first one
// is reported. Errors of the reader, such as *http.MaxBytesError, are
// returned as they are.
func decodeBatch[T any](r io.Reader, max int, noun string) ([]T, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	switch {
	case errors.Is(err, io.EOF):
		return nil, batchFieldError("body", fmt.Sprintf("is required: a JSON array of %s, or NDJSON with one per line", noun))
	case err != nil:
		return nil, err
	}
	var items []rawItem
	if first == '[' {
		items, err = splitArray(br, max, noun)
	} else {
		items, err = splitLines(br, max, noun)
	}
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, batchFieldError("body", "holds no "+noun)
	}
	return decodeItems[T](items)
}

// rawItem is one item of a batch as sent, with the line it was on in NDJSON.
type rawItem struct {
	b    []byte
	line int
}

// firstByte returns the first byte after white space and a byte order mark,
// leaving it unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, br.UnreadByte()
		}
	}
}

func batchTooMany(max int, noun string) error {
	return batchFieldError("body", fmt.Sprintf("must hold at most %d %s; split the batch", max, noun))
}

// splitArray splits a JSON array into its items.
func splitArray(r io.Reader, max int, noun string) ([]rawItem, error) {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(err, "body", "")
	}
	var out []rawItem
	for dec.More() {
		if len(out) == max {
			return nil, batchTooMany(max, noun)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err, fmt.Sprintf("body[%d]", len(out)), fmt.Sprintf(" (at byte %d)", dec.InputOffset()))
		}
		out = append(out, rawItem{b: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(err, fmt.Sprintf("body[%d]", len(out)), fmt.Sprintf(" (at byte %d)", dec.InputOffset()))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil && !isSyntax(err) {
			return nil, err
		}
		return nil, batchFieldError("body", "must hold one JSON array and nothing after it")
	}
	return out, nil
}

// splitLines splits NDJSON into its lines; blank lines are skipped.
func splitLines(br *bufio.Reader, max int, noun string) ([]rawItem, error) {
	var out []rawItem
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			if len(out) == max {
				return nil, batchTooMany(max, noun)
			}
			out = append(out, rawItem{b: t, line: line})
		}
		if err != nil {
			return out, nil
		}
	}
}

// decodeItems decodes items on every core and reports the first bad one.
func decodeItems[T any](items []rawItem) ([]T, error) {
	out := make([]T, len(items))
	workers := min(runtime.GOMAXPROCS(0), 1+len(items)/256)
	var firstBad atomic.Int64
	firstBad.Store(int64(len(items)))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(items) && int64(i) < firstBad.Load(); i += workers {
				if err := decodeItem(items[i].b, &out[i]); err != nil {
					where := ""
					if items[i].line > 0 {
						where = fmt.Sprintf(" (line %d)", items[i].line)
					}
					errs[i] = itemError(err, items[i].b, &out[i], i, where)
					for {
						cur := firstBad.Load()
						if int64(i) >= cur || firstBad.CompareAndSwap(cur, int64(i)) {
							break
						}
					}
					return
				}
			}
		})
	}
	wg.Wait()
	if bad := firstBad.Load(); bad < int64(len(items)) {
		return nil, errs[bad]
	}
	return out, nil
}

// decodeItem decodes one item, which must be alone in b.
func decodeItem(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &json.SyntaxError{Offset: int64(len(b))}
		}
		return err
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return errors.New("a line must hold one JSON object and nothing after it")
	}
	return nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF)
}

// itemError names the location of an item's decoding error: a time that is
// not RFC 3339 at its field (body[3].review.time), like any value of the
// wrong type.
func itemError(err error, raw []byte, v any, pos int, where string) error {
	location := fmt.Sprintf("body[%d]", pos)
	if strings.HasPrefix(err.Error(), "parsing time ") || strings.HasPrefix(err.Error(), "Time.UnmarshalJSON") {
		if f := badTime(raw, reflect.TypeOf(v)); f != "" {
			location += "." + f
		}
	}
	return jsonError(err, location, where)
}

var ingestTimeType = reflect.TypeFor[time.Time]()

// badTime returns the path of the first field of type t, a struct, whose
// value in the JSON object raw is not a time.
func badTime(raw []byte, t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var m map[string]json.RawMessage
	if t.Kind() != reflect.Struct || json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		v, ok := m[name]
		if !ok || name == "-" || string(v) == "null" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var tm time.Time
		switch {
		case ft == ingestTimeType:
			if tm.UnmarshalJSON(v) != nil {
				return name
			}
		case ft.Kind() == reflect.Struct:
			if sub := badTime(v, ft); sub != "" {
				return name + "." + sub
			}
		}
	}
	return ""
}

// jsonError names a decoding error's location: a value of the wrong type at
// its field (body[3].output.score), anything else at the item (body[3]).
// where says where in the body it was. Errors of the reader are returned as
// they are.
func jsonError(err error, location, where string) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	msg := err.Error()
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		loc := location
		if te.Field != "" {
			loc += "." + te.Field
		}
		return batchFieldError(loc, fmt.Sprintf("must be %s, not a JSON %s%s", jsonKind(te.Type), te.Value, where))
	case errors.As(err, &se) && se.Error() != "":
		return batchFieldError(location, "is not valid JSON: "+strings.TrimPrefix(se.Error(), "json: ")+where)
	case se != nil, errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return batchFieldError(location, "is not valid JSON: it ends too soon"+where)
	case strings.HasPrefix(msg, "json: unknown field "):
		return batchFieldError(location, "has an unknown field "+strings.TrimPrefix(msg, "json: unknown field ")+where)
	case strings.HasPrefix(msg, "parsing time "), strings.HasPrefix(msg, "Time.UnmarshalJSON"):
		if strings.Contains(location, ".") {
			return batchFieldError(location, "must be a time in RFC 3339, such as 2026-03-01T09:30:00Z"+where)
		}
		return batchFieldError(location, "holds a time that is not RFC 3339, such as 2026-03-01T09:30:00Z"+where)
	case strings.HasPrefix(msg, "a line must"):
		return batchFieldError(location, msg+where)
	}
	return batchFieldError(location, "cannot be read: "+msg+where)
}

// jsonKind says what JSON a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	}
	return t.String()
}

// batchProblem turns a batch's service error into a problem whose locations
// are in the body: "[3].time" becomes body[3].time, and whole, the field the
// service names the batch by, becomes body.
func batchProblem(err error, whole string) error {
	e := aims.AsError(err)
	if len(e.Fields) == 0 {
		return problem(err, "")
	}
	out := *e
	out.Fields = make([]aims.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		switch {
		case f.Field == whole || f.Field == "":
			f.Field = "body"
		case strings.HasPrefix(f.Field, "["):
			f.Field = "body" + f.Field
		default:
			f.Field = "body." + f.Field
		}
		out.Fields[i] = f
	}
	return problem(&out, "")
}

// batchRequestBody describes an ingest body in the OpenAPI document: a JSON
// array of items of type t, or NDJSON with one per line.
func batchRequestBody(api huma.API, t reflect.Type, noun string, limits decision.Limits) *huma.RequestBody {
	item := api.OpenAPI().Components.Schemas.Schema(t, true, "")
	minItems, maxItems := 1, limits.Records
	return &huma.RequestBody{
		Required: true,
		Description: fmt.Sprintf("The %s: a JSON array (application/json), or NDJSON (application/x-ndjson) with one JSON object per line; "+
			"at most %d %s and %d bytes a request.", noun, limits.Records, noun, limits.Bytes),
		Content: map[string]*huma.MediaType{
			"application/json":     {Schema: &huma.Schema{Type: "array", Items: item, MinItems: &minItems, MaxItems: &maxItems}},
			"application/x-ndjson": {Schema: &huma.Schema{Type: "string", Description: "One JSON object per line, each of the array item's schema."}},
		},
	}
}
