package flow

import "testing"

func TestCompare(t *testing.T) {
	cases := []struct {
		op, value, operand string
		numeric, want      bool
	}{
		{"Equals", "CHAT", "CHAT", false, true},
		{"Equals", "chat", "CHAT", false, false},
		{"Equals", "1.0", "1", false, false},
		{"Equals", "1.0", "1", true, true},
		{"Equals", "x", "1", true, false},
		{"TextContains", "refund please", "refund", false, true},
		{"TextStartsWith", "refund please", "please", false, false},
		{"TextEndsWith", "refund please", "please", false, true},
		{"NumberGreaterThan", "5", "4.5", false, true},
		{"NumberGreaterThan", "4.5", "4.5", false, false},
		{"NumberGreaterOrEqualTo", "4.5", "4.5", false, true},
		{"NumberLessThan", " 3 ", "4", false, true},
		{"NumberLessOrEqualTo", "5", "4", false, false},
		{"NumberLessThan", "", "4", false, false},
		{"NumberLessThan", "3", "four", false, false},
		{"Unknown", "3", "3", false, false},
	}
	for _, tc := range cases {
		if got := compare(tc.op, tc.value, tc.operand, tc.numeric); got != tc.want {
			t.Errorf("compare(%s, %q, %q, numeric %v) = %v, want %v", tc.op, tc.value, tc.operand, tc.numeric, got, tc.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	cases := []struct {
		number, format string
		want           bool
	}{
		{"+14155550100", "E164", true},
		{" +442071838750 ", "E164", true},
		{"14155550100", "E164", false},
		{"+0123456789", "E164", false},
		{"+1415", "E164", false},
		{"+1415555010012345", "E164", false},
		{"+1415x550100", "E164", false},
		{"(415) 555-0100", "Local", true},
		{"555.0100", "Local", true},
		{"123", "Local", false},
		{"call me", "Local", false},
		{"1234567890123456", "Local", false},
	}
	for _, tc := range cases {
		if got := validPhone(tc.number, tc.format); got != tc.want {
			t.Errorf("validPhone(%q, %s) = %v, want %v", tc.number, tc.format, got, tc.want)
		}
	}
}
