package api_test

func init() {
	moreOperations = append(moreOperations,
		"GET /api/v1/internal-audits", "POST /api/v1/internal-audits", "GET /api/v1/internal-audits/{ref}",
		"PATCH /api/v1/internal-audits/{ref}", "POST /api/v1/internal-audits/{ref}/start",
		"PATCH /api/v1/internal-audits/{ref}/items/{number}", "POST /api/v1/internal-audits/{ref}/report",
		"GET /api/v1/internal-audit-programmes", "POST /api/v1/internal-audit-programmes",
		"GET /api/v1/internal-audit-programmes/{ref}", "PATCH /api/v1/internal-audit-programmes/{ref}")
}
