package repart

import (
	"encoding/pem"
	"errors"

	"github.com/gorepart/gorepart/verity"
)

// signatureBlob is the content of a Verity=signature partition: the
// PKCS#7 signature of the root hash wrapped in repart's JSON.
func signatureBlob(rootHash, certPEM, keyPEM []byte) ([]byte, error) {
	sig, err := verity.Sign(rootHash, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, errors.New("--certificate: no PEM certificate found")
	}
	return verity.SignatureJSON(rootHash, block.Bytes, sig)
}

// joinedSignatureBlob wraps a signature made elsewhere (--join-signature=).
func joinedSignatureBlob(js verity.JoinSignature, certPEM []byte) ([]byte, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, errors.New("--certificate: no PEM certificate found")
	}
	return verity.SignatureJSON(js.RootHash, block.Bytes, js.Signature)
}
