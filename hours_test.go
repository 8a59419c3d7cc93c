package parley_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

func TestHoursOpenAt(t *testing.T) {
	h := &parley.HoursOfOperation{ID: "h", TimeZone: "Europe/Paris", Config: []parley.HoursConfig{
		{Day: "MONDAY", StartHours: 9, EndHours: 17, EndMinutes: 30},
		{Day: "FRIDAY", StartHours: 22, EndHours: 2}, // past midnight into Saturday
		{Day: "SUNDAY", StartHours: 0, EndHours: 0},  // all day
	}}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, paris) } // 2026-11-02 is a Monday
	for _, c := range []struct {
		name string
		t    time.Time
		want bool
	}{
		{"Monday 8:59", at(2, 8, 59), false},
		{"Monday 9:00", at(2, 9, 0), true},
		{"Monday 17:29", at(2, 17, 29), true},
		{"Monday 17:30", at(2, 17, 30), false},
		{"Monday 9:00 Paris, given in UTC", at(2, 9, 0).UTC(), true},
		{"Tuesday noon", at(3, 12, 0), false},
		{"Friday 21:59", at(6, 21, 59), false},
		{"Friday 23:00", at(6, 23, 0), true},
		{"Saturday 1:59", at(7, 1, 59), true},
		{"Saturday 2:00", at(7, 2, 0), false},
		{"Sunday 3:00", at(8, 3, 0), true},
	} {
		got, err := h.OpenAt(c.t)
		if err != nil || got != c.want {
			t.Errorf("%s: open %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := (&parley.HoursOfOperation{TimeZone: "Mars/Olympus"}).OpenAt(at(2, 9, 0)); !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("unknown time zone: %v, want EINVALID", err)
	}
}
