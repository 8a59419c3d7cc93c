package snstest

import (
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
)

// ids makes MessageIds and RequestIds: version 4 UUIDs that share a random base drawn once per process and
// differ by a counter in their last 48 bits, unique without a read of crypto/rand each (a PublishBatch asks
// for eleven).
var ids struct {
	base [16]byte
	n    atomic.Uint64
}

func init() {
	_, _ = rand.Read(ids.base[:])
	ids.base[6] = ids.base[6]&0x0f | 0x40 // version 4
	ids.base[8] = ids.base[8]&0x3f | 0x80 // RFC 9562 variant
}

// newID returns the next id, shaped as uuid.NewString's.
func newID() string {
	u := ids.base
	n := ids.n.Add(1)
	for i := 15; i >= 10; i-- {
		u[i] ^= byte(n)
		n >>= 8
	}
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
