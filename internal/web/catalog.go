package web

// catalogRoutes adds the pages of the standard: clauses, controls, Annex C and crosswalks.
func (h *handler) catalogRoutes(signed route) {}
