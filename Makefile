# Benchmarks that report ratios against a baseline measured in the same run.
# Set AIMS_TEST_POSTGRES_URL to include PostgreSQL.
.PHONY: bench
bench:
	go test -run '^$$' -bench . -benchtime 30x ./internal/decision
	go test -run '^$$' -bench . ./internal/tlog
	go test -run '^$$' -bench . -benchtime 5x ./internal/monitor
