package dataset

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/identity"
)

// MaxLineageNodes bounds a lineage: beyond it the ancestry is cut off and
// the lineage says it is truncated.
const MaxLineageNodes = 1000

// Lineage is the ancestry of some data set versions: every version they were
// derived from, directly or not, and each derivation.
type Lineage struct {
	// Versions are the keys asked about, as found.
	Versions []string      `json:"versions"`
	Nodes    []LineageNode `json:"nodes" doc:"Every version of the ancestry, by generation, then by key."`
	Edges    []LineageEdge `json:"edges" doc:"Each derivation, from the derived version to the version it was derived from."`
	// Truncated says the ancestry had more than MaxLineageNodes versions and was cut off.
	Truncated bool `json:"truncated"`
}

// LineageNode is one version of an ancestry.
type LineageNode struct {
	ID                   string          `json:"id"`
	Key                  string          `json:"key"`
	DatasetRef           string          `json:"dataset_ref"`
	Number               int             `json:"number"`
	Name                 string          `json:"name" doc:"The data set's name."`
	Label                string          `json:"label"`
	Acquisition          string          `json:"acquisition"`
	ContainsPersonalData bool            `json:"contains_personal_data"`
	Requested            bool            `json:"requested" doc:"Whether the version is one of those asked about."`
	Generation           int             `json:"generation" doc:"0 for a version asked about that none of the others derives from; otherwise one more than the highest generation derived from it."`
	Profile              *ProfileSummary `json:"profile,omitempty" doc:"The headline figures of its profile; absent when it has none."`
}

// LineageEdge is one derivation: Child was made from Parent with the child's
// preparation steps.
type LineageEdge struct {
	Child       string   `json:"child" doc:"Key of the derived version."`
	Parent      string   `json:"parent" doc:"Key of the version it was derived from."`
	Preparation []string `json:"preparation" doc:"The derived version's preparation steps."`
}

// Lineage returns the whole ancestry of the versions named by key (DS-3@2)
// or id, found breadth first and bounded by MaxLineageNodes.
func (s *Service) Lineage(ctx context.Context, actor *aims.Actor, versionKeys ...string) (*Lineage, error) {
	if err := identity.Authorize(actor, identity.ActRead); err != nil {
		return nil, err
	}
	var p aims.Problems
	nodes := map[string]*Version{}
	var order, frontier []string
	var unknown []string
	out := &Lineage{Versions: []string{}, Nodes: []LineageNode{}, Edges: []LineageEdge{}}
	requested := map[string]bool{}
	for _, k := range versionKeys {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		v, err := getVersion(ctx, s.db, actor.OrgID, k)
		if aims.CodeOf(err) == aims.CodeNotFound {
			unknown = append(unknown, k)
			continue
		}
		if err != nil {
			return nil, err
		}
		if requested[v.ID] {
			continue
		}
		requested[v.ID] = true
		out.Versions = append(out.Versions, v.Key)
		nodes[v.ID] = v
		order = append(order, v.ID)
		frontier = append(frontier, v.ID)
	}
	if len(unknown) > 0 {
		p.Add("version", "must name versions of this organisation's data sets, such as DS-1@2: %s is not one", strings.Join(unknown, ", "))
	} else if len(out.Versions) == 0 {
		p.Add("version", "is required: name at least one data set version, such as DS-1@2")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	type edge struct{ child, parent string }
	var edges []edge
	for len(frontier) > 0 {
		var next []string
		for _, chunk := range chunks(frontier, 400) {
			found, err := parentsOf(ctx, s.db, actor.OrgID, chunk)
			if err != nil {
				return nil, err
			}
			var load []string
			for _, e := range found {
				if _, ok := nodes[e[1]]; !ok && !contains(load, e[1]) {
					if len(nodes)+len(load) >= MaxLineageNodes {
						out.Truncated = true
						continue
					}
					load = append(load, e[1])
				}
				edges = append(edges, edge{e[0], e[1]})
			}
			loaded, err := versionsByID(ctx, s.db, actor.OrgID, load)
			if err != nil {
				return nil, err
			}
			for _, v := range loaded {
				nodes[v.ID] = v
				order = append(order, v.ID)
				next = append(next, v.ID)
			}
		}
		frontier = next
	}
	// Generations: the longest path from a version asked about, found in
	// topological order (derivations never form a cycle).
	children := map[string]int{}
	parents := map[string][]string{}
	for _, e := range edges {
		if _, ok := nodes[e.parent]; !ok {
			continue // cut off by the bound
		}
		children[e.parent]++
		parents[e.child] = append(parents[e.child], e.parent)
	}
	gen := map[string]int{}
	var queue []string
	for _, id := range order {
		if children[id] == 0 {
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, par := range parents[id] {
			gen[par] = max(gen[par], gen[id]+1)
			if children[par]--; children[par] == 0 {
				queue = append(queue, par)
			}
		}
	}
	for _, id := range order {
		v := nodes[id]
		n := LineageNode{ID: v.ID, Key: v.Key, DatasetRef: v.DatasetRef, Number: v.Number, Name: v.DatasetName, Label: v.Label,
			Acquisition: v.Acquisition, ContainsPersonalData: v.ContainsPersonalData, Requested: requested[id], Generation: gen[id]}
		if v.Profile != nil {
			sum := v.Profile.ProfileSummary
			n.Profile = &sum
		}
		out.Nodes = append(out.Nodes, n)
	}
	sort.SliceStable(out.Nodes, func(i, j int) bool {
		a, b := out.Nodes[i], out.Nodes[j]
		if a.Generation != b.Generation {
			return a.Generation < b.Generation
		}
		return lessKey(a.Key, b.Key)
	})
	for _, e := range edges {
		c, par := nodes[e.child], nodes[e.parent]
		if c == nil || par == nil {
			continue
		}
		out.Edges = append(out.Edges, LineageEdge{Child: c.Key, Parent: par.Key, Preparation: c.Preparation})
	}
	sort.SliceStable(out.Edges, func(i, j int) bool {
		return out.Edges[i].Child != out.Edges[j].Child && lessKey(out.Edges[i].Child, out.Edges[j].Child)
	})
	return out, nil
}

// lessKey orders keys such as DS-2@3 before DS-10@1 and DS-2@10.
func lessKey(a, b string) bool {
	ra, na, _ := parseKey(a)
	rb, nb, _ := parseKey(b)
	if ra != rb {
		return lessRef(ra, rb)
	}
	return na < nb
}

// parentsOf reads the derivations of versions as pairs of child and parent
// ids, in each child's order.
func parentsOf(ctx context.Context, q db.Queryer, orgID string, ids []string) ([][2]string, error) {
	args := []any{orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT version_id, parent_id FROM dataset_version_parents WHERE org_id = ? AND version_id IN (`+
		placeholders(len(ids))+`) ORDER BY version_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var e [2]string
		if err := rows.Scan(&e[0], &e[1]); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// versionsByID reads versions by id, without their links.
func versionsByID(ctx context.Context, q db.Queryer, orgID string, ids []string) ([]*Version, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, selectVersion+` WHERE v.org_id = ? AND v.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Version
	for rows.Next() {
		v, err := scanVersion(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

func contains(ss []string, s string) bool { return slices.Contains(ss, s) }
