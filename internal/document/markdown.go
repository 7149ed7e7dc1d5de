package document

import (
	"bytes"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders CommonMark with GitHub's tables, strikethrough and
// bare links. Raw HTML is never rendered (goldmark leaves it out unless
// told it is safe, which aims never does), table alignment is an attribute
// rather than an inline style the content security policy would refuse,
// and links and images whose address is not http, https, mailto or a
// relative one lose their address and keep only their text.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
	),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 1000))),
)

// RenderHTML renders a version's Markdown text as HTML that is safe to put
// in a page: no raw HTML, no script or data addresses.
func RenderHTML(src string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// safeLinks unlinks every link, image and autolink whose address is not safe,
// and gives tables the class of the pages' tables.
type safeLinks struct{}

// Transform implements parser.ASTTransformer.
func (safeLinks) Transform(doc *ast.Document, reader gmtext.Reader, _ parser.Context) {
	source := reader.Source()
	var unsafe []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *extast.Table:
			// Tables look like the pages' own tables.
			l.SetAttributeString("class", []byte("data-table"))
		case *ast.Link:
			// The address is judged as the page will carry it: with
			// entities resolved and escaped for a URL, as goldmark writes it.
			u := string(util.URLEscape(l.Destination, true))
			if !SafeURL(u) {
				unsafe = append(unsafe, n)
			} else if external(u) {
				l.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			}
		case *ast.Image:
			if !SafeURL(string(util.URLEscape(l.Destination, true))) {
				unsafe = append(unsafe, n)
			}
		case *ast.AutoLink:
			u := string(util.URLEscape(l.URL(source), false))
			if l.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
				u = "mailto:" + u
			}
			if !SafeURL(u) {
				unsafe = append(unsafe, n)
			} else if external(u) {
				l.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unsafe {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		if a, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(a.Label(source)))
			continue
		}
		// A link or image becomes its text: its children take its place.
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// SafeURL reports whether an address may be a link in a rendered
// document: http, https or mailto, or one without a scheme (relative, or
// a fragment). Spaces and control characters, which browsers drop, are
// dropped before the scheme is read.
func SafeURL(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // no scheme: relative
	}
	switch strings.ToLower(u[:i]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// external reports whether a safe address leads to another site.
func external(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:") || strings.HasPrefix(l, "//")
}
