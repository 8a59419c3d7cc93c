package httpapi

import (
	"unicode/utf8"

	"github.com/parley-chat/parley"
)

// Check validates request members against the model's constraints and keeps the first failure, which names the
// member. Lengths count Unicode code points, as Smithy's @length does.
type Check struct {
	err error
}

// Err returns the first failure, or nil.
func (c *Check) Err() error { return c.err }

func (c *Check) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = parley.Invalid(field, format, args...)
	}
}

// Required fails if present is false.
func (c *Check) Required(field string, present bool) {
	if !present {
		c.fail(field, "%s is required", field)
	}
}

// String checks an optional string member: when s is set, its length must be within [min, max] (max <= 0: no
// maximum) and it must be valid UTF-8. With required, s must be set.
func (c *Check) String(field string, s *string, required bool, min, max int) {
	if s == nil {
		if required {
			c.fail(field, "%s is required", field)
		}
		return
	}
	c.Len(field, *s, min, max)
}

// Len checks the length of a string value.
func (c *Check) Len(field, s string, min, max int) {
	if !utf8.ValidString(s) {
		c.fail(field, "%s is not valid UTF-8", field)
		return
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			c.fail(field, "%s must not be empty", field)
		} else {
			c.fail(field, "%s must be at least %d characters long", field, min)
		}
		return
	}
	if max > 0 && n > max {
		c.fail(field, "%s must be at most %d characters long (got %d)", field, max, n)
	}
}

// Int checks an optional integer member against [min, max].
func (c *Check) Int(field string, v *int, required bool, min, max int) {
	if v == nil {
		if required {
			c.fail(field, "%s is required", field)
		}
		return
	}
	if *v < min || *v > max {
		c.fail(field, "%s must be between %d and %d (got %d)", field, min, max, *v)
	}
}

// Enum checks that an optional string member is one of values.
func (c *Check) Enum(field string, s *string, required bool, values ...string) {
	if s == nil {
		if required {
			c.fail(field, "%s is required", field)
		}
		return
	}
	for _, v := range values {
		if *s == v {
			return
		}
	}
	c.fail(field, "%s must be one of %v (got %q)", field, values, *s)
}

// Fail records a failure found by the caller.
func (c *Check) Fail(field, format string, args ...any) { c.fail(field, format, args...) }
