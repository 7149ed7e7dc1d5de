package evidence

import (
	"bytes"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fileType is one kind of file aims stores as evidence.
type fileType struct {
	// contentType is what the file is served with.
	contentType string
	// sniffed lists the prefixes of what http.DetectContentType may say of
	// such a file; anything else contradicts the extension.
	sniffed []string
	// text files are served with the character set the sniffer found.
	text bool
}

var (
	// sniffText accepts any text: a note saved as .txt may well start like HTML.
	sniffText = []string{"text/"}
	sniffZip  = []string{"application/zip"}
)

// fileTypes is the allow-list of evidence files by extension. Office
// documents are zip archives to the sniffer; JSON, CSV, Markdown and mail
// are plain text to it.
var fileTypes = map[string]fileType{
	".pdf":  {contentType: "application/pdf", sniffed: []string{"application/pdf"}},
	".png":  {contentType: "image/png", sniffed: []string{"image/png"}},
	".jpg":  {contentType: "image/jpeg", sniffed: []string{"image/jpeg"}},
	".jpeg": {contentType: "image/jpeg", sniffed: []string{"image/jpeg"}},
	".gif":  {contentType: "image/gif", sniffed: []string{"image/gif"}},
	".webp": {contentType: "image/webp", sniffed: []string{"image/webp"}},
	".txt":  {contentType: "text/plain", sniffed: sniffText, text: true},
	".csv":  {contentType: "text/csv", sniffed: sniffText, text: true},
	".md":   {contentType: "text/markdown", sniffed: sniffText, text: true},
	".json": {contentType: "application/json", sniffed: sniffText, text: true},
	".xml":  {contentType: "application/xml", sniffed: sniffText, text: true},
	// HTML is kept as it was given, and like every file only ever
	// downloaded as an attachment, never shown in the browser.
	".html": {contentType: "text/html", sniffed: sniffText, text: true},
	".htm":  {contentType: "text/html", sniffed: sniffText, text: true},
	".eml":  {contentType: "message/rfc822", sniffed: sniffText, text: true},
	".docx": {contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sniffed: sniffZip},
	".xlsx": {contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", sniffed: sniffZip},
	".pptx": {contentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", sniffed: sniffZip},
	".odt":  {contentType: "application/vnd.oasis.opendocument.text", sniffed: sniffZip},
	".ods":  {contentType: "application/vnd.oasis.opendocument.spreadsheet", sniffed: sniffZip},
	".zip":  {contentType: "application/zip", sniffed: sniffZip},
}

// Extensions lists the extensions of the files aims accepts, in order.
func Extensions() []string {
	out := make([]string, 0, len(fileTypes))
	for ext := range fileTypes {
		out = append(out, strings.TrimPrefix(ext, "."))
	}
	slices.Sort(out)
	return out
}

// executables are the first bytes of programs, which are never evidence
// whatever their name says.
var executables = []struct {
	magic []byte
	what  string
}{
	{[]byte("\x7fELF"), "an ELF program"},
	{[]byte("MZ"), "a Windows program"},
	{[]byte{0xfe, 0xed, 0xfa, 0xce}, "a macOS program"},
	{[]byte{0xfe, 0xed, 0xfa, 0xcf}, "a macOS program"},
	{[]byte{0xce, 0xfa, 0xed, 0xfe}, "a macOS program"},
	{[]byte{0xcf, 0xfa, 0xed, 0xfe}, "a macOS program"},
	{[]byte{0xca, 0xfe, 0xba, 0xbe}, "a macOS or Java program"},
	{[]byte("\x00asm"), "a WebAssembly program"},
	{[]byte("#!"), "a script"},
}

// maxFileName is the longest file name kept, in bytes, as most file systems allow.
const maxFileName = 255

// cleanFileName keeps the base name of an uploaded file, without folders of
// any system, control characters or characters that do not survive a
// Content-Disposition header; "" when nothing is left.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '"', r == '/', r == '\\':
			// Control and format characters, such as right-to-left overrides
			// that disguise an extension, are dropped.
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Join(strings.Fields(b.String()), " ")
	name = strings.TrimLeft(name, ". ")
	for len(name) > maxFileName {
		ext := path.Ext(name)
		stem := name[:len(name)-len(ext)]
		_, size := utf8.DecodeLastRuneInString(stem)
		if size == 0 || len(ext) >= maxFileName {
			return ""
		}
		name = stem[:len(stem)-size] + ext
	}
	return name
}

// checkType decides from the file's name and first bytes whether aims stores
// it, and returns the content type it is served with, or what is wrong.
func checkType(name string, head []byte) (contentType, problem string) {
	for _, x := range executables {
		if bytes.HasPrefix(head, x.magic) {
			return "", "is " + x.what + ", which aims does not keep as evidence"
		}
	}
	ext := strings.ToLower(path.Ext(name))
	ft, ok := fileTypes[ext]
	if !ok {
		if ext == "" {
			return "", "needs a name with one of the extensions " + strings.Join(Extensions(), ", ")
		}
		return "", "must be one of the types " + strings.Join(Extensions(), ", ") + "; " + ext + " files are not accepted"
	}
	if len(head) == 0 {
		return "", "is empty"
	}
	sniffed := http.DetectContentType(head)
	match := false
	for _, p := range ft.sniffed {
		if strings.HasPrefix(sniffed, p) {
			match = true
		}
	}
	if !match {
		kind, _, _ := strings.Cut(sniffed, ";")
		if kind == "application/octet-stream" {
			kind = "unrecognised binary data"
		}
		return "", "does not look like a " + ext + " file: its content is " + kind
	}
	contentType = ft.contentType
	if ft.text {
		charset := "utf-8"
		if _, params, ok := strings.Cut(sniffed, "charset="); ok {
			charset = params
		}
		contentType += "; charset=" + charset
	}
	return contentType, ""
}
