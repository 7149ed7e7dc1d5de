package api

import "github.com/danielgtaylor/huma/v2"

// binarySchema describes bytes. The format is set as an extension because
// huma writes a binary format with contentMediaType, which its OpenAPI 3.0
// version keeps and 3.0 does not allow; "format": "binary" is valid in both.
func binarySchema(doc string) *huma.Schema {
	return &huma.Schema{Type: "string", Description: doc, Extensions: map[string]any{"format": "binary"}}
}

// fileResponses documents an answer that is a file: desc says what the
// answer is, each of mediaTypes carries bytes described by doc, and
// headers are the answer's own headers.
func fileResponses(desc string, mediaTypes []string, doc string, headers map[string]*huma.Param) map[string]*huma.Response {
	content := make(map[string]*huma.MediaType, len(mediaTypes))
	for _, mt := range mediaTypes {
		content[mt] = &huma.MediaType{Schema: binarySchema(doc)}
	}
	return map[string]*huma.Response{"200": {Description: desc, Headers: headers, Content: content}}
}
