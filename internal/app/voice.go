package app

import (
	"fmt"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
)

// setupVoice makes the voice catalogue, the caller (Alibaba Cloud with an
// access key, else the log) and the worker that places the outbox's calls.
func (a *App) setupVoice() error {
	cfg := a.Config
	codes, err := sms.ParseCodes(cfg.Voice.Templates)
	if err != nil {
		return fmt.Errorf("CHORUS_VOICE_TEMPLATES: %w", err)
	}
	cat, err := voice.NewCatalogue(codes)
	if err != nil {
		return fmt.Errorf("CHORUS_VOICE_TEMPLATES: %w", err)
	}
	rules := chorus.CallRules{PerPhoneDay: cfg.Voice.PerDay, BudgetDay: cfg.Voice.BudgetDay}
	if cfg.Voice.Windows != "" {
		if rules.Windows, err = chorus.ParseCallWindows(cfg.Voice.Windows); err != nil {
			return fmt.Errorf("CHORUS_VOICE_WINDOWS: %s", chorus.ErrorMessage(err))
		}
	}
	id, secret := cfg.Voice.AccessKeyID, cfg.Voice.AccessKeySecret
	if id == "" {
		id, secret = cfg.SMS.AccessKeyID, cfg.SMS.AccessKeySecret
	}
	var caller voice.Caller
	if id == "" {
		caller = &voice.LogCaller{Logger: a.Logger}
	} else {
		ali, err := voice.NewAlibaba(voice.AlibabaConfig{AccessKeyID: id, AccessKeySecret: secret, ShowNumber: cfg.Voice.ShowNumber,
			Region: cfg.SMS.Region, Endpoint: cfg.Voice.Endpoint, Scheme: cfg.Voice.Scheme, Timeout: cfg.Voice.Timeout})
		if err != nil {
			return fmt.Errorf("voice: %w", err)
		}
		caller = ali
	}
	a.Calls = &voice.Worker{Outbox: a.DB, Caller: caller, Catalogue: cat, Rules: rules, Location: a.Location,
		Sign: cfg.SMS.SignName, Now: a.Now, Logger: a.Logger}
	return nil
}
