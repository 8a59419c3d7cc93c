package client

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// This file is the only one that imports the AWS SDK (its SigV4 signer), for the Amazon Connect Service calls;
// the Participant Service needs no signature (fence_test.go keeps it so).

// sigV4 returns a signer for the Amazon Connect Service (signing name "connect"). With no access key it returns
// nil: requests go unsigned.
func sigV4(c Credentials, region string) func(*http.Request, []byte) error {
	if c.AccessKeyID == "" {
		return nil
	}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	return func(r *http.Request, body []byte) error {
		sum := sha256.Sum256(body)
		return signer.SignHTTP(r.Context(), creds, r, hex.EncodeToString(sum[:]), "connect", region, time.Now())
	}
}
