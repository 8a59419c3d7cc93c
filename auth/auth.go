// Package auth hashes and checks the passwords of parley's users with argon2id (RFC 9106), and checks them
// against Amazon Connect's password policy.
//
// A hash is stored in the PHC string format, $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key> with
// unpadded standard base64, so its parameters travel with it and can be raised later without invalidating
// stored hashes. The functions are safe for concurrent use; each hash or check costs about Params.Memory KiB of
// memory and tens of milliseconds of CPU, on purpose.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams are OWASP's recommended argon2id settings (19 MiB, 2 passes, 1 lane), a 16-byte salt and a
// 32-byte key.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on what CheckPassword accepts from a stored hash, so that a corrupted or hostile row cannot make a
// login allocate gigabytes.
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 64
)

// ErrMalformed is returned by CheckPassword for a stored hash it cannot parse.
var ErrMalformed = errors.New("auth: malformed password hash")

// HashPassword returns the encoded argon2id hash of password with a fresh random salt and DefaultParams.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(DefaultParams, password)
}

// HashPasswordWith is HashPassword with explicit parameters.
func HashPasswordWith(p Params, password string) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.SaltLen < 8 || p.KeyLen < 16 {
		return "", errors.New("auth: argon2id parameters too weak")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is checked against when there is no stored hash, so that a login for an unknown user costs as much
// as one for a known user and the time taken does not tell which usernames exist.
// It is computed on first use, not at start, since hashing is slow on purpose.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("parley dummy password")
	if err != nil {
		panic(err)
	}
	return h
})

// CheckPassword reports whether password matches the encoded hash, comparing in constant time. An empty hash
// (a user who cannot log in) never matches, but still costs one hash computation. It returns ErrMalformed,
// and false, for a hash it cannot parse.
func CheckPassword(encoded, password string) (bool, error) {
	if encoded == "" {
		_, _ = CheckPassword(dummyHash(), password)
		return false, nil
	}
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// decode parses a PHC-format argon2id hash.
func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, ErrMalformed
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || p.Threads == 0 {
		return p, nil, nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}

// Password policy of Amazon Connect's CreateUser (pattern ^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d\S]{8,64}$).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 64
)

// CheckPolicy returns a client-safe description of why password breaks Amazon Connect's password policy (8 to
// 64 characters without white space, with at least one lowercase letter, one uppercase letter and one digit),
// or "" when it does not.
func CheckPolicy(password string) string {
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) || n < MinPasswordLen || n > MaxPasswordLen {
		return fmt.Sprintf("must be %d to %d characters long", MinPasswordLen, MaxPasswordLen)
	}
	var lower, upper, digit bool
	for _, r := range password {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return "must not contain white space or control characters"
		case 'a' <= r && r <= 'z':
			lower = true
		case 'A' <= r && r <= 'Z':
			upper = true
		case '0' <= r && r <= '9':
			digit = true
		}
	}
	if !lower || !upper || !digit {
		return "must contain at least one lowercase letter, one uppercase letter and one digit"
	}
	return ""
}

// NewPassword returns a random password of n characters (at least 12; n is raised to that) drawn from letters
// and digits, which always satisfies CheckPolicy.
func NewPassword(n int) (string, error) {
	const (
		lower  = "abcdefghijkmnopqrstuvwxyz" // no l: easier to read off a terminal
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"  // no I, O
		digits = "23456789"                  // no 0, 1
		all    = lower + upper + digits
	)
	n = max(n, 12)
	for {
		b := make([]byte, n)
		for i := range b {
			c, err := randIndex(len(all))
			if err != nil {
				return "", err
			}
			b[i] = all[c]
		}
		if s := string(b); CheckPolicy(s) == "" {
			return s, nil
		}
	}
}

// randIndex returns a uniform random integer in [0, n) for n <= 256, by rejection sampling.
func randIndex(n int) (int, error) {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, err
		}
		if int(b[0]) < limit {
			return int(b[0]) % n, nil
		}
	}
}
