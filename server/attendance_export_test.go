package server

import "context"

// MaxAttendanceStreams is maxAttendanceStreams, for the external tests.
const MaxAttendanceStreams = maxAttendanceStreams

// WaitAttendanceStreams waits until n attendance streams are open.
func (s *Server) WaitAttendanceStreams(ctx context.Context, n int) error {
	for {
		got, moved := s.live.Count()
		if got == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-moved:
		}
	}
}
