package auth

import (
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	h, err := HashPassword("Secret123")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	if strings.Contains(h, "Secret123") {
		t.Fatal("hash contains the password")
	}
	h2, err := HashPassword("Secret123")
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{"Secret123", true},
		{"secret123", false},
		{"Secret1234", false},
		{"", false},
	} {
		ok, err := CheckPassword(h, tc.pw)
		if err != nil {
			t.Fatalf("CheckPassword(%q): %v", tc.pw, err)
		}
		if ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, want %v", tc.pw, ok, tc.want)
		}
	}
	if ok, err := CheckPassword(h2, "Secret123"); !ok || err != nil {
		t.Errorf("CheckPassword of the second hash = %v, %v; want true", ok, err)
	}
}

func TestCheckPasswordEmptyHash(t *testing.T) {
	ok, err := CheckPassword("", "")
	if ok || err != nil {
		t.Errorf("CheckPassword with no stored hash = %v, %v; want false, nil", ok, err)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, err := HashPasswordWith(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(good, "pw"); !ok || err != nil {
		t.Fatalf("CheckPassword of a cheap hash = %v, %v; want true", ok, err)
	}
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuu5Zy0y7yT5N8r6zZ0nP6wY6r5F1y0dK",
		"plain text":    "Secret123",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"version 16":    strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":   strings.Replace(good, "m=64", "m=99999999", 1),
		"zero passes":   strings.Replace(good, "t=1", "t=0", 1),
		"bad salt":      strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$"),
		"short key":     strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"missing parts": "$argon2id$v=19$m=64,t=1,p=1",
	} {
		ok, err := CheckPassword(h, "pw")
		if ok || err != ErrMalformed {
			t.Errorf("%s: CheckPassword = %v, %v; want false, ErrMalformed", name, ok, err)
		}
	}
}

func TestCheckPolicy(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"Passw0rd", true},
		{"Pa$$w0rd!", true},
		{"Aa1" + strings.Repeat("x", 61), true},
		{"Aa1" + strings.Repeat("x", 62), false}, // 65 characters
		{"Aa1xxxx", false},                       // 7 characters
		{"password1", false},                     // no uppercase
		{"PASSWORD1", false},                     // no lowercase
		{"Password", false},                      // no digit
		{"Pass word1", false},                    // white space
		{"Pass\tword1", false},
		{"Pässwörd1", true}, // other non-space characters are allowed
		{"Pass\x00word1", false},
	} {
		msg := CheckPolicy(tc.pw)
		if (msg == "") != tc.ok {
			t.Errorf("CheckPolicy(%q) = %q, want ok=%v", tc.pw, msg, tc.ok)
		}
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := NewPassword(16)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 {
			t.Errorf("NewPassword(16) = %q, %d characters", pw, len(pw))
		}
		if msg := CheckPolicy(pw); msg != "" {
			t.Errorf("NewPassword gave %q, which breaks the policy: %s", pw, msg)
		}
		if seen[pw] {
			t.Errorf("NewPassword repeated %q", pw)
		}
		seen[pw] = true
	}
	if pw, _ := NewPassword(4); len(pw) != 12 {
		t.Errorf("NewPassword(4) = %q, want 12 characters", pw)
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("Secret123"); err != nil {
			b.Fatal(err)
		}
	}
}
