package cli

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aims-dev/aims/internal/aims"
)

// TestPrintErrorKeepsTheWholeMessage: a message with a colon in it, wrapped
// in context, is printed whole, and its fields follow one a line.
func TestPrintErrorKeepsTheWholeMessage(t *testing.T) {
	ae := &aims.Error{Code: aims.CodeInvalid, Message: "cannot accept RISK-2: it is above the appetite",
		Fields: []aims.FieldError{{Field: "confirm", Message: "must be true"}, {Field: "reason", Message: "is required"}}}
	var b bytes.Buffer
	printError(&b, fmt.Errorf("reading risk.json: %w", ae))
	want := "error: reading risk.json: cannot accept RISK-2: it is above the appetite\n  confirm: must be true\n  reason: is required\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}
