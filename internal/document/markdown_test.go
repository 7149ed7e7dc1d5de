package document_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aims-dev/aims/internal/document"
)

// hrefs lists the link and image addresses of rendered HTML.
var hrefs = regexp.MustCompile(`(?i)(?:href|src)\s*=\s*"([^"]*)"`)

// TestRenderHTML renders Markdown and proves that raw HTML never comes
// through and that no link or image uses a script, data or other unsafe address.
func TestRenderHTML(t *testing.T) {
	for _, c := range []struct {
		name, src string
		has       []string
		hasNot    []string
	}{
		{"headings, lists and emphasis", "# Policy\n\n## Scope\n\n- *one*\n- **two**\n\n1. first\n", []string{"<h1>Policy</h1>", "<h2>Scope</h2>", "<li><em>one</em></li>", "<strong>two</strong>", "<ol>"}, nil},
		{"script block", "Before\n\n<script>alert('x')</script>\n\nAfter", []string{"<p>Before</p>", "<p>After</p>"}, []string{"<script", "alert("}},
		{"inline script", "Text <script>alert(1)</script> more", []string{"Text", "more"}, []string{"<script"}},
		{"event handler", `<img src="x" onerror="alert(1)">`, nil, []string{"<img", "onerror"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"script in code is text", "`<script>alert(1)</script>`", []string{"<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"}, []string{"<script"}},
		{"escaped text", `5 < 6 & "quotes"`, []string{"5 &lt; 6 &amp; &quot;quotes&quot;"}, nil},
		{"javascript link", "[click](javascript:alert(1))", []string{"click"}, []string{"javascript:", "<a"}},
		{"javascript link in capitals", "[click](JaVaScRiPt:alert(1))", []string{"click"}, []string{"avascript", "<a"}},
		{"javascript autolink", "<javascript:alert(1)>", nil, []string{"<a", "href"}},
		{"entity-hidden scheme", "[click](&#106;avascript&#58;alert(1))", []string{"click"}, []string{"<a", "avascript"}},
		{"tab in scheme", "[click](<java\tscript:alert(1)>)", []string{"click"}, []string{"<a"}},
		{"tab entity in scheme", "[click](java&#9;script:alert(1))", []string{"click"}, []string{"<a"}},
		{"vbscript link", "[click](vbscript:msgbox)", []string{"click"}, []string{"<a"}},
		{"data link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"click"}, []string{"<a", "data:"}},
		{"data image", "![pixel](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", []string{"pixel"}, []string{"<img", "data:"}},
		{"reference link", "[click][x]\n\n[x]: javascript:alert(1)", []string{"click"}, []string{"<a", "javascript"}},
		{"link inside unsafe link", "[![img](https://example.org/a.png)](javascript:alert(1))", []string{`<img src="https://example.org/a.png" alt="img">`}, []string{"<a", "javascript"}},
		{"https link", "[ISO](https://www.iso.org/standard/81230.html)", []string{`<a href="https://www.iso.org/standard/81230.html" rel="noopener noreferrer nofollow">ISO</a>`}, nil},
		{"relative link", "[risks](/risks) and [top](#scope)", []string{`<a href="/risks">risks</a>`, `<a href="#scope">top</a>`}, nil},
		{"mail", "<privacy@example.org>", []string{`href="mailto:privacy@example.org"`}, nil},
		{"bare link", "See https://example.org/policy.", []string{`<a href="https://example.org/policy" rel="noopener noreferrer nofollow">https://example.org/policy</a>`}, nil},
		{"table without inline styles", "| a | b |\n|:--|--:|\n| 1 | 2 |", []string{`<table class="data-table">`, `<th align="left">a</th>`, `<td align="right">2</td>`}, []string{"style="}},
		{"strikethrough", "~~old~~", []string{"<del>old</del>"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := document.RenderHTML(c.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.has {
				if !strings.Contains(got, s) {
					t.Errorf("%q renders as %q, without %q", c.src, got, s)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
					t.Errorf("%q renders as %q, with %q", c.src, got, s)
				}
			}
			for _, m := range hrefs.FindAllStringSubmatch(got, -1) {
				if !document.SafeURL(m[1]) {
					t.Errorf("%q renders an unsafe address %q", c.src, m[1])
				}
			}
		})
	}
}

// TestSafeURL checks the addresses links may have.
func TestSafeURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://example.org": true, "http://example.org/a?b#c": true, "mailto:a@example.org": true, "/documents/DOC-1": true,
		"#scope": true, "policy.md": true, "a/b:c": true, "?q=1": true, "//example.org": true,
		"javascript:alert(1)": false, " javascript:alert(1)": false, "\x01javascript:x": false, "java\tscript:x": false,
		"JAVASCRIPT:x": false, "data:text/html,x": false, "vbscript:x": false, "file:///etc/passwd": false, "ftp://x": false,
	} {
		if got := document.SafeURL(u); got != want {
			t.Errorf("SafeURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// FuzzRenderHTML renders any text without raw HTML tags of its own or unsafe addresses.
func FuzzRenderHTML(f *testing.F) {
	for _, s := range []string{"# x", "<script>alert(1)</script>", "[a](javascript:x)", "<javascript:x>", "![i](data:x)", "| a |\n|--|\n| b |"} {
		f.Add(s)
	}
	tags := regexp.MustCompile(`(?i)<(script|iframe|object|embed|style|svg|form|input)`)
	f.Fuzz(func(t *testing.T, src string) {
		got, err := document.RenderHTML(src)
		if err != nil {
			t.Fatal(err)
		}
		if m := tags.FindString(got); m != "" {
			t.Errorf("%q renders %q with %s", src, got, m)
		}
		for _, m := range hrefs.FindAllStringSubmatch(got, -1) {
			if !document.SafeURL(m[1]) {
				t.Errorf("%q renders an unsafe address %q", src, m[1])
			}
		}
	})
}
