// Package aims holds the shared vocabulary of aims: error codes, the acting
// user, identifiers and the clock. It imports nothing else from aims.
package aims

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error so that every interface can answer it the same way.
type Code string

// The error codes; each interface maps them to its own status in one place.
const (
	CodeInvalid         Code = "invalid"
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeForbidden       Code = "forbidden"
	CodeUnauthenticated Code = "unauthenticated"
	CodeTooMany         Code = "too_many_requests"
	CodeInternal        Code = "internal"
)

// FieldError names one invalid field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a code, a message for people and, for invalid input,
// the fields at fault.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfterSeconds tells a client when to try again after CodeTooMany.
	RetryAfterSeconds int
	Err               error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + " " + f.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error with a code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a record of the given kind does not exist for the actor.
func NotFound(kind, id string) *Error {
	return Errorf(CodeNotFound, "%s %s not found", kind, id)
}

// Forbidden reports that the actor's role may not do what was asked.
func Forbidden(action string) *Error {
	return Errorf(CodeForbidden, "your role does not allow %s", action)
}

// Internal wraps an unexpected error; its detail is logged, not shown.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns the first *Error in err's chain, wrapping anything else as internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// Problems collects field errors while a request is validated.
type Problems []FieldError

// Add records that field is invalid.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Has reports whether field already has a problem.
func (p Problems) Has(field string) bool {
	for _, f := range p {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was recorded, otherwise an invalid-input Error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	fields := append([]FieldError(nil), p...)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return &Error{Code: CodeInvalid, Message: "invalid input", Fields: fields}
}
