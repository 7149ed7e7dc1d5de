package decision

// SetWithoutStats turns the monitoring statistics off or on, for benchmarks.
func (s *Service) SetWithoutStats(off bool) { s.withoutStats = off }
