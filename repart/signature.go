package repart

import (
	"fmt"

	"github.com/gorepart/gorepart/verity"
)

// signatureBlob is the content of a Verity=signature partition: the
// PKCS#7 signature of the root hash wrapped in repart's JSON.
func signatureBlob(rootHash, certPEM, keyPEM []byte) ([]byte, error) {
	sig, err := verity.Sign(rootHash, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	der, err := verity.CertificateDER(certPEM)
	if err != nil {
		return nil, fmt.Errorf("--certificate: %w", err)
	}
	return verity.SignatureJSON(rootHash, der, sig)
}

// joinedSignatureBlob wraps a signature made elsewhere (--join-signature=).
func joinedSignatureBlob(js verity.JoinSignature, certPEM []byte) ([]byte, error) {
	der, err := verity.CertificateDER(certPEM)
	if err != nil {
		return nil, fmt.Errorf("--certificate: %w", err)
	}
	return verity.SignatureJSON(js.RootHash, der, js.Signature)
}
