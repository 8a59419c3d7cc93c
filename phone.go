package parley

// E164 reports whether s is a phone number in E.164 form: "+", a digit from 1 to 9, then 1 to 14 digits.
func E164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
