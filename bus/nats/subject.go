package nats

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxPlainToken is the longest chain id used as its own subject token. Longer ids are hashed, so that a subject
// stays far below the server's control-line limit (4 KiB by default) whatever a client sends.
const maxPlainToken = 128

// token maps a chain id to one subject token, injectively. Ids made only of letters, digits and hyphens (UUIDs,
// the ids parley makes) are their own token, which keeps subjects readable in server monitoring. Any other id
// becomes "_" and the hex SHA-256 of the id: '_' never occurs in a plain token, so the two forms cannot collide,
// and the hash cannot contain '.', '*', '>' or white space, which would split the subject or make a wildcard.
func token(chainID string) string {
	if plain(chainID) {
		return chainID
	}
	sum := sha256.Sum256([]byte(chainID))
	return "_" + hex.EncodeToString(sum[:])
}

func plain(s string) bool {
	if s == "" || len(s) > maxPlainToken {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validPrefix reports whether prefix is a literal subject: non-empty tokens separated by dots, no wildcards, no
// white space or control characters.
func validPrefix(prefix string) bool {
	if prefix == "" {
		return false
	}
	for tok := range strings.SplitSeq(prefix, ".") {
		if tok == "" || tok == "*" || tok == ">" {
			return false
		}
		for _, r := range tok {
			if r <= ' ' || r == 0x7f || r == '*' || r == '>' {
				return false
			}
		}
	}
	return true
}
