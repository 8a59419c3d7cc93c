package admin

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // time zones work on hosts without /usr/share/zoneinfo (scratch containers)

	"github.com/parley-chat/parley"
)

// Days of the week, as the Connect model spells them.
var days = []string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"}

// MaxHoursConfig is the most opening intervals one set of hours may have (the model's list limit).
const MaxHoursConfig = 100

// HoursInput describes hours of operation to create or update.
type HoursInput struct {
	Name        string // 1..127 characters, unique in the instance
	Description string // 0..250
	// TimeZone is an IANA time zone name such as Europe/Paris or UTC.
	TimeZone string
	// Config holds the opening intervals. An interval whose end is before its start runs past midnight; one
	// whose end equals its start (00:00 to 00:00 in Basic Hours) is open the whole day.
	Config []parley.HoursConfig
}

func (in *HoursInput) check() error {
	var c check
	c.str("Name", in.Name, 1, 127)
	c.str("Description", in.Description, 0, 250)
	c.str("TimeZone", in.TimeZone, 1, 100)
	if c.err == nil {
		if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
			c.fail("TimeZone", "TimeZone %q is not a known IANA time zone", in.TimeZone)
		}
	}
	if len(in.Config) > MaxHoursConfig {
		c.fail("Config", "Config must have at most %d items (got %d)", MaxHoursConfig, len(in.Config))
	}
	for i, h := range in.Config {
		f := fmt.Sprintf("Config[%d]", i)
		c.enum(f+".Day", h.Day, days...)
		c.rng(f+".StartTime.Hours", h.StartHours, 0, 23)
		c.rng(f+".StartTime.Minutes", h.StartMinutes, 0, 59)
		c.rng(f+".EndTime.Hours", h.EndHours, 0, 23)
		c.rng(f+".EndTime.Minutes", h.EndMinutes, 0, 59)
	}
	return c.err
}

// CreateHoursOfOperation creates hours of operation. Errors: ENOTFOUND for the instance; ECONFLICT if the
// instance has hours with the name; EINVALID for an unknown time zone or a bad interval.
func (s *Service) CreateHoursOfOperation(ctx context.Context, instanceID string, in HoursInput) (*parley.HoursOfOperation, error) {
	var h *parley.HoursOfOperation
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		h, err = s.putHours(ctx, tx, inst, "", in)
		return err
	})
	return h, err
}

func (s *Service) putHours(ctx context.Context, tx parley.Tx, inst *parley.Instance, id string, in HoursInput) (*parley.HoursOfOperation, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if id == "" {
		id = newID()
	}
	h := &parley.HoursOfOperation{ID: id, InstanceID: inst.ID, ARN: arn(inst, arnHours, id), Name: in.Name,
		Description: in.Description, TimeZone: in.TimeZone, Config: in.Config}
	if err := tx.PutHoursOfOperation(ctx, h); err != nil {
		return nil, duplicate(err, "hours of operation named %q exist in instance %s", in.Name, inst.ID)
	}
	return h, nil
}

// HoursOfOperation returns hours of an instance by id or ARN; ENOTFOUND (HOURS_OF_OPERATION) if none.
func (s *Service) HoursOfOperation(ctx context.Context, instanceID, id string) (*parley.HoursOfOperation, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return getHours(ctx, s.store, inst.ID, id)
}

// ListHoursOfOperations returns the hours of an instance ordered by name.
func (s *Service) ListHoursOfOperations(ctx context.Context, instanceID string) ([]*parley.HoursOfOperation, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	return s.store.ListHoursOfOperations(ctx, inst.ID)
}
