package servicetest

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// pdfStream finds a PDF stream's data: fpdf ends it with "\nendstream", and
// a carriage return before that belongs to the data, which may end with it.
var pdfStream = regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)

// PDFText returns the text of a PDF's content streams, inflating the
// compressed ones, in the PDF's own Windows-1252 encoding.
func PDFText(t testing.TB, data []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range pdfStream.FindAllSubmatch(data, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("a PDF stream does not inflate: %v", err)
		}
		out.Write(b)
	}
	return out.String()
}

// InPDF is how a text appears in a PDF text string: Windows-1252, with
// backslashes and parentheses escaped.
func InPDF(t testing.TB, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("%q is not Windows-1252: %v", s, err)
	}
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(b)
}

// pdfShown finds the text operands of a PDF's Tj operators.
var pdfShown = regexp.MustCompile(`\(((?:[^\\()]|\\.)*)\)\s*Tj`)

// PDFLines returns the text a PDF shows, one string per line of text, joined
// by spaces, so that a phrase wrapped across lines of a table cell reads whole
// again; in UTF-8.
func PDFLines(t testing.TB, data []byte) string {
	t.Helper()
	var parts []string
	for _, m := range pdfShown.FindAllStringSubmatch(PDFText(t, data), -1) {
		s := strings.NewReplacer(`\\`, `\`, `\(`, "(", `\)`, ")").Replace(m[1])
		u, err := charmap.Windows1252.NewDecoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, u)
	}
	return strings.Join(parts, " ")
}
