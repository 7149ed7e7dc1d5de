package api

import (
	"context"
	"net/http"
	"time"

	"github.com/aims-dev/aims/internal/tlog"
	"github.com/danielgtaylor/huma/v2"
)

type textOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

func text(s string) *textOutput {
	return &textOutput{ContentType: "text/plain; charset=utf-8", Body: []byte(s)}
}

// textResponse documents a plain-text answer.
func textResponse(desc string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {Description: desc, Content: map[string]*huma.MediaType{
		"text/plain": {Schema: &huma.Schema{Type: "string"}}}}}
}

// AuditEntry is one entry of the audit log as published.
type AuditEntry struct {
	Index       int64      `json:"index"`
	LeafHash    []byte     `json:"leaf_hash" doc:"RFC 6962 leaf hash: SHA-256(0x00 || payload_hash), base64."`
	PayloadHash []byte     `json:"payload_hash" doc:"SHA-256 of the payload bytes, base64."`
	Payload     *string    `json:"payload" doc:"The canonical event (version 1 JSON); null when erased."`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

type entriesInput struct {
	From  int64 `query:"from" minimum:"0" doc:"Index of the first entry."`
	Limit int   `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

type entriesOutput struct {
	Body struct {
		Size  int64        `json:"size" doc:"Number of entries in the log."`
		Next  *int64       `json:"next" doc:"Index to ask for next; null at the end."`
		Items []AuditEntry `json:"items"`
	}
}

type inclusionInput struct {
	Index int64 `query:"index" required:"true" minimum:"0"`
	Size  int64 `query:"size" required:"true" minimum:"1" doc:"Tree size, usually that of a signed checkpoint."`
}

// InclusionProof proves that an entry is in the tree of a size.
type InclusionProof struct {
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	LeafHash []byte   `json:"leaf_hash"`
	RootHash []byte   `json:"root_hash"`
	Hashes   [][]byte `json:"hashes" doc:"RFC 6962 audit path, base64, leaf to root."`
}

type inclusionOutput struct{ Body InclusionProof }

type consistencyInput struct {
	Old int64 `query:"old" required:"true" minimum:"1"`
	New int64 `query:"new" required:"true" minimum:"1"`
}

// ConsistencyProof proves that the tree of size old is a prefix of the tree of size new.
type ConsistencyProof struct {
	Old     int64    `json:"old"`
	New     int64    `json:"new"`
	OldRoot []byte   `json:"old_root"`
	NewRoot []byte   `json:"new_root"`
	Hashes  [][]byte `json:"hashes" doc:"RFC 6962 consistency proof, base64."`
}

type consistencyOutput struct{ Body ConsistencyProof }

// VerifyReport is the outcome of verifying the whole audit log.
type VerifyReport struct {
	OK                   bool      `json:"ok"`
	Origin               string    `json:"origin"`
	Size                 int64     `json:"size"`
	Entries              int64     `json:"entries"`
	Erased               int64     `json:"erased"`
	RootHash             []byte    `json:"root_hash"`
	Checkpoints          int       `json:"checkpoints"`
	VerifiedCheckpoints  int       `json:"verified_checkpoints"`
	LatestCheckpointSize *int64    `json:"latest_checkpoint_size"`
	Problems             []Problem `json:"problems"`
}

// Problem is one thing wrong with a log.
type Problem struct {
	Index   *int64 `json:"index" doc:"The entry concerned, or null."`
	Message string `json:"message"`
}

type verifyOutput struct{ Body VerifyReport }

func hashes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func registerAudit(r *registrar, s Services) {
	tags := []string{"Audit log"}
	register(r, huma.Operation{
		OperationID: "get-audit-checkpoint", Method: http.MethodGet, Path: "/api/v1/audit/checkpoint", Tags: tags,
		Summary:     "Latest signed checkpoint",
		Description: "The organisation's latest checkpoint as a C2SP signed note: origin, size and base64 root hash, then an Ed25519 signature line.",
		Responses:   textResponse("The signed note."), Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, _ *struct{}) (*textOutput, error) {
		cp, err := s.Audit.Checkpoint(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return text(cp.Note), nil
	})
	register(r, huma.Operation{
		OperationID: "sign-audit-checkpoint", Method: http.MethodPost, Path: "/api/v1/audit/checkpoint", Tags: tags,
		Summary:     "Sign a checkpoint now",
		Description: "Signs a checkpoint if the log grew since the last one (aims also does this every minute) and returns the latest.",
		Responses:   textResponse("The signed note."), Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, _ *struct{}) (*textOutput, error) {
		cp, err := s.Audit.Sign(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return text(cp.Note), nil
	})
	register(r, huma.Operation{
		OperationID: "get-audit-key", Method: http.MethodGet, Path: "/api/v1/audit/key", Tags: tags,
		Summary:     "Checkpoint verifier key",
		Description: "The public key, in note verifier format, that checks this installation's checkpoint signatures. Needs no authentication.",
		Responses:   textResponse("The verifier key."), Security: []map[string][]string{},
	}, func(ctx context.Context, _ *struct{}) (*textOutput, error) {
		return text(s.Audit.VerifierKey + "\n"), nil
	})
	register(r, huma.Operation{
		OperationID: "list-audit-entries", Method: http.MethodGet, Path: "/api/v1/audit/entries", Tags: tags,
		Summary: "Audit log entries", Description: "Entries oldest first, from an index, with the bytes each leaf commits to.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *entriesInput) (*entriesOutput, error) {
		es, size, err := s.Audit.Entries(ctx, actor(ctx), in.From, in.Limit)
		if err != nil {
			return nil, problem(err, "query")
		}
		out := &entriesOutput{}
		out.Body.Size = size
		out.Body.Items = make([]AuditEntry, 0, len(es))
		for _, e := range es {
			x := AuditEntry{Index: e.Index, LeafHash: e.LeafHash, PayloadHash: e.PayloadHash, ErasedAt: e.ErasedAt, CreatedAt: e.CreatedAt}
			if e.Payload != nil {
				p := string(e.Payload)
				x.Payload = &p
			}
			out.Body.Items = append(out.Body.Items, x)
		}
		if len(es) > 0 && es[len(es)-1].Index+1 < size {
			next := es[len(es)-1].Index + 1
			out.Body.Next = &next
		}
		return out, nil
	})
	register(r, huma.Operation{
		OperationID: "get-audit-inclusion-proof", Method: http.MethodGet, Path: "/api/v1/audit/proof/inclusion", Tags: tags,
		Summary: "Inclusion proof", Description: "Proves that entry `index` is in the tree of size `size`.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *inclusionInput) (*inclusionOutput, error) {
		p, leaf, root, err := s.Audit.InclusionProof(ctx, actor(ctx), in.Index, in.Size)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &inclusionOutput{InclusionProof{Index: in.Index, Size: in.Size, LeafHash: leaf[:], RootHash: root[:], Hashes: hashes(p)}}, nil
	})
	register(r, huma.Operation{
		OperationID: "get-audit-consistency-proof", Method: http.MethodGet, Path: "/api/v1/audit/proof/consistency", Tags: tags,
		Summary: "Consistency proof", Description: "Proves that the tree of size `old` is a prefix of the tree of size `new`.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *consistencyInput) (*consistencyOutput, error) {
		p, oldRoot, newRoot, err := s.Audit.ConsistencyProof(ctx, actor(ctx), in.Old, in.New)
		if err != nil {
			return nil, problem(err, "query")
		}
		return &consistencyOutput{ConsistencyProof{Old: in.Old, New: in.New, OldRoot: oldRoot[:], NewRoot: newRoot[:], Hashes: hashes(p)}}, nil
	})
	register(r, huma.Operation{
		OperationID: "verify-audit-log", Method: http.MethodGet, Path: "/api/v1/audit/verify", Tags: tags,
		Summary:     "Verify the whole audit log",
		Description: "Recomputes the tree from every entry and checks payloads, stored hashes, the index and every checkpoint signature.",
	}, func(ctx context.Context, _ *struct{}) (*verifyOutput, error) {
		rep, err := s.Audit.Verify(ctx, actor(ctx))
		if err != nil {
			return nil, problem(err, "")
		}
		return &verifyOutput{ReportOf(rep)}, nil
	})
}

// ReportOf converts a verification report for publication.
func ReportOf(r *tlog.LogReport) VerifyReport {
	out := VerifyReport{OK: r.OK(), Origin: r.Origin, Size: r.Size, Entries: r.Entries, Erased: r.Erased,
		RootHash: r.Root[:], Checkpoints: r.Checkpoints, VerifiedCheckpoints: r.Verified, Problems: []Problem{}}
	if r.Latest != nil {
		out.LatestCheckpointSize = &r.Latest.Size
	}
	for _, p := range r.Problems {
		x := Problem{Message: p.Message}
		if p.Index >= 0 {
			i := p.Index
			x.Index = &i
		}
		out.Problems = append(out.Problems, x)
	}
	return out
}
