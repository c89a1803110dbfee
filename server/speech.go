package server

import (
	"context"
	"net/http"

	"github.com/chorus-community/chorus"
)

// Speaker turns text into spoken WAV audio (speech.Espeak).
type Speaker interface {
	Say(ctx context.Context, text string) ([]byte, error)
}

// speechInfo tells a kiosk whether the server speaks for it:
// GET /api/kiosk/speech → {"available": true}.
func (s *Server) speechInfo(w http.ResponseWriter, r *http.Request) error {
	WriteJSON(w, http.StatusOK, map[string]bool{"available": s.Speech != nil})
	return nil
}

// speak answers {"text"} with the text spoken, as audio/wav, for the
// kiosk page to play at its own volume: POST /api/kiosk/speech.
func (s *Server) speak(w http.ResponseWriter, r *http.Request) error {
	if s.Speech == nil {
		return chorus.Errorf(chorus.ENOTFOUND, "这台服务器不能朗读。")
	}
	var body struct {
		Text string `json:"text"`
	}
	if err := decode(w, r, &body); err != nil {
		return err
	}
	wav, err := s.Speech.Say(r.Context(), body.Text)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(wav)
	return err
}
